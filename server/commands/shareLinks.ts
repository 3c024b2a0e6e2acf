import type { Db } from '../db';
import { Forbidden, Invalid, NotFound } from '../errors';
import { authorize, canMakeRequestListLink, canManageRequestListLink, OBSERVER_SHARE_REFUSED, SHARE_LINKS_OFF, shareLinkProblem, type Actor } from '../permissions';
import { linkableProjects } from '../permissions/linkScopes';
import { projectIdsAmong } from '../repositories/people';
import { loadDashboardTarget, scopeSettingsOf } from '../repositories/accessFacts';
import { recordAudit } from '../repositories/audit';
import { lockDashboard } from '../repositories/dashboards';
import { readSettings } from '../repositories/settings';
import { findLiveShareLink, insertShareLink, markShareLinkRevoked } from '../repositories/shareLinks';
import { findLiveRequestListLink, insertRequestListLink, type RequestListFilter } from '../repositories/requestListLinks';

/** Within the command's transaction: the dashboard held against concurrent access changes, then the check. */
async function authorizeManage(db: Db, actor: Actor, dashboardId: number) {
  await lockDashboard(db, dashboardId);
  const settings = await readSettings(db);
  const target = await loadDashboardTarget(db, actor, dashboardId, scopeSettingsOf(settings));
  if (!target) throw new NotFound();
  authorize(actor, 'manage_grants', target);
  return { target, settings };
}

/**
 * Makes a public read-only link to a dashboard and returns its key, which is never stored
 * (only its digest): shown once. Refused, writing nothing, while links are switched off or
 * anyone can edit the dashboard (shareLinkProblem).
 */
export async function createShareLink(db: Db, actor: Actor, dashboardId: number, input: { label: string; expiresAt: Date | null }): Promise<{ id: number; key: string }> {
  return db.transaction(async (trx) => {
    const { target, settings } = await authorizeManage(trx, actor, dashboardId);
    const problem = shareLinkProblem(settings['share_links.enabled'], target);
    if (problem) throw new Invalid(problem);
    const link = await insertShareLink(trx, { dashboardId, label: input.label, createdBy: actor.id, expiresAt: input.expiresAt });
    await recordAudit(trx, {
      actorId: actor.id,
      action: 'dashboard.share_link_created',
      targetType: 'dashboard',
      targetId: dashboardId,
      before: null,
      after: { shareLink: link.id, label: input.label, expires: input.expiresAt?.toISOString() ?? 'never' },
    });
    return link;
  });
}

/** Revokes one link of the dashboard: it stops working on the very next visit. Allowed while links are switched off too. */
export async function revokeShareLink(db: Db, actor: Actor, dashboardId: number, linkId: number): Promise<void> {
  await db.transaction(async (trx) => {
    await authorizeManage(trx, actor, dashboardId);
    const link = await findLiveShareLink(trx, dashboardId, linkId);
    if (!link) throw new NotFound();
    await markShareLinkRevoked(trx, link.id);
    await recordAudit(trx, {
      actorId: actor.id,
      action: 'dashboard.share_link_revoked',
      targetType: 'dashboard',
      targetId: dashboardId,
      before: { shareLink: link.id, label: link.label },
      after: null,
    });
  });
}

export const LIST_PROJECT_UNKNOWN = 'Choose a project from the list.';

/**
 * Makes a public read-only link to a list of requests and returns its key (shown once). Only
 * staff who may change things make one (observers: 403); a project must be one the maker sees
 * that is open to the customer portal (anything else: as if unknown). Nothing is written on a refusal.
 */
export async function createRequestListLink(db: Db, actor: Actor, input: { label: string; expiresAt: Date | null; filter: RequestListFilter }): Promise<{ id: number; key: string }> {
  if (!canMakeRequestListLink(actor)) throw new Forbidden(OBSERVER_SHARE_REFUSED);
  return db.transaction(async (trx) => {
    if (!(await readSettings(trx))['share_links.enabled']) throw new Invalid(SHARE_LINKS_OFF);
    const project = input.filter.projectId;
    if (project !== null) {
      if (!(await projectIdsAmong(trx, linkableProjects(actor), [project])).has(project)) throw new Invalid(LIST_PROJECT_UNKNOWN, { project_id: 'unknown' });
    }
    const link = await insertRequestListLink(trx, { label: input.label, createdBy: actor.id, expiresAt: input.expiresAt, filter: input.filter });
    await recordAudit(trx, {
      actorId: actor.id,
      action: 'share_link.requests_created',
      targetType: 'share_link',
      targetId: link.id,
      before: null,
      after: { label: input.label, projectId: project ?? 'all', type: input.filter.type ?? 'all', statuses: input.filter.statusGroup, sort: input.filter.sort, expires: input.expiresAt?.toISOString() ?? 'never' },
    });
    return link;
  });
}

/** Revokes a request-list link: its maker's or, for an administrator, anyone's; any other is not found. */
export async function revokeRequestListLink(db: Db, actor: Actor, linkId: number): Promise<void> {
  await db.transaction(async (trx) => {
    const link = await findLiveRequestListLink(trx, linkId);
    if (!link || !canManageRequestListLink(actor, link.makerId)) throw new NotFound();
    await markShareLinkRevoked(trx, link.id);
    await recordAudit(trx, { actorId: actor.id, action: 'share_link.requests_revoked', targetType: 'share_link', targetId: link.id, before: { label: link.label }, after: null });
  });
}
