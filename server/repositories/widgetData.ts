/** The figures behind each widget kind, aggregated in SQL over a permission scope. */
import type { Db } from '../db';
import { isSqlite, toDate } from '../db';
import type { Scope } from '../permissions/scopes';
import { REQUEST_STATUSES, REQUEST_TYPES } from './requestDetails';
import type { WidgetKind } from './widgets';

export interface WidgetFigures {
  labels: string[];
  values: number[];
  rows: { id: number; title: string; status: string; voteCount: number; createdAt: Date }[];
}

const OPEN_STATUSES = ['new', 'open', 'in_progress'];
const WEEKS = 12;
const WEEK_MS = 7 * 86_400_000;

function startOfWeek(now: Date): Date {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const day = (d.getUTCDay() + 6) % 7; // Monday = 0
  return new Date(d.getTime() - day * 86_400_000);
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
      const first = new Date(startOfWeek(now).getTime() - (WEEKS - 1) * WEEK_MS);
      const day = isSqlite(db) ? 'substr(requests.created_at, 1, 10)' : "to_char(requests.created_at at time zone 'UTC', 'YYYY-MM-DD')";
      const rows: { d: string; n: string | number }[] = await base()
        .where('requests.created_at', '>=', first.toISOString())
        .groupBy('d')
        .select(db.raw(`${day} as d`))
        .count({ n: '*' });
      const labels: string[] = [];
      const values: number[] = new Array<number>(WEEKS).fill(0);
      for (let i = 0; i < WEEKS; i += 1) labels.push(new Date(first.getTime() + i * WEEK_MS).toISOString().slice(0, 10));
      for (const r of rows) {
        const week = Math.floor((Date.parse(`${r.d}T00:00:00Z`) - first.getTime()) / WEEK_MS);
        if (week >= 0 && week < WEEKS) values[week]! += Number(r.n);
      }
      return { ...empty, labels, values };
    }
    case 'oldest_open':
    case 'top_ideas': {
      const q = base().select('requests.id', 'requests.title', 'requests.status', 'requests.vote_count', 'requests.created_at').limit(10);
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
