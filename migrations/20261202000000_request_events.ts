import type { Knex } from 'knex';

/**
 * What happened to a request besides its conversation: status and assignee changes, with who
 * made them and when, shown as the request's history in the desk (as Jira and Zammad do).
 * An assignee change names people by id (names are read when shown); a status change by value.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('request_events', (t) => {
    t.increments('id');
    t.integer('request_id').unsigned().notNullable().references('id').inTable('requests').onDelete('CASCADE');
    t.integer('actor_id').unsigned().references('id').inTable('principals').onDelete('SET NULL');
    t.string('kind', 40).notNullable();
    t.string('from_value', 40);
    t.string('to_value', 40);
    t.integer('from_principal_id').unsigned().references('id').inTable('principals').onDelete('SET NULL');
    t.integer('to_principal_id').unsigned().references('id').inTable('principals').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.index(['request_id', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('request_events');
}
