/** Reads and writes of single requests, their comments, votes and linked work items. */
import type { Db } from '../db';
import { countNewRequest, lockTallyKey, recountChangedRequest, type TallyBatch } from './requestTallies';
import { nowIso, toBool, toDate, insertedId } from '../db';
import { toCustomerFlag } from '../permissions';
import type { Scope } from '../permissions/scopes';

export const REQUEST_TYPES = ['issue', 'question', 'idea'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];
export const REQUEST_STATUSES = ['new', 'open', 'in_progress', 'resolved', 'closed'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];
/** Statuses that still wait for something, as "open requests" (the rest are resolved or closed). */
export const OPEN_STATUSES: readonly RequestStatus[] = ['new', 'open', 'in_progress'];
export const DONE_STATUSES: readonly RequestStatus[] = ['resolved', 'closed'];

export interface RequestDetail {
  id: number;
  projectId: number;
  projectName: string;
  requesterId: number;
  requesterName: string;
  companyName: string | null;
  assigneeId: number | null;
  assigneeName: string | null;
  type: RequestType;
  title: string;
  description: string;
  status: RequestStatus;
  visibility: string;
  voteCount: number;
  createdAt: Date;
  lastActivityAt: Date;
}

export async function findRequestDetail(db: Db, id: number): Promise<RequestDetail | null> {
  const r: Record<string, unknown> | undefined = await db('requests as r')
    .join('projects as p', 'p.id', 'r.project_id')
    .join('principals as q', 'q.id', 'r.requester_id')
    .leftJoin('companies as c', 'c.id', 'r.company_id')
    .leftJoin('principals as a', 'a.id', 'r.assignee_id')
    .where('r.id', id)
    .first(
      'r.*',
      'p.name as project_name',
      'q.name as requester_name',
      'c.name as company_name',
      'a.name as assignee_name',
    );
  if (!r) return null;
  return {
    id: Number(r.id),
    projectId: Number(r.project_id),
    projectName: String(r.project_name),
    requesterId: Number(r.requester_id),
    requesterName: String(r.requester_name),
    companyName: r.company_name == null ? null : String(r.company_name),
    assigneeId: r.assignee_id == null ? null : Number(r.assignee_id),
    assigneeName: r.assignee_name == null ? null : String(r.assignee_name),
    type: String(r.type) as RequestType,
    title: String(r.title),
    description: String(r.description),
    status: String(r.status) as RequestStatus,
    visibility: String(r.visibility),
    voteCount: Number(r.vote_count),
    createdAt: toDate(r.created_at),
    lastActivityAt: toDate(r.last_activity_at),
  };
}

export interface NewRequest {
  projectId: number;
  requesterId: number;
  companyId: number | null;
  type: RequestType;
  title: string;
  description: string;
  visibility: string;
}

/** Inserts a request and counts it in the tallies: call within a transaction. */
export async function insertRequest(db: Db, r: NewRequest): Promise<number> {
  const now = nowIso();
  const id = insertedId(await db('requests')
    .insert({
      project_id: r.projectId,
      requester_id: r.requesterId,
      company_id: r.companyId,
      type: r.type,
      title: r.title,
      description: r.description,
      status: 'new',
      visibility: r.visibility,
      vote_count: 0,
      created_at: now,
      updated_at: now,
      last_activity_at: now,
      customer_activity_at: now,
    })
    .returning('id'));
  await countNewRequest(db, { projectId: r.projectId, companyId: r.companyId, status: 'new', type: r.type, createdAt: now });
  return id;
}

/** Fields that the request tallies count by: changed only through the functions that recount them. */
const TALLIED_FIELDS = ['project_id', 'company_id', 'status', 'type', 'created_at'];

/**
 * Marks activity on a request, optionally setting untallied fields (assignee, ...). Only
 * activity its customers can see (a public comment or reply) moves customer_activity_at, the
 * time the portal shows; an internal note, an assignment or a link moves last_activity_at alone.
 */
export async function touchRequest(db: Db, id: number, opts: { customerVisible: boolean; fields?: Record<string, unknown> }): Promise<void> {
  const fields = opts.fields ?? {};
  const tallied = Object.keys(fields).filter((f) => TALLIED_FIELDS.includes(f));
  if (tallied.length) throw new Error(`touchRequest cannot change ${tallied.join(', ')}: the request tallies would drift`);
  const now = nowIso();
  await db('requests').where({ id }).update({ ...fields, updated_at: now, last_activity_at: now, ...(opts.customerVisible ? { customer_activity_at: now } : {}) });
}

/**
 * Sets a request's status and recounts the tallies; the request row is locked first where
 * the engine can, so two concurrent changes cannot both count down the same old status.
 * Answers the status it had, or null when there is no such request. Call within a transaction.
 */
export async function setRequestStatus(db: Db, id: number, status: RequestStatus, tallies?: TallyBatch): Promise<string | null> {
  const before = await lockTallyKey(db, id);
  if (!before) return null;
  if (before.status === status) return before.status;
  const now = nowIso();
  // Only staff set a status: a customer's comment is answered by it as by a reply.
  await db('requests').where({ id }).update({ status, updated_at: now, last_activity_at: now, customer_activity_at: now, customer_replied_at: null });
  await recountChangedRequest(db, before, { ...before, status }, tallies);
  return before.status;
}

export interface CommentView {
  id: number;
  authorName: string;
  authorId: number;
  /** Written by staff (shown to customers as the support team's, so a customer cannot pass for it by their name). */
  byStaff: boolean;
  body: string;
  internal: boolean;
  createdAt: Date;
}

