import type { Db } from '../db';
import { nowIso, toDate, insertedId, containsClause, containsPattern, isSqlite } from '../db';
import type { GrantLevel, Restriction } from '../permissions/facts';
import { type Scope } from '../permissions/scopes';
import { customerPrincipals } from '../permissions/peopleScopes';
import { normalizeEmail } from './principals';

export interface DashboardRow {
  id: number;
  name: string;
  ownerId: number;
  restriction: Restriction;
  updatedAt: Date;
}

export interface GrantRow {
  id: number;
  dashboardId: number;
  principalId: number;
  level: GrantLevel;
  name: string;
  email: string;
  /** Whether the grantee is a customer, decided by the permissions module's realm rule. */
  principalType: string;
}

function dashboardFrom(r: Record<string, unknown>): DashboardRow {
  return {
    id: Number(r.id),
    name: String(r.name),
    ownerId: Number(r.owner_id),
    restriction: String(r.restriction) as Restriction,
    updatedAt: toDate(r.updated_at),
  };
}

export async function findDashboard(db: Db, id: number): Promise<DashboardRow | null> {
  const row = await db('dashboards').where({ id }).first();
  return row ? dashboardFrom(row) : null;
}

export async function listGrants(db: Db, dashboardId: number): Promise<GrantRow[]> {
  const rows: Record<string, unknown>[] = await db('dashboard_grants as g')
    .join('principals as p', 'p.id', 'g.principal_id')
    .where('g.dashboard_id', dashboardId)
    .orderBy('p.name')
    .select('g.id', 'g.dashboard_id', 'g.principal_id', 'g.level', 'p.name', 'p.email', 'p.type');
  return rows.map((r) => ({
    id: Number(r.id),
    dashboardId: Number(r.dashboard_id),
    principalId: Number(r.principal_id),
    level: r.level === 'edit' ? 'edit' : 'view',
    name: String(r.name),
    email: String(r.email),
    principalType: String(r.type),
  }));
}

export async function findGrant(db: Db, dashboardId: number, grantId: number): Promise<GrantRow | null> {
  const all = await db('dashboard_grants as g')
    .join('principals as p', 'p.id', 'g.principal_id')
    .where({ 'g.dashboard_id': dashboardId, 'g.id': grantId })
    .first('g.id', 'g.dashboard_id', 'g.principal_id', 'g.level', 'p.name', 'p.email', 'p.type');
  if (!all) return null;
  return {
    id: Number(all.id),
    dashboardId: Number(all.dashboard_id),
    principalId: Number(all.principal_id),
    level: all.level === 'edit' ? 'edit' : 'view',
    name: String(all.name),
    email: String(all.email),
    principalType: String(all.type),
  };
}

/**
 * Holds the dashboard's row until the transaction ends, so changes to its grants, its
 * restriction and its widgets happen one after another (two "add this person" at once would
 * both find no grant and both insert; two widget moves would deadlock). SQLite's write lock,
 * taken at BEGIN, already does so.
 */
export async function lockDashboard(db: Db, id: number): Promise<void> {
  if (!isSqlite(db)) await db('dashboards').where({ id }).first('id').forUpdate();
}

export async function findGrantFor(db: Db, dashboardId: number, principalId: number): Promise<{ id: number; level: GrantLevel } | null> {
  const row = await db('dashboard_grants').where({ dashboard_id: dashboardId, principal_id: principalId }).first('id', 'level');
  return row ? { id: Number(row.id), level: row.level === 'edit' ? 'edit' : 'view' } : null;
}

export async function insertGrant(db: Db, dashboardId: number, principalId: number, level: GrantLevel, createdBy: number): Promise<number> {
  return insertedId(await db('dashboard_grants')
    .insert({ dashboard_id: dashboardId, principal_id: principalId, level, created_by: createdBy, created_at: nowIso() })
    .returning('id'));
}

export async function updateGrantLevel(db: Db, grantId: number, level: GrantLevel): Promise<void> {
  await db('dashboard_grants').where({ id: grantId }).update({ level });
}

