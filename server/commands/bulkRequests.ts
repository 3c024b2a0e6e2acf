/**
 * The queue's bulk actions: one status or one assignee for several requests at once, as Zammad's
 * and Jira Service Management's queues do. All or nothing: every request is checked first, and
 * then all are changed in one transaction, so a refusal (one request nobody may change, an
 * assignee who does not work on one of them) names the request and changes none. Each request
 * gets what a change on its own page gets: its history, its mail (sent once everything committed).
 */
import type { Db } from '../db';
import { Forbidden, Invalid } from '../errors';
import { can, type Actor } from '../permissions';
import type { ScopeSettings } from '../permissions/scopes';
import { loadRequestTarget } from '../repositories/accessFacts';
import type { RequestStatus } from '../repositories/requestDetails';
import type { Mailer } from '../mail/mailer';
import { sendOutgoing, type Outgoing } from '../mail/notifications';
import { changeStatusIn } from './requests';
import { assignIn } from './deskRequests';

/** The most requests one bulk action changes: a page of the queue. */
export const BULK_MAX = 50;

export type BulkChange = { kind: 'status'; status: RequestStatus } | { kind: 'assign'; assigneeId: number | null };

export interface BulkOutcome {
  /** Requests the change was written to. */
  changed: number;
  /** Requests that already had that status or assignee (nothing written). */
  unchanged: number;
}

/** "#3", "#3 and #7", "#3, #7 and #9". */
export function requestNumbers(ids: readonly number[]): string {
  const tags = ids.map((id) => `#${id}`);
  return tags.length <= 1 ? (tags[0] ?? '') : `${tags.slice(0, -1).join(', ')} and ${tags[tags.length - 1]}`;
}

/**
 * Refuses the selection unless `actor` may change every request in it: one they cannot see
 * (or that does not exist: the two are told apart by nobody) is a 422 naming it, one they see
 * but may not change a 403 naming it. Throws before anything is read from the rest of the form,
 * as the single-request routes refuse before they read their input.
 */
export async function checkBulkSelection(db: Db, actor: Actor, ids: readonly number[], settings: ScopeSettings): Promise<void> {
  const unseen: number[] = [];
  const locked: number[] = [];
  for (const id of ids) {
    const target = await loadRequestTarget(db, actor, id, settings);
    if (!target || !can(actor, 'view', target)) unseen.push(id);
    else if (!can(actor, 'edit', target)) locked.push(id);
  }
  if (locked.length) throw new Forbidden(`You may not change ${requestNumbers(locked)}: untick ${locked.length === 1 ? 'it' : 'them'} and try again. Nothing was changed.`);
  if (unseen.length) throw new Invalid(`${requestNumbers(unseen)} ${unseen.length === 1 ? 'is' : 'are'} not in your queue (deleted, or no longer yours to see). Nothing was changed.`, { ids: 'unknown' });
}

/**
 * Applies `change` to every request of `ids` in one transaction (in id order, so two bulk
 * actions at once lock rows in the same order), then sends the mail the changes decided on.
 * An Invalid from one request (an assignee who may not take it) names it and undoes all.
 */
export async function changeRequestsInBulk(db: Db, mailer: Mailer, actor: Actor, ids: readonly number[], change: BulkChange, baseUrl: string): Promise<BulkOutcome> {
  const ordered = [...new Set(ids)].sort((a, b) => a - b);
  const { outcome, mails } = await db.transaction(async (trx) => {
    const mails: Outgoing[] = [];
    let changed = 0;
    for (const id of ordered) {
      let out: Outgoing[] | null;
      try {
        out = change.kind === 'status' ? await changeStatusIn(trx, actor, id, change.status, baseUrl) : await assignIn(trx, actor, id, change.assigneeId, baseUrl);
      } catch (err) {
        if (err instanceof Invalid) throw new Invalid(`#${id}: ${err.message} Nothing was changed.`, err.fields);
        throw err;
      }
      if (out) {
        changed += 1;
        mails.push(...out);
      }
    }
    return { outcome: { changed, unchanged: ordered.length - changed }, mails };
  });
  await sendOutgoing(mailer, mails);
  return outcome;
}
