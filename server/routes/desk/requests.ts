import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../app';
import { Invalid } from '../../errors';
import { abilitiesFor } from '../../permissions';
import { visibleComments, visibleWorkItems } from '../../permissions/scopes';
import {
  findRequestDetail,
  listLinkedWorkItems,
  listRequestComments,
  listVoters,
  REQUEST_STATUSES,
} from '../../repositories/requestDetails';
import { listWorkItems } from '../../repositories/workItems';
import { projectStaff } from '../../repositories/staffOptions';
import { authorizeRequest, changeRequestStatus, commentOnRequest } from '../../commands/requests';
import { assignRequest, linkWorkItem, unlinkWorkItem } from '../../commands/deskRequests';
import { actorOf, idParam, publicBaseUrl, redirectTo, requestScopeSettings } from '../locals';
import { directAccessPanel } from '../../presenters/directAccess';
import { entityTypeByStored } from '../../permissions/entityTypes';

const replyForm = z.object({
  body: z.string().trim().min(1, 'Write something first.').max(20_000, 'At most 20,000 characters.'),
  internal: z.enum(['true', 'false', 'on']).optional(),
});
const statusForm = z.object({ status: z.enum(REQUEST_STATUSES, { message: 'Choose a status from the list.' }) });
const assignForm = z.object({ assignee_id: z.union([z.literal(''), z.coerce.number().int().positive().max(2 ** 31 - 1)], { message: 'Choose someone from the list.' }) });
const linkForm = z.object({ work_item_id: z.coerce.number({ message: 'Choose a work item.' }).int().positive().max(2 ** 31 - 1) });

export function deskRequestRoutes({ db, mailer, config }: AppDeps): Router {
  const router = Router();

  const render = async (req: Request, res: Response, status = 200, error: string | null = null, draft = '') => {
    const actor = actorOf(req)!;
    const id = idParam(req.params.id);
    const target = await authorizeRequest(db, actor, id, 'view', await requestScopeSettings(req, db));
    const settings = await requestScopeSettings(req, db);
    const detail = await findRequestDetail(db, id);
    if (!detail) return;
    const [comments, linked, voters, staff, items] = await Promise.all([
      listRequestComments(db, id, visibleComments(actor)),
      listLinkedWorkItems(db, id, visibleWorkItems(actor, settings)),
      listVoters(db, id),
      projectStaff(db, detail.projectId),
      listWorkItems(db, visibleWorkItems(actor, settings), { projectId: detail.projectId, limit: 500 }),
    ]);
    res.status(status).render('desk/request', {
      title: `#${id} ${detail.title}`,
      request: detail,
      comments,
      linked,
      voters,
      staff,
      linkable: items.filter((w) => !linked.some((l) => l.id === w.id)),
      statuses: REQUEST_STATUSES,
      abilities: abilitiesFor(actor, target),
      directAccess: await directAccessPanel(db, actor, entityTypeByStored('request')!, target),
      error,
      draft,
    });
  };

  /** Runs a change; a broken rule or bad input re-renders the page with its message. */
  const action = (fn: (req: Request, id: number) => Promise<void>) => async (req: Request, res: Response) => {
    const id = idParam(req.params.id);
    try {
      await fn(req, id);
    } catch (err) {
      if (err instanceof Invalid) {
        await authorizeRequest(db, actorOf(req)!, id, 'view', await requestScopeSettings(req, db));
        return render(req, res, 422, err.message, String((req.body as Record<string, unknown> | undefined)?.body ?? ''));
      }
      throw err;
    }
    redirectTo(res, `/desk/requests/${id}`);
  };

  function parse<T>(schema: z.ZodType<T>, body: unknown): T {
    const r = schema.safeParse(body ?? {});
    if (!r.success) throw new Invalid(r.error.issues[0]?.message ?? 'Check the form.');
    return r.data;
  }

  router.get('/requests/:id', (req, res) => render(req, res));

  router.post(
    '/requests/:id/comments',
    action(async (req, id) => {
      const form = parse(replyForm, req.body);
      await authorizeRequest(db, actorOf(req)!, id, form.internal && form.internal !== 'false' ? 'internal_note' : 'comment', await requestScopeSettings(req, db));
      await commentOnRequest(db, mailer, actorOf(req)!, id, form.body, Boolean(form.internal && form.internal !== 'false'), publicBaseUrl(req, config));
    }),
  );

  router.post(
    '/requests/:id/status',
    action(async (req, id) => {
      await authorizeRequest(db, actorOf(req)!, id, 'edit', await requestScopeSettings(req, db));
      await changeRequestStatus(db, mailer, actorOf(req)!, id, parse(statusForm, req.body).status, publicBaseUrl(req, config));
    }),
  );

  router.post(
    '/requests/:id/assign',
    action(async (req, id) => {
      await authorizeRequest(db, actorOf(req)!, id, 'edit', await requestScopeSettings(req, db));
      const { assignee_id } = parse(assignForm, req.body);
      await assignRequest(db, actorOf(req)!, id, assignee_id === '' ? null : assignee_id);
    }),
  );

  router.post(
    '/requests/:id/links',
    action(async (req, id) => {
      await authorizeRequest(db, actorOf(req)!, id, 'edit', await requestScopeSettings(req, db));
      await linkWorkItem(db, actorOf(req)!, id, parse(linkForm, req.body).work_item_id);
    }),
  );

  router.post(
    '/requests/:id/links/:itemId/delete',
    action(async (req, id) => {
      await unlinkWorkItem(db, actorOf(req)!, id, idParam(req.params.itemId));
    }),
  );

  return router;
}