export async function deleteGrant(db: Db, grantId: number): Promise<void> {
  await db('dashboard_grants').where({ id: grantId }).del();
}

export async function updateRestriction(db: Db, id: number, restriction: Restriction): Promise<void> {
  await db('dashboards').where({ id }).update({ restriction, updated_at: nowIso() });
}

/** Customers holding a grant on the dashboard (kept, though inert, while it is `open`). */
export async function countRequesterGrants(db: Db, dashboardId: number): Promise<number> {
  const row = await db('dashboard_grants as g')
    .join('principals as p', 'p.id', 'g.principal_id')
    .where({ 'g.dashboard_id': dashboardId })
    .modify(customerPrincipals('p'))
    .count({ n: '*' })
    .first();
  return Number(row?.n ?? 0);
}

export async function insertDashboard(db: Db, name: string, ownerId: number): Promise<number> {
  const now = nowIso();
  return insertedId(await db('dashboards').insert({ name, owner_id: ownerId, restriction: 'restricted', created_at: now, updated_at: now }).returning('id'));
}

export async function renameDashboardRow(db: Db, id: number, name: string): Promise<void> {
  await db('dashboards').where({ id }).update({ name, updated_at: nowIso() });
}

export async function deleteDashboardRow(db: Db, id: number): Promise<void> {
  await db('dashboards').where({ id }).del();
}

export interface DashboardListItem {
  id: number;
  name: string;
  restriction: Restriction;
  ownerName: string;
  updatedAt: Date;
}

export async function listDashboards(db: Db, scope: (qb: import('knex').Knex.QueryBuilder) => void): Promise<DashboardListItem[]> {
  const rows: Record<string, unknown>[] = await db('dashboards')
    .join('principals as o', 'o.id', 'dashboards.owner_id')
    .modify(scope)
    .orderBy('dashboards.name')
    .orderBy('dashboards.id')
    .select('dashboards.id', 'dashboards.name', 'dashboards.restriction', 'dashboards.updated_at', 'o.name as owner_name');
  return rows.map((r) => ({
    id: Number(r.id),
    name: String(r.name),
    restriction: String(r.restriction) as Restriction,
    ownerName: String(r.owner_name),
    updatedAt: toDate(r.updated_at),
  }));
}

/** Active customers of a company, for "add every member of company X" as individual grants. */
/** The active customers of a company, if the company is within `companies` (else none). */
export async function companyRequesterIds(db: Db, companyId: number, companies: Scope): Promise<number[]> {
  const rows: { id: number }[] = await db('principals')
    .modify(customerPrincipals())
    .where({ company_id: companyId, disabled: false })
    .whereIn('company_id', db('companies').modify(companies).select('companies.id'))
    .select('id');
  return rows.map((r) => Number(r.id));
}

/** People matching a prefix of name or email, for the grant picker (staff-only page). */
/** Active people whose name or email contains `q`, among those `byFragment` allows; anyone by their whole email. */
export async function searchPeople(db: Db, q: string, byFragment: Scope, limit = 10): Promise<{ id: number; name: string; email: string; type: string }[]> {
  const term = containsPattern(q);
  const rows: Record<string, unknown>[] = await db('principals')
    .where('disabled', false)
    .andWhere(
      (w) =>
        void w
          .where((f) => void f.modify(byFragment).andWhere((m) => void m.whereRaw(...containsClause(db, 'name', q)).orWhereRaw("email_normalized like ? escape '\\'", [term])))
          .orWhere('email_normalized', normalizeEmail(q)),
    )
    .orderBy('name')
    .limit(limit)
    .select('id', 'name', 'email', 'type');
  return rows.map((r) => ({ id: Number(r.id), name: String(r.name), email: String(r.email), type: String(r.type) }));
}

/** Companies within `scope` (permissions/scopes.ts companiesServed), by name. */
export async function listCompanies(db: Db, scope: Scope): Promise<{ id: number; name: string }[]> {
  const rows: Record<string, unknown>[] = await db('companies').modify(scope).orderBy('name').select('id', 'name');
  return rows.map((r) => ({ id: Number(r.id), name: String(r.name) }));
}
