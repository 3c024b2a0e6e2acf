import { Router, type Request } from 'express';
import type { AppDeps } from '../../app';
import { NotFound } from '../../errors';
import { can, canUseDashboardHub } from '../../permissions';
import { visibleDashboards } from '../../permissions/scopes';
import { loadDashboardTarget } from '../../repositories/accessFacts';
import { findDashboard, listDashboards } from '../../repositories/dashboards';
import { listWidgets } from '../../repositories/widgets';
import { presentWidgets } from '../../presenters/dashboards';
import { actorOf, idParam, requestScopeSettings } from '../locals';

/**
 * The Dashboard Hub. Everything here is 404 unless the toggle is on, and a dashboard is 404
 * unless the customer holds an effective grant; pages carry no edit control and no list
 * of who else has access.
 */
export function portalDashboardRoutes({ db }: AppDeps): Router {
  const router = Router();

  const hubSettings = async (req: Request) => {
    const settings = await requestScopeSettings(req, db);
    if (!canUseDashboardHub(actorOf(req), settings.portalDashboards)) throw new NotFound();
    return settings;
  };

  router.get('/dashboards', async (req, res) => {
    const settings = await hubSettings(req);
    const dashboards = await listDashboards(db, visibleDashboards(actorOf(req), settings));
    res.render('portal/dashboards', { title: 'Dashboards', dashboards: dashboards.map((d) => ({ id: d.id, name: d.name, updatedAt: d.updatedAt })) });
  });

  router.get('/dashboards/:id', async (req, res) => {
    const settings = await hubSettings(req);
    const actor = actorOf(req);
    const id = idParam(req.params.id);
    const target = await loadDashboardTarget(db, actor, id, settings);
    if (!target || !can(actor, 'view', target)) throw new NotFound();
    const dashboard = (await findDashboard(db, id))!;
    const widgets = await presentWidgets(db, actor, await listWidgets(db, id), settings);
    res.render('portal/dashboard', { title: dashboard.name, dashboard: { id: dashboard.id, name: dashboard.name }, widgets });
  });

  return router;
}
