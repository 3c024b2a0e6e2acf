/** Staff changes to a request beyond comments and status: assignment and work links. */
import type { Db } from '../db';
import { recordRequestEvent } from '../repositories/requestEvents';
import { assigneeOf } from '../repositories/requestDetails';
import { Invalid, NotFound } from '../errors';
import { can, type Actor } from '../permissions';
import { loadScopeSettings, loadWorkTarget } from '../repositories/accessFacts';
import { emailNotificationsOn } from '../repositories/emailPreferences';
import type { Mailer } from '../mail/mailer';
import { notifyMany, staffMailFooter } from '../mail/notifications';
import { touchRequest } from '../repositories/requestDetails';
import { linkRequestToWorkItem, unlinkRequestFromWorkItem } from '../repositories/workItems';
import { authorizeRequest } from './requests';
import { workingAssignee } from './staffRecipients';

/**
 * Assigns a request to a staff member who may work on it (checked as them, not trusted from
 * the form), or unassigns it with null; false when it already had that assignee (nothing
 * written). Whoever is assigned by someone else is mailed, if they take email.
 */
export async function assignRequest(db: Db, mailer: Mailer, actor: Actor, requestId: number, assigneeId: number | null, baseUrl: string): Promise<boolean> {
  const outcome = await db.transaction(async (trx) => {
    await authorizeRequest(trx, actor, requestId, 'edit');
    const assignee = await workingAssignee(trx, requestId, assigneeId);
    if (assigneeId !== null && !assignee) {
      throw new Invalid('Choose a staff member who works on this request’s project.', { assignee_id: 'not allowed' });
    }
    const previous = await assigneeOf(trx, requestId);
    if (previous === assigneeId) return null;
    await touchRequest(trx, requestId, { customerVisible: false, fields: { assignee_id: assigneeId } });
    await recordRequestEvent(trx, requestId, actor.id, { kind: 'assignee', fromId: previous, toId: assigneeId });
    const tell = assignee && assignee.id !== actor.id && (await emailNotificationsOn(trx, assignee.id)) ? assignee : null;
    const row: { title: string } | undefined = tell ? await trx('requests').where({ id: requestId }).first('title') : undefined;
    return { tell, title: row?.title ?? '' };
  });
  if (outcome?.tell) {
    const { tell, title } = outcome;
    await notifyMany(mailer, [{ email: tell.email, name: tell.name }], `Request #${requestId} is assigned to you`, `${actor.name} assigned you request #${requestId}.\n\n${title}\n\n${baseUrl}/desk/requests/${requestId}`, staffMailFooter(baseUrl, 'assignee'));
  }
  return outcome !== null;
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
