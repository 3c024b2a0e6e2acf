import type { Db } from '../db';
import { insertedId, nowIso } from '../db';
import { DIRECT_MODES, type DirectMode } from '../permissions/facts';
import type { Scope } from '../permissions/scopes';
import { modeOf } from './accessFacts';

export interface EntityPermissionRow {
  id: number;
  entityType: string;
  entityId: number;
  principalId: number;
  principalName: string;
  mode: DirectMode;
  createdBy: number | null;
}

/** Stored flags for a mode: each mode includes the ones below it. */
export function flagsFor(mode: DirectMode): { can_view: boolean; can_comment: boolean; can_edit: boolean; can_grant: boolean } {
  const rank = DIRECT_MODES.indexOf(mode);
  return { can_view: rank >= 0, can_comment: rank >= 1, can_edit: rank >= 2, can_grant: rank >= 3 };
}

function fromRow(r: Record<string, unknown>): EntityPermissionRow {
  return {
    id: Number(r.id),
    entityType: String(r.entity_type),
    entityId: Number(r.entity_id),
    principalId: Number(r.principal_id),
    principalName: String(r.principal_name ?? ''),
    mode: modeOf(r) ?? 'view',
    createdBy: r.created_by == null ? null : Number(r.created_by),
  };
}

function base(db: Db) {
  return db('entity_permissions as ep')
    .join('principals as p', 'p.id', 'ep.principal_id')
    .select('ep.*', 'p.name as principal_name');
}

export interface EntityPermissionFilter {
  id?: number;
  principalId?: number;
  entityId?: number;
  entityTypes?: string[];
  view?: boolean;
  comment?: boolean;
  edit?: boolean;
  grant?: boolean;
}

export async function listEntityPermissions(db: Db, scope: Scope, f: EntityPermissionFilter, take: number, skip: number): Promise<EntityPermissionRow[]> {
  const q = base(db).modify(scope).orderBy('ep.id').limit(take).offset(skip);
  if (f.id !== undefined) void q.where('ep.id', f.id);
  if (f.principalId !== undefined) void q.where('ep.principal_id', f.principalId);
  if (f.entityId !== undefined) void q.where('ep.entity_id', f.entityId);
  if (f.entityTypes !== undefined) void q.whereIn('ep.entity_type', f.entityTypes);
  if (f.view !== undefined) void q.where('ep.can_view', f.view);
  if (f.comment !== undefined) void q.where('ep.can_comment', f.comment);
  if (f.edit !== undefined) void q.where('ep.can_edit', f.edit);
  if (f.grant !== undefined) void q.where('ep.can_grant', f.grant);
  const rows: Record<string, unknown>[] = await q;
  return rows.map(fromRow);
}

export async function findEntityPermission(db: Db, id: number): Promise<EntityPermissionRow | null> {
  const row = await base(db).where('ep.id', id).first();
  return row ? fromRow(row) : null;
}

export async function findGrantOf(db: Db, principalId: number, entityType: string, entityId: number): Promise<EntityPermissionRow | null> {
  const row = await base(db).where({ 'ep.principal_id': principalId, 'ep.entity_type': entityType, 'ep.entity_id': entityId }).first();
  return row ? fromRow(row) : null;
}

export async function insertEntityPermission(
  db: Db,
  g: { entityType: string; entityId: number; principalId: number; mode: DirectMode; createdBy: number },
): Promise<number> {
  return insertedId(await db('entity_permissions')
    .insert({ entity_type: g.entityType, entity_id: g.entityId, principal_id: g.principalId, ...flagsFor(g.mode), created_by: g.createdBy, created_at: nowIso() })
    .returning('id'));
}

export async function updateEntityPermissionMode(db: Db, id: number, mode: DirectMode): Promise<void> {
  await db('entity_permissions').where({ id }).update(flagsFor(mode));
}

export async function deleteEntityPermission(db: Db, id: number): Promise<void> {
  await db('entity_permissions').where({ id }).del();
}

/** Grants on one entity, for the desk's "people with direct access" panel. */
export async function grantsOnEntity(db: Db, entityType: string, entityId: number): Promise<EntityPermissionRow[]> {
  const rows: Record<string, unknown>[] = await base(db).where({ 'ep.entity_type': entityType, 'ep.entity_id': entityId }).orderBy('p.name');
  return rows.map(fromRow);
}

