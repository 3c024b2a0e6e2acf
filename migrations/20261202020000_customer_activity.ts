import type { Knex } from 'knex';

/**
 * What customers are shown as a request's last activity (the portal's list, its order) is its
 * customer-visible activity only: submission, public comments and replies, status changes,
 * links to work items. `last_activity_at` also moves on internal notes and assignments, which
 * told a requester that, and exactly when, staff wrote something they cannot read.
 * Existing rows: the latest of submission, public comment and recorded status change (status
 * changes from before request_events existed, and links, left no trace to date them by).
 * The default (the epoch: SQLite's ADD COLUMN takes no expression, and the migration is the
 * same on both engines) only matters for rows an older instance would write during an
 * upgrade; stop old instances before upgrading (README, Performance), as for the tallies.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('requests', (t) => {
    t.timestamp('customer_activity_at', { useTz: true })
      .notNullable()
      .defaultTo('1970-01-01T00:00:00.000Z');
  });
  await knex.raw(`
    UPDATE requests SET customer_activity_at = coalesce(
      (SELECT max(c.created_at) FROM comments c WHERE c.request_id = requests.id AND c.internal = ?),
      requests.created_at)`, [false]);
  await knex.raw(`
    UPDATE requests SET customer_activity_at = (SELECT max(e.created_at) FROM request_events e WHERE e.request_id = requests.id AND e.kind = 'status')
    WHERE (SELECT max(e.created_at) FROM request_events e WHERE e.request_id = requests.id AND e.kind = 'status') > requests.customer_activity_at`);
  await knex.schema.alterTable('requests', (t) => {
    t.index(['requester_id', 'customer_activity_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('requests', (t) => {
    t.dropIndex(['requester_id', 'customer_activity_at']);
  });
  // A plain DROP COLUMN: knex's SQLite dropColumn rebuilds the table, and dropping the old
  // requests table would cascade to its comments and links.
  await knex.raw('ALTER TABLE requests DROP COLUMN customer_activity_at');
}
