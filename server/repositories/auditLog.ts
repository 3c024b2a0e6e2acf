import type { Db } from '../db';
import { toDate } from '../db';
import type { Page } from './requests';

export interface AuditListItem {
  id: number;
  actorName: string | null;
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
  if (f.action) void base.where('e.action', f.action);
  if (f.targetType) void base.where('e.target_type', f.targetType);
  if (f.actor) void base.where('p.email_normalized', f.actor.trim().toLowerCase());
  if (f.from) void base.where('e.created_at', '>=', new Date(`${f.from}T00:00:00Z`).toISOString());
  if (f.to) void base.where('e.created_at', '<', new Date(new Date(`${f.to}T00:00:00Z`).getTime() + 86_400_000).toISOString());
  const [rows, count] = await Promise.all([
    base
      .clone()
      .select('e.id', 'p.name as actor_name', 'e.action', 'e.target_type', 'e.target_id', 'e.before', 'e.after', 'e.created_at')
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
