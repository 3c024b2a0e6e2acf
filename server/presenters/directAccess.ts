import type { Db } from '../db';
import { can, type Actor, type RequestTarget, type WorkTarget } from '../permissions';
import type { EntityTypeInfo } from '../permissions/entityTypes';
import { grantsOnEntity } from '../repositories/entityPermissions';
import { manageableDescendants } from '../commands/entityPermissions';

export const MODE_TEXT = { view: 'Can view', comment: 'Can comment', edit: 'Can edit', grant: 'Can grant access' } as const;

/**
 * The "people with direct access" panel. Only people who may manage access get the list
 * (nobody else learns who has access); with the feature off the panel is absent.
 */
export async function directAccessPanel(db: Db, actor: Actor, type: EntityTypeInfo, target: RequestTarget | WorkTarget) {
  if (!target.direct.enabled || !can(actor, 'manage_access', target)) return null;
  const grants = await grantsOnEntity(db, type.stored, target.id);
  const nested = type.kind === 'work_item' ? (await manageableDescendants(db, actor, target.id)).length : 0;
  return {
    typeId: type.id,
    entityId: target.id,
    nested,
    modes: MODE_TEXT,
    grants: grants.map((g) => ({ id: g.id, name: g.principalName, mode: g.mode })),
  };
}
