import type { Knex } from 'knex';

/**
 * Whether Portico mails a person, as Jira Service Management's portal and Zammad let them
 * choose: `principals.email_notifications` for all of a person's notifications (a customer:
 * replies and status changes of their requests; staff: new requests and customer comments in
 * their projects), and `request_mutes` for a customer who wants no more mail about one
 * request. Account mail (sign-up links, password resets) is sent whatever they chose.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('principals', (t) => {
    t.boolean('email_notifications').notNullable().defaultTo(true);
  });
  await knex.schema.createTable('request_mutes', (t) => {
    t.integer('request_id').unsigned().notNullable().references('id').inTable('requests').onDelete('CASCADE');
    t.integer('principal_id').unsigned().notNullable().references('id').inTable('principals').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.primary(['request_id', 'principal_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('request_mutes');
  // A plain DROP COLUMN: knex's SQLite dropColumn rebuilds the table, and dropping the old
  // principals table would cascade to everything that refers to a person.
  await knex.raw('ALTER TABLE principals DROP COLUMN email_notifications');
}
