import type { Knex } from 'knex';

/**
 * The desk queue's company and assignee choices ask, per company and per staff member,
 * whether a request the viewer may see names them. For a project member that is
 * `company_id = ? AND project_id IN (their projects)`: with these indexes each question is a
 * few index seeks instead of reading every request of the company or assignee.
 * (assignee_id, project_id) also serves every lookup the plain assignee_id index did.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('requests', (t) => {
    t.index(['company_id', 'project_id']);
    t.index(['assignee_id', 'project_id']);
  });
  await knex.schema.alterTable('requests', (t) => {
    t.dropIndex(['assignee_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('requests', (t) => {
    t.index(['assignee_id']);
  });
  await knex.schema.alterTable('requests', (t) => {
    t.dropIndex(['assignee_id', 'project_id']);
    t.dropIndex(['company_id', 'project_id']);
  });
}
