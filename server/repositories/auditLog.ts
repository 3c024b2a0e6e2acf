import type { Db } from '../db';
import { toDate } from '../db';
import type { Page } from './requests';

export interface AuditListItem {
  id: number;
  actorName: string | null;
  /** The target's name where it has one and still exists (a person, a dashboard, a token). */
  targetName: string | null;
  action: string;
  targetType: string;
  targetId: number | null;
  before: string | null;
  after: string | null;
  createdAt: Date;
}

export interface AuditFilter {
  action?: string;
  targetType?: string;
  actor?: string;
  from?: string;
  to?: string;
}

export async function listAuditEvents(db: Db, f: AuditFilter, page: number, pageSize: number): Promise<Page<AuditListItem>> {
  const base = db('audit_events as e').leftJoin('principals as p', 'p.id', 'e.actor_id');
  // The target's name, by its kind (each a primary-key lookup of the page's rows).
  const named = (qb: typeof base) =>
    qb
      .leftJoin('principals as tp', (j) => void j.on('tp.id', 'e.target_id').andOn('e.target_type', db.raw('?', ['principal'])))
      .leftJoin('dashboards as td', (j) => void j.on('td.id', 'e.target_id').andOn('e.target_type', db.raw('?', ['dashboard'])))
      .leftJoin('access_tokens as tt', (j) => void j.on('tt.id', 'e.target_id').andOn('e.target_type', db.raw('?', ['access_token'])))
      .leftJoin('companies as tc', (j) => void j.on('tc.id', 'e.target_id').andOn('e.target_type', db.raw('?', ['company'])))
      .leftJoin('projects as tpr', (j) => void j.on('tpr.id', 'e.target_id').andOn('e.target_type', db.raw('?', ['project'])));
  if (f.action) void base.where('e.action', f.action);
  if (f.targetType) void base.where('e.target_type', f.targetType);
  if (f.actor) void base.where('p.email_normalized', f.actor.trim().toLowerCase());
  if (f.from) void base.where('e.created_at', '>=', new Date(`${f.from}T00:00:00Z`).toISOString());
  if (f.to) void base.where('e.created_at', '<', new Date(new Date(`${f.to}T00:00:00Z`).getTime() + 86_400_000).toISOString());
  const [rows, count] = await Promise.all([
    named(base.clone())
      .select('e.id', 'p.name as actor_name', 'e.action', 'e.target_type', 'e.target_id', 'e.before', 'e.after', 'e.created_at', db.raw('coalesce(tp.name, td.name, tt.name, tc.name, tpr.name) as target_name'))
      .orderBy('e.created_at', 'desc')
      .orderBy('e.id', 'desc')
      .limit(pageSize)
      .offset((page - 1) * pageSize),
    base.clone().count({ n: '*' }).first(),
  ]);
  return {
    items: rows.map((r: Record<string, unknown>) => ({
      id: Number(r.id),
      actorName: r.actor_name == null ? null : String(r.actor_name),
      targetName: r.target_name == null ? null : String(r.target_name),
      action: String(r.action),
      targetType: String(r.target_type),
      targetId: r.target_id == null ? null : Number(r.target_id),
      before: r.before == null ? null : String(r.before),
      after: r.after == null ? null : String(r.after),
      createdAt: toDate(r.created_at),
    })),
    total: Number((count as Record<string, unknown> | undefined)?.n ?? 0),
    page,
    pageSize,
  };
}

export async function auditActions(db: Db): Promise<string[]> {
  const rows: { action: string }[] = await db('audit_events').distinct('action').orderBy('action');
  return rows.map((r) => r.action);
}

/** Names for the ids that events' before/after mention (principalId, projectId, roleId, companyId), for the page's events. */
export async function auditNames(
  db: Db,
  items: AuditListItem[],
): Promise<{ principal: Map<number, string>; project: Map<number, string>; role: Map<number, string>; company: Map<number, string> }> {
  const ids = { principal: new Set<number>(), project: new Set<number>(), role: new Set<number>(), company: new Set<number>() };
  const KEYS = { principalId: 'principal', projectId: 'project', roleId: 'role', companyId: 'company' } as const;
  for (const e of items) {
    for (const text of [e.before, e.after]) {
      if (!text) continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        continue;
      }
      const visit = (v: unknown): void => {
        if (Array.isArray(v)) return v.forEach(visit);
        if (!v || typeof v !== 'object') return;
        for (const [k, x] of Object.entries(v)) {
          if (k in KEYS && typeof x === 'number') ids[KEYS[k as keyof typeof KEYS]].add(x);
          else visit(x);
        }
      };
      visit(value);
    }
  }
  const names = async (table: string, set: Set<number>) => {
    if (set.size === 0) return new Map<number, string>();
    const rows: { id: unknown; name: unknown }[] = await db(table).whereIn('id', [...set]).select('id', 'name');
    return new Map(rows.map((r) => [Number(r.id), String(r.name)]));
  };
  const [principal, project, role, company] = await Promise.all([
    names('principals', ids.principal),
    names('projects', ids.project),
    names('roles', ids.role),
    names('companies', ids.company),
  ]);
  return { principal, project, role, company };
}
