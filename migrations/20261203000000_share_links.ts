import type { Knex } from 'knex';

/**
 * Public read-only links to a dashboard (PRODUCT.md section 7), made by staff who manage its
 * access. Only the SHA-256 digest of a link's key is kept, as for API tokens; a link is
 * revoked (kept, for the list and the audit) rather than deleted, and may expire.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('share_links', (t) => {
    t.increments('id');
    t.integer('dashboard_id').unsigned().notNullable().references('id').inTable('dashboards').onDelete('CASCADE');
    t.string('key_hash', 128).notNullable().unique();
    t.string('label', 200).notNullable();
    t.integer('created_by').unsigned().notNullable().references('id').inTable('principals').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true });
    t.timestamp('revoked_at', { useTz: true });
    t.timestamp('last_used_at', { useTz: true });
    t.index(['dashboard_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('share_links');
}
