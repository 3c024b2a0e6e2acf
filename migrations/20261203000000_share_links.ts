import type { Knex } from 'knex';

/**
 * Public read-only links (PRODUCT.md section 7): to a dashboard (`kind` = 'dashboard', made by
 * staff who manage its access) or to a list of requests (`kind` = 'requests': the public
 * requests of the portal, optionally of one project, type and status group, in one order).
 * Only the SHA-256 digest of a link's key is kept, as for API tokens; a link is revoked
 * (kept, for the list and the audit) rather than deleted, and may expire.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('share_links', (t) => {
    t.increments('id');
    t.string('kind', 20).notNullable();
    t.integer('dashboard_id').unsigned().references('id').inTable('dashboards').onDelete('CASCADE');
    t.integer('project_id').unsigned().references('id').inTable('projects').onDelete('CASCADE');
    t.string('request_type', 20);
    t.string('status_group', 20);
    t.string('sort', 20);
    t.string('key_hash', 128).notNullable().unique();
    t.string('label', 200).notNullable();
    t.integer('created_by').unsigned().notNullable().references('id').inTable('principals').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true });
    t.timestamp('revoked_at', { useTz: true });
    t.timestamp('last_used_at', { useTz: true });
    t.index(['dashboard_id']);
    t.index(['created_by']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('share_links');
}
