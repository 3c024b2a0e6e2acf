import type { Knex } from 'knex';

/**
 * The whole domain of PRODUCT.md section 2 in one portable step. Booleans, timestamps
 * and JSON use knex's portable types; timestamps are written by the application as ISO
 * strings so SQLite and PostgreSQL sort them alike.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('companies', (t) => {
    t.increments('id');
    t.string('name', 200).notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable();
  });

  await knex.schema.createTable('roles', (t) => {
    t.increments('id');
    t.string('name', 100).notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable();
  });

  // One row per role and entity kind: which changes the role allows on that kind.
  await knex.schema.createTable('role_permissions', (t) => {
    t.increments('id');
    t.integer('role_id').unsigned().notNullable().references('id').inTable('roles').onDelete('CASCADE');
    t.string('entity_kind', 40).notNullable();
    t.boolean('can_add').notNullable().defaultTo(false);
    t.boolean('can_edit').notNullable().defaultTo(false);
    t.boolean('can_delete').notNullable().defaultTo(false);
    t.boolean('can_comment').notNullable().defaultTo(false);
    t.unique(['role_id', 'entity_kind']);
  });

  await knex.schema.createTable('principals', (t) => {
    t.increments('id');
    t.string('type', 20).notNullable();
    t.string('name', 200).notNullable();
    t.string('email', 320).notNullable();
    // Lower-cased copy: emails are unique case-insensitively across every principal.
    t.string('email_normalized', 320).notNullable().unique();
    t.string('password_hash', 300).notNullable();
    t.integer('company_id').unsigned().references('id').inTable('companies').onDelete('SET NULL');
    t.integer('default_role_id').unsigned().references('id').inTable('roles').onDelete('SET NULL');
    t.boolean('disabled').notNullable().defaultTo(false);
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.index(['type', 'name']);
    t.index(['company_id']);
  });

  await knex.schema.createTable('projects', (t) => {
    t.increments('id');
    t.string('name', 200).notNullable().unique();
    t.boolean('is_private').notNullable().defaultTo(false);
    t.boolean('portal_enabled').notNullable().defaultTo(false);
    t.timestamp('created_at', { useTz: true }).notNullable();
  });

  await knex.schema.createTable('project_members', (t) => {
    t.increments('id');
    t.integer('project_id').unsigned().notNullable().references('id').inTable('projects').onDelete('CASCADE');
    t.integer('principal_id').unsigned().notNullable().references('id').inTable('principals').onDelete('CASCADE');
    t.integer('role_id').unsigned().notNullable().references('id').inTable('roles');
    t.unique(['project_id', 'principal_id']);
    t.index(['principal_id']);
  });

  await knex.schema.createTable('releases', (t) => {
    t.increments('id');
    t.integer('project_id').unsigned().notNullable().references('id').inTable('projects').onDelete('CASCADE');
    t.string('name', 200).notNullable();
    t.date('starts_on');
    t.date('ends_on');
    t.integer('creator_id').unsigned().references('id').inTable('principals').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.index(['project_id']);
  });

  await knex.schema.createTable('team_iterations', (t) => {
    t.increments('id');
    t.integer('project_id').unsigned().notNullable().references('id').inTable('projects').onDelete('CASCADE');
    t.string('name', 200).notNullable();
    t.date('starts_on');
    t.date('ends_on');
    t.integer('creator_id').unsigned().references('id').inTable('principals').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.index(['project_id']);
  });

  await knex.schema.createTable('work_items', (t) => {
    t.increments('id');
    t.integer('project_id').unsigned().notNullable().references('id').inTable('projects').onDelete('CASCADE');
    t.string('type', 30).notNullable();
    t.string('name', 300).notNullable();
    t.text('description').notNullable().defaultTo('');
    t.string('status', 30).notNullable();
    t.integer('parent_id').unsigned().references('id').inTable('work_items').onDelete('SET NULL');
    t.integer('owner_id').unsigned().references('id').inTable('principals').onDelete('SET NULL');
    t.integer('creator_id').unsigned().references('id').inTable('principals').onDelete('SET NULL');
    t.integer('release_id').unsigned().references('id').inTable('releases').onDelete('SET NULL');
    t.integer('team_iteration_id').unsigned().references('id').inTable('team_iterations').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.index(['project_id', 'type']);
    t.index(['parent_id']);
    t.index(['owner_id']);
  });

  await knex.schema.createTable('requests', (t) => {
    t.increments('id');
    t.integer('project_id').unsigned().notNullable().references('id').inTable('projects').onDelete('CASCADE');
    t.integer('requester_id').unsigned().notNullable().references('id').inTable('principals');
    // The creator's company when the request was made: `company` visibility is decided by it.
    t.integer('company_id').unsigned().references('id').inTable('companies').onDelete('SET NULL');
    t.integer('assignee_id').unsigned().references('id').inTable('principals').onDelete('SET NULL');
    t.string('type', 20).notNullable();
    t.string('title', 300).notNullable();
    t.text('description').notNullable().defaultTo('');
    t.string('status', 20).notNullable();
    t.string('visibility', 20).notNullable();
    t.integer('vote_count').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.timestamp('last_activity_at', { useTz: true }).notNullable();
    t.index(['requester_id', 'last_activity_at']);
    t.index(['company_id', 'visibility']);
    t.index(['visibility', 'vote_count']);
    t.index(['project_id', 'status', 'last_activity_at']);
    t.index(['status', 'last_activity_at']);
    t.index(['assignee_id']);
  });

  await knex.schema.createTable('request_work_items', (t) => {
    t.integer('request_id').unsigned().notNullable().references('id').inTable('requests').onDelete('CASCADE');
    t.integer('work_item_id').unsigned().notNullable().references('id').inTable('work_items').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.primary(['request_id', 'work_item_id']);
    t.index(['work_item_id']);
  });

  await knex.schema.createTable('votes', (t) => {
    t.increments('id');
    t.integer('request_id').unsigned().notNullable().references('id').inTable('requests').onDelete('CASCADE');
    t.integer('requester_id').unsigned().notNullable().references('id').inTable('principals').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.unique(['request_id', 'requester_id']);
    t.index(['requester_id']);
  });

  await knex.schema.createTable('comments', (t) => {
    t.increments('id');
    t.integer('request_id').unsigned().references('id').inTable('requests').onDelete('CASCADE');
    t.integer('work_item_id').unsigned().references('id').inTable('work_items').onDelete('CASCADE');
    t.integer('author_id').unsigned().notNullable().references('id').inTable('principals');
    t.text('body').notNullable();
    t.boolean('internal').notNullable().defaultTo(false);
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.index(['request_id', 'created_at']);
    t.index(['work_item_id', 'created_at']);
  });

  await knex.schema.createTable('dashboards', (t) => {
    t.increments('id');
    t.string('name', 200).notNullable();
    t.integer('owner_id').unsigned().notNullable().references('id').inTable('principals');
    t.string('restriction', 20).notNullable().defaultTo('restricted');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.index(['owner_id']);
    t.index(['restriction']);
  });

  await knex.schema.createTable('dashboard_widgets', (t) => {
    t.increments('id');
    t.integer('dashboard_id').unsigned().notNullable().references('id').inTable('dashboards').onDelete('CASCADE');
    t.string('kind', 40).notNullable();
    t.string('title', 200).notNullable();
    t.integer('position').notNullable().defaultTo(0);
    t.integer('project_id').unsigned().references('id').inTable('projects').onDelete('SET NULL');
    t.string('data_scope', 20).notNullable().defaultTo('viewer_company');
    t.text('options').notNullable().defaultTo('{}');
    t.index(['dashboard_id', 'position']);
  });

  await knex.schema.createTable('dashboard_grants', (t) => {
    t.increments('id');
    t.integer('dashboard_id').unsigned().notNullable().references('id').inTable('dashboards').onDelete('CASCADE');
    t.integer('principal_id').unsigned().notNullable().references('id').inTable('principals').onDelete('CASCADE');
    t.string('level', 10).notNullable();
    t.integer('created_by').unsigned().references('id').inTable('principals').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.unique(['dashboard_id', 'principal_id']);
    t.index(['principal_id', 'dashboard_id']);
  });

  await knex.schema.createTable('settings', (t) => {
    t.string('key', 100).primary();
    t.text('value').notNullable();
    t.integer('updated_by').unsigned().references('id').inTable('principals').onDelete('SET NULL');
    t.timestamp('updated_at', { useTz: true }).notNullable();
  });

  // Server-side secrets (a generated session secret for the demo); never shown in any page.
  await knex.schema.createTable('secrets', (t) => {
    t.string('name', 100).primary();
    t.text('value').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
  });

  await knex.schema.createTable('audit_events', (t) => {
    t.increments('id');
    t.integer('actor_id').unsigned().references('id').inTable('principals').onDelete('SET NULL');
    t.string('action', 60).notNullable();
    t.string('target_type', 40).notNullable();
    t.integer('target_id');
    t.text('before');
    t.text('after');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.index(['created_at']);
    t.index(['target_type', 'target_id']);
    t.index(['actor_id', 'created_at']);
  });

  await knex.schema.createTable('access_tokens', (t) => {
    t.increments('id');
    t.integer('principal_id').unsigned().notNullable().references('id').inTable('principals').onDelete('CASCADE');
    t.string('name', 100).notNullable();
    t.string('token_hash', 128).notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('last_used_at', { useTz: true });
    t.timestamp('expires_at', { useTz: true });
    t.timestamp('revoked_at', { useTz: true });
    t.index(['principal_id']);
  });

  await knex.schema.createTable('password_reset_tokens', (t) => {
    t.increments('id');
    t.integer('principal_id').unsigned().notNullable().references('id').inTable('principals').onDelete('CASCADE');
    t.string('token_hash', 128).notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.index(['principal_id']);
  });

  await knex.schema.createTable('entity_permissions', (t) => {
    t.increments('id');
    t.string('entity_type', 30).notNullable();
    t.integer('entity_id').notNullable();
    t.integer('principal_id').unsigned().notNullable().references('id').inTable('principals').onDelete('CASCADE');
    t.boolean('can_view').notNullable().defaultTo(true);
    t.boolean('can_comment').notNullable().defaultTo(false);
    t.boolean('can_edit').notNullable().defaultTo(false);
    t.boolean('can_grant').notNullable().defaultTo(false);
    t.integer('created_by').unsigned().references('id').inTable('principals').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.unique(['principal_id', 'entity_type', 'entity_id']);
    t.index(['entity_type', 'entity_id']);
  });

  await knex.schema.createTable('mail_outbox', (t) => {
    t.increments('id');
    t.string('to_address', 320).notNullable();
    t.string('subject', 300).notNullable();
    t.text('text_body').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('sent_at', { useTz: true });
    t.text('error');
    t.index(['created_at']);
  });

  // Login attempt counters shared by every instance.
  await knex.schema.createTable('rate_limits', (t) => {
    t.string('key', 300).primary();
    t.integer('hits').notNullable();
    t.timestamp('reset_at', { useTz: true }).notNullable();
  });

  // connect-session-knex's layout, created here so the store never alters the schema itself.
  await knex.schema.createTable('sessions', (t) => {
    t.string('sid', 255).primary();
    t.json('sess').notNullable();
    t.timestamp('expired', { useTz: true }).notNullable().index();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'sessions',
    'rate_limits',
    'mail_outbox',
    'entity_permissions',
    'password_reset_tokens',
    'access_tokens',
    'audit_events',
    'secrets',
    'settings',
    'dashboard_grants',
    'dashboard_widgets',
    'dashboards',
    'comments',
    'votes',
    'request_work_items',
    'requests',
    'work_items',
    'team_iterations',
    'releases',
    'project_members',
    'projects',
    'principals',
    'role_permissions',
    'roles',
    'companies',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
