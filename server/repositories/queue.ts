/** The desk's request queue: filters, sort, search and counts, all in SQL within a scope. */
import type { Knex } from 'knex';
import type { Db } from '../db';
import { toDate, containsPattern, LITERAL_LIMIT } from '../db';
import type { MaybeActor } from '../permissions/actor';
import { projectsWithVisibleRequests, visibleRequests, type Scope, type ScopeSettings } from '../permissions/scopes';
import { staffPrincipals } from '../permissions/peopleScopes';
import type { TallyScope } from '../permissions/tallyScopes';
import { scopedCells } from './requestTallies';
import type { Page } from './requests';

export interface QueueFilter {
  status?: string;
  type?: string;
  projectId?: number;
  companyId?: number;
  /** Part of a company's name, for desks with too many companies to list (COMPANY_CHOICES_MAX). */
  companyName?: string;
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
  if (f.companyName) {
    const term = containsPattern(f.companyName);
    void qb.whereIn('requests.company_id', function companiesNamed(this: Knex.QueryBuilder) {
      void this.select('id').from('companies').whereRaw("lower(name) like ? escape '\\'", [term]);
    });
  }
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

/**
 * A page of the queue. `tabs`, when the caller counts the tabs anyway (countByStatus with the
 * same scope and filter), gives the total too: the filter's total is its status's tab, or
 * every tab's sum without a status, so it is not counted a second time.
 */
export async function listQueue(db: Db, scope: Scope, f: QueueFilter, sort: QueueSort, page: number, pageSize: number, tabs?: Promise<StatusCounts>): Promise<Page<QueueItem>> {
  const base = db('requests').modify(scope).modify((qb) => applyFilter(qb, f, true));
  // The page is chosen from requests alone, then named (project, people, company): planned as
  // one query with five joins, PostgreSQL spent 11 ms planning for 2 ms of work; this way 2–3 ms.
  const order = [...QUEUE_SORTS[sort], ['requests.id', 'desc']] as [string, 'asc' | 'desc'][];
  const pageRows = base
    .clone()
    .select(
      'requests.id',
      'requests.title',
      'requests.type',
      'requests.status',
      'requests.visibility',
      'requests.vote_count',
      'requests.last_activity_at',
      'requests.created_at',
      'requests.project_id',
      'requests.requester_id',
      'requests.company_id',
      'requests.assignee_id',
    )
    .limit(pageSize)
    .offset((page - 1) * pageSize);
  for (const [column, direction] of order) void pageRows.orderBy(column, direction);
  const rowsQuery = db
    .from(pageRows.as('r'))
    .join('projects', 'projects.id', 'r.project_id')
    .join('principals as rq', 'rq.id', 'r.requester_id')
    .leftJoin('companies as c', 'c.id', 'r.company_id')
    .leftJoin('principals as asg', 'asg.id', 'r.assignee_id')
    .select(
      'r.id',
      'r.title',
      'r.type',
      'r.status',
      'r.visibility',
      'r.vote_count',
      'r.last_activity_at',
      'projects.name as project_name',
      'rq.name as requester_name',
      'c.name as company_name',
      'asg.name as assignee_name',
    );
  for (const [column, direction] of order) void rowsQuery.orderBy(column.replace(/^requests\./, 'r.'), direction);
  const countQuery = async (): Promise<Total> => {
    if (tabs) return totalFromTabs(await tabs, f.status);
    const count = await db
      .from(base.clone().select('requests.id').limit(QUEUE_COUNT_CAP + 1, LITERAL_LIMIT).as('capped'))
      .count({ n: '*' })
      .first();
    const n = Number((count as Record<string, unknown> | undefined)?.n ?? 0);
    return n > QUEUE_COUNT_CAP ? { n: QUEUE_COUNT_CAP, capped: true } : { n, capped: false };
  };
  const [rows, total] = await Promise.all([rowsQuery, countQuery()]);
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
    total: total.n,
    totalCapped: total.capped,
    page,
    pageSize,
  };
}

/**
 * Counts stop at this many: past it a tab shows "1,000+", as Jira's queues show "999+".
 * Each count then reads at most this many index entries, whatever the size of the desk.
 */
export const QUEUE_COUNT_CAP = 1000;

export interface StatusCounts {
  /** Per status, at most QUEUE_COUNT_CAP. */
  counts: Record<string, number>;
  /** The statuses whose count reached the cap. */
  capped: string[];
}

/** Whether a filter (its status aside) names only what the request tallies count by: project, company, type. */
export function talliedFilter(f: QueueFilter): boolean {
  return f.companyName === undefined && f.requesterId === undefined && f.assignee === undefined && f.q === undefined;
}

/**
 * Requests per status under the same filters (status aside), for the queue's tabs. With
 * `tally`, the tally form of `scope` (queueTallyScope), and a filter the tallies count by,
 * the counts are added up from the tallies and exact; otherwise each is counted from the rows
 * up to QUEUE_COUNT_CAP.
 */
