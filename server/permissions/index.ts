/**
 * The one module that answers "may this actor do that". Routes, views and repositories ask
 * here and never look at an actor's type themselves.
 *
 *   can(actor, action, target)        a yes or no
 *   authorize(actor, action, target)  throws NotFound when the target may not even be seen,
 *                                     Forbidden when it may be seen but not acted on
 *   abilitiesFor(actor, target)       every action's answer, for templates
 *   scopes (./scopes)                 the same rules as SQL filters for lists
 */
import { Forbidden, NotFound } from '../errors';
import type { MaybeActor } from './actor';
import type { DashboardCollectionTarget, DashboardTarget, ProjectTarget, RequestTarget, Target, WorkTarget } from './facts';
import { canOnRequest, REQUEST_ACTIONS, type RequestAction } from './policies/requests';
import { ENTITY_ACTIONS, staffEntityCan, type EntityAction } from './policies/projectEntities';
import { canOnProject, PROJECT_ACTIONS, type ProjectAction } from './policies/projects';
import {
  canOnDashboard,
  canOnDashboards,
  DASHBOARD_ACTIONS,
  DASHBOARD_COLLECTION_ACTIONS,
  type DashboardAction,
  type DashboardCollectionAction,
} from './policies/dashboards';

export * from './actor';
export * from './facts';
export { canEnter, type Area } from './policies/realms';
export { canUseDashboardHub, customerAccessProblem, CUSTOMER_EDIT_REFUSED, CUSTOMER_ON_OPEN_REFUSED, dashboardGranteeProblem, OBSERVER_EDIT_REFUSED, RESTRICTION_TEXT } from './policies/dashboards';
export {
  canMakeRequestListLink,
  canManageRequestListLink,
  LINK_HOLDER,
  LINK_STOP_TEXT,
  OBSERVER_SHARE_REFUSED,
  requestListLinkOpens,
  requestListLinkStop,
  SHARE_LINKS_OFF,
  SHARE_ON_OPEN_REFUSED,
  shareLinkOpens,
  shareLinkStop,
  shareLinkProblem,
  type LinkStop,
  type RequestListLinkTarget,
  type ShareLinkTarget,
} from './policies/shareLinks';
export { grantChangeProblem, granteeProblem, grantProblem } from './policies/entityPermissions';
export { staffMayChangeEntities } from './policies/projectEntities';
export { canRemoveAttachment } from './policies/requests';
export type { RequestAction, EntityAction, ProjectAction, DashboardAction, DashboardCollectionAction };

export type ActionOf<T extends Target> = T extends RequestTarget
  ? RequestAction
  : T extends WorkTarget
    ? EntityAction
    : T extends ProjectTarget
      ? ProjectAction
      : T extends DashboardTarget
        ? DashboardAction
        : T extends DashboardCollectionTarget
          ? DashboardCollectionAction
          : never;

export function actionsOf<T extends Target>(target: T): readonly ActionOf<T>[] {
  const lists: Record<Target['kind'], readonly string[]> = {
    request: REQUEST_ACTIONS,
    work_item: ENTITY_ACTIONS,
    release: ENTITY_ACTIONS,
    team_iteration: ENTITY_ACTIONS,
    project: PROJECT_ACTIONS,
    dashboard: DASHBOARD_ACTIONS,
    dashboards: DASHBOARD_COLLECTION_ACTIONS,
  };
  return lists[target.kind] as readonly ActionOf<T>[];
}

export function can<T extends Target>(actor: MaybeActor, action: ActionOf<T>, target: T): boolean {
  const t: Target = target;
  switch (t.kind) {
    case 'request':
      return canOnRequest(actor, action as RequestAction, t);
    case 'work_item':
    case 'release':
    case 'team_iteration':
      return staffEntityCan(actor, action as EntityAction, t.project, t.direct);
    case 'project':
      return canOnProject(actor, action as ProjectAction, t);
    case 'dashboard':
      return canOnDashboard(actor, action as DashboardAction, t);
    case 'dashboards':
      return canOnDashboards(actor, action as DashboardCollectionAction, t);
  }
}

/**
 * Throws unless allowed. What the actor may not even see answers 404 (its existence is
 * not revealed); what they may see but not change answers 403.
 */
export function authorize<T extends Target>(actor: MaybeActor, action: ActionOf<T>, target: T): void {
  if (can(actor, action, target)) return;
  const actions = actionsOf(target) as readonly string[];
  if (actions.includes('view') && !can(actor, 'view' as ActionOf<T>, target)) throw new NotFound();
  throw new Forbidden();
}

export function abilitiesFor<T extends Target>(actor: MaybeActor, target: T): Record<ActionOf<T>, boolean> {
  const out = {} as Record<ActionOf<T>, boolean>;
  for (const action of actionsOf(target)) out[action] = can(actor, action, target);
  return out;
}
