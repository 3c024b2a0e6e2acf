import type { Knex } from 'knex';

/**
 * Links that an administrator has mailed to a person so that they choose their password: the
 * invitation of someone added in /admin/users, and "Send a link to set a password" later. Each
 * is single-use and expires; only the SHA-256 digest of its token is kept; a new link ends the
 * person's earlier unused ones (`used_at`), and so do disabling and any password being set.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('password_links', (t) => {
    t.increments('id');
    t.integer('principal_id').unsigned().notNullable().references('id').inTable('principals').onDelete('CASCADE');
    t.string('token_hash', 128).notNullable().unique();
    t.integer('created_by').unsigned().references('id').inTable('principals').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.index(['principal_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  // Live links end with the table (fail closed): the administrator sends new ones.
  await knex.schema.dropTable('password_links');
}
