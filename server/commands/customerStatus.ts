/**
 * The customer who raised a request says it is solved ("Mark as resolved") or, while it is
 * resolved, that it is not after all ("Reopen"), as Jira Service Management's and Zammad's
 * portals allow. A closed request stays closed (the team closed it: a new request starts
 * afresh). Each change is in the request's history under the customer's name, and the staff
 * who hear of the customer's comments (the assignee, else the project's members) hear of it;
 * a reopened request waits on the team in the queue ("Customer replied") until they answer.
 */
import type { Db } from '../db';
import { nowIso } from '../db';
import { Invalid } from '../errors';
import type { Actor } from '../permissions';
import { assigneeOf, setRequestStatus } from '../repositories/requestDetails';
import { recordRequestEvent } from '../repositories/requestEvents';
import type { Mailer } from '../mail/mailer';
import { notifyMany, staffMailFooter } from '../mail/notifications';
import { authorizeRequest } from './requests';
import { staffToTell } from './staffRecipients';

export type CustomerStatusChange = 'resolve' | 'reopen';

/** The statuses a customer's change starts from, and where it takes the request. */
const CHANGES: Record<CustomerStatusChange, { from: readonly string[]; to: 'resolved' | 'open'; told: string }> = {
  resolve: { from: ['new', 'open', 'in_progress'], to: 'resolved', told: 'marked it resolved' },
  reopen: { from: ['resolved'], to: 'open', told: 'reopened it: it is not solved after all' },
};

/** Applies the customer's change; false when the request already is where it would take it. */
export async function changeStatusAsCustomer(db: Db, mailer: Mailer, actor: Actor, requestId: number, change: CustomerStatusChange, baseUrl: string): Promise<boolean> {
  const rule = CHANGES[change];
  const told = await db.transaction(async (trx) => {
    const t = await authorizeRequest(trx, actor, requestId, 'resolve');
    const row: { status: string; title: string } | undefined = await trx('requests').where({ id: requestId }).first('status', 'title');
    if (!row || row.status === rule.to) return null;
    if (!rule.from.includes(row.status)) {
      throw new Invalid(row.status === 'closed' ? 'This request is closed: to ask about it again, submit a new request.' : 'This request is not resolved, so there is nothing to reopen.');
    }
    await setRequestStatus(trx, requestId, rule.to);
    await recordRequestEvent(trx, requestId, actor.id, { kind: 'status', from: row.status, to: rule.to });
    // Reopened, it waits on the team as a customer's comment does.
    if (change === 'reopen') await trx('requests').where({ id: requestId }).update({ customer_replied_at: nowIso() });
    return { title: row.title, ...(await staffToTell(trx, requestId, t.project.id, await assigneeOf(trx, requestId))) };
  });
  if (!told) return false;
  const subject = change === 'resolve' ? `Request #${requestId} was marked resolved by its customer` : `Request #${requestId} was reopened by its customer`;
  await notifyMany(mailer, told.to, subject, `${actor.name} ${rule.told}.\n\n${told.title}\n\n${baseUrl}/desk/requests/${requestId}`, staffMailFooter(baseUrl, told.as));
  return true;
}
