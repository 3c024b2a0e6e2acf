import type { Db } from '../db';
import { isSqlite, nowIso, toDate, insertedId, LITERAL_LIMIT } from '../db';
import { NOTHING, type Scope } from '../permissions/scopes';

export const WORK_ITEM_TYPES = ['epic', 'feature', 'user_story', 'task', 'bug', 'portfolio_epic', 'impediment', 'build'] as const;
export type WorkItemType = (typeof WORK_ITEM_TYPES)[number];
export const WORK_ITEM_STATUSES = ['open', 'planned', 'in_progress', 'done', 'closed'] as const;

export interface WorkItemRow {
  id: number;
  projectId: number;
  projectName: string;
  type: WorkItemType;
  name: string;
  description: string;
  status: string;
  /** The parent as stored, for the commands; never shown (the parent may be hidden from the viewer). */
  parentId: number | null;
  /** The parent as the viewer may see it: null when there is none or it is hidden from them. */
  parent: { id: number; name: string } | null;
  ownerId: number | null;
  ownerName: string | null;
  creatorId: number | null;
  updatedAt: Date;
}

function fromRow(r: Record<string, unknown>): WorkItemRow {
  return {
    id: Number(r.id),
    projectId: Number(r.project_id),
    projectName: String(r.project_name ?? ''),
    type: String(r.type) as WorkItemType,
    name: String(r.name),
    description: String(r.description ?? ''),
    status: String(r.status),
    parentId: r.parent_id == null ? null : Number(r.parent_id),
    parent: r.visible_parent_id == null ? null : { id: Number(r.visible_parent_id), name: String(r.parent_name) },
    ownerId: r.owner_id == null ? null : Number(r.owner_id),
    ownerName: r.owner_name == null ? null : String(r.owner_name),
    creatorId: r.creator_id == null ? null : Number(r.creator_id),
    updatedAt: toDate(r.updated_at),
  };
}

/**
 * Items with their project, owner and parent. `visible` is the viewer's work-item scope (on
 * `work_items`): a parent is named only when it passes it, the same rule that lets the viewer
 * open the parent's page. Inside the derived table `work_items` is the parent's own row.
 */
function detailQuery(db: Db, visible: Scope) {
  const visibleParents = db('work_items').modify(visible).select('work_items.id', 'work_items.name').as('parent');
  return db('work_items')
    .join('projects as p', 'p.id', 'work_items.project_id')
    .leftJoin(visibleParents, 'parent.id', 'work_items.parent_id')
    .leftJoin('principals as o', 'o.id', 'work_items.owner_id')
    .select('work_items.*', 'p.name as project_name', 'parent.id as visible_parent_id', 'parent.name as parent_name', 'o.name as owner_name');
}

/** One item; its parent is named only within `visible` (by default to nobody). */
export async function findWorkItem(db: Db, id: number, visible: Scope = NOTHING): Promise<WorkItemRow | null> {
  const row = await detailQuery(db, visible).where('work_items.id', id).first();
  return row ? fromRow(row) : null;
}

/** The items within `visible`, the viewer's work-item scope, which also decides the parents they name. */
export async function listWorkItems(db: Db, visible: Scope, opts: { projectId?: number; parentId?: number; limit: number }): Promise<WorkItemRow[]> {
  const q = detailQuery(db, visible).modify(visible).orderBy('work_items.project_id').orderBy('work_items.name').limit(opts.limit);
  if (opts.projectId) void q.where('work_items.project_id', opts.projectId);
  if (opts.parentId) void q.where('work_items.parent_id', opts.parentId);
  const rows: Record<string, unknown>[] = await q;
  return rows.map(fromRow);
}

export interface WorkItemInput {
  projectId: number;
  type: WorkItemType;
  name: string;
  description: string;
  status: string;
  parentId: number | null;
  ownerId: number | null;
}

export async function insertWorkItem(db: Db, w: WorkItemInput, creatorId: number): Promise<number> {
  const now = nowIso();
  return insertedId(await db('work_items')
    .insert({
      project_id: w.projectId,
      type: w.type,
      name: w.name,
      description: w.description,
      status: w.status,
      parent_id: w.parentId,
      owner_id: w.ownerId,
      creator_id: creatorId,
      created_at: now,
      updated_at: now,
    })
    .returning('id'));
}