/** Comments of a request, filtered by the viewer's comment scope (internal notes never reach customers). */
export async function listRequestComments(db: Db, requestId: number, scope: Scope): Promise<CommentView[]> {
  const rows: Record<string, unknown>[] = await db('comments')
    .join('principals as a', 'a.id', 'comments.author_id')
    .where('comments.request_id', requestId)
    .modify(scope)
    .orderBy('comments.created_at')
    .orderBy('comments.id')
    .select('comments.id', 'comments.author_id', 'a.name as author_name', 'a.type as author_type', 'comments.body', 'comments.internal', 'comments.created_at');
  return rows.map((r) => ({
    id: Number(r.id),
    authorId: Number(r.author_id),
    authorName: String(r.author_name),
    byStaff: !toCustomerFlag(String(r.author_type)),
    body: String(r.body),
    internal: toBool(r.internal),
    createdAt: toDate(r.created_at),
  }));
}

export async function insertComment(db: Db, c: { requestId: number; authorId: number; body: string; internal: boolean }): Promise<number> {
  return insertedId(await db('comments')
    .insert({ request_id: c.requestId, author_id: c.authorId, body: c.body, internal: c.internal, created_at: nowIso() })
    .returning('id'));
}

export interface LinkedItem {
  id: number;
  type: string;
  name: string;
  status: string;
}

/**
 * Work items linked to a request. Staff pass their work-item scope; the customer portal
 * passes none and shows only what a requester follows (customerView).
 */
export async function listLinkedWorkItems(db: Db, requestId: number, scope?: Scope): Promise<LinkedItem[]> {
  const q = db('request_work_items as l')
    .join('work_items', 'work_items.id', 'l.work_item_id')
    .where('l.request_id', requestId)
    .orderBy('work_items.name')
    .select('work_items.id', 'work_items.type', 'work_items.name', 'work_items.status');
  if (scope) void q.modify(scope);
  const rows: Record<string, unknown>[] = await q;
  return rows.map((r) => ({ id: Number(r.id), type: String(r.type), name: String(r.name), status: String(r.status) }));
}

/** A linked item as a requester follows it: its name and status only (PRODUCT.md section 2). */
export interface CustomerLinkedItem {
  name: string;
  status: string;
}

export function customerView(items: LinkedItem[]): CustomerLinkedItem[] {
  return items.map(({ name, status }) => ({ name, status }));
}

/**
 * One vote per requester: the unique index decides, and the count moves only when a row
 * was really added or removed, so it never drifts, whatever runs at the same time.
 */
export async function addVote(db: Db, requestId: number, requesterId: number): Promise<boolean> {
  const inserted = await db('votes')
    .insert({ request_id: requestId, requester_id: requesterId, created_at: nowIso() })
    .onConflict(['request_id', 'requester_id'])
    .ignore()
    .returning('id');
  if (inserted.length === 0) return false;
  await db('requests').where({ id: requestId }).increment('vote_count', 1);
  return true;
}

export async function removeVote(db: Db, requestId: number, requesterId: number): Promise<boolean> {
  const removed: number = await db('votes').where({ request_id: requestId, requester_id: requesterId }).del();
  if (removed === 0) return false;
  await db('requests').where({ id: requestId }).decrement('vote_count', 1);
  return true;
}

export async function hasVoted(db: Db, requestId: number, requesterId: number): Promise<boolean> {
  return (await db('votes').where({ request_id: requestId, requester_id: requesterId }).first('id')) !== undefined;
}

/** Of the given requests, those the requester voted for (one query for a whole page). */
export async function votedAmong(db: Db, requestIds: number[], requesterId: number): Promise<Set<number>> {
  if (requestIds.length === 0) return new Set();
  const rows: { request_id: number }[] = await db('votes').whereIn('request_id', requestIds).andWhere('requester_id', requesterId).select('request_id');
  return new Set(rows.map((r) => Number(r.request_id)));
}

export async function listVoters(db: Db, requestId: number): Promise<{ name: string; email: string; companyName: string | null }[]> {
  const rows: Record<string, unknown>[] = await db('votes as v')
    .join('principals as p', 'p.id', 'v.requester_id')
    .leftJoin('companies as c', 'c.id', 'p.company_id')
    .where('v.request_id', requestId)
    .orderBy('v.created_at')
    .select('p.name', 'p.email', 'c.name as company_name');
  return rows.map((r) => ({ name: String(r.name), email: String(r.email), companyName: r.company_name == null ? null : String(r.company_name) }));
}

export async function portalProjects(db: Db): Promise<{ id: number; name: string }[]> {
  const rows: Record<string, unknown>[] = await db('projects').where('portal_enabled', true).orderBy('name').select('id', 'name');
  return rows.map((r) => ({ id: Number(r.id), name: String(r.name) }));
}

/** Who a request is assigned to now (null: nobody, or no such request). */
export async function assigneeOf(db: Db, requestId: number): Promise<number | null> {
  const row: { assignee_id: unknown } | undefined = await db('requests').where({ id: requestId }).first('assignee_id');
  return row?.assignee_id == null ? null : Number(row.assignee_id);
}

/** The titles of requests `ids`, by id (a mail listing several). */
export async function requestTitles(db: Db, ids: readonly number[]): Promise<Map<number, string>> {
  const rows: { id: unknown; title: unknown }[] = await db('requests').whereIn('id', ids).select('id', 'title');
  return new Map(rows.map((r) => [Number(r.id), String(r.title)]));
}
