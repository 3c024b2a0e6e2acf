/**
 * Running counts of requests per (project, company, status, type) and per (project, company,
 * UTC day of creation), with a roll-up of all companies (company_key 0; -1 = no company).
 * Every write that creates a request or changes a tallied field goes through this file in the
 * caller's transaction, so the counts never drift from the rows; dashboards add them up
 * (widgetData.ts) instead of reading every request of a project.
 */
import type { Db } from '../db';
import { isSqlite, toDate } from '../db';

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

async function add(db: Db, key: TallyKey, delta: number): Promise<void> {
  const companies = [key.companyId ?? NO_COMPANY, ALL_COMPANIES];
  await db('request_tallies')
    .insert(companies.map((company_key) => ({ project_id: key.projectId, company_key, status: key.status, type: key.type, n: delta })))
    .onConflict(['project_id', 'company_key', 'status', 'type'])
    .merge({ n: db.raw('?? + ??', ['request_tallies.n', 'excluded.n']) });
  await db('request_day_tallies')
    .insert(companies.map((company_key) => ({ project_id: key.projectId, company_key, day: dayOf(key.createdAt), n: delta })))
    .onConflict(['project_id', 'company_key', 'day'])
    .merge({ n: db.raw('?? + ??', ['request_day_tallies.n', 'excluded.n']) });
}

/** A request was created with `key`: counted once, with its company and in the roll-up. */
export async function countNewRequest(db: Db, key: TallyKey): Promise<void> {
  await add(db, key, 1);
}

/** A request's tallied fields went from `before` to `after` (call within the writing transaction). */
export async function recountChangedRequest(db: Db, before: TallyKey, after: TallyKey): Promise<void> {
  const same =
    before.projectId === after.projectId &&
    before.companyId === after.companyId &&
    before.status === after.status &&
    before.type === after.type &&
    dayOf(before.createdAt) === dayOf(after.createdAt);
  if (same) return;
  await add(db, before, -1);
  await add(db, after, 1);
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
  const counts = new Map<string, number>();
  const days = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  let after = 0;
  let counted = 0;
  for (;;) {
    const rows: Record<string, unknown>[] = await db('requests')
      .where('id', '>', after)
      .orderBy('id')
      .limit(5_000)
      .select('id', 'project_id', 'company_id', 'status', 'type', 'created_at');
    if (!rows.length) break;
    for (const r of rows) {
      const k = keyOf(r);
      for (const company of [k.companyId ?? NO_COMPANY, ALL_COMPANIES]) {
        bump(counts, JSON.stringify([k.projectId, company, k.status, k.type]));
        bump(days, JSON.stringify([k.projectId, company, dayOf(k.createdAt)]));
      }
    }
    after = Number(rows[rows.length - 1]!.id);
    counted += rows.length;
    onProgress?.(counted);
  }
  await db('request_tallies').del();
  await db('request_day_tallies').del();
  const tallyRows = [...counts].map(([k, n]) => {
    const [project_id, company_key, status, type] = JSON.parse(k) as [number, number, string, string];
    return { project_id, company_key, status, type, n };
  });
  const dayRows = [...days].map(([k, n]) => {
    const [project_id, company_key, day] = JSON.parse(k) as [number, number, string];
    return { project_id, company_key, day, n };
  });
  for (let i = 0; i < tallyRows.length; i += 500) await db('request_tallies').insert(tallyRows.slice(i, i + 500));
  for (let i = 0; i < dayRows.length; i += 500) await db('request_day_tallies').insert(dayRows.slice(i, i + 500));
}
