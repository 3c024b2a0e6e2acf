import { isAdministrator, isStaff, type Actor, type MaybeActor } from '../actor';
import { NO_FLAGS, rankOf, type DirectAccess, type DirectMode, type ProjectFacts, type RoleFlags, loaded } from '../facts';

/** What staff may do to a request, work item, release or team iteration. */
export const ENTITY_ACTIONS = ['view', 'comment', 'edit', 'delete', 'manage_access'] as const;
export type EntityAction = (typeof ENTITY_ACTIONS)[number];

const ALL_FLAGS: RoleFlags = Object.freeze({ add: true, edit: true, delete: true, comment: true });

function isObserver(actor: Actor): boolean {
  return actor.type === 'observer';
}

/**
 * Sees the project's entities through membership or type: administrators everywhere,
 * users where they are members, observers and contributors in every public project and
 * in private ones only as members.
 */
export function staffSeesProject(actor: MaybeActor, project: ProjectFacts): boolean {
  if (!isStaff(actor)) return false;
  if (isAdministrator(actor)) return true;
  if (loaded(project.memberRole, 'project.memberRole') !== null) return true;
  if (actor.type === 'user') return false;
  return !project.isPrivate;
}

/**
 * The role that applies: a member's project role (a stricter project role is never
 * widened by the default role), a contributor's default role in public projects where not
 * a member, nothing otherwise. Observers never change anything.
 */
export function effectiveRole(actor: MaybeActor, project: ProjectFacts): RoleFlags {
  if (!isStaff(actor) || isObserver(actor)) return NO_FLAGS;
  if (isAdministrator(actor)) return ALL_FLAGS;
  const member = loaded(project.memberRole, 'project.memberRole');
  if (member !== null) return member;
  if (actor.type === 'contributor' && !project.isPrivate) return loaded(project.defaultRole, 'project.defaultRole') ?? NO_FLAGS;
  return NO_FLAGS;
}

/** The actor's direct grant, only while the feature is on. */
export function activeDirectMode(direct: DirectAccess): DirectMode | null {
  return direct.enabled ? loaded(direct.mode, 'direct.mode') : null;
}

function modeAtLeast(mode: DirectMode | null, needed: DirectMode): boolean {
  return mode !== null && rankOf(mode) >= rankOf(needed);
}

/**
 * Any source that allows, allows: project/team permissions or a direct grant on this very
 * entity (grants never cascade from a parent). Requesters never get here with a yes.
 */
export function staffEntityCan(actor: MaybeActor, action: EntityAction, project: ProjectFacts, direct: DirectAccess): boolean {
  if (!isStaff(actor)) return false;
  const mode = activeDirectMode(direct);
  const sees = staffSeesProject(actor, project) || mode !== null;
  if (action === 'view') return sees;
  if (!sees || isObserver(actor)) return false;
  const role = effectiveRole(actor, project);
  switch (action) {
    case 'comment':
      return role.comment || modeAtLeast(mode, 'comment');
    case 'edit':
      return role.edit || modeAtLeast(mode, 'edit');
    case 'delete':
      return role.delete;
    case 'manage_access':
      return direct.enabled && (isAdministrator(actor) || direct.creatorId === actor.id || mode === 'grant');
  }
}

/**
 * Whether the actor may change some project entity somewhere, which decides whether the
 * desk offers bulk changes at all: staff but observers (who never change anything). Each
 * entity is still asked about on its own (staffEntityCan); this only spares observers a
 * form they could never use, and refuses theirs before their input is read.
 */
export function staffMayChangeEntities(actor: MaybeActor): boolean {
  return isStaff(actor) && !isObserver(actor);
}

/** Staff may add entities of a kind to a project when the role that applies there allows it. */
export function staffCanAdd(actor: MaybeActor, project: ProjectFacts): boolean {
  return staffSeesProject(actor, project) && effectiveRole(actor, project).add;
}
