import type { Knex } from 'knex';
import type { Db } from '../db';
import { nowIso, insertedId } from '../db';
import { hashPassword } from '../auth/passwords';
import { normalizeEmail } from '../repositories/principals';
import { nameKey } from '../repositories/names';
import { writeSetting } from '../repositories/settings';
import { rebuildRequestTallies } from '../repositories/requestTallies';

export const DEMO_PASSWORD = 'demo-password';

export const DEMO_LOGINS = [
  { email: 'admin@demo.test', type: 'administrator', realm: 'desk' },
  { email: 'agent@demo.test', type: 'user', realm: 'desk' },
  { email: 'observer@demo.test', type: 'observer', realm: 'desk' },
  { email: 'contributor@demo.test', type: 'contributor', realm: 'desk' },
  { email: 'alice@acme.test', type: 'requester', realm: 'portal' },
  { email: 'bob@acme.test', type: 'requester', realm: 'portal' },
  { email: 'carol@globex.test', type: 'requester', realm: 'portal' },
] as const;

/** The demo logins whose accounts this database has (every one, once seedDemo has run on it). */
export async function demoLoginsPresent(db: Db): Promise<string[]> {
  const found = new Set((await db('principals').whereIn('email_normalized', DEMO_LOGINS.map((l) => normalizeEmail(l.email))).pluck('email_normalized')).map(String));
  return DEMO_LOGINS.filter((l) => found.has(normalizeEmail(l.email))).map((l) => l.email);
}

const KINDS = ['request', 'work_item', 'release', 'team_iteration'] as const;

async function insertId(trx: Knex.Transaction, table: string, row: Record<string, unknown>): Promise<number> {
  return insertedId(await trx(table).insert(row).returning('id'));
}

/** Days before now, as an ISO timestamp, so the demo has a history to chart. */
function daysAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString();
}

/**
 * PRODUCT.md section 9. Runs only on a database without people in it, so running the demo
 * twice creates nothing twice. Returns false when it did nothing.
 */
