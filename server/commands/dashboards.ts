import type { Db } from '../db';
import { Invalid, NotFound } from '../errors';
import { authorize, can, type Actor, type DashboardAction, type DashboardTarget } from '../permissions';
import type { ScopeSettings, WidgetDataScope } from '../permissions/scopes';
import { loadDashboardTarget, loadProjectFacts, loadScopeSettings } from '../repositories/accessFacts';
import { recordAudit } from '../repositories/audit';
import { deleteDashboardRow, insertDashboard, listGrants, lockDashboard, renameDashboardRow } from '../repositories/dashboards';
import { readSetting } from '../repositories/settings';
import { deleteWidget, insertWidget, listWidgets, moveWidget, updateWidget, type WidgetKind } from '../repositories/widgets';

/** Loads a dashboard for an action and applies the 404/403 rule (with the settings the caller already read, if any). */
export async function authorizeDashboard(db: Db, actor: Actor, id: number, action: DashboardAction, settings?: ScopeSettings): Promise<DashboardTarget> {
  const target = await loadDashboardTarget(db, actor, id, settings ?? (await loadScopeSettings(db)));
  if (!target) throw new NotFound();
  authorize(actor, action, target);
  return target;
}

export function validName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > 200) throw new Invalid('A dashboard needs a name of 1 to 200 characters.', { name: 'length' });
  return trimmed;
}

export async function createDashboard(db: Db, actor: Actor, name: string): Promise<number> {
  return db.transaction(async (trx) => {
    authorize(actor, 'create', { kind: 'dashboards', creators: await readSetting(trx, 'dashboards.creators') });
    const id = await insertDashboard(trx, validName(name), actor.id);
    await recordAudit(trx, { actorId: actor.id, action: 'dashboard.created', targetType: 'dashboard', targetId: id, before: null, after: { name: name.trim(), restriction: 'restricted' } });
    return id;
  });
}

export async function renameDashboard(db: Db, actor: Actor, id: number, name: string): Promise<void> {
  await db.transaction(async (trx) => {
    await authorizeDashboard(trx, actor, id, 'edit');
    await renameDashboardRow(trx, id, validName(name));
  });
}

export async function deleteDashboard(db: Db, actor: Actor, id: number): Promise<void> {
  await db.transaction(async (trx) => {
    const target = await authorizeDashboard(trx, actor, id, 'delete');
    // Its grants go with it (cascade): the audit says who lost access.
    const grants = (await listGrants(trx, id)).map((g) => ({ principalId: g.principalId, level: g.level }));
    await deleteDashboardRow(trx, id);
    await recordAudit(trx, { actorId: actor.id, action: 'dashboard.deleted', targetType: 'dashboard', targetId: id, before: { restriction: target.restriction, grants }, after: null });
  });
}

/** A widget may only chart a project its editor may see. */
async function assertChartable(db: Db, actor: Actor, projectId: number | null, message: string): Promise<void> {
  if (projectId === null) return;
  const project = await loadProjectFacts(db, actor, projectId, 'request');
  if (!project || !can(actor, 'view', { kind: 'project', project })) throw new Invalid(message, { project_id: 'unknown' });
}

function validWidgetTitle(title: string): string {
  const trimmed = title.trim();
  if (trimmed.length < 1 || trimmed.length > 200) throw new Invalid('A widget needs a title of 1 to 200 characters.', { title: 'length' });
  return trimmed;
}

/**
 * Changes a widget's title, project and the data customers see (its kind stays). A widget on
 * a project its editor cannot see is left to someone who can: saving would either reveal the
 * project or move the widget off it unseen.
 */
export async function editWidget(
  db: Db,
  actor: Actor,
  dashboardId: number,
  widgetId: number,
  w: { title: string; projectId: number | null; dataScope: WidgetDataScope },
): Promise<void> {
  await db.transaction(async (trx) => {
    await authorizeDashboard(trx, actor, dashboardId, 'edit');
    await lockDashboard(trx, dashboardId);
    const current = (await listWidgets(trx, dashboardId)).find((x) => x.id === widgetId);
    if (!current) throw new NotFound();
    await assertChartable(trx, actor, current.projectId, 'This widget charts a project you cannot see: only someone who sees that project can change it.');
    await assertChartable(trx, actor, w.projectId, 'Choose a project from the list.');
    await updateWidget(trx, dashboardId, widgetId, { ...w, title: validWidgetTitle(w.title) });
  });
}

export async function addWidget(
  db: Db,
  actor: Actor,
  dashboardId: number,
  w: { kind: WidgetKind; title: string; projectId: number | null; dataScope: WidgetDataScope },
): Promise<number> {
  return db.transaction(async (trx) => {
    await authorizeDashboard(trx, actor, dashboardId, 'edit');
    await assertChartable(trx, actor, w.projectId, 'Choose a project from the list.');
    const title = validWidgetTitle(w.title);
    // Widget changes of one dashboard happen one after another (see reorderWidget).
    await lockDashboard(trx, dashboardId);
    return insertWidget(trx, { ...w, title, dashboardId });
  });
}

export async function removeWidget(db: Db, actor: Actor, dashboardId: number, widgetId: number): Promise<void> {
  await db.transaction(async (trx) => {
    await authorizeDashboard(trx, actor, dashboardId, 'edit');
    await lockDashboard(trx, dashboardId);
    if (!(await deleteWidget(trx, dashboardId, widgetId))) throw new NotFound();
  });
}

export async function reorderWidget(db: Db, actor: Actor, dashboardId: number, widgetId: number, direction: -1 | 1): Promise<void> {
  await db.transaction(async (trx) => {
    await authorizeDashboard(trx, actor, dashboardId, 'edit');
    // Held until the end: on PostgreSQL two moves at once each rewrote every position in their
    // own order and deadlocked, and two adds both took the same next position.
    await lockDashboard(trx, dashboardId);
    if (!(await moveWidget(trx, dashboardId, widgetId, direction))) throw new NotFound();
  });
}
