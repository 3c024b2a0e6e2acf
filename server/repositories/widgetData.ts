/** The figures behind each widget kind, aggregated in SQL over a permission scope. */
import type { Db } from '../db';
import { isSqlite, LITERAL_LIMIT, toDate } from '../db';
import type { Scope } from '../permissions/scopes';
import type { TallyScope } from '../permissions/tallyScopes';
import { scopedCells } from './requestTallies';
import { OPEN_STATUSES, REQUEST_STATUSES, REQUEST_TYPES } from './requestDetails';
import type { WidgetKind } from './widgets';

export interface WidgetFigures {
  labels: string[];
  values: number[];
  rows: { id: number; title: string; status: string; voteCount: number; createdAt: Date }[];
}

const WEEKS = 12;
const WEEK_MS = 7 * 86_400_000;

function startOfWeek(now: Date): Date {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const day = (d.getUTCDay() + 6) % 7; // Monday = 0
  return new Date(d.getTime() - day * 86_400_000);
}

function twelveWeeks(now: Date): { first: Date; labels: string[] } {
  const first = new Date(startOfWeek(now).getTime() - (WEEKS - 1) * WEEK_MS);
  const labels: string[] = [];
  for (let i = 0; i < WEEKS; i += 1) labels.push(new Date(first.getTime() + i * WEEK_MS).toISOString().slice(0, 10));
  return { first, labels };
}

/** Per-day counts (`d` = YYYY-MM-DD, UTC) summed into the twelve weeks from `first`. */
function intoWeeks(first: Date, rows: { d: string; n: string | number }[]): number[] {
  const values: number[] = new Array<number>(WEEKS).fill(0);
  for (const r of rows) {
    const week = Math.floor((Date.parse(`${r.d}T00:00:00Z`) - first.getTime()) / WEEK_MS);
    if (week >= 0 && week < WEEKS) values[week]! += Number(r.n);
  }
  return values;
}

/** The widget kinds that only count, and so can be added up from the request tallies. */
export const COUNTING_KINDS: readonly WidgetKind[] = ['requests_by_status', 'requests_by_type', 'created_per_week'];

/**
 * A counting widget's figures added up from the request tallies (requestTallies.ts): a few
 * rows per project instead of every request, plus the requests counted one by one beside them.
 * Equal to widgetFigures over the matching row scope (tested on random worlds).
 */
export async function tallyFigures(db: Db, kind: WidgetKind, t: TallyScope, projectId: number | null, now = new Date()): Promise<WidgetFigures> {
  if (!COUNTING_KINDS.includes(kind)) throw new Error(`${kind} lists requests: it cannot be counted from tallies`);
  const cells = (table: 'request_tallies' | 'request_day_tallies') => {
    const q = scopedCells(db, table, t);
    if (projectId !== null) void q.where('t.project_id', projectId);
    return q;
  };
  const apart = t.apart;
  const rest = apart ? await widgetFigures(db, kind, apart, projectId, now) : null;
  const plus = (values: number[]) => (rest ? values.map((v, i) => v + (rest.values[i] ?? 0)) : values);
  const empty: WidgetFigures = { labels: [], values: [], rows: [] };
  if (kind === 'created_per_week') {
    const { first, labels } = twelveWeeks(now);
    const rows: { d: string; n: string | number }[] = await cells('request_day_tallies').where('t.day', '>=', first.toISOString().slice(0, 10)).groupBy('t.day').select({ d: 't.day' }).sum({ n: 't.n' });
    return { ...empty, labels, values: plus(intoWeeks(first, rows)) };
  }
  const column = kind === 'requests_by_status' ? 'status' : 'type';
  const all: readonly string[] = kind === 'requests_by_status' ? REQUEST_STATUSES : REQUEST_TYPES;
  const rows: { k: string; n: string | number }[] = await cells('request_tallies').groupBy(`t.${column}`).select({ k: `t.${column}` }).sum({ n: 't.n' });
  const counts = new Map(rows.map((r) => [r.k, Number(r.n)]));
  return { ...empty, labels: all.map((x) => x.replace('_', ' ')), values: plus(all.map((x) => counts.get(x) ?? 0)) };
}

export async function widgetFigures(db: Db, kind: WidgetKind, scope: Scope, projectId: number | null, now = new Date()): Promise<WidgetFigures> {
  const base = () => {
    const q = db('requests').modify(scope);
    if (projectId !== null) void q.where('requests.project_id', projectId);
    return q;
  };
  const empty: WidgetFigures = { labels: [], values: [], rows: [] };
  switch (kind) {
    case 'requests_by_status':
    case 'requests_by_type': {
      const column = kind === 'requests_by_status' ? 'status' : 'type';
      const all: readonly string[] = kind === 'requests_by_status' ? REQUEST_STATUSES : REQUEST_TYPES;
      const rows: { k: string; n: string | number }[] = await base().groupBy(`requests.${column}`).select({ k: `requests.${column}` }).count({ n: '*' });
      const counts = new Map(rows.map((r) => [r.k, Number(r.n)]));
      return { ...empty, labels: all.map((s) => s.replace('_', ' ')), values: all.map((s) => counts.get(s) ?? 0) };
    }
    case 'created_per_week': {
      // Counted per UTC day in SQL (one pass over the project's created_at index), then
      // summed into weeks here: weeks start on a Monday at 00:00 UTC, so days never straddle.
      const { first, labels } = twelveWeeks(now);
      const day = isSqlite(db) ? 'substr(requests.created_at, 1, 10)' : "to_char(requests.created_at at time zone 'UTC', 'YYYY-MM-DD')";
      const rows: { d: string; n: string | number }[] = await base()
        .where('requests.created_at', '>=', first.toISOString())
        .groupBy('d')
        .select(db.raw(`${day} as d`))
        .count({ n: '*' });
      return { ...empty, labels, values: intoWeeks(first, rows) };
    }
    case 'oldest_open':
    case 'top_ideas': {
      const q = base().select('requests.id', 'requests.title', 'requests.status', 'requests.vote_count', 'requests.created_at').limit(10, LITERAL_LIMIT);
      if (kind === 'oldest_open') void q.whereIn('requests.status', OPEN_STATUSES).orderBy('requests.created_at', 'asc').orderBy('requests.id');
      else void q.where('requests.type', 'idea').whereNotIn('requests.status', ['closed']).orderBy('requests.vote_count', 'desc').orderBy('requests.id');
      const rows: Record<string, unknown>[] = await q;
      return {
        ...empty,
        rows: rows.map((r) => ({ id: Number(r.id), title: String(r.title), status: String(r.status), voteCount: Number(r.vote_count), createdAt: toDate(r.created_at) })),
      };
    }
  }
}
