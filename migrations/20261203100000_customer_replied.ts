import type { Knex } from 'knex';

/**
 * When a customer wrote last with no public answer from staff since (`customer_replied_at`),
 * so the queue can show which requests wait on the team, a resolved or closed one included
 * (a customer's "it still fails" on a resolved request otherwise changed nothing but a date).
 * Set by a customer's comment, cleared by a staff reply; internal notes leave it alone.
 * Existing rows: the latest public comment's time where that comment is a customer's.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('requests', (t) => {
    t.timestamp('customer_replied_at', { useTz: true }).nullable();
  });
  await knex.raw(
    `UPDATE requests SET customer_replied_at = (
       SELECT c.created_at FROM comments c WHERE c.request_id = requests.id AND c.internal = ? ORDER BY c.id DESC LIMIT 1)
     WHERE (
       SELECT p.type FROM comments c JOIN principals p ON p.id = c.author_id
       WHERE c.request_id = requests.id AND c.internal = ? ORDER BY c.id DESC LIMIT 1) = 'requester'`,
    [false, false],
  );
}

export async function down(knex: Knex): Promise<void> {
  // A plain DROP COLUMN: knex's SQLite dropColumn rebuilds the table, and dropping the old
  // requests table would cascade to its comments and links.
  await knex.raw('ALTER TABLE requests DROP COLUMN customer_replied_at');
}
