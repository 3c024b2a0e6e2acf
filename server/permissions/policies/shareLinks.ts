import { isAdministrator, isStaff, type Actor, type MaybeActor } from '../actor';
import type { DashboardTarget } from '../facts';
import { canOnDashboard } from './dashboards';

/**
 * Whoever opens a public share link: nobody signed in, in no company. A link shows its
 * dashboard as such a customer of the portal would see it (public requests of portal
 * projects, in widgets whose data scope is "all"; a widget scoped to the viewer's company has
 * no company to show), within what the link's maker may see now: a preview of this customer
 * by the maker. Id 0 is no one's (ids start at 1), so "their own requests" are none.
 */
export const LINK_HOLDER: Actor = Object.freeze({ id: 0, type: 'requester', name: 'Anyone with the link', email: '', companyId: null, defaultRoleId: null });

/** The facts a link's visit is decided on, all read afresh on every visit. */
export interface ShareLinkTarget {
  /** `share_links.enabled` */
  enabled: boolean;
  revoked: boolean;
  expiresAt: Date | null;
  /** The link's maker as they are now; null when their account is disabled or gone. */
  maker: MaybeActor;
  /** The dashboard as it is to the maker (their own grant on it). */
  dashboard: DashboardTarget;
}

export const SHARE_LINKS_OFF = 'Public share links are switched off (Settings → “Public share links”).';
export const SHARE_ON_OPEN_REFUSED = 'A dashboard that anyone can edit cannot be shared by link. Restrict it first.';

/**
 * Why a link to this dashboard cannot be made, or null. Who may make one at all is who
 * manages the dashboard's access (`manage_grants`, checked first): the same people who add
 * customers one by one. As with customers, never while anyone can edit the dashboard.
 */
export function shareLinkProblem(enabled: boolean, d: DashboardTarget): string | null {
  if (!enabled) return SHARE_LINKS_OFF;
  if (d.restriction === 'open') return SHARE_ON_OPEN_REFUSED;
  return null;
}

/** Why a link does not open now; the sharing pages show it beside each link. */
export type LinkStop = 'off' | 'revoked' | 'expired' | 'open' | 'maker';

export const LINK_STOP_TEXT: Record<LinkStop, string> = {
  off: 'Not working: public links are switched off.',
  revoked: 'Revoked.',
  expired: 'Not working: expired.',
  open: 'Not working while anyone can edit this dashboard.',
  maker: 'Not working: the person who made it may no longer share it.',
};

function liveStop(link: { enabled: boolean; revoked: boolean; expiresAt: Date | null }, now: Date): LinkStop | null {
  if (!link.enabled) return 'off';
  if (link.revoked) return 'revoked';
  if (link.expiresAt !== null && link.expiresAt.getTime() <= now.getTime()) return 'expired';
  return null;
}

/**
 * Why a dashboard's link does not open now, or null when it does. It stops while the toggle is
 * off, once revoked or expired, while the dashboard is "Anyone can view and edit", and when its
 * maker is disabled or no longer manages the dashboard's access: a link never outlives the
 * right of the person who made it.
 */
export function shareLinkStop(link: ShareLinkTarget, now: Date): LinkStop | null {
  const stop = liveStop(link, now);
  if (stop) return stop;
  if (link.dashboard.restriction === 'open') return 'open';
  if (!isStaff(link.maker) || !canOnDashboard(link.maker, 'manage_grants', link.dashboard)) return 'maker';
  return null;
}

export function shareLinkOpens(link: ShareLinkTarget, now: Date): boolean {
  return shareLinkStop(link, now) === null;
}

export const OBSERVER_SHARE_REFUSED = 'Observers are view-only: they cannot make public links.';

/**
 * Who may make a public link to a list of requests: staff who may change things (observers
 * never add anything). What the link lists is limited to what its maker sees, on every visit.
 */
export function canMakeRequestListLink(actor: MaybeActor): boolean {
  return isStaff(actor) && actor.type !== 'observer';
}

/** Who sees a request-list link in their list and may revoke it: its maker and administrators. */
export function canManageRequestListLink(actor: MaybeActor, makerId: number): boolean {
  return isStaff(actor) && (isAdministrator(actor) || actor.id === makerId);
}

/** The facts a request-list link's visit is decided on, read afresh on every visit. */
export interface RequestListLinkTarget {
  enabled: boolean;
  revoked: boolean;
  expiresAt: Date | null;
  /** The maker as they are now; null when disabled or gone. */
  maker: MaybeActor;
}

/** Why a request-list link does not open now, or null: switched on, live, and its maker still one who may make such links. */
export function requestListLinkStop(link: RequestListLinkTarget, now: Date): LinkStop | null {
  return liveStop(link, now) ?? (canMakeRequestListLink(link.maker) ? null : 'maker');
}

export function requestListLinkOpens(link: RequestListLinkTarget, now: Date): boolean {
  return requestListLinkStop(link, now) === null;
}
