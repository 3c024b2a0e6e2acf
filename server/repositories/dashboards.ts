import type { Db } from '../db';
import { nowIso, toDate } from '../db';
import type { GrantLevel, Restriction } from '../permissions/facts';
import { customerPrincipals } from '../permissions/scopes';

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

export async function findGrantFor(db: Db, dashboardId: number, principalId: number): Promise<{ id: number; level: GrantLevel } | null> {
  const row = await db('dashboard_grants').where({ dashboard_id: dashboardId, principal_id: principalId }).first('id', 'level');
  return row ? { id: Number(row.id), level: row.level === 'edit' ? 'edit' : 'view' } : null;
}

export async function insertGrant(db: Db, dashboardId: number, principalId: number, level: GrantLevel, createdBy: number): Promise<number> {
  const [r] = await db('dashboard_grants')
    .insert({ dashboard_id: dashboardId, principal_id: principalId, level, created_by: createdBy, created_at: nowIso() })
    .returning('id');
  return Number(typeof r === 'object' ? (r as { id: number }).id : r);
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
