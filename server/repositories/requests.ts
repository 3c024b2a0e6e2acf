import type { Knex } from 'knex';
import type { Db } from '../db';
import { toDate, containsClause, isSqlite, LITERAL_LIMIT } from '../db';

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
  'requests.customer_activity_at',
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
    lastActivityAt: toDate(r.customer_activity_at),
  };
}

/**
 * A page of rows and the total from the same filtered query. Uncapped, the total rides on
 * the page's own statement (`count(*) over ()`, computed over the matches the page is sorted
 * from), so the matches are read once; only a page past the end needs a separate count. With
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
  const countOf = (row: unknown, key = 'count') => Number((row as Record<string, unknown> | undefined)?.[key] ?? 0);
  let rows: Record<string, unknown>[];
  let total: number;
  if (countCap === undefined) {
    rows = await rowsQuery.select(base.client.raw('count(*) over () as full_count'));
    total = rows.length ? countOf(rows[0], 'full_count') : page > 1 ? countOf(await base.clone().count({ count: '*' }).first()) : 0;
  } else {
    const capped = base.clone().select('requests.id').limit(countCap + 1, LITERAL_LIMIT);
    // SQLite's planner walks the list's own index and stops at the cap only when given the
    // list's order; PostgreSQL stops early without it and would sort every match with it.
    if (isSqlite(base)) for (const [column, direction] of order) void capped.orderBy(column, direction);
    const countQuery = base.client.queryBuilder().count({ count: '*' }).from(capped.as('capped')).first();
    const [pageRows, countRow] = await Promise.all([rowsQuery, countQuery]);
    rows = pageRows as Record<string, unknown>[];
    total = countOf(countRow);
  }
  return {
    items: rows.map(toListItem),
    total: countCap !== undefined && total > countCap ? countCap : total,
    totalCapped: countCap !== undefined && total > countCap,
    page,
    pageSize,
  };
}

/** Narrowing a list within what its scope allows: some statuses; requests by one person, or by anyone but them. */
export interface ListFilter {
  statuses?: readonly string[];
  requestedBy?: number;
  requestedByOthersThan?: number;
}

/** The viewer's requests, newest customer-visible activity first (customer_activity_at: no internal note moves it), optionally searched by title and filtered. */
export async function listRequests(
  db: Db,
  scope: Scope,
  opts: { page: number; pageSize: number; search?: string; filter?: ListFilter },
): Promise<Page<RequestListItem>> {
  const base = db('requests').join('projects', 'projects.id', 'requests.project_id').modify(scope);
  const { statuses, requestedBy, requestedByOthersThan } = opts.filter ?? {};
  if (statuses) void base.whereIn('requests.status', statuses);
  if (requestedBy !== undefined) void base.where('requests.requester_id', requestedBy);
  if (requestedByOthersThan !== undefined) void base.whereNot('requests.requester_id', requestedByOthersThan);
  if (opts.search) {
    void base.whereRaw(...containsClause(base, 'requests.title', opts.search));
  }
  return pageOf(base, [['requests.customer_activity_at', 'desc'], ['requests.id', 'desc']], opts.page, opts.pageSize);
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