export async function seedDemo(db: Db, scryptCost: number): Promise<boolean> {
  const hash = await hashPassword(DEMO_PASSWORD, scryptCost);
  return db.transaction(async (trx) => {
    const existing = await trx('principals').first('id');
    if (existing) return false;
    const now = nowIso();

    const role = async (name: string, flags: { add: boolean; edit: boolean; delete: boolean; comment: boolean }) => {
      const id = await insertId(trx, 'roles', { name, created_at: now });
      for (const kind of KINDS) {
        await trx('role_permissions').insert({
          role_id: id,
          entity_kind: kind,
          can_add: flags.add,
          can_edit: flags.edit,
          can_delete: flags.delete,
          can_comment: flags.comment,
        });
      }
      return id;
    };
    const agentRole = await role('Agent', { add: true, edit: true, delete: true, comment: true });
    const contributorRole = await role('Contributor', { add: true, edit: true, delete: false, comment: true });
    const reporterRole = await role('Reporter', { add: false, edit: false, delete: false, comment: true });
    await role('Read only', { add: false, edit: false, delete: false, comment: false });

    const acme = await insertId(trx, 'companies', { name: 'Acme', name_key: nameKey('Acme'), created_at: now });
    const globex = await insertId(trx, 'companies', { name: 'Globex', name_key: nameKey('Globex'), created_at: now });

    const person = (type: string, name: string, email: string, extra: Record<string, unknown> = {}) =>
      insertId(trx, 'principals', {
        type,
        name,
        email,
        email_normalized: normalizeEmail(email),
        password_hash: hash,
        disabled: false,
        created_at: now,
        updated_at: now,
        ...extra,
      });
    const admin = await person('administrator', 'Ada Admin', 'admin@demo.test', { default_role_id: agentRole });
    const agent = await person('user', 'Sam Agent', 'agent@demo.test', { default_role_id: agentRole });
    const observer = await person('observer', 'Olive Observer', 'observer@demo.test', { default_role_id: reporterRole });
    await person('contributor', 'Cory Contributor', 'contributor@demo.test', { default_role_id: contributorRole });
    const alice = await person('requester', 'Alice Anders', 'alice@acme.test', { company_id: acme });
    const bob = await person('requester', 'Bob Berg', 'bob@acme.test', { company_id: acme });
    const carol = await person('requester', 'Carol Chen', 'carol@globex.test', { company_id: globex });

    const support = await insertId(trx, 'projects', { name: 'Support', name_key: nameKey('Support'), is_private: false, portal_enabled: true, created_at: now });
    const internal = await insertId(trx, 'projects', { name: 'Internal IT', name_key: nameKey('Internal IT'), is_private: true, portal_enabled: false, created_at: now });
    await trx('project_members').insert([
      { project_id: support, principal_id: agent, role_id: agentRole },
      { project_id: internal, principal_id: admin, role_id: agentRole },
    ]);

    const release = await insertId(trx, 'releases', { project_id: support, name: 'Portal 2.0', creator_id: admin, created_at: now });
    const item = (type: string, name: string, status: string, parentId: number | null) =>
      insertId(trx, 'work_items', {
        project_id: support,
        type,
        name,
        description: '',
        status,
        parent_id: parentId,
        owner_id: agent,
        creator_id: agent,
        release_id: release,
        created_at: now,
        updated_at: now,
      });
    const epic = await item('epic', 'Self-service portal', 'in_progress', null);
    const feature = await item('feature', 'Dashboard hub', 'in_progress', epic);
    await item('user_story', 'Hub lists the dashboards granted to me', 'done', feature);
    await item('user_story', 'Read-only dashboard page', 'in_progress', feature);
    const bug = await item('bug', 'Vote count off by one', 'open', null);

    const request = async (
      r: { requester: number; company: number; type: string; title: string; description: string; status: string; visibility: string },
      age: number,
    ) =>
      insertId(trx, 'requests', {
        project_id: support,
        requester_id: r.requester,
        company_id: r.company,
        assignee_id: r.status === 'new' ? null : agent,
        type: r.type,
        title: r.title,
        description: r.description,
        status: r.status,
        visibility: r.visibility,
        vote_count: 0,
        created_at: daysAgo(age),
        updated_at: daysAgo(Math.max(0, age - 2)),
        last_activity_at: daysAgo(Math.max(0, age - 2)),
        customer_activity_at: daysAgo(Math.max(0, age - 2)),
      });
    const r1 = await request({ requester: alice, company: acme, type: 'issue', title: 'Cannot export invoices to PDF', description: 'The export button spins forever since Monday.', status: 'open', visibility: 'private' }, 20);
    await request({ requester: alice, company: acme, type: 'question', title: 'How do I add a colleague to our account?', description: 'Bob needs access too.', status: 'resolved', visibility: 'company' }, 35);
    const r3 = await request({ requester: bob, company: acme, type: 'idea', title: 'Dark mode for the portal', description: 'Easier on the eyes at night.', status: 'new', visibility: 'public' }, 14);
    const r4 = await request({ requester: bob, company: acme, type: 'issue', title: 'Ideas board shows one vote too many', description: 'Our idea has 3 votes but only 2 of us voted.', status: 'in_progress', visibility: 'company' }, 9);
    await request({ requester: carol, company: globex, type: 'issue', title: 'Password reset email never arrives', description: 'Checked the spam folder too.', status: 'new', visibility: 'private' }, 3);
    const r6 = await request({ requester: carol, company: globex, type: 'idea', title: 'Let customers see service dashboards', description: 'We would love to see our own ticket figures.', status: 'open', visibility: 'public' }, 28);
    await request({ requester: carol, company: globex, type: 'question', title: 'Is there an API for reports?', description: 'We want to pull figures into our BI tool.', status: 'open', visibility: 'company' }, 6);
    await request({ requester: bob, company: acme, type: 'issue', title: 'Portal is slow in the morning', description: 'Pages take 5 seconds between 8 and 9 am.', status: 'closed', visibility: 'public' }, 45);
    await request({ requester: carol, company: globex, type: 'question', title: 'How do I change our invoice address?', description: 'We moved offices.', status: 'in_progress', visibility: 'private' }, 11);
    const r8 = await request({ requester: alice, company: acme, type: 'idea', title: 'Weekly email digest of my requests', description: 'One mail on Mondays would do.', status: 'new', visibility: 'public' }, 1);

    await trx('request_work_items').insert([
      { request_id: r4, work_item_id: bug, created_at: now },
      { request_id: r6, work_item_id: feature, created_at: now },
      { request_id: r6, work_item_id: epic, created_at: now },
      { request_id: r1, work_item_id: bug, created_at: now },
    ]);

    const votes: [number, number][] = [
      [r3, alice], [r3, bob], [r3, carol],
      [r6, carol], [r6, alice],
      [r8, bob],
    ];
    for (const [requestId, requesterId] of votes) {
      await trx('votes').insert({ request_id: requestId, requester_id: requesterId, created_at: now });
    }
    const counts: { request_id: number; n: string | number }[] = await trx('votes').select('request_id').count({ n: '*' }).groupBy('request_id');
    for (const c of counts) await trx('requests').where({ id: c.request_id }).update({ vote_count: Number(c.n) });
    // The requests above were written as rows: count them once for the dashboards.
    await rebuildRequestTallies(trx);

    await trx('comments').insert([
      { request_id: r1, author_id: agent, body: 'Thanks Alice, we can reproduce it and are on it.', internal: false, created_at: daysAgo(19) },
      { request_id: r1, author_id: agent, body: 'INTERNAL: caused by the PDF worker queue; see bug.', internal: true, created_at: daysAgo(19) },
      { request_id: r1, author_id: alice, body: 'Great, thank you!', internal: false, created_at: daysAgo(18) },
      { request_id: r4, author_id: agent, body: 'Linked to the vote counting bug; fix is in progress.', internal: false, created_at: daysAgo(8) },
      { request_id: r4, author_id: agent, body: 'INTERNAL: Acme is on the legacy plan.', internal: true, created_at: daysAgo(8) },
      { request_id: r6, author_id: agent, body: 'This is planned: follow the "Dashboard hub" feature.', internal: false, created_at: daysAgo(20) },
    ]);

    const dashboard = async (name: string, owner: number, restriction: string) => {
      const id = await insertId(trx, 'dashboards', { name, owner_id: owner, restriction, created_at: now, updated_at: now });
      const widgets = [
        { kind: 'requests_by_status', title: 'Requests by status' },
        { kind: 'requests_by_type', title: 'Requests by type' },
        { kind: 'created_per_week', title: 'Created per week' },
        { kind: 'oldest_open', title: 'Oldest open requests' },
        { kind: 'top_ideas', title: 'Top-voted ideas' },
      ];
      let position = 0;
      for (const w of widgets) {
        await trx('dashboard_widgets').insert({ dashboard_id: id, ...w, position: position++, project_id: support, data_scope: 'viewer_company', options: '{}' });
      }
      return id;
    };
    const health = await dashboard('Acme service health', agent, 'restricted');
    const overview = await dashboard('Support overview', agent, 'view_open');
    await dashboard('Team scratchpad', agent, 'open');
    const metrics = await dashboard('Internal metrics', admin, 'restricted');
    await trx('dashboard_grants').insert([
      { dashboard_id: health, principal_id: alice, level: 'view', created_by: agent, created_at: now },
      { dashboard_id: overview, principal_id: carol, level: 'view', created_by: agent, created_at: now },
      { dashboard_id: metrics, principal_id: observer, level: 'view', created_by: admin, created_at: now },
    ]);

    await writeSetting(trx, 'portal.dashboards', true, admin);
    return true;
  });
}
