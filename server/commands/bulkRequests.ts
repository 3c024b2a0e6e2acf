/**
 * The queue's bulk change: a status, an assignee or both for several requests at once, as
 * Zammad's and Jira Service Management's queues do. All or nothing, in one transaction: the
 * requests' rows are locked first (in id order: what is checked is what is changed, nobody can
 * move a request to another project in between), every one is checked, and only then is the
 * rest of the form read and everything changed, so a refusal (a request the sender may not
 * change, one not in their queue, an assignee who does not work on one) names the requests
 * and changes none. Each request gets what a change on its own page gets: its history, its
 * mail (sent once everything committed).
 */
import type { Db } from '../db';
import { Forbidden, Invalid, NotFound } from '../errors';
import { can, type Actor } from '../permissions';
import type { ScopeSettings } from '../permissions/scopes';
import { loadRequestTargets, loadScopeSettings } from '../repositories/accessFacts';
import { requestTitles, type RequestStatus } from '../repositories/requestDetails';
import { applyTallyBatch, lockRequestRows, TallyBatch } from '../repositories/requestTallies';
import type { Mailer } from '../mail/mailer';
import { sendOutgoing, type Outgoing } from '../mail/notifications';
import { changeStatusIn } from './requests';
import { assignIn } from './deskRequests';

/** The most requests one bulk change touches: a page of the queue. */
export const BULK_MAX = 50;

/** What to set; a field left out stays as each request has it. `assigneeId` null unassigns. */
export interface BulkChange {
  status?: RequestStatus;
  assigneeId?: number | null;
  /** Whether customers are emailed about their request's new status, as a change on its own page does (the default); closing a page of stale requests need not mail them all. */
  emailCustomers?: boolean;
}

export interface BulkOutcome {
  /** The requests something was written to, in id order. */
  changed: number[];
  /** Requests that already were so (nothing written). */
  unchanged: number;
}

/** "#3", "#3 and #7", "#3, #7 and #9". */
export function requestNumbers(ids: readonly number[]): string {
  const tags = ids.map((id) => `#${id}`);
  return tags.length <= 1 ? (tags[0] ?? '') : `${tags.slice(0, -1).join(', ')} and ${tags[tags.length - 1]}`;
}

const lockedText = (ids: number[]) => `You may not change ${requestNumbers(ids)}: untick ${ids.length === 1 ? 'it' : 'them'} and try again.`;
// The same words for a request that does not exist and one the sender may not see.
const unseenText = (ids: number[]) => `${requestNumbers(ids)} ${ids.length === 1 ? 'is' : 'are'} not in your queue (deleted, or no longer yours to see).`;
const NOTHING_CHANGED = 'Nothing was changed.';

/**
 * Refuses the selection unless `actor` may change every request of it, naming each one they
 * may not: a 403 when some are theirs to see but not to change, else a 422 for those not in
 * their queue. One statement for all of them; the policy decides each.
 */
async function checkSelection(db: Db, actor: Actor, ids: readonly number[], settings: ScopeSettings): Promise<void> {
  const targets = await loadRequestTargets(db, actor, ids, settings);
  const unseen: number[] = [];
  const locked: number[] = [];
  for (const id of ids) {
    const target = targets.get(id);
    if (!target || !can(actor, 'view', target)) unseen.push(id);
    else if (!can(actor, 'edit', target)) locked.push(id);
  }
  const parts = [...(locked.length ? [lockedText(locked)] : []), ...(unseen.length ? [unseenText(unseen)] : []), NOTHING_CHANGED];
  if (locked.length) throw new Forbidden(parts.join(' '));
  if (unseen.length) throw new Invalid(parts.join(' '), { ids: 'unknown' });
}

/**
 * What the new assignee hears: the one request's own mail, or for several one mail listing
 * them all (fifty "assigned to you" mails at once bury the one that matters).
 */
async function assignmentMails(db: Db, actor: Actor, assigned: { id: number; mail: Outgoing }[], baseUrl: string): Promise<Outgoing[]> {
  const [first] = assigned;
  if (!first || assigned.length === 1) return assigned.map((a) => a.mail);
  const titles = await requestTitles(db, assigned.map((a) => a.id));
  const lines = assigned.map((a) => `#${a.id} ${titles.get(a.id) ?? ''}\n${baseUrl}/desk/requests/${a.id}`);
  return [{ to: first.mail.to, subject: `${assigned.length} requests are assigned to you`, text: `${actor.name} assigned you ${assigned.length} requests:\n\n${lines.join('\n\n')}`, footer: first.mail.footer }];
}

/**
 * Applies the change `readChange` reads from the form (read only once the selection passed,
 * so whoever may not change the requests is refused whatever else they sent) to every one of
 * `ids`, then sends the mail the changes decided on.
 */
export async function changeRequestsInBulk(db: Db, mailer: Mailer, actor: Actor, ids: readonly number[], readChange: () => BulkChange, baseUrl: string): Promise<BulkOutcome> {
  const ordered = [...new Set(ids)].sort((a, b) => a - b);
  const { outcome, mails } = await db.transaction(async (trx) => {
    await lockRequestRows(trx, ordered);
    const settings = await loadScopeSettings(trx);
    await checkSelection(trx, actor, ordered, settings);
    const change = readChange();
    const tallies = new TallyBatch();
    const customerMails: Outgoing[] = [];
    const assignedMails: { id: number; mail: Outgoing }[] = [];
    const changed: number[] = [];
    for (const id of ordered) {
      try {
        const status = change.status === undefined ? null : await changeStatusIn(trx, actor, id, change.status, baseUrl, { settings, tallies });
        const assigned = change.assigneeId === undefined ? null : await assignIn(trx, actor, id, change.assigneeId, baseUrl, settings);
        if (status !== null || assigned !== null) changed.push(id);
        if (status && change.emailCustomers !== false) customerMails.push(...status);
        for (const mail of assigned ?? []) assignedMails.push({ id, mail });
      } catch (err) {
        // A request changed meanwhile (moved, access taken away) is named like one checked above.
        if (err instanceof NotFound) throw new Invalid(`${unseenText([id])} ${NOTHING_CHANGED}`, { ids: 'unknown' });
        if (err instanceof Forbidden) throw new Forbidden(`${lockedText([id])} ${NOTHING_CHANGED}`);
        if (err instanceof Invalid) throw new Invalid(`#${id}: ${err.message} ${NOTHING_CHANGED}`, err.fields);
        throw err;
      }
    }
    await applyTallyBatch(trx, tallies);
    const mails = [...customerMails, ...(await assignmentMails(trx, actor, assignedMails, baseUrl))];
    return { outcome: { changed, unchanged: ordered.length - changed.length }, mails };
  });
  await sendOutgoing(mailer, mails);
  return outcome;
}
