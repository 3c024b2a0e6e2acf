/**
 * Running counts of requests per (project, company, status, type) and per (project, company,
 * UTC day of creation), with a roll-up of all companies (company_key 0; -1 = no company).
 * Every write that creates a request or changes a tallied field goes through this file in the
 * caller's transaction, so the counts never drift from the rows; dashboards add them up
 * (widgetData.ts) instead of reading every request of a project.
 */
import type { Knex } from 'knex';
import type { Db } from '../db';
import { isSqlite, LITERAL_LIMIT, toDate } from '../db';
import { TALLY_PROJECTS, type TallyScope } from '../permissions/tallyScopes';

export const ALL_COMPANIES = 0;
export const NO_COMPANY = -1;

/** The fields of a request that the tallies count by. */
export interface TallyKey {
  projectId: number;
  companyId: number | null;
  status: string;
  type: string;
  createdAt: Date | string;
}

const dayOf = (createdAt: Date | string) => toDate(createdAt).toISOString().slice(0, 10);

interface CountCell {
  project_id: number;
  company_key: number;
  status: string;
  type: string;
  n: number;
}

interface DayCell {
  project_id: number;
  company_key: number;
  day: string;
  n: number;
}

function byKeys<T>(keys: (keyof T)[]): (x: T, y: T) => number {
  return (x, y) => {
    for (const k of keys) if (x[k] !== y[k]) return x[k] < y[k] ? -1 : 1;
    return 0;
  };
}

/** Signed changes summed per tally cell: each request counts in its company's cell and in the roll-up. */
class TallyCells {
  private readonly counts = new Map<string, CountCell>();
  private readonly days = new Map<string, DayCell>();

  add(key: TallyKey, delta: number): void {
    const day = dayOf(key.createdAt);
    for (const company_key of [key.companyId ?? NO_COMPANY, ALL_COMPANIES]) {
      const c = JSON.stringify([key.projectId, company_key, key.status, key.type]);
      this.counts.set(c, { project_id: key.projectId, company_key, status: key.status, type: key.type, n: (this.counts.get(c)?.n ?? 0) + delta });
      const d = JSON.stringify([key.projectId, company_key, day]);
      this.days.set(d, { project_id: key.projectId, company_key, day, n: (this.days.get(d)?.n ?? 0) + delta });
    }
  }

  /** The cells that change, in key order: the order in which every writer locks them. */
  countRows(): CountCell[] {
    return [...this.counts.values()].filter((c) => c.n !== 0).sort(byKeys<CountCell>(['project_id', 'company_key', 'status', 'type']));
  }

  dayRows(): DayCell[] {
    return [...this.days.values()].filter((c) => c.n !== 0).sort(byKeys<DayCell>(['project_id', 'company_key', 'day']));
  }
}

/**
 * Applies signed changes to the tally cells they touch: the net change per cell (a status
 * change leaves its day cells alone), each table written with one upsert whose rows are in
 * key order. Every writer takes the cells' row locks in that same order, so two changes that
 * cross (A: new → open while B: open → new in one project) wait for each other instead of
 * deadlocking on PostgreSQL.
 */
async function apply(db: Db, changes: { key: TallyKey; delta: number }[]): Promise<void> {
  const cells = new TallyCells();
  for (const { key, delta } of changes) cells.add(key, delta);
  const countRows = cells.countRows();
  const dayRows = cells.dayRows();
  if (countRows.length) {
    await db('request_tallies')
      .insert(countRows)
      .onConflict(['project_id', 'company_key', 'status', 'type'])
      .merge({ n: db.raw('?? + ??', ['request_tallies.n', 'excluded.n']) });
  }
  if (dayRows.length) {
    await db('request_day_tallies')
      .insert(dayRows)
      .onConflict(['project_id', 'company_key', 'day'])
      .merge({ n: db.raw('?? + ??', ['request_day_tallies.n', 'excluded.n']) });
  }
}

/**
 * The cells a tally scope adds up: its projects seen whole, in one company's cell (`companyId`,
 * by default the scope's own) or the roll-up of every company. Its requests seen apart are
 * the caller's to count from the rows.
 */
export function scopedCells(db: Db, table: 'request_tallies' | 'request_day_tallies', t: TallyScope, companyId: number | null = t.companyId): Knex.QueryBuilder {
  return db(`${table} as t`)
    .where('t.company_key', companyId ?? ALL_COMPANIES)
    .whereIn('t.project_id', function wholeProjects(this: Knex.QueryBuilder) {
      void this.select(`${TALLY_PROJECTS}.id`).from(`projects as ${TALLY_PROJECTS}`).modify(t.projects);
    });
}

