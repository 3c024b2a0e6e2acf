/** The desk's request queue: a sorted page within a scope, and its filters' choices (tabs: queueCounts.ts). */
import type { Db } from '../db';
import { toDate, LITERAL_LIMIT } from '../db';
import type { MaybeActor } from '../permissions/actor';
import { projectsWithVisibleRequests, visibleRequests, type Scope, type ScopeSettings } from '../permissions/scopes';
import { staffPrincipals } from '../permissions/peopleScopes';
import { applyFilter, type QueueFilter } from './queueFilter';
import { QUEUE_COUNT_CAP, totalFromTabs, type StatusCounts, type Total } from './queueCounts';
import type { Page } from './requests';


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
  /** When its customer wrote last with no staff answer since, else null. */
  customerRepliedAt: Date | null;
  /** How many files it holds, internal notes' included: the queue is the staff's, who see them all. */
  fileCount: number;
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
      'requests.customer_replied_at',
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
      'r.customer_replied_at',
      'projects.name as project_name',
      'rq.name as requester_name',
      'c.name as company_name',
      'asg.name as assignee_name',
      // One index probe per row of the page (attachments by request).
      db('attachments').whereRaw('?? = ??', ['attachments.request_id', 'r.id']).count('*').as('file_count'),
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
      customerRepliedAt: r.customer_replied_at == null ? null : toDate(r.customer_replied_at),
      fileCount: Number(r.file_count ?? 0),
    })),
    total: total.n,
    totalCapped: total.capped,
    page,
    pageSize,
  };
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
