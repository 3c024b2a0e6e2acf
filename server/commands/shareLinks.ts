import type { Db } from '../db';
import { Invalid, NotFound } from '../errors';
import { authorize, shareLinkProblem, type Actor } from '../permissions';
import { loadDashboardTarget, scopeSettingsOf } from '../repositories/accessFacts';
import { recordAudit } from '../repositories/audit';
import { lockDashboard } from '../repositories/dashboards';
import { readSettings } from '../repositories/settings';
import { findLiveShareLink, insertShareLink, markShareLinkRevoked } from '../repositories/shareLinks';

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
