import type { Knex } from 'knex';

/**
 * The sign-up form takes the password again (PRODUCT.md section 8: name, email, password), kept
 * hashed on the pending sign-up. The account is still created only from the emailed link, and
 * only by someone who types that same password there: a person who signs up with another's
 * address cannot have its owner confirm an account whose password they chose. Pending sign-ups
 * of before (no password) keep the old way: their password is chosen on the confirmation page.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('pending_signups', (t) => {
    t.string('password_hash', 300).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  // Sign-ups sent under this rule cannot be confirmed under the old one (it would let whoever opens the link choose another password).
  await knex('pending_signups').whereNull('used_at').whereNotNull('password_hash').update({ used_at: new Date().toISOString() });
  await knex.raw('ALTER TABLE pending_signups DROP COLUMN password_hash');
}
