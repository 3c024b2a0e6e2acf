import type { Db } from '../db';
import { nowIso } from '../db';

export interface AuditEntry {
  actorId: number | null;
  action: string;
  targetType: string;
  targetId: number | null;
  before: unknown;
  after: unknown;
}

/** Call inside the transaction that makes the change, so the record and the change land together. */
export async function recordAudit(db: Db, e: AuditEntry): Promise<void> {
  await db('audit_events').insert({
    actor_id: e.actorId,
    action: e.action,
    target_type: e.targetType,
    target_id: e.targetId,
    before: e.before === undefined ? null : JSON.stringify(e.before),
    after: e.after === undefined ? null : JSON.stringify(e.after),
    created_at: nowIso(),
  });
}
