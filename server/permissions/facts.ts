/**
 * The facts a decision needs, loaded beforehand (see ./load.ts). Policies are pure
 * functions over these; a fact that was not loaded is `undefined` and makes the policy
 * throw instead of guessing.
 */
import type { RequestVisibility } from './policies/requests';

export const ENTITY_KINDS = ['request', 'work_item', 'release', 'team_iteration'] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

/** What a role allows on one kind of entity; viewing follows from membership. */
export interface RoleFlags {
  add: boolean;
  edit: boolean;
  delete: boolean;
  comment: boolean;
}

export const NO_FLAGS: RoleFlags = Object.freeze({ add: false, edit: false, delete: false, comment: false });

export interface ProjectFacts {
  id: number;
  isPrivate: boolean;
  portalEnabled: boolean;
  /** The actor's project role on the entity kind in question; null when not a member. */
  memberRole: RoleFlags | null;
  /** The actor's default role on that kind; null when the actor has none. */
  defaultRole: RoleFlags | null;
}

export const DIRECT_MODES = ['view', 'comment', 'edit', 'grant'] as const;
/** View (API only) < Can comment < Can edit < Can grant access; each includes the ones before. */
export type DirectMode = (typeof DIRECT_MODES)[number];

export interface DirectAccess {
  /** `direct_access.enabled`: off, grants exist but give nothing. */
  enabled: boolean;
  /** The actor's own grant on exactly this entity (never a parent's). */
  mode: DirectMode | null;
  /** The entity's creator may manage its access. */
  creatorId: number | null;
}

export interface RequestTarget {
  kind: 'request';
  id: number;
  requesterId: number;
  companyId: number | null;
  visibility: RequestVisibility;
  project: ProjectFacts;
  direct: DirectAccess;
}

export interface WorkTarget {
  kind: 'work_item' | 'release' | 'team_iteration';
  id: number;
  project: ProjectFacts;
  direct: DirectAccess;
}

export interface ProjectTarget {
  kind: 'project';
  project: ProjectFacts;
}

export const RESTRICTIONS = ['open', 'view_open', 'restricted'] as const;
export type Restriction = (typeof RESTRICTIONS)[number];
export type GrantLevel = 'view' | 'edit';

export interface DashboardTarget {
  kind: 'dashboard';
  id: number;
  ownerId: number;
  restriction: Restriction;
  /** The actor's own grant on this dashboard, null when none. */
  grant: GrantLevel | null;
  /** `portal.dashboards`: "Enable access in the customer portal". */
  portalDashboards: boolean;
}

export interface DashboardCollectionTarget {
  kind: 'dashboards';
  creators: 'all_staff' | 'administrators';
}

export type Target = RequestTarget | WorkTarget | ProjectTarget | DashboardTarget | DashboardCollectionTarget;

export function rankOf(mode: DirectMode): number {
  return DIRECT_MODES.indexOf(mode);
}

/** Throws when a fact a policy relies on was left out by its loader. */
export function loaded<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`permission fact not loaded: ${what}`);
  return value;
}