/** A request was created with `key`: counted once, with its company and in the roll-up. */
export async function countNewRequest(db: Db, key: TallyKey): Promise<void> {
  await apply(db, [{ key, delta: 1 }]);
}

/** A request's tallied fields went from `before` to `after` (call within the writing transaction). */
export async function recountChangedRequest(db: Db, before: TallyKey, after: TallyKey, batch?: TallyBatch): Promise<void> {
  const changes = [
    { key: before, delta: -1 },
    { key: after, delta: 1 },
  ];
  if (batch) batch.changes.push(...changes);
  else await apply(db, changes);
}

/**
 * Tally changes of several requests held back and written at once (a bulk change): one
 * transaction that took each request's cells in turn would hold some cells while waiting
 * for others, which a second such transaction may hold (a deadlock on PostgreSQL). Written
 * together, the cells are taken in the one key order every writer uses.
 */
export class TallyBatch {
  readonly changes: { key: TallyKey; delta: number }[] = [];
}

export async function applyTallyBatch(db: Db, batch: TallyBatch): Promise<void> {
  await apply(db, batch.changes.splice(0));
}

/**
 * Locks the rows of `ids` in id order until the transaction ends, before a change of several
 * requests writes anything (SQLite's write lock, taken at BEGIN, already holds them all).
 */
export async function lockRequestRows(db: Db, ids: readonly number[]): Promise<void> {
  if (isSqlite(db) || ids.length === 0) return;
  await db('requests').whereIn('id', ids).orderBy('id').forUpdate().select('id');
}

/** The tallied fields of one request, locked against concurrent changes until the transaction ends where the engine can. */
export async function lockTallyKey(db: Db, requestId: number): Promise<TallyKey | null> {
  const q = db('requests').where({ id: requestId }).first('project_id', 'company_id', 'status', 'type', 'created_at');
  // SQLite transactions here take the write lock at BEGIN (db.ts), so there is nothing to add.
  const row: Record<string, unknown> | undefined = isSqlite(db) ? await q : await q.forUpdate();
  return row ? keyOf(row) : null;
}

function keyOf(r: Record<string, unknown>): TallyKey {
  return {
    projectId: Number(r.project_id),
    companyId: r.company_id == null ? null : Number(r.company_id),
    status: String(r.status),
    type: String(r.type),
    createdAt: toDate(r.created_at),
  };
}

/**
 * Counts every request again from scratch (after bulk loads that write rows directly: the
 * benchmark seed, test worlds). `onProgress` hears how many requests were counted so far.
 */
export async function rebuildRequestTallies(db: Db, onProgress?: (counted: number) => void): Promise<void> {
  await db.transaction(async (trx) => {
    // On PostgreSQL, writers that count a request meanwhile wait until the recount commits:
    // otherwise a request committed between the reads and the rewrite would be lost or
    // counted twice. (SQLite's write lock, taken at BEGIN, already serialises them.)
    if (!isSqlite(trx)) await trx.raw('LOCK TABLE request_tallies, request_day_tallies IN EXCLUSIVE MODE');
    await recountAll(trx, onProgress);
  });
}

async function recountAll(db: Db, onProgress?: (counted: number) => void): Promise<void> {
  const cells = new TallyCells();
  let after = 0;
  let counted = 0;
  for (;;) {
    const rows: Record<string, unknown>[] = await db('requests')
      .where('id', '>', after)
      .orderBy('id')
      .limit(5_000, LITERAL_LIMIT)
      .select('id', 'project_id', 'company_id', 'status', 'type', 'created_at');
    if (!rows.length) break;
    for (const r of rows) cells.add(keyOf(r), 1);
    after = Number(rows[rows.length - 1]!.id);
    counted += rows.length;
    onProgress?.(counted);
  }
  await db('request_tallies').del();
  await db('request_day_tallies').del();
  const countRows = cells.countRows();
  const dayRows = cells.dayRows();
  for (let i = 0; i < countRows.length; i += 500) await db('request_tallies').insert(countRows.slice(i, i + 500));
  for (let i = 0; i < dayRows.length; i += 500) await db('request_day_tallies').insert(dayRows.slice(i, i + 500));
}
