import type { Db } from '../db';
import { Invalid, NotFound } from '../errors';
import { authorize, can, isStaff, type Actor, type WorkTarget } from '../permissions';
import { loadProjectFacts, loadScopeSettings, loadWorkTarget } from '../repositories/accessFacts';
import { findPrincipalById, toActor } from '../repositories/principals';
import { ancestorIds, findWorkItem, insertWorkItem, lockProjectTree, updateWorkItem, type WorkItemInput } from '../repositories/workItems';
import { insertWorkItemComment } from '../repositories/workItemComments';

export async function authorizeWorkItem(db: Db, actor: Actor, id: number, action: 'view' | 'edit' | 'comment' | 'delete'): Promise<WorkTarget> {
  const target = await loadWorkTarget(db, actor, 'work_item', id, await loadScopeSettings(db));
  if (!target) throw new NotFound();
  authorize(actor, action, target);
  return target;
}

/** A parent must be a visible item of the same project and must not be the item or below it. */
async function checkParent(db: Db, actor: Actor, projectId: number, parentId: number | null, selfId: number | null): Promise<void> {
  if (parentId === null) return;
  const parent = await findWorkItem(db, parentId);
  const target = parent ? await loadWorkTarget(db, actor, 'work_item', parentId, await loadScopeSettings(db)) : null;
  if (!parent || !target || !can(actor, 'view', target) || parent.projectId !== projectId) {
    throw new Invalid('Choose a parent from the same project.', { parent_id: 'unknown' });
  }
  if (selfId === null) return;
  await lockProjectTree(db, projectId);
  if (parentId === selfId || (await ancestorIds(db, parentId)).includes(selfId)) {
    throw new Invalid('An item cannot be placed under itself or one of its children.', { parent_id: 'cycle' });
  }
}

async function checkOwner(db: Db, ownerId: number | null): Promise<void> {
  if (ownerId === null) return;
  const person = await findPrincipalById(db, ownerId);
  if (!person || person.disabled || !isStaff(toActor(person))) throw new Invalid('Choose a staff member as owner.', { owner_id: 'unknown' });
}

export async function createWorkItem(db: Db, actor: Actor, input: WorkItemInput): Promise<number> {
  return db.transaction(async (trx) => {
    const project = await loadProjectFacts(trx, actor, input.projectId, 'work_item');
    if (!project || !can(actor, 'view', { kind: 'project', project })) throw new Invalid('Choose a project.', { project_id: 'unknown' });
    authorize(actor, 'add', { kind: 'project', project });
    await checkParent(trx, actor, input.projectId, input.parentId, null);
    await checkOwner(trx, input.ownerId);
    return insertWorkItem(trx, input, actor.id);
  });
}

/**
 * Leaves the parent as it is. The edit form offers it to an editor who cannot see the current
 * parent: that parent is not among the choices, and saving must not detach the item from it.
 */
export const KEEP_PARENT = 'keep';

export type WorkItemChanges = Omit<WorkItemInput, 'projectId' | 'type' | 'parentId'> & { parentId: number | null | typeof KEEP_PARENT };

/** A new parent, like a new item's, must be one the editor sees; only "keep" leaves a hidden one in place. */
export async function editWorkItem(db: Db, actor: Actor, id: number, input: WorkItemChanges): Promise<void> {
  await db.transaction(async (trx) => {
    await authorizeWorkItem(trx, actor, id, 'edit');
    const item = await findWorkItem(trx, id);
    if (!item) throw new NotFound();
    const { parentId, ...rest } = input;
    if (parentId !== KEEP_PARENT) await checkParent(trx, actor, item.projectId, parentId, id);
    await checkOwner(trx, input.ownerId);
    await updateWorkItem(trx, id, parentId === KEEP_PARENT ? rest : { ...rest, parentId });
  });
}

/** A comment on a work item, by staff whose project role or Direct Access allows commenting there. */
export async function commentOnWorkItem(db: Db, actor: Actor, id: number, body: string): Promise<number> {
  return db.transaction(async (trx) => {
    await authorizeWorkItem(trx, actor, id, 'comment');
    return insertWorkItemComment(trx, { workItemId: id, authorId: actor.id, body });
  });
}
