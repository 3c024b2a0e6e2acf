/**
 * Random worlds for property tests: a small population of every principal kind, projects,
 * requests, work items, dashboards and grants, written to a test database.
 */
import fc from 'fast-check';
import type { Db } from '../../server/db';
import { insertedId, nowIso } from '../../server/db';
import type { PrincipalType } from '../../server/permissions/actor';
import { rebuildRequestTallies } from '../../server/repositories/requestTallies';

export interface WorldSpec {
  principals: { type: PrincipalType; company: number | null; defaultRole: number | null }[];
  projects: { isPrivate: boolean; portalEnabled: boolean }[];
  members: { principal: number; project: number; role: number }[];
  requests: { project: number; requester: number; visibility: 'private' | 'company' | 'public' }[];
  workItems: { project: number; type: string; parent: number | null; creator: number }[];
  dashboards: { owner: number; restriction: 'open' | 'view_open' | 'restricted' }[];
  dashboardGrants: { dashboard: number; principal: number; level: 'view' | 'edit' }[];
  entityGrants: { principal: number; target: 'request' | 'work_item'; index: number; mode: 'view' | 'comment' | 'edit' | 'grant' }[];
  directAccess: boolean;
  portalDashboards: boolean;
}

const TYPES: PrincipalType[] = ['administrator', 'user', 'observer', 'contributor', 'requester'];
const ROLES = 3;
const COMPANIES = 3;

export const worldArb: fc.Arbitrary<WorldSpec> = fc
  .record({
    principals: fc.array(
      fc.record({
        type: fc.constantFrom(...TYPES),
        company: fc.option(fc.nat(COMPANIES - 1), { nil: null }),
        defaultRole: fc.option(fc.nat(ROLES - 1), { nil: null }),
      }),
      { minLength: 3, maxLength: 10 },
    ),
    projects: fc.array(fc.record({ isPrivate: fc.boolean(), portalEnabled: fc.boolean() }), { minLength: 1, maxLength: 3 }),
    rawMembers: fc.array(fc.record({ principal: fc.nat(), project: fc.nat(), role: fc.nat(ROLES - 1) }), { maxLength: 10 }),
    rawRequests: fc.array(fc.record({ project: fc.nat(), requester: fc.nat(), visibility: fc.constantFrom('private' as const, 'company' as const, 'public' as const) }), { maxLength: 14 }),
    rawItems: fc.array(fc.record({ project: fc.nat(), type: fc.constantFrom('epic', 'feature', 'user_story', 'bug'), parent: fc.option(fc.nat(), { nil: null }), creator: fc.nat() }), { maxLength: 8 }),
    rawDashboards: fc.array(fc.record({ owner: fc.nat(), restriction: fc.constantFrom('open' as const, 'view_open' as const, 'restricted' as const) }), { maxLength: 5 }),
    rawDashboardGrants: fc.array(fc.record({ dashboard: fc.nat(), principal: fc.nat(), level: fc.constantFrom('view' as const, 'edit' as const) }), { maxLength: 10 }),
    rawEntityGrants: fc.array(fc.record({ principal: fc.nat(), target: fc.constantFrom('request' as const, 'work_item' as const), index: fc.nat(), mode: fc.constantFrom('view' as const, 'comment' as const, 'edit' as const, 'grant' as const) }), { maxLength: 8 }),
    directAccess: fc.boolean(),
    portalDashboards: fc.boolean(),
  })
  .map((r) => {
    const n = r.principals.length;
    const staff = r.principals.map((p, i) => ({ p, i })).filter(({ p }) => p.type !== 'requester').map(({ i }) => i);
    const requesters = r.principals.map((p, i) => ({ p, i })).filter(({ p }) => p.type === 'requester').map(({ i }) => i);
    const pick = (list: number[], k: number) => list[k % list.length]!;
    const uniq = <T>(items: T[], key: (t: T) => string) => [...new Map(items.map((t) => [key(t), t])).values()];
    const workItems = r.rawItems.map((w, i) => ({
      project: w.project % r.projects.length,
      type: w.type,
      parent: w.parent !== null && i > 0 ? w.parent % i : null,
      creator: w.creator % n,
    }));
    return {
      principals: r.principals,
      projects: r.projects,
      members: uniq(
        r.rawMembers.map((m) => ({ principal: m.principal % n, project: m.project % r.projects.length, role: m.role })),
        (m) => `${m.principal}:${m.project}`,
      ),
      requests: requesters.length ? r.rawRequests.map((q) => ({ project: q.project % r.projects.length, requester: pick(requesters, q.requester), visibility: q.visibility })) : [],
      workItems,
      dashboards: staff.length ? r.rawDashboards.map((d) => ({ owner: pick(staff, d.owner), restriction: d.restriction })) : [],
      dashboardGrants: [],
      entityGrants: [],
      directAccess: r.directAccess,
      portalDashboards: r.portalDashboards,
      _raw: r,
    };
  })
  .map(({ _raw, ...w }) => {
    const n = w.principals.length;
    const dashboardGrants = w.dashboards.length
      ? [...new Map(_raw.rawDashboardGrants.map((g) => {
          const d = g.dashboard % w.dashboards.length;
          const p = g.principal % n;
          return [`${d}:${p}`, { dashboard: d, principal: p, level: g.level }] as const;
        })).values()]
      : [];
    const staff = w.principals.map((p, i) => ({ p, i })).filter(({ p }) => p.type !== 'requester').map(({ i }) => i);
    const entityGrants = staff.length
      ? [...new Map(_raw.rawEntityGrants
          .filter((g) => (g.target === 'request' ? w.requests.length : w.workItems.length) > 0)
          .map((g) => {
            const principal = staff[g.principal % staff.length]!;
            const index = g.index % (g.target === 'request' ? w.requests.length : w.workItems.length);
            return [`${principal}:${g.target}:${index}`, { principal, target: g.target, index, mode: g.mode }] as const;
          })).values()]
      : [];
    return { ...w, dashboardGrants, entityGrants };
  });