export async function countByStatus(db: Db, scope: Scope, f: QueueFilter, statuses: readonly string[], tally?: TallyScope | null): Promise<StatusCounts> {
  if (tally && talliedFilter(f)) return countByStatusFromTallies(db, tally, f, statuses);
  const capped = (status: string, alias: string) =>
    db
      .from(
        db('requests')
          .modify(scope)
          .modify((qb) => applyFilter(qb, f, false))
          .where('requests.status', status)
          .select('requests.id')
          .limit(QUEUE_COUNT_CAP + 1, LITERAL_LIMIT)
          .as('capped'),
      )
      .count({ n: '*' })
      .as(alias);
  // One statement: a scalar subquery per status, each reading at most cap + 1 entries.
  const row: Record<string, unknown> = await db.select(statuses.map((s, i) => capped(s, `s${i}`))).first();
  const counts: Record<string, number> = {};
  const over: string[] = [];
  statuses.forEach((status, i) => {
    const n = Number(row[`s${i}`] ?? 0);
    counts[status] = Math.min(n, QUEUE_COUNT_CAP);
    if (n > QUEUE_COUNT_CAP) over.push(status);
  });
  return { counts, capped: over };
}

/** The tabs from the tally cells of the projects seen whole, plus the requests seen apart counted from the rows: exact. */
async function countByStatusFromTallies(db: Db, t: TallyScope, f: QueueFilter, statuses: readonly string[]): Promise<StatusCounts> {
  const counts: Record<string, number> = Object.fromEntries(statuses.map((s) => [s, 0]));
  // A company filter picks its own cell; one that contradicts the scope's company counts nothing.
  if (f.companyId !== undefined && t.companyId !== null && f.companyId !== t.companyId) return { counts, capped: [] };
  const cells = scopedCells(db, 'request_tallies', t, f.companyId ?? t.companyId);
  if (f.projectId !== undefined) void cells.where('t.project_id', f.projectId);
  if (f.type !== undefined) void cells.where('t.type', f.type);
  const apart = t.apart;
  const [whole, rest] = await Promise.all([
    cells.groupBy('t.status').select({ k: 't.status' }).sum({ n: 't.n' }) as Promise<{ k: string; n: string | number }[]>,
    apart
      ? (db('requests')
          .modify(apart)
          .modify((qb) => applyFilter(qb, f, false))
          .groupBy('requests.status')
          .select({ k: 'requests.status' })
          .count({ n: '*' }) as Promise<{ k: string; n: string | number }[]>)
      : Promise.resolve([]),
  ]);
  for (const r of [...whole, ...rest]) if (r.k in counts) counts[r.k]! += Number(r.n);
  return { counts, capped: [] };
}

/** A filter's number of requests; `capped`: a lower bound, the count stopped at QUEUE_COUNT_CAP. */
export interface Total {
  n: number;
  capped: boolean;
}

/**
 * The filter's total from its tabs: their sum, exact when no tab stopped at the cap (tabs
 * added up from the tallies never do); otherwise QUEUE_COUNT_CAP and capped, as the capped
 * count itself says it.
 */
export function totalFromTabs(tabs: StatusCounts, status: string | undefined): Total {
  const statuses = status ? [status] : Object.keys(tabs.counts);
  if (statuses.some((s) => tabs.capped.includes(s))) return { n: QUEUE_COUNT_CAP, capped: true };
  return { n: statuses.reduce((sum, s) => sum + (tabs.counts[s] ?? 0), 0), capped: false };
}

export interface Option {
  id: number;
  name: string;
}

/**
 * Past this many companies the queue's company filter is a name search instead of a list:
 * listing means one indexed probe per company and one <option> each, which grows with the
 * customer base (7 ms and 25 kB of HTML at 500 companies), and nobody scrolls such a list.
 */
export const COMPANY_CHOICES_MAX = 100;

/**
 * Choices for the queue's filters, limited to what the viewer may see: the projects,
 * companies and staff that at least one visible request names. Read from the small tables,
 * each row checked with an indexed EXISTS, instead of a DISTINCT over every visible request.
 * `companies` is null when the desk has more than COMPANY_CHOICES_MAX companies.
 */
export async function queueFilterOptions(
  db: Db,
  actor: MaybeActor,
  settings: ScopeSettings,
): Promise<{ projects: Option[]; companies: Option[] | null; assignees: Option[] }> {
  const scope = visibleRequests(actor, settings);
  const named = (column: string, outer: string) =>
    db('requests').modify(scope).whereRaw('?? = ??', [`requests.${column}`, outer]).select(db.raw('1'));
  const companies = async (): Promise<Record<string, unknown>[] | null> => {
    const few = await db.from(db('companies').select('id').limit(COMPANY_CHOICES_MAX + 1, LITERAL_LIMIT).as('c')).count({ n: '*' }).first();
    if (Number((few as Record<string, unknown> | undefined)?.n ?? 0) > COMPANY_CHOICES_MAX) return null;
    return db('companies as o').whereExists(named('company_id', 'o.id')).orderBy('o.name').select('o.id', 'o.name');
  };
  const [projects, companyRows, assignees] = await Promise.all([
    db('projects as o').modify(projectsWithVisibleRequests(actor, settings, 'o')).orderBy('o.name').select('o.id', 'o.name'),
    companies(),
    db('principals as o').modify(staffPrincipals('o')).whereExists(named('assignee_id', 'o.id')).orderBy('o.name').select('o.id', 'o.name'),
  ]);
  const opt = (rows: Record<string, unknown>[]) => rows.map((r) => ({ id: Number(r.id), name: String(r.name) }));
  return { projects: opt(projects), companies: companyRows && opt(companyRows), assignees: opt(assignees) };
}