/** Without `parentId` the parent stays as it is. */
export async function updateWorkItem(db: Db, id: number, w: Omit<WorkItemInput, 'projectId' | 'type' | 'parentId'> & { parentId?: number | null }): Promise<void> {
  await db('work_items').where({ id }).update({
    name: w.name,
    description: w.description,
    status: w.status,
    ...(w.parentId === undefined ? {} : { parent_id: w.parentId }),
    owner_id: w.ownerId,
    updated_at: nowIso(),
  });
}

/**
 * Holds the project's row until the transaction ends, so that moving items under new parents
 * happens one move after another within a project: two moves at once (A under B, B under A)
 * would each check the tree before the other wrote, and make a cycle. FOR NO KEY UPDATE, so
 * new requests and items of the project (whose foreign keys take a key-share lock) still go
 * through. SQLite's write lock, taken at BEGIN, already does so.
 */
export async function lockProjectTree(db: Db, projectId: number): Promise<void> {
  if (!isSqlite(db)) await db('projects').where({ id: projectId }).first('id').forNoKeyUpdate();
}

/** The ids above an item, nearest first, to refuse a parent that would make a cycle. */
export async function ancestorIds(db: Db, id: number): Promise<number[]> {
  const out: number[] = [];
  let current: number | null = id;
  while (current !== null && out.length < 100) {
    const row: { parent_id: number | null } | undefined = await db('work_items').where({ id: current }).first('parent_id');
    current = row?.parent_id == null ? null : Number(row.parent_id);
    if (current !== null) out.push(current);
  }
  return out;
}

export async function linkRequestToWorkItem(db: Db, requestId: number, workItemId: number): Promise<boolean> {
  const inserted = await db('request_work_items')
    .insert({ request_id: requestId, work_item_id: workItemId, created_at: nowIso() })
    .onConflict(['request_id', 'work_item_id'])
    .ignore()
    .returning('request_id');
  return inserted.length > 0;
}

export async function unlinkRequestFromWorkItem(db: Db, requestId: number, workItemId: number): Promise<boolean> {
  const n: number = await db('request_work_items').where({ request_id: requestId, work_item_id: workItemId }).del();
  return n > 0;
}

/** Linked requests the viewer may see (the scope filters `requests`). */
export async function linkedRequestCount(db: Db, workItemId: number, scope: Scope): Promise<number> {
  const row = await db('request_work_items')
    .join('requests', 'requests.id', 'request_work_items.request_id')
    .where({ 'request_work_items.work_item_id': workItemId })
    .modify(scope)
    .count({ n: '*' })
    .first();
  return Number(row?.n ?? 0);
}

/** The requests linked to a work item within `scope` (what the viewer may see), newest activity first. */
export async function listLinkedRequests(db: Db, workItemId: number, scope: Scope, limit = 50): Promise<{ id: number; title: string; status: string }[]> {
  const rows: Record<string, unknown>[] = await db('request_work_items')
    .join('requests', 'requests.id', 'request_work_items.request_id')
    .where({ 'request_work_items.work_item_id': workItemId })
    .modify(scope)
    .orderBy('requests.last_activity_at', 'desc')
    .orderBy('requests.id', 'desc')
    .limit(limit, LITERAL_LIMIT)
    .select('requests.id', 'requests.title', 'requests.status');
  return rows.map((r) => ({ id: Number(r.id), title: String(r.title), status: String(r.status) }));
}

/** Every item below one (children, their children, ...), breadth first, with their types. */
export async function descendants(db: Db, id: number, limit = 1000): Promise<{ id: number; type: string }[]> {
  const out: { id: number; type: string }[] = [];
  let frontier = [id];
  while (frontier.length > 0 && out.length < limit) {
    const rows: { id: number; type: string }[] = await db('work_items').whereIn('parent_id', frontier).select('id', 'type');
    const fresh = rows.filter((r) => r.id !== id && !out.some((o) => o.id === r.id));
    out.push(...fresh.map((r) => ({ id: Number(r.id), type: String(r.type) })));
    frontier = fresh.map((r) => Number(r.id));
  }
  return out.slice(0, limit);
}
