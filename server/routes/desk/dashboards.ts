import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../app';
import { Forbidden, Invalid } from '../../errors';
import { abilitiesFor, can, RESTRICTION_TEXT } from '../../permissions';
import { visibleDashboards } from '../../permissions/scopes';
import { findDashboard, listDashboards } from '../../repositories/dashboards';
import { listProjects } from '../../repositories/people';
import { isWidgetKind, listWidgets, WIDGET_KINDS } from '../../repositories/widgets';
import { presentWidgetList, presentWidgets } from '../../presenters/dashboards';
import {
  addWidget,
  editWidget,
  authorizeDashboard,
  createDashboard,
  deleteDashboard,
  removeWidget,
  renameDashboard,
  reorderWidget,
} from '../../commands/dashboards';
import { visibleProjects } from '../../permissions/scopes';
import { actorOf, idParam, redirectTo, requestScopeSettings, requestSettings } from '../locals';
import { idField, readForm, typedValues } from '../forms';

const nameForm = z.object({ name: z.string().max(200).default('') });
const widgetForm = z.object({
  kind: z.string().refine(isWidgetKind, 'Choose a widget kind from the list.'),
  title: z.string().trim().max(200).default(''),
  project_id: z.preprocess((v) => (v === '' || v === undefined ? null : v), idField('Choose a project from the list.').nullable()),
  data_scope: z.enum(['viewer_company', 'all'], { message: 'Choose which data customers see.' }).default('viewer_company'),
});
const moveForm = z.object({ direction: z.enum(['up', 'down']) });
const widgetEditForm = widgetForm.omit({ kind: true }).extend({ title: z.string().trim().min(1, 'A widget needs a title of 1 to 200 characters.').max(200, 'A widget needs a title of 1 to 200 characters.') });

