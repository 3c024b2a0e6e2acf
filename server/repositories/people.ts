/** Administration queries over principals, roles, projects and memberships. */
import type { Db } from '../db';
import { nowIso, toBool, toDate, containsClause, containsPattern } from '../db';
import type { PrincipalType } from '../permissions/actor';
import type { Page } from './requests';
import { type Scope } from '../permissions/scopes';
import { administratorPrincipals } from '../permissions/peopleScopes';

export interface PersonListItem {
  id: number;
  name: string;
  email: string;
  type: PrincipalType;
  companyName: string | null;
  disabled: boolean;
  createdAt: Date;
}

export async function listPeople(db: Db, opts: { q?: string; type?: PrincipalType; page: number; pageSize: number }): Promise<Page<PersonListItem>> {
  const base = db('principals as p').leftJoin('companies as c', 'c.id', 'p.company_id');
  if (opts.type) void base.where('p.type', opts.type);
  if (opts.q) {
    const text = opts.q;
    void base.where((w) => void w.whereRaw(...containsClause(base, 'p.name', text)).orWhereRaw("p.email_normalized like ? escape '\\'", [containsPattern(text)]));
  }
  const [rows, count] = await Promise.all([
    base
      .clone()
      .select('p.id', 'p.name', 'p.email', 'p.type', 'p.disabled', 'p.created_at', 'c.name as company_name')
      .orderBy('p.name')
      .orderBy('p.id')
      .limit(opts.pageSize)
      .offset((opts.page - 1) * opts.pageSize),
    base.clone().count({ n: '*' }).first(),
  ]);
  return {
    items: rows.map((r: Record<string, unknown>) => ({
      id: Number(r.id),
      name: String(r.name),
      email: String(r.email),
      type: String(r.type) as PrincipalType,
      companyName: r.company_name == null ? null : String(r.company_name),
      disabled: toBool(r.disabled),
      createdAt: toDate(r.created_at),
    })),
    total: Number((count as Record<string, unknown> | undefined)?.n ?? 0),
    page: opts.page,
    pageSize: opts.pageSize,
  };
}

export interface NamedRow {
  id: number;
  name: string;
}

export async function listRoles(db: Db): Promise<NamedRow[]> {
  const rows: Record<string, unknown>[] = await db('roles').select('id', 'name').orderBy('name');
  return rows.map((r) => ({ id: Number(r.id), name: String(r.name) }));
}

export async function listProjects(db: Db, scope: Scope): Promise<(NamedRow & { isPrivate: boolean; portalEnabled: boolean })[]> {
  const rows: Record<string, unknown>[] = await db('projects').modify(scope).select('id', 'name', 'is_private', 'portal_enabled').orderBy('name');
  return rows.map((r) => ({ id: Number(r.id), name: String(r.name), isPrivate: toBool(r.is_private), portalEnabled: toBool(r.portal_enabled) }));
}

/** Which of these projects the scope lets through (the ones a viewer may see). */
export async function projectIdsAmong(db: Db, scope: Scope, ids: number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows: Record<string, unknown>[] = await db('projects').whereIn('id', ids).modify(scope).select('id');
  return new Set(rows.map((r) => Number(r.id)));
}

export async function roleExists(db: Db, id: number): Promise<boolean> {
  return (await db('roles').where({ id }).first('id')) !== undefined;
}

export async function projectExists(db: Db, id: number): Promise<boolean> {
  return (await db('projects').where({ id }).first('id')) !== undefined;
}

export interface MembershipRow {
  projectId: number;
  projectName: string;
  roleId: number;
  roleName: string;
}

export async function listMemberships(db: Db, principalId: number): Promise<MembershipRow[]> {
  const rows: Record<string, unknown>[] = await db('project_members as m')
    .join('projects as p', 'p.id', 'm.project_id')
    .join('roles as r', 'r.id', 'm.role_id')
    .where('m.principal_id', principalId)
    .orderBy('p.name')
    .select('m.project_id', 'p.name as project_name', 'm.role_id', 'r.name as role_name');
  return rows.map((r) => ({ projectId: Number(r.project_id), projectName: String(r.project_name), roleId: Number(r.role_id), roleName: String(r.role_name) }));
}

export async function findMembership(db: Db, principalId: number, projectId: number): Promise<{ roleId: number } | null> {
  const row = await db('project_members').where({ principal_id: principalId, project_id: projectId }).first('role_id');
  return row ? { roleId: Number(row.role_id) } : null;
}

export async function upsertMembership(db: Db, principalId: number, projectId: number, roleId: number): Promise<void> {
  await db('project_members').insert({ principal_id: principalId, project_id: projectId, role_id: roleId }).onConflict(['project_id', 'principal_id']).merge(['role_id']);
}

export async function deleteMembership(db: Db, principalId: number, projectId: number): Promise<void> {
  await db('project_members').where({ principal_id: principalId, project_id: projectId }).del();
}

export async function updatePrincipalFields(
  db: Db,
  id: number,
  fields: { type?: PrincipalType; default_role_id?: number | null; disabled?: boolean; sessions_valid_after?: number },
): Promise<void> {
  await db('principals').where({ id }).update({ ...fields, updated_at: nowIso() });
}

/** Active administrators, locked for the rest of the transaction where the engine can. */
export async function countActiveAdministrators(db: Db, lock: boolean): Promise<number> {
  const q = db('principals').modify(administratorPrincipals()).where({ disabled: false }).select('id');
  const rows = lock ? await q.forUpdate() : await q;
  return rows.length;
}

/** Whether the company exists and the scope lets it through (a company the viewer may choose). */
export async function companyAmong(db: Db, scope: Scope, id: number): Promise<boolean> {
  return (await db('companies').where('companies.id', id).modify(scope).first('companies.id')) !== undefined;
}
