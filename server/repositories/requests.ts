import type { Knex } from 'knex';
import type { Db } from '../db';
import { toDate } from '../db';

export interface RequestListItem {
  id: number;
  title: string;
  type: string;
  status: string;
  visibility: string;
  voteCount: number;
  projectName: string;
  lastActivityAt: Date;
}

export type Scope = (qb: Knex.QueryBuilder) => void;

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

/** One query for the rows and one for the count, both filtered by the caller's permission scope. */
export async function listRequests(
  db: Db,
  scope: Scope,
  opts: { page: number; pageSize: number; search?: string },
): Promise<Page<RequestListItem>> {
  const base = db('requests').join('projects', 'projects.id', 'requests.project_id').modify(scope);
  if (opts.search) {
    const term = `%${opts.search.replace(/[\\%_]/g, (c) => `\\${c}`).toLowerCase()}%`;
    void base.whereRaw("lower(requests.title) like ? escape '\\'", [term]);
  }
  const [rows, countRow] = await Promise.all([
    base
      .clone()
      .select(
        'requests.id',
        'requests.title',
        'requests.type',
        'requests.status',
        'requests.visibility',
        'requests.vote_count',
        'requests.last_activity_at',
        'projects.name as project_name',
      )
      .orderBy('requests.last_activity_at', 'desc')
      .orderBy('requests.id', 'desc')
      .limit(opts.pageSize)
      .offset((opts.page - 1) * opts.pageSize),
    base.clone().count({ count: '*' }).first(),
  ]);
  return {
    items: rows.map((r: Record<string, unknown>) => ({
      id: Number(r.id),
      title: String(r.title),
      type: String(r.type),
      status: String(r.status),
      visibility: String(r.visibility),
      voteCount: Number(r.vote_count),
      projectName: String(r.project_name),
      lastActivityAt: toDate(r.last_activity_at),
    })),
    total: Number((countRow as Record<string, unknown> | undefined)?.count ?? 0),
    page: opts.page,
    pageSize: opts.pageSize,
  };
}

/** Public requests of portal projects, most-voted first, within the viewer's scope. */
export async function listIdeas(db: Db, scope: Scope, opts: { page: number; pageSize: number }): Promise<Page<RequestListItem>> {
  const base = db('requests')
    .join('projects', 'projects.id', 'requests.project_id')
    .where('requests.visibility', 'public')
    .andWhere('projects.portal_enabled', true)
    .modify(scope);
  const [rows, countRow] = await Promise.all([
    base
      .clone()
      .select('requests.id', 'requests.title', 'requests.type', 'requests.status', 'requests.visibility', 'requests.vote_count', 'requests.last_activity_at', 'projects.name as project_name')
      .orderBy('requests.vote_count', 'desc')
      .orderBy('requests.id', 'desc')
      .limit(opts.pageSize)
      .offset((opts.page - 1) * opts.pageSize),
    base.clone().count({ count: '*' }).first(),
  ]);
  return {
    items: rows.map((r: Record<string, unknown>) => ({
      id: Number(r.id),
      title: String(r.title),
      type: String(r.type),
      status: String(r.status),
      visibility: String(r.visibility),
      voteCount: Number(r.vote_count),
      projectName: String(r.project_name),
      lastActivityAt: toDate(r.last_activity_at),
    })),
    total: Number((countRow as Record<string, unknown> | undefined)?.count ?? 0),
    page: opts.page,
    pageSize: opts.pageSize,
  };
}
