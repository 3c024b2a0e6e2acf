/**
 * Direct Access to Entities: grant, change and revoke, one at a time or all-or-nothing in
 * bulk. Every step asks the permissions module; the entity must exist.
 */
import type { Knex } from 'knex';
import type { Db } from '../db';
import { isUniqueViolation } from '../db';
import { Conflict, Forbidden, HttpError, Invalid, NotFound, STATUS_NAMES } from '../errors';
import { can, grantChangeProblem, grantProblem, type Actor, type DirectMode, type RequestTarget, type WorkTarget } from '../permissions';
import { entityTypeById, entityTypeByStored, type EntityTypeInfo } from '../permissions/entityTypes';
import { loadRequestTarget, loadScopeSettings, loadWorkTarget } from '../repositories/accessFacts';
import { recordAudit } from '../repositories/audit';
import {
  deleteEntityPermission,
  findEntityPermission,
  findGrantOf,
  grantsOnEntity,
  insertEntityPermission,
  updateEntityPermissionMode,
  type EntityPermissionRow,
} from '../repositories/entityPermissions';
import { findPrincipalById, toActor } from '../repositories/principals';
import { descendants, findWorkItem } from '../repositories/workItems';

type EntityTarget = RequestTarget | WorkTarget;

export async function loadEntityTarget(db: Db, actor: Actor, type: EntityTypeInfo, entityId: number): Promise<EntityTarget | null> {
  const settings = await loadScopeSettings(db);
  if (type.kind === 'request') return loadRequestTarget(db, actor, entityId, settings);
  if (type.kind === 'work_item') {
    const item = await findWorkItem(db, entityId);
    if (!item || item.type !== type.stored) return null;
  }
  return loadWorkTarget(db, actor, type.kind, entityId, settings);
}

/** 404 when the entity does not exist or cannot be seen; 403 when seen but not managed. */
async function authorizeManage(db: Db, actor: Actor, type: EntityTypeInfo, entityId: number): Promise<EntityTarget> {
  const target = await loadEntityTarget(db, actor, type, entityId);
  if (!target || !can(actor, 'view', target)) throw new NotFound(`${type.name} ${entityId} not found.`);
  if (!can(actor, 'manage_access', target)) throw new Forbidden(`You may not manage access to ${type.name} ${entityId}.`);
  return target;
}

export interface GrantSpec {
  entityTypeId: number;
  entityId: number;
  userId: number;
  mode: DirectMode;
}

async function createIn(trx: Knex.Transaction, actor: Actor, spec: GrantSpec): Promise<number> {
  const type = entityTypeById(spec.entityTypeId);
  if (!type) throw new NotFound(`Unknown EntityType ${spec.entityTypeId}; see /api/v1/EntityTypes.`);
  await authorizeManage(trx, actor, type, spec.entityId);
  const person = await findPrincipalById(trx, spec.userId);
  if (!person) throw new NotFound(`User ${spec.userId} not found.`);
  const problem = grantProblem(actor, toActor(person), person.disabled, spec.mode);
  if (problem) throw new Invalid(problem);
  const duplicate = () => new Conflict(`User ${person.id} already has direct access to ${type.name} ${spec.entityId}; update that permission instead.`);
  if (await findGrantOf(trx, person.id, type.stored, spec.entityId)) throw duplicate();
  // The check above, and the unique key for two grants at once: one 201 and one 409, never a 500.
  const id = await insertEntityPermission(trx, { entityType: type.stored, entityId: spec.entityId, principalId: person.id, mode: spec.mode, createdBy: actor.id }).catch((err: unknown) => {
    throw isUniqueViolation(err) ? duplicate() : err;
  });
  await recordAudit(trx, {
    actorId: actor.id,
    action: 'entity_permission.granted',
    targetType: 'entity_permission',
    targetId: id,
    before: null,
    after: { entityType: type.name, entityId: spec.entityId, principalId: person.id, mode: spec.mode },
  });
  return id;
}

export async function createEntityPermission(db: Db, actor: Actor, spec: GrantSpec): Promise<number> {
  return db.transaction((trx) => createIn(trx, actor, spec));
}

export class BulkError extends HttpError {
  constructor(readonly items: { index: number; status: number; message: string }[]) {
    // One shared status when every item failed alike, otherwise a plain 400.
    const statuses = new Set(items.map((i) => i.status));
    const status = statuses.size === 1 ? [...statuses][0]! : 400;
    super(status, STATUS_NAMES[status] ?? 'BadRequest', `${items.length} permission(s) could not be saved, so nothing was saved.`);
  }
}

/**
 * All or nothing: one failure rolls everything back, and each failing item is reported. Each
 * item runs in a savepoint, so an item the database itself refused (a grant inserted by
 * someone else meanwhile) leaves the transaction usable for checking the items after it;
 * on PostgreSQL the next statement would otherwise fail with "transaction is aborted".
 */
export async function createEntityPermissionsInBulk(db: Db, actor: Actor, specs: GrantSpec[]): Promise<number[]> {
  const errors: { index: number; status: number; message: string }[] = [];
  return db.transaction(async (trx) => {
    const out: number[] = [];
    for (const [index, spec] of specs.entries()) {
      try {
        out.push(await trx.transaction((item) => createIn(item, actor, spec)));
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        errors.push({ index, status: err.status, message: err.message });
      }
    }
    if (errors.length) throw new BulkError(errors);
    return out;
  });
}