export function deskDashboardRoutes({ db }: AppDeps): Router {
  const router = Router();

  /** Whether the viewer may create dashboards, under the `dashboards.creators` setting of this request. */
  const mayCreate = async (req: Request) => can(actorOf(req), 'create', { kind: 'dashboards', creators: (await requestSettings(req, db))['dashboards.creators'] });

  router.get('/dashboards', async (req, res) => {
    const actor = actorOf(req)!;
    const dashboards = await listDashboards(db, visibleDashboards(actor, await requestScopeSettings(req, db)));
    const canCreate = await mayCreate(req);
    res.render('desk/dashboards', { title: 'Dashboards', dashboards, canCreate, restrictionText: RESTRICTION_TEXT, notice: typeof req.query.deleted === 'string' ? 'Dashboard deleted.' : null });
  });

  router.get('/dashboards/new', async (req, res) => {
    if (!(await mayCreate(req))) throw new Forbidden('You may not create dashboards.');
    res.render('desk/dashboard-new', { title: 'New dashboard', error: null, name: '' });
  });

  router.post('/dashboards', async (req, res) => {
    const { name } = typedValues(req.body, 'name');
    // Refused before the name is read: whoever may not create hears so whatever they typed (createDashboard checks again).
    if (!(await mayCreate(req))) throw new Forbidden('You may not create dashboards.');
    try {
      const id = await createDashboard(db, actorOf(req)!, readForm(nameForm, req.body).name);
      redirectTo(res, `/desk/dashboards/${id}/edit`);
    } catch (err) {
      if (err instanceof Invalid) return res.status(422).render('desk/dashboard-new', { title: 'New dashboard', error: err.message, name });
      throw err;
    }
  });

  router.get('/dashboards/:id', async (req, res) => {
    const actor = actorOf(req)!;
    const id = idParam(req.params.id);
    const target = await authorizeDashboard(db, actor, id, 'view', await requestScopeSettings(req, db));
    const dashboard = (await findDashboard(db, id))!;
    const widgets = await presentWidgets(db, actor, await listWidgets(db, id), await requestScopeSettings(req, db));
    res.render('desk/dashboard', { title: dashboard.name, dashboard, widgets, abilities: abilitiesFor(actor, target), restrictionText: RESTRICTION_TEXT });
  });

  const renderEdit = async (req: Request, res: Response, status = 200, error: string | null = null, values: Record<string, string> = {}) => {
    const id = idParam(req.params.id);
    const target = await authorizeDashboard(db, actorOf(req)!, id, 'edit', await requestScopeSettings(req, db));
    res.status(status).render('desk/dashboard-edit', {
      title: 'Edit dashboard',
      dashboard: (await findDashboard(db, id))!,
      widgets: await presentWidgetList(db, actorOf(req), await listWidgets(db, id)),
      projects: await listProjects(db, visibleProjects(actorOf(req))),
      kinds: WIDGET_KINDS,
      abilities: abilitiesFor(actorOf(req), target),
      error,
      notice: status === 200 && typeof req.query.saved === 'string' ? 'Saved.' : null,
      values,
    });
  };

  router.get('/dashboards/:id/edit', (req, res) => renderEdit(req, res));

  const change = (fn: (req: Request, id: number) => Promise<void>, after = (id: number) => `/desk/dashboards/${id}/edit?saved=1`) => async (req: Request, res: Response) => {
    const id = idParam(req.params.id);
    try {
      await fn(req, id);
    } catch (err) {
      if (err instanceof Invalid) return renderEdit(req, res, 422, err.message, typedValues(req.body, 'name', 'kind', 'title', 'project_id', 'data_scope', 'widget_id'));
      throw err;
    }
    redirectTo(res, after(id));
  };

  router.post('/dashboards/:id', change((req, id) => renameDashboard(db, actorOf(req)!, id, readForm(nameForm, req.body).name)));

  router.post(
    '/dashboards/:id/delete',
    change(
      async (req, id) => {
        // One click is not enough: the box beside the button must say yes. Someone who may not
        // delete it gets the refusal of the rights check (403/404), not this message.
        if (typedValues(req.body, 'confirm').confirm !== 'yes') {
          await authorizeDashboard(db, actorOf(req)!, id, 'delete', await requestScopeSettings(req, db));
          throw new Invalid('Tick “Yes, delete …” beside the button to delete the dashboard.');
        }
        await deleteDashboard(db, actorOf(req)!, id);
      },
      () => '/desk/dashboards?deleted=1',
    ),
  );

  router.post(
    '/dashboards/:id/widgets',
    change(async (req, id) => {
      await authorizeDashboard(db, actorOf(req)!, id, 'edit', await requestScopeSettings(req, db));
      const form = readForm(widgetForm, req.body);
      const kind = form.kind as keyof typeof WIDGET_KINDS;
      await addWidget(db, actorOf(req)!, id, { kind, title: form.title || WIDGET_KINDS[kind].label, projectId: form.project_id, dataScope: form.data_scope });
    }),
  );

  router.post(
    '/dashboards/:id/widgets/:widgetId',
    change(async (req, id) => {
      await authorizeDashboard(db, actorOf(req)!, id, 'edit', await requestScopeSettings(req, db));
      const form = readForm(widgetEditForm, req.body);
      await editWidget(db, actorOf(req)!, id, idParam(req.params.widgetId), { title: form.title, projectId: form.project_id, dataScope: form.data_scope });
    }),
  );

  router.post('/dashboards/:id/widgets/:widgetId/delete', change((req, id) => removeWidget(db, actorOf(req)!, id, idParam(req.params.widgetId))));

  router.post(
    '/dashboards/:id/widgets/:widgetId/move',
    change(async (req, id) => {
      await authorizeDashboard(db, actorOf(req)!, id, 'edit', await requestScopeSettings(req, db));
      const form = moveForm.safeParse(req.body ?? {});
      if (!form.success) throw new Invalid('Move a widget up or down.');
      await reorderWidget(db, actorOf(req)!, id, idParam(req.params.widgetId), form.data.direction === 'up' ? -1 : 1);
    }),
  );

  return router;
}
