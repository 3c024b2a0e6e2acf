import type { Db } from '../db';
import { Invalid, NotFound } from '../errors';
import { authorize, CUSTOMER_ON_OPEN_REFUSED, dashboardGranteeProblem, type Actor, type GrantLevel, type Restriction } from '../permissions';
import { loadDashboardTarget, loadScopeSettings } from '../repositories/accessFacts';
import { recordAudit } from '../repositories/audit';
import { type ScopeSettings } from '../permissions/scopes';
import { companiesServed } from '../permissions/peopleScopes';
import {
  companyRequesterIds,
  countRequesterGrants,
  deleteGrant,
  findGrant,
  findGrantFor,
  insertGrant,
  lockDashboard,
  updateGrantLevel,
  updateRestriction,
} from '../repositories/dashboards';
import { findPrincipalByEmail, toActor } from '../repositories/principals';

/** Within the command's transaction: the dashboard held against concurrent grant and restriction changes, then the check. */
async function authorizeManage(db: Db, actor: Actor, dashboardId: number) {
  await lockDashboard(db, dashboardId);
  const target = await loadDashboardTarget(db, actor, dashboardId, await loadScopeSettings(db));
  if (!target) throw new NotFound();
  authorize(actor, 'manage_grants', target);
  return target;
}

/**
 * Adds one person (or changes their level). Who may hold which level is the permissions
 * module's dashboardGranteeProblem (customers and observers: `view` only, customers never on
 * an `open` dashboard): a refused request writes nothing.
 */
export async function grantDashboardAccess(db: Db, actor: Actor, dashboardId: number, email: string, level: GrantLevel): Promise<number> {
  return db.transaction(async (trx) => {
    const target = await authorizeManage(trx, actor, dashboardId);
    const person = await findPrincipalByEmail(trx, email);
    if (!person || person.disabled) throw new Invalid('No active person has that email address.', { email: 'unknown' });
    const problem = dashboardGranteeProblem(toActor(person), level, target.restriction);
    if (problem) throw new Invalid(problem, level === 'view' ? { email: problem } : { level: problem });
    const existing = await findGrantFor(trx, dashboardId, person.id);
    if (existing && existing.level === level) return existing.id;
    const id = existing ? existing.id : await insertGrant(trx, dashboardId, person.id, level, actor.id);
    if (existing) await updateGrantLevel(trx, existing.id, level);
    await recordAudit(trx, {
      actorId: actor.id,
      action: existing ? 'dashboard.grant_changed' : 'dashboard.grant_added',
      targetType: 'dashboard',
      targetId: dashboardId,
      before: existing ? { principalId: person.id, level: existing.level } : null,
      after: { principalId: person.id, level },
    });
    return id;
  });
}

export async function revokeDashboardGrant(db: Db, actor: Actor, dashboardId: number, grantId: number): Promise<void> {
  await db.transaction(async (trx) => {
    await authorizeManage(trx, actor, dashboardId);
    const grant = await findGrant(trx, dashboardId, grantId);
    if (!grant) throw new NotFound();
    await deleteGrant(trx, grantId);
    await recordAudit(trx, {
      actorId: actor.id,
      action: 'dashboard.grant_removed',
      targetType: 'dashboard',
      targetId: dashboardId,
      before: { principalId: grant.principalId, level: grant.level },
      after: null,
    });
  });
}

/**
 * Changes the restriction. Customer grants are kept when switching to `open` (they grant
 * nothing there and come back to life if the dashboard is restricted again). Returns how
 * many customers hold grants, for the "N customers will lose access" warning.
 */
export async function setDashboardRestriction(db: Db, actor: Actor, dashboardId: number, restriction: Restriction): Promise<number> {
  return db.transaction(async (trx) => {
    const target = await authorizeManage(trx, actor, dashboardId);
    if (target.restriction !== restriction) {
      await updateRestriction(trx, dashboardId, restriction);
      await recordAudit(trx, {
        actorId: actor.id,
        action: 'dashboard.restriction_changed',
        targetType: 'dashboard',
        targetId: dashboardId,
        before: { restriction: target.restriction },
        after: { restriction },
      });
    }
    return countRequesterGrants(trx, dashboardId);
  });
}

/**
 * A view grant for every active customer of a company the actor serves (companiesServed),
 * as individual grants (people who join the company later get nothing); a company they do
 * not serve answers like one without customers. Returns how many grants were added, and how
 * many of its customers had one already.
 */
export async function grantCompanyMembers(db: Db, actor: Actor, dashboardId: number, companyId: number, settings: ScopeSettings): Promise<{ added: number; already: number }> {
  return db.transaction(async (trx) => {
    const target = await authorizeManage(trx, actor, dashboardId);
    if (target.restriction === 'open') throw new Invalid(CUSTOMER_ON_OPEN_REFUSED, { company_id: 'dashboard is open' });
    const ids = await companyRequesterIds(trx, companyId, companiesServed(actor, settings));
    if (ids.length === 0) throw new Invalid('That company has no active customers.', { company_id: 'empty' });
    let added = 0;
    let already = 0;
    for (const principalId of ids) {
      if (await findGrantFor(trx, dashboardId, principalId)) {
        already += 1;
        continue;
      }
      await insertGrant(trx, dashboardId, principalId, 'view', actor.id);
      await recordAudit(trx, {
        actorId: actor.id,
        action: 'dashboard.grant_added',
        targetType: 'dashboard',
        targetId: dashboardId,
        before: null,
        after: { principalId, level: 'view', viaCompany: companyId },
      });
      added += 1;
    }
    return { added, already };
  });
}