/**
 * Loads an existing grant for a change. Someone who cannot manage its entity learns
 * nothing (404), unless the grant is their own (403: they already know it exists).
 */
async function grantForChange(trx: Knex.Transaction, actor: Actor, id: number): Promise<{ grant: EntityPermissionRow; type: EntityTypeInfo }> {
  const grant = await findEntityPermission(trx, id);
  const type = grant ? entityTypeByStored(grant.entityType) : undefined;
  if (!grant || !type) throw new NotFound(`EntityPermission ${id} not found.`);
  try {
    await authorizeManage(trx, actor, type, grant.entityId);
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    if (grant.principalId !== actor.id) throw new NotFound(`EntityPermission ${id} not found.`);
    throw new Forbidden(`You may not manage access to ${type.name} ${grant.entityId}.`);
  }
  return { grant, type };
}

/** Refuses (404, or 403 on one's own grant) unless `actor` may change grant `id`: checked before a form's input is, so a refusal never depends on what was sent. */
export async function assertCanChangeGrant(db: Db, actor: Actor, id: number): Promise<void> {
  await db.transaction((trx) => grantForChange(trx, actor, id));
}

export async function updateEntityPermission(db: Db, actor: Actor, id: number, mode: DirectMode): Promise<void> {
  await db.transaction(async (trx) => {
    const { grant, type } = await grantForChange(trx, actor, id);
    const person = (await findPrincipalById(trx, grant.principalId))!;
    const problem = grantChangeProblem(actor, toActor(person), person.disabled, grant.mode, mode);
    if (problem) throw new Invalid(problem);
    if (grant.mode === mode) return;
    await updateEntityPermissionMode(trx, id, mode);
    await recordAudit(trx, {
      actorId: actor.id,
      action: 'entity_permission.changed',
      targetType: 'entity_permission',
      targetId: id,
      before: { entityType: type.name, entityId: grant.entityId, principalId: grant.principalId, mode: grant.mode },
      after: { entityType: type.name, entityId: grant.entityId, principalId: grant.principalId, mode },
    });
  });
}

export async function revokeEntityPermission(db: Db, actor: Actor, id: number): Promise<void> {
  await db.transaction(async (trx) => {
    const { grant, type } = await grantForChange(trx, actor, id);
    await deleteEntityPermission(trx, id);
    await recordAudit(trx, {
      actorId: actor.id,
      action: 'entity_permission.revoked',
      targetType: 'entity_permission',
      targetId: id,
      before: { entityType: type.name, entityId: grant.entityId, principalId: grant.principalId, mode: grant.mode },
      after: null,
    });
  });
}

/** The items below a work item whose access the actor may manage (others are not even counted). */
export async function manageableDescendants(db: Db, actor: Actor, entityId: number): Promise<{ id: number; type: EntityTypeInfo }[]> {
  const out: { id: number; type: EntityTypeInfo }[] = [];
  for (const child of await descendants(db, entityId)) {
    const childType = entityTypeByStored(child.type);
    if (!childType) continue;
    const target = await loadEntityTarget(db, actor, childType, child.id);
    if (target && can(actor, 'manage_access', target)) out.push({ id: child.id, type: childType });
  }
  return out;
}

/** Refuses (404/403) unless the actor may manage access to the entity. */
export async function assertCanManageEntity(db: Db, actor: Actor, typeId: number, entityId: number): Promise<void> {
  const type = entityTypeById(typeId);
  if (!type) throw new NotFound();
  await authorizeManage(db, actor, type, entityId);
}

/** What "Also grant on the N nested items" did, for the message shown after it. */
export interface NestedCopy {
  /** Grants created, one per person and nested item. */
  copied: number;
  /** Grants the nested items already had (left as they are). */
  existing: number;
  /** People whose grant was not copied because the actor may not give it: themselves, disabled accounts. */
  skipped: number;
}

/**
 * "Also grant on the N nested items": copies each direct grant of a work item onto every
 * item below it that the actor may manage, as individual grants (grants never cascade by
 * themselves). Existing grants are left as they are. A grant nobody could give from here
 * (the actor's own, a disabled account's) is skipped, not a reason to copy none of the others;
 * every copy still passes all the rules of a single grant.
 */
export async function copyGrantsToNested(db: Db, actor: Actor, typeId: number, entityId: number): Promise<NestedCopy> {
  const type = entityTypeById(typeId);
  if (!type || type.kind !== 'work_item') throw new NotFound();
  return db.transaction(async (trx) => {
    await authorizeManage(trx, actor, type, entityId);
    const copyable: EntityPermissionRow[] = [];
    const result: NestedCopy = { copied: 0, existing: 0, skipped: 0 };
    for (const g of await grantsOnEntity(trx, type.stored, entityId)) {
      const person = await findPrincipalById(trx, g.principalId);
      if (person && grantProblem(actor, toActor(person), person.disabled, g.mode) === null) copyable.push(g);
      else result.skipped += 1;
    }
    for (const child of await manageableDescendants(trx, actor, entityId)) {
      for (const g of copyable) {
        if (await findGrantOf(trx, g.principalId, child.type.stored, child.id)) {
          result.existing += 1;
          continue;
        }
        await createIn(trx, actor, { entityTypeId: child.type.id, entityId: child.id, userId: g.principalId, mode: g.mode });
        result.copied += 1;
      }
    }
    return result;
  });
}
