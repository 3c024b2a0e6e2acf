/** Staff changes to a request beyond comments and status: assignment and work links. */
import type { Db } from '../db';
import { recordRequestEvent } from '../repositories/requestEvents';
import { assigneeOf } from '../repositories/requestDetails';
import { Invalid, NotFound } from '../errors';
import { can, isStaff, type Actor } from '../permissions';
import { loadRequestTarget, loadScopeSettings, loadWorkTarget } from '../repositories/accessFacts';
import { findPrincipalById, toActor } from '../repositories/principals';
import { touchRequest } from '../repositories/requestDetails';
import { linkRequestToWorkItem, unlinkRequestFromWorkItem } from '../repositories/workItems';
import { authorizeRequest } from './requests';

/**
 * Assigns to a staff member who may work on the request (checked as them, not trusted
 * from the form), or unassigns with null.
 */
/** Assigns a request (or unassigns it); false when it already had that assignee (nothing written). */
export async function assignRequest(db: Db, actor: Actor, requestId: number, assigneeId: number | null): Promise<boolean> {
  return db.transaction(async (trx) => {
    await authorizeRequest(trx, actor, requestId, 'edit');
    if (assigneeId !== null) {
      const person = await findPrincipalById(trx, assigneeId);
      const assignee = person && !person.disabled ? toActor(person) : null;
      const theirView = assignee ? await loadRequestTarget(trx, assignee, requestId, await loadScopeSettings(trx)) : null;
      if (!assignee || !isStaff(assignee) || !theirView || !can(assignee, 'comment', theirView)) {
        throw new Invalid('Choose a staff member who works on this request’s project.', { assignee_id: 'not allowed' });
      }
    }
    const previous = await assigneeOf(trx, requestId);
    if (previous === assigneeId) return false;
    await touchRequest(trx, requestId, { customerVisible: false, fields: { assignee_id: assigneeId } });
    await recordRequestEvent(trx, requestId, actor.id, { kind: 'assignee', fromId: previous, toId: assigneeId });
    return true;
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
