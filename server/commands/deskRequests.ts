/** Staff changes to a request beyond comments and status: its details, assignment and work links. */
import type { Db } from '../db';
import { recordRequestEvent } from '../repositories/requestEvents';
import { assigneeOf } from '../repositories/requestDetails';
import { Invalid, NotFound } from '../errors';
import { can, type Actor } from '../permissions';
import { loadScopeSettings, loadWorkTarget } from '../repositories/accessFacts';
import { emailNotificationsOn } from '../repositories/emailPreferences';
import type { Mailer } from '../mail/mailer';
import { sendOutgoing, staffMailFooter, type Outgoing } from '../mail/notifications';
import { touchRequest } from '../repositories/requestDetails';
import { setRequestFields, type RequestFields } from '../repositories/requestFields';
import { linkRequestToWorkItem, unlinkRequestFromWorkItem } from '../repositories/workItems';
import { authorizeRequest } from './requests';
import { workingAssignee } from './staffRecipients';
import type { ScopeSettings } from '../permissions/scopes';

/**
 * Assigns a request within `trx` to a staff member who may work on it (checked as them, not
 * trusted from the form), or unassigns it with null: null when it already had that assignee
 * (nothing written), else the mail to the new assignee when someone else assigned them and
 * they take email, to send once `trx` commits.
 */
export async function assignIn(trx: Db, actor: Actor, requestId: number, assigneeId: number | null, baseUrl: string, settings?: ScopeSettings): Promise<Outgoing[] | null> {
  await authorizeRequest(trx, actor, requestId, 'edit', settings);
  const assignee = await workingAssignee(trx, requestId, assigneeId, settings);
  if (assigneeId !== null && !assignee) {
    throw new Invalid('Choose a staff member who works on this request’s project.', { assignee_id: 'not allowed' });
  }
  const previous = await assigneeOf(trx, requestId);
  if (previous === assigneeId) return null;
  await touchRequest(trx, requestId, { customerVisible: false, fields: { assignee_id: assigneeId } });
  await recordRequestEvent(trx, requestId, actor.id, { kind: 'assignee', fromId: previous, toId: assigneeId });
  if (!assignee || assignee.id === actor.id || !(await emailNotificationsOn(trx, assignee.id))) return [];
  const row: { title: string } | undefined = await trx('requests').where({ id: requestId }).first('title');
  return [
    {
      to: [{ email: assignee.email, name: assignee.name }],
      subject: `Request #${requestId} is assigned to you`,
      text: `${actor.name} assigned you request #${requestId}.\n\n${row?.title ?? ''}\n\n${baseUrl}/desk/requests/${requestId}`,
      footer: staffMailFooter(baseUrl, 'assignee'),
    },
  ];
}

/** Assigns (or unassigns) a request and mails the new assignee; false when nothing changed. */
export async function assignRequest(db: Db, mailer: Mailer, actor: Actor, requestId: number, assigneeId: number | null, baseUrl: string): Promise<boolean> {
  const mails = await db.transaction((trx) => assignIn(trx, actor, requestId, assigneeId, baseUrl));
  if (mails) await sendOutgoing(mailer, mails);
  return mails !== null;
}

/**
 * Corrects a request's title, type or visibility (a question that is an idea, an issue to
 * share with the whole company); false when nothing changed. Each change is in the request's
 * history. Visibility decides which customers see the request, from the very next page on.
 */
export async function editRequestDetails(db: Db, actor: Actor, requestId: number, next: RequestFields): Promise<boolean> {
  return db.transaction(async (trx) => {
    await authorizeRequest(trx, actor, requestId, 'edit');
    const written = await setRequestFields(trx, requestId, next);
    if (!written) throw new NotFound();
    const { before, companyId } = written;
    // "Company" is the company of the customer who raised it (PRODUCT.md section 2): one they
    // have left (moved, or no company now) would share it with people no longer theirs.
    if (next.visibility === 'company' && before.visibility !== 'company') {
      const raiser: { company_id: unknown } | undefined = await trx('requests as r').join('principals as p', 'p.id', 'r.requester_id').where('r.id', requestId).first('p.company_id');
      const current = raiser?.company_id == null ? null : Number(raiser.company_id);
      if (companyId === null || current !== companyId) {
        throw new Invalid('The customer who raised it is not in the company it was raised under (or in none): choose private or public.', { visibility: 'no company' });
      }
    }
    if (before.title !== next.title) await recordRequestEvent(trx, requestId, actor.id, { kind: 'title' });
    if (before.type !== next.type) await recordRequestEvent(trx, requestId, actor.id, { kind: 'type', from: before.type, to: next.type });
    if (before.visibility !== next.visibility) await recordRequestEvent(trx, requestId, actor.id, { kind: 'visibility', from: before.visibility, to: next.visibility });
    return before.title !== next.title || before.type !== next.type || before.visibility !== next.visibility;
  });
}

async function seesWorkItem(db: Db, actor: Actor, workItemId: number): Promise<boolean> {
  const item = await loadWorkTarget(db, actor, 'work_item', workItemId, await loadScopeSettings(db));
  return item !== null && can(actor, 'view', item);
}

export async function linkWorkItem(db: Db, actor: Actor, requestId: number, workItemId: number): Promise<void> {
  await db.transaction(async (trx) => {
    await authorizeRequest(trx, actor, requestId, 'edit');
    if (!(await seesWorkItem(trx, actor, workItemId))) throw new Invalid('Choose a work item you can see.', { work_item_id: 'unknown' });
    // Customers see a request's linked items (name and status): a link is activity they can see.
    if (await linkRequestToWorkItem(trx, requestId, workItemId)) await touchRequest(trx, requestId, { customerVisible: true });
  });
}

export async function unlinkWorkItem(db: Db, actor: Actor, requestId: number, workItemId: number): Promise<void> {
  await db.transaction(async (trx) => {
    await authorizeRequest(trx, actor, requestId, 'edit');
    // Only a link to an item the editor can see: a hidden item's link is neither removed nor told apart from none.
    if (!(await seesWorkItem(trx, actor, workItemId))) throw new NotFound();
    if (!(await unlinkRequestFromWorkItem(trx, requestId, workItemId))) throw new NotFound();
    await touchRequest(trx, requestId, { customerVisible: true });
  });
}
