import type { Knex } from 'knex';
import type { Db } from '../db';
import { toDate, containsPattern, SQLITE_CLIENT } from '../db';

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
  /** True when `total` is a lower bound (the count stopped at a cap). */
  totalCapped?: boolean;
  page: number;
  pageSize: number;
}

const LIST_COLUMNS = [
  'requests.id',
  'requests.title',
  'requests.type',
  'requests.status',
  'requests.visibility',
  'requests.vote_count',
  'requests.last_activity_at',
  'projects.name as project_name',
];

function toListItem(r: Record<string, unknown>): RequestListItem {
  return {
    id: Number(r.id),
    title: String(r.title),
    type: String(r.type),
    status: String(r.status),
    visibility: String(r.visibility),
    voteCount: Number(r.vote_count),
    projectName: String(r.project_name),
    lastActivityAt: toDate(r.last_activity_at),
  };
}

/**
 * A page of rows and the total, both from the same filtered query (one query each). With
 * `countCap` the total is counted only up to that many rows (shown as "1,000+"): an exact
 * count of a big public list costs more than the page itself.
 */
async function pageOf(
  base: Knex.QueryBuilder,
  order: [string, 'asc' | 'desc'][],
  page: number,
  pageSize: number,
  countCap?: number,
): Promise<Page<RequestListItem>> {
  const rowsQuery = base.clone().select(LIST_COLUMNS).limit(pageSize).offset((page - 1) * pageSize);
  for (const [column, direction] of order) void rowsQuery.orderBy(column, direction);
  let countQuery: Knex.QueryBuilder;
  if (countCap === undefined) countQuery = base.clone().count({ count: '*' }).first();
  else {
    const capped = base.clone().select('requests.id').limit(countCap + 1);
    // SQLite's planner walks the list's own index and stops at the cap only when given the
    // list's order; PostgreSQL stops early without it and would sort every match with it.
    if (base.client.config.client === SQLITE_CLIENT) for (const [column, direction] of order) void capped.orderBy(column, direction);
    countQuery = base.client.queryBuilder().count({ count: '*' }).from(capped.as('capped')).first();
  }
  const [rows, countRow] = await Promise.all([rowsQuery, countQuery]);
  const total = Number((countRow as Record<string, unknown> | undefined)?.count ?? 0);
  return {
    items: (rows as Record<string, unknown>[]).map(toListItem),
    total: countCap !== undefined && total > countCap ? countCap : total,
    totalCapped: countCap !== undefined && total > countCap,
    page,
    pageSize,
  };
}

/** The viewer's requests, newest activity first, optionally searched by title. */
export async function listRequests(
  db: Db,
  scope: Scope,
  opts: { page: number; pageSize: number; search?: string },
): Promise<Page<RequestListItem>> {
  const base = db('requests').join('projects', 'projects.id', 'requests.project_id').modify(scope);
  if (opts.search) {
    const term = containsPattern(opts.search);
    void base.whereRaw("lower(requests.title) like ? escape '\\'", [term]);
  }
  return pageOf(base, [['requests.last_activity_at', 'desc'], ['requests.id', 'desc']], opts.page, opts.pageSize);
}

export const IDEAS_COUNT_CAP = 1000;

/** Public requests of portal projects, most-voted first, within the viewer's scope. */
export async function listIdeas(db: Db, scope: Scope, opts: { page: number; pageSize: number }): Promise<Page<RequestListItem>> {
  const base = db('requests')
    .join('projects', 'projects.id', 'requests.project_id')
    .where('requests.visibility', 'public')
    .andWhere('projects.portal_enabled', true)
    .modify(scope);
  return pageOf(base, [['requests.vote_count', 'desc'], ['requests.id', 'desc']], opts.page, opts.pageSize, IDEAS_COUNT_CAP);
}
