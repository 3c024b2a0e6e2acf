import type { Knex } from 'knex';

/**
 * Self sign-up confirmed by email, and a per-person cut-off that ends every older session
 * (set when a password changes or is reset).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('pending_signups', (t) => {
    t.increments('id');
    t.string('email', 320).notNullable();
    t.string('email_normalized', 320).notNullable();
    t.string('name', 200).notNullable();
    t.string('password_hash', 300).notNullable();
    t.string('token_hash', 128).notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.index(['email_normalized']);
  });
  await knex.schema.alterTable('principals', (t) => {
    t.bigInteger('sessions_valid_after').notNullable().defaultTo(0);
  });
  // Fail closed: people who already exist when the column arrives (after a rollback of this
  // migration, which forgets every cut-off) keep no session from before it. On a fresh
  // database there is nobody yet; new people get 0, "no cut-off".
  await knex('principals').update({ sessions_valid_after: Date.now() });
}

export async function down(knex: Knex): Promise<void> {
  // Plain standard SQL: knex's SQLite dropColumn rebuilds the table, which foreign keys
  // pointing at principals forbid once there is data.
  await knex.raw('ALTER TABLE principals DROP COLUMN sessions_valid_after');
  await knex.schema.dropTableIfExists('pending_signups');
}
