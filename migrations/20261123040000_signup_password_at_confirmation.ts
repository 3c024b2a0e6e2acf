import type { Knex } from 'knex';

/**
 * The password of a self sign-up is chosen when the emailed link is confirmed, not when
 * the form is sent: otherwise someone could sign up with another person's address and a
 * password of their own, and use the account once its owner confirms it.
 */
export async function up(knex: Knex): Promise<void> {
  // Unconfirmed sign-ups made under the old rule carry a password chosen by whoever sent them.
  await knex('pending_signups').whereNull('used_at').update({ used_at: new Date().toISOString() });
  await knex.raw('ALTER TABLE pending_signups DROP COLUMN password_hash');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('pending_signups', (t) => {
    t.string('password_hash', 300).notNullable().defaultTo('');
  });
}
