/** The figures behind each widget kind, aggregated in SQL over a permission scope. */
import type { Db } from '../db';
import { toDate } from '../db';
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
      const first = new Date(startOfWeek(now).getTime() - (WEEKS - 1) * WEEK_MS);
      const columns: string[] = [];
      const bindings: string[] = [];
      for (let i = 0; i < WEEKS; i += 1) {
        columns.push(`SUM(CASE WHEN requests.created_at >= ? AND requests.created_at < ? THEN 1 ELSE 0 END) AS w${i}`);
        bindings.push(new Date(first.getTime() + i * WEEK_MS).toISOString(), new Date(first.getTime() + (i + 1) * WEEK_MS).toISOString());
      }
      const row: Record<string, unknown> | undefined = await base()
        .where('requests.created_at', '>=', first.toISOString())
        .select(db.raw(columns.join(', '), bindings))
        .first();
      const labels: string[] = [];
      const values: number[] = [];
      for (let i = 0; i < WEEKS; i += 1) {
        labels.push(new Date(first.getTime() + i * WEEK_MS).toISOString().slice(0, 10));
        values.push(Number(row?.[`w${i}`] ?? 0));
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
