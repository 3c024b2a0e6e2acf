import { isAdministrator, isRequester, isStaff, type MaybeActor } from '../actor';
import type { DashboardCollectionTarget, DashboardTarget, GrantLevel, Restriction } from '../facts';
import type { Actor } from '../actor';

export const DASHBOARD_ACTIONS = ['view', 'edit', 'delete', 'manage_grants'] as const;
export type DashboardAction = (typeof DASHBOARD_ACTIONS)[number];

/**
 * The customer rules come first and are complete: a requester views a dashboard only
 * while the portal toggle is on, only when it is not "Anyone can view and edit", and only
 * with an individual grant; a requester never does anything else, whatever the grant says.
 */
function requesterCan(action: DashboardAction, d: DashboardTarget): boolean {
  if (action !== 'view') return false;
  return d.portalDashboards && d.restriction !== 'open' && d.grant !== null;
}

function staffCanView(actorId: number, administrator: boolean, d: DashboardTarget): boolean {
  if (administrator || d.ownerId === actorId) return true;
  if (d.restriction === 'open' || d.restriction === 'view_open') return true;
  return d.grant !== null;
}

function staffCanEdit(actorId: number, administrator: boolean, d: DashboardTarget): boolean {
  if (administrator || d.ownerId === actorId) return true;
  if (d.restriction === 'open') return true;
  return d.grant === 'edit';
}

export function canOnDashboard(actor: MaybeActor, action: DashboardAction, d: DashboardTarget): boolean {
  if (actor === null) return false;
  if (isRequester(actor)) return requesterCan(action, d);
  if (!isStaff(actor)) return false;
  const administrator = isAdministrator(actor);
  if (action === 'view') return staffCanView(actor.id, administrator, d);
  // Observers only ever view, whatever the restriction or their grant.
  if (actor.type === 'observer') return false;
  switch (action) {
    case 'edit':
    case 'manage_grants':
      return staffCanEdit(actor.id, administrator, d);
    case 'delete':
      return administrator || d.ownerId === actor.id;
  }
}

export const DASHBOARD_COLLECTION_ACTIONS = ['create'] as const;
export type DashboardCollectionAction = (typeof DASHBOARD_COLLECTION_ACTIONS)[number];

/** `dashboards.creators` decides who may make new boards; observers and requesters never do. */
export function canOnDashboards(actor: MaybeActor, _action: DashboardCollectionAction, c: DashboardCollectionTarget): boolean {
  if (!isStaff(actor) || actor.type === 'observer') return false;
  return c.creators === 'all_staff' || isAdministrator(actor);
}

/** The customer portal's Dashboard Hub exists for a requester only while the toggle is on. */
export function canUseDashboardHub(actor: MaybeActor, portalDashboards: boolean): boolean {
  return isRequester(actor) && portalDashboards;
}

export const RESTRICTION_TEXT = {
  open: 'Anyone can view and edit',
  view_open: 'Anyone can view, some can edit',
  restricted: 'Only specific people can view or edit',
} as const;

/**
 * Why a customer cannot see a dashboard (for "preview as customer"), or null when they can.
 * Follows the same order as the rule itself.
 */
export function customerAccessProblem(actor: MaybeActor, d: DashboardTarget): string | null {
  if (!isRequester(actor)) return 'Only customer accounts can be previewed.';
  if (!d.portalDashboards) return 'Dashboards are switched off in the customer portal (Settings → "Enable access in the customer portal").';
  if (d.restriction === 'open') return 'This dashboard is "Anyone can view and edit", which customers never see.';
  if (d.grant === null) return 'This customer has not been added to the dashboard.';
  return null;
}

export const CUSTOMER_EDIT_REFUSED = 'Customers can only be given view access to a dashboard.';
export const CUSTOMER_ON_OPEN_REFUSED =
  'Customers cannot be added while the dashboard is "Anyone can view and edit". Restrict it first.';
export const OBSERVER_EDIT_REFUSED = 'Observers are view-only: they can only be given view access to a dashboard.';

/**
 * Why a person cannot be given (or changed to) this level on a dashboard with this
 * restriction, or null. A customer only ever gets `view`, and never on an `open` dashboard;
 * an observer only `view` (an edit grant would be listed, yet give nothing: observers never edit).
 */
export function dashboardGranteeProblem(grantee: Actor, level: GrantLevel, restriction: Restriction): string | null {
  if (isRequester(grantee)) {
    if (level !== 'view') return CUSTOMER_EDIT_REFUSED;
    if (restriction === 'open') return CUSTOMER_ON_OPEN_REFUSED;
    return null;
  }
  if (grantee.type === 'observer' && level !== 'view') return OBSERVER_EDIT_REFUSED;
  return null;
}
