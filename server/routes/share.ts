import { Router, type Response } from 'express';
import type { AppDeps } from '../app';
import { NotFound } from '../errors';
import { LINK_HOLDER, requestListLinkOpens, shareLinkOpens } from '../permissions';
import { linkableProjects, linkedRequests } from '../permissions/linkScopes';
import { findDashboard } from '../repositories/dashboards';
import { findShareLinkVisit, recordShareLinkUse } from '../repositories/shareLinks';
import { findRequestListVisit, linkableProjectName, listSharedRequests, SHARED_LIST_LIMIT } from '../repositories/requestListLinks';
import { scopeSettingsOf } from '../repositories/accessFacts';
import { listWidgets } from '../repositories/widgets';
import { presentWidgets, type WidgetView } from '../presenters/dashboards';
import type { Config } from '../config';

/** A link's key as it may be written: the prefix and 43 base64url characters. */
const KEY = /^psl_[A-Za-z0-9_-]{43}$/;

export const COMPANY_WIDGET_NOTE = 'This widget shows each customer their own company’s figures; a public link belongs to no company.';

/**
 * What may be embedded in another site's page: this answer only. The rest of Portico keeps
 * `frame-ancestors 'none'`; a shared dashboard has no form or control to trick anyone into.
 */
function embeddable(res: Response): void {
  const csp = res.getHeader('Content-Security-Policy');
  if (typeof csp === 'string') res.setHeader('Content-Security-Policy', csp.replace("frame-ancestors 'none'", 'frame-ancestors *'));
  res.removeHeader('X-Frame-Options');
}

/** The key of a link from the query, or null when it cannot be one. */
function keyOf(query: unknown): string | null {
  const key = (query as { key?: unknown }).key;
  return typeof key === 'string' && KEY.test(key) ? key : null;
}

/**
 * Public read-only share links (PRODUCT.md section 7): `GET /share/dashboard?key=…` and
 * `GET /share/requests?key=…`, no session, no sign-in. Whether a link opens is decided on
 * every visit by the permissions module (shareLinkOpens, requestListLinkOpens); any refusal,
 * whatever its reason, is the same 404.
 */
export function shareRoutes({ db }: AppDeps, config: Config): Router {
  const router = Router();

  router.use((_req, res, next) => {
    // The key is in the address: never sent on as a Referer (not even from the 404 page), never indexed.
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Robots-Tag', 'noindex, nofollow');
    res.locals.basePath = config.BASE_PATH;
    res.locals.url = (path: string) => `${config.BASE_PATH}${path}`;
    res.locals.viewer = null;
    next();
  });

  router.get('/dashboard', async (req, res) => {
    const key = keyOf(req.query);
    if (key === null) throw new NotFound();
    const visit = await findShareLinkVisit(db, key);
    const now = new Date();
    if (!visit || !shareLinkOpens({ enabled: visit.settings['share_links.enabled'], revoked: visit.revoked, expiresAt: visit.expiresAt, maker: visit.maker, dashboard: visit.dashboard }, now)) {
      throw new NotFound();
    }
    const [dashboard, widgets] = await Promise.all([findDashboard(db, visit.dashboardId), listWidgets(db, visit.dashboardId)]);
    // The link holder belongs to no company: widgets scoped to the viewer's company have nothing to show.
    const shown = widgets.filter((w) => w.dataScope === 'all');
    const figures = new Map((await presentWidgets(db, LINK_HOLDER, shown, scopeSettingsOf(visit.settings), visit.maker)).map((w) => [w.id, w]));
    const views: (WidgetView & { note?: string })[] = widgets.map(
      (w) => figures.get(w.id) ?? { id: w.id, kind: w.kind, title: w.title, chart: null, projectName: null, dataScope: w.dataScope, figures: { labels: [], values: [], rows: [] }, note: COMPANY_WIDGET_NOTE },
    );
    await recordShareLinkUse(db, visit, now);
    embeddable(res);
    res.render('share/dashboard', { title: dashboard!.name, dashboard: { name: dashboard!.name }, widgets: views });
  });

  router.get('/requests', async (req, res) => {
    const key = keyOf(req.query);
    if (key === null) throw new NotFound();
    const visit = await findRequestListVisit(db, key);
    const now = new Date();
    if (!visit || !requestListLinkOpens({ enabled: visit.settings['share_links.enabled'], revoked: visit.revoked, expiresAt: visit.expiresAt, maker: visit.maker }, now)) throw new NotFound();
    const { projectId } = visit.filter;
    const [requests, projectName] = await Promise.all([
      listSharedRequests(db, linkedRequests(visit.maker, scopeSettingsOf(visit.settings)), visit.filter),
      projectId === null ? null : linkableProjectName(db, linkableProjects(visit.maker), projectId),
    ]);
    await recordShareLinkUse(db, visit, now);
    embeddable(res);
    res.render('share/requests', { title: visit.label, label: visit.label, filter: visit.filter, projectName, requests, limit: SHARED_LIST_LIMIT });
  });

  return router;
}
