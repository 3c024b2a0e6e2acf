import type { Knex } from 'knex';

/**
 * Files attached to a request (when it was submitted: no comment) or to one of its comments,
 * replies and internal notes alike. The bytes live in the database beside their row, in a
 * table of their own so lists never read them: every worker, on any machine, serves the same
 * files, and a backup of the database is a backup of them.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('attachments', (t) => {
    t.increments('id');
    t.integer('request_id').unsigned().notNullable().references('id').inTable('requests').onDelete('CASCADE');
    t.integer('comment_id').unsigned().nullable().references('id').inTable('comments').onDelete('CASCADE');
    t.integer('uploader_id').unsigned().notNullable().references('id').inTable('principals');
    t.string('filename', 200).notNullable();
    t.string('content_type', 100).notNullable();
    t.integer('size').notNullable();
    t.string('sha256', 64).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.index(['request_id', 'comment_id']);
    t.index(['comment_id']);
  });
  await knex.schema.createTable('attachment_contents', (t) => {
    t.integer('attachment_id').unsigned().primary().references('id').inTable('attachments').onDelete('CASCADE');
    t.binary('data').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('attachment_contents');
  await knex.schema.dropTable('attachments');
}