const TABLES_IN_DELETE_ORDER = [
  'entity_permissions', 'dashboard_grants', 'dashboard_widgets', 'dashboards', 'comments', 'votes', 'request_work_items',
  'request_tallies', 'request_day_tallies', 'requests', 'work_items', 'project_members', 'projects', 'principals', 'role_permissions', 'roles', 'companies', 'settings',
];

async function insertId(db: Db, table: string, row: Record<string, unknown>): Promise<number> {
  return insertedId(await db(table).insert(row).returning('id'));
}

export interface World {
  principalIds: number[];
  requestIds: number[];
  workItemIds: number[];
  dashboardIds: number[];
}

/** Empties the domain tables and writes the world; returns the ids given to each element. */
export async function writeWorld(db: Db, w: WorldSpec): Promise<World> {
  return db.transaction(async (trx) => {
    for (const t of TABLES_IN_DELETE_ORDER) await trx(t).del();
    const now = nowIso();
    const roleFlags = [
      { can_add: true, can_edit: true, can_delete: true, can_comment: true },
      { can_add: false, can_edit: false, can_delete: false, can_comment: true },
      { can_add: true, can_edit: true, can_delete: false, can_comment: false },
    ];
    const roles: number[] = [];
    for (let i = 0; i < ROLES; i += 1) {
      const id = await insertId(trx, 'roles', { name: `role${i}`, created_at: now });
      for (const kind of ['request', 'work_item']) await trx('role_permissions').insert({ role_id: id, entity_kind: kind, ...roleFlags[i] });
      roles.push(id);
    }
    const companies: number[] = [];
    for (let i = 0; i < COMPANIES; i += 1) companies.push(await insertId(trx, 'companies', { name: `company${i}`, created_at: now }));
    const principalIds: number[] = [];
    for (const [i, p] of w.principals.entries()) {
      principalIds.push(
        await insertId(trx, 'principals', {
          type: p.type,
          name: `p${i}`,
          email: `p${i}@w.test`,
          email_normalized: `p${i}@w.test`,
          password_hash: 'x',
          company_id: p.company === null ? null : companies[p.company],
          default_role_id: p.defaultRole === null ? null : roles[p.defaultRole],
          disabled: false,
          created_at: now,
          updated_at: now,
        }),
      );
    }
    const projectIds: number[] = [];
    for (const [i, p] of w.projects.entries()) {
      projectIds.push(await insertId(trx, 'projects', { name: `project${i}`, is_private: p.isPrivate, portal_enabled: p.portalEnabled, created_at: now }));
    }
    for (const m of w.members) {
      await trx('project_members').insert({ project_id: projectIds[m.project], principal_id: principalIds[m.principal], role_id: roles[m.role] });
    }
    const requestIds: number[] = [];
    for (const [i, r] of w.requests.entries()) {
      const requester = w.principals[r.requester]!;
      requestIds.push(
        await insertId(trx, 'requests', {
          project_id: projectIds[r.project],
          requester_id: principalIds[r.requester],
          company_id: requester.company === null ? null : companies[requester.company],
          type: 'issue',
          title: `r${i}`,
          description: '',
          status: 'new',
          visibility: r.visibility,
          vote_count: 0,
          created_at: now,
          updated_at: now,
          last_activity_at: now,
          customer_activity_at: now,
        }),
      );
    }
    const workItemIds: number[] = [];
    for (const [i, item] of w.workItems.entries()) {
      workItemIds.push(
        await insertId(trx, 'work_items', {
          project_id: projectIds[item.project],
          type: item.type,
          name: `w${i}`,
          description: '',
          status: 'open',
          parent_id: item.parent === null ? null : workItemIds[item.parent],
          creator_id: principalIds[item.creator],
          created_at: now,
          updated_at: now,
        }),
      );
    }
    const dashboardIds: number[] = [];
    for (const [i, d] of w.dashboards.entries()) {
      dashboardIds.push(await insertId(trx, 'dashboards', { name: `d${i}`, owner_id: principalIds[d.owner], restriction: d.restriction, created_at: now, updated_at: now }));
    }
    for (const g of w.dashboardGrants) {
      await trx('dashboard_grants').insert({ dashboard_id: dashboardIds[g.dashboard], principal_id: principalIds[g.principal], level: g.level, created_at: now });
    }
    const rank = { view: 0, comment: 1, edit: 2, grant: 3 };
    for (const g of w.entityGrants) {
      const r = rank[g.mode];
      await trx('entity_permissions').insert({
        entity_type: g.target === 'request' ? 'request' : w.workItems[g.index]!.type,
        entity_id: g.target === 'request' ? requestIds[g.index] : workItemIds[g.index],
        principal_id: principalIds[g.principal],
        can_view: true,
        can_comment: r >= 1,
        can_edit: r >= 2,
        can_grant: r >= 3,
        created_at: now,
      });
    }
    await trx('settings').insert([
      { key: 'direct_access.enabled', value: JSON.stringify(w.directAccess), updated_at: now },
      { key: 'portal.dashboards', value: JSON.stringify(w.portalDashboards), updated_at: now },
    ]);
    await rebuildRequestTallies(trx);
    return { principalIds, requestIds, workItemIds, dashboardIds };
  });
}
