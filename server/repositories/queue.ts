/** The desk's request queue: filters, sort, search and counts, all in SQL within a scope. */
import type { Knex } from 'knex';
import type { Db } from '../db';
import { toDate, containsPattern } from '../db';
import type { Scope } from '../permissions/scopes';
import type { Page } from './requests';

export interface QueueFilter {
  status?: string;
  type?: string;
  projectId?: number;
  companyId?: number;
  requesterId?: number;
  /** A staff id, or 'none' for unassigned requests. */
  assignee?: number | 'none';
  q?: string;
}

export const QUEUE_SORTS = {
  activity: [['requests.last_activity_at', 'desc']],
  oldest: [['requests.created_at', 'asc']],
  newest: [['requests.created_at', 'desc']],
  votes: [['requests.vote_count', 'desc']],
} as const;
export type QueueSort = keyof typeof QUEUE_SORTS;

export interface QueueItem {
  id: number;
  title: string;
  type: string;
  status: string;
  visibility: string;
  voteCount: number;
  projectName: string;
  requesterName: string;
  companyName: string | null;
  assigneeName: string | null;
  lastActivityAt: Date;
}

function applyFilter(qb: Knex.QueryBuilder, f: QueueFilter, withStatus: boolean): void {
  if (withStatus && f.status) void qb.where('requests.status', f.status);
  if (f.type) void qb.where('requests.type', f.type);
  if (f.projectId) void qb.where('requests.project_id', f.projectId);
  if (f.companyId) void qb.where('requests.company_id', f.companyId);
  if (f.requesterId) void qb.where('requests.requester_id', f.requesterId);
  if (f.assignee === 'none') void qb.whereNull('requests.assignee_id');
  else if (f.assignee) void qb.where('requests.assignee_id', f.assignee);
  if (f.q) {
    const term = containsPattern(f.q);
    const asId = /^#?(\d{1,9})$/.exec(f.q.trim());
    void qb.where((w) => {
      void w.whereRaw("lower(requests.title) like ? escape '\\'", [term]);
      if (asId) void w.orWhere('requests.id', Number(asId[1]));
    });
  }
}

export async function listQueue(db: Db, scope: Scope, f: QueueFilter, sort: QueueSort, page: number, pageSize: number): Promise<Page<QueueItem>> {
  const base = db('requests').modify(scope).modify((qb) => applyFilter(qb, f, true));
  const rowsQuery = base
    .clone()
    .join('projects', 'projects.id', 'requests.project_id')
    .join('principals as rq', 'rq.id', 'requests.requester_id')
    .leftJoin('companies as c', 'c.id', 'requests.company_id')
    .leftJoin('principals as asg', 'asg.id', 'requests.assignee_id')
    .select(
      'requests.id',
      'requests.title',
      'requests.type',
      'requests.status',
      'requests.visibility',
      'requests.vote_count',
      'requests.last_activity_at',
      'projects.name as project_name',
      'rq.name as requester_name',
      'c.name as company_name',
      'asg.name as assignee_name',
    )
    .limit(pageSize)
    .offset((page - 1) * pageSize);
  for (const [column, direction] of QUEUE_SORTS[sort]) void rowsQuery.orderBy(column, direction);
  void rowsQuery.orderBy('requests.id', 'desc');
  const [rows, count] = await Promise.all([rowsQuery, base.clone().count({ n: '*' }).first()]);
  return {
    items: rows.map((r: Record<string, unknown>) => ({
      id: Number(r.id),
      title: String(r.title),
      type: String(r.type),
      status: String(r.status),
      visibility: String(r.visibility),
      voteCount: Number(r.vote_count),
      projectName: String(r.project_name),
      requesterName: String(r.requester_name),
      companyName: r.company_name == null ? null : String(r.company_name),
      assigneeName: r.assignee_name == null ? null : String(r.assignee_name),
      lastActivityAt: toDate(r.last_activity_at),
    })),
    total: Number((count as Record<string, unknown> | undefined)?.n ?? 0),
    page,
    pageSize,
  };
}

/** Requests per status under the same filters (status aside), for the queue's tabs. */
export async function countByStatus(db: Db, scope: Scope, f: QueueFilter): Promise<Record<string, number>> {
  const rows: { status: string; n: string | number }[] = await db('requests')
    .modify(scope)
    .modify((qb) => applyFilter(qb, f, false))
    .groupBy('requests.status')
    .select('requests.status')
    .count({ n: '*' });
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

export interface Option {
  id: number;
  name: string;
}

/** Choices for the queue's filters, limited to what the viewer may see. */
export async function queueFilterOptions(db: Db, scope: Scope): Promise<{ projects: Option[]; companies: Option[]; assignees: Option[] }> {
  const visible = db('requests').modify(scope);
  const [projects, companies, assignees] = await Promise.all([
    db('projects').whereIn('id', visible.clone().distinct('requests.project_id')).orderBy('name').select('id', 'name'),
    db('companies').whereIn('id', visible.clone().whereNotNull('requests.company_id').distinct('requests.company_id')).orderBy('name').select('id', 'name'),
    db('principals').whereIn('id', visible.clone().whereNotNull('requests.assignee_id').distinct('requests.assignee_id')).orderBy('name').select('id', 'name'),
  ]);
  const opt = (rows: Record<string, unknown>[]) => rows.map((r) => ({ id: Number(r.id), name: String(r.name) }));
  return { projects: opt(projects), companies: opt(companies), assignees: opt(assignees) };
}
