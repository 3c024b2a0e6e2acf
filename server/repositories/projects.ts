/** Projects as administrators manage them: the list with member counts, create, edit. */
import type { Db } from '../db';
import { insertedId, isSqlite, nowIso, toBool } from '../db';
import { nameKey } from './names';

export interface ProjectRow {
  id: number;
  name: string;
  isPrivate: boolean;
  portalEnabled: boolean;
}

export interface ProjectListItem extends ProjectRow {
  members: number;
}

function projectFrom(r: Record<string, unknown>): ProjectRow {
  return { id: Number(r.id), name: String(r.name), isPrivate: toBool(r.is_private), portalEnabled: toBool(r.portal_enabled) };
}

/** Every project by name, with how many members it has. */
export async function listProjectsWithMembers(db: Db): Promise<ProjectListItem[]> {
  const members = db('project_members as m').whereRaw('?? = ??', ['m.project_id', 'p.id']).count('*');
  const rows: Record<string, unknown>[] = await db('projects as p')
    .orderBy('p.name')
    .orderBy('p.id')
    .select('p.id', 'p.name', 'p.is_private', 'p.portal_enabled', members.as('members'));
  return rows.map((r) => ({ ...projectFrom(r), members: Number(r.members) }));
}

/**
 * One project; with `lock`, held against concurrent edits until the transaction ends (SQLite's
 * transactions hold the write lock from BEGIN). NO KEY UPDATE, so requests filed into the
 * project meanwhile (whose foreign key takes KEY SHARE) do not wait.
 */
export async function findProject(db: Db, id: number, lock = false): Promise<ProjectRow | null> {
  const q = db('projects').where({ id }).first('id', 'name', 'is_private', 'portal_enabled');
  const row: Record<string, unknown> | undefined = lock && !isSqlite(db) ? await q.forNoKeyUpdate() : await q;
  return row ? projectFrom(row) : null;
}

/** Another project whose name is the same but for case, if any. */
export async function projectNamedLike(db: Db, name: string, exceptId: number | null = null): Promise<{ id: number; name: string } | null> {
  const q = db('projects').where('name_key', nameKey(name));
  if (exceptId !== null) void q.whereNot('id', exceptId);
  const row: Record<string, unknown> | undefined = await q.first('id', 'name');
  return row ? { id: Number(row.id), name: String(row.name) } : null;
}

export async function insertProject(db: Db, p: Omit<ProjectRow, 'id'>): Promise<number> {
  return insertedId(
    await db('projects').insert({ name: p.name, name_key: nameKey(p.name), is_private: p.isPrivate, portal_enabled: p.portalEnabled, created_at: nowIso() }).returning('id'),
  );
}

export async function updateProject(db: Db, id: number, fields: Partial<Omit<ProjectRow, 'id'>>): Promise<void> {
  const row: Record<string, unknown> = {};
  if (fields.name !== undefined) Object.assign(row, { name: fields.name, name_key: nameKey(fields.name) });
  if (fields.isPrivate !== undefined) row.is_private = fields.isPrivate;
  if (fields.portalEnabled !== undefined) row.portal_enabled = fields.portalEnabled;
  if (Object.keys(row).length > 0) await db('projects').where({ id }).update(row);
}

/** A project's members by name, with their roles, for its page. */
export async function listProjectMembers(db: Db, projectId: number): Promise<{ id: number; name: string; roleName: string }[]> {
  const rows: Record<string, unknown>[] = await db('project_members as m')
    .join('principals as p', 'p.id', 'm.principal_id')
    .join('roles as r', 'r.id', 'm.role_id')
    .where('m.project_id', projectId)
    .orderBy('p.name')
    .orderBy('p.id')
    .select('p.id', 'p.name', 'r.name as role_name');
  return rows.map((r) => ({ id: Number(r.id), name: String(r.name), roleName: String(r.role_name) }));
}
