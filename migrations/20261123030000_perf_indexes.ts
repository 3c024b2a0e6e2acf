import type { Knex } from 'knex';

/**
 * Indexes found by the benchmark (issue 7). A staff member's dashboard widgets count and
 * list the requests of one project: by type, created per week, oldest open, top-voted
 * ideas. With only (project_id, status, last_activity_at) each of those read every request
 * of the project from the table (about 135 ms for five widgets at 100,000 requests on
 * SQLite); with these they read a narrow index range (about 12 ms). Plain portable indexes.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('requests', (t) => {
    // created_per_week (created_at >= 12 weeks ago) and oldest_open (ORDER BY created_at).
    t.index(['project_id', 'created_at']);
    // requests_by_type (GROUP BY type, covering) and top_ideas (type = 'idea' ORDER BY vote_count DESC).
    t.index(['project_id', 'type', 'vote_count']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('requests', (t) => {
    t.dropIndex(['project_id', 'type', 'vote_count']);
    t.dropIndex(['project_id', 'created_at']);
  });
}
