/** A request's history beside its conversation: status, assignee, type, visibility and title changes, files removed (migrations/…_request_events). */
import type { Db } from '../db';
import { nowIso, toDate } from '../db';

/** Changes recorded by value (a title is too long for the columns: "renamed" alone is kept). */
type ValueKind = 'status' | 'type' | 'visibility';

export type RequestEvent =
  | { kind: ValueKind; from: string; to: string }
  | { kind: 'title' }
  | { kind: 'file_removed'; filename: string }
  | { kind: 'assignee'; fromId: number | null; toId: number | null };

const byValue = (kind: string): kind is ValueKind => kind === 'status' || kind === 'type' || kind === 'visibility';

/** Call inside the transaction that makes the change. */
export async function recordRequestEvent(db: Db, requestId: number, actorId: number | null, e: RequestEvent): Promise<void> {
  await db('request_events').insert({
    request_id: requestId,
    actor_id: actorId,
    kind: e.kind,
    // A removed file's name as far as the column holds it (40 characters).
    from_value: byValue(e.kind) && 'from' in e ? e.from : e.kind === 'file_removed' ? [...e.filename].slice(0, 40).join('') : null,
    to_value: byValue(e.kind) && 'to' in e ? e.to : null,
    from_principal_id: e.kind === 'assignee' ? e.fromId : null,
    to_principal_id: e.kind === 'assignee' ? e.toId : null,
    created_at: nowIso(),
  });
}

export interface RequestHistoryItem {
  kind: RequestEvent['kind'];
  actorName: string | null;
  /** A status, or a person's name ('' when there was nobody). */
  from: string;
  to: string;
  at: Date;
}

/** The request's history, oldest first, with the names of the people it mentions. */
export async function listRequestEvents(db: Db, requestId: number, limit = 200): Promise<RequestHistoryItem[]> {
  const rows: Record<string, unknown>[] = await db('request_events as e')
    .leftJoin('principals as a', 'a.id', 'e.actor_id')
    .leftJoin('principals as f', 'f.id', 'e.from_principal_id')
    .leftJoin('principals as t', 't.id', 'e.to_principal_id')
    .where('e.request_id', requestId)
    .orderBy('e.created_at')
    .orderBy('e.id')
    .limit(limit)
    .select('e.kind', 'a.name as actor_name', 'e.from_value', 'e.to_value', 'f.name as from_name', 't.name as to_name', 'e.created_at');
  return rows.map((r) => {
    const kind = String(r.kind);
    const known: RequestEvent['kind'] = byValue(kind) || kind === 'title' || kind === 'file_removed' ? kind : 'assignee';
    const value = byValue(known) || known === 'file_removed';
    return {
      kind: known,
      actorName: r.actor_name == null ? null : String(r.actor_name),
      from: String((value ? r.from_value : r.from_name) ?? ''),
      to: String((value ? r.to_value : r.to_name) ?? ''),
      at: toDate(r.created_at),
    };
  });
}
