/** The desk queue's status tabs and its total: counted from the rows up to a cap, or added up from the request tallies. */
import type { Db } from '../db';
import { LITERAL_LIMIT } from '../db';
import type { Scope } from '../permissions/scopes';
import type { TallyScope } from '../permissions/tallyScopes';
import { applyFilter, talliedFilter, type QueueFilter } from './queueFilter';
import { scopedCells } from './requestTallies';

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
  for (const r of [...whole, ...rest]) if (Object.hasOwn(counts, r.k)) counts[r.k]! += Number(r.n);
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
