import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../app';
import type { Db } from '../../db';
import { Invalid, NotFound } from '../../errors';
import { abilitiesFor } from '../../permissions';
import { visibleComments, visibleWorkItems } from '../../permissions/scopes';
import {
  findRequestDetail,
  listLinkedWorkItems,
  listRequestComments,
  listVoters,
  REQUEST_STATUSES,
  REQUEST_TYPES,
} from '../../repositories/requestDetails';
import { REQUEST_VISIBILITIES } from '../../permissions/policies/requests';
import { requestEmailChoice } from '../../repositories/emailPreferences';
import { listWorkItems } from '../../repositories/workItems';
import { projectStaff } from '../../repositories/staffOptions';
import { listRequestEvents } from '../../repositories/requestEvents';
import { authorizeRequest, changeRequestStatus, commentOnRequest } from '../../commands/requests';
import { assignRequest, editRequestDetails, linkWorkItem, unlinkWorkItem } from '../../commands/deskRequests';
import { actorOf, idParam, publicBaseUrl, redirectTo, requestScopeSettings } from '../locals';
import { commentTextField, idField, lastValue, NOTHING_TO_SEND, readForm, requestTitleField, typedValues } from '../forms';
import { directAccessNotice, directAccessPanel } from '../../presenters/directAccess';
import { entityTypeByStored } from '../../permissions/entityTypes';
import { filesOrRefuse, uploadCutShort } from '../uploads';
import { listRequestAttachments } from '../../repositories/attachments';
import { filesOfRequest } from '../../presenters/attachments';

const replyForm = z.object({
  body: commentTextField(),
  // The box follows a hidden "false" of the same name (so a form cut short is told apart): its last value.
  internal: z.preprocess(lastValue, z.enum(['true', 'false', 'on']).optional()),
});
const statusForm = z.object({ status: z.enum(REQUEST_STATUSES, { message: 'Choose a status from the list.' }) });
const assignForm = z.object({ assignee_id: z.union([z.literal(''), idField()], { message: 'Choose someone from the list.' }) });
const linkForm = z.object({ work_item_id: idField('Choose a work item.') });
const detailsForm = z.object({
  title: requestTitleField(),
  type: z.enum(REQUEST_TYPES, { message: 'Choose a type from the list.' }),
  visibility: z.enum(REQUEST_VISIBILITIES, { message: 'Choose who may see it from the list.' }),
});

/** Whether the reply form asked for an internal note ("Internal note" ticked). */
function asksInternal(body: unknown): boolean {
  return ['true', 'on'].includes(String(lastValue((body as Record<string, unknown> | undefined)?.internal) ?? ''));
}

/**
 * The desk's request page for request `id`, as its viewer may see it: `error`, `draft` and
 * `draftInternal` show a refused reply again; the direct-access panel shows its own refusal
 * from res.locals.directAccessForm (routes/desk/directAccess.ts).
 */
export async function renderDeskRequest(db: Db, req: Request, res: Response, id: number, status = 200, error: string | null = null, draft = '', draftInternal = false): Promise<void> {
  const actor = actorOf(req)!;
  const target = await authorizeRequest(db, actor, id, 'view', await requestScopeSettings(req, db));
  const settings = await requestScopeSettings(req, db);
  const detail = await findRequestDetail(db, id);
  if (!detail) throw new NotFound();
  const [comments, files, linked, voters, staff, items, history, customerEmail] = await Promise.all([
    listRequestComments(db, id, visibleComments(actor)),
    listRequestAttachments(db, id, visibleComments(actor)).then((f) => filesOfRequest(f, actor, target)),
    listLinkedWorkItems(db, id, visibleWorkItems(actor, settings)),
    listVoters(db, id),
    projectStaff(db, detail.projectId),
    listWorkItems(db, visibleWorkItems(actor, settings), { projectId: detail.projectId, limit: 500 }),
    listRequestEvents(db, id),
    // Whether a reply or a status change reaches the customer by email, so staff are not surprised.
    requestEmailChoice(db, id, detail.requesterId),
  ]);
  const panel = await directAccessPanel(db, actor, entityTypeByStored('request')!, target);
  res.status(status).render('desk/request', {
    title: `#${id} ${detail.title}`,
    request: detail,
    comments,
    files,
    filesDropped: res.locals.filesDropped === true,
    fileProblem: typeof res.locals.fileProblem === 'string' ? res.locals.fileProblem : null,
    linked,
    voters,
    staff,
    history,
    customerEmail,
    linkable: items.filter((w) => !linked.some((l) => l.id === w.id)),
    statuses: REQUEST_STATUSES,
    types: REQUEST_TYPES,
    visibilities: REQUEST_VISIBILITIES,
    abilities: abilitiesFor(actor, target),
    directAccess: panel,
    error,
    notice: status === 200 ? (doneNotice(req.query) ?? directAccessNotice(req.query, panel)) : null,
    draft,
    draftInternal,
  });
}

/** What the page says after a change went through (`?done=`), so a reply or a status change is not silent. */
const DONE_NOTICES = {
  replied: 'Reply sent.',
  noted: 'Internal note added (customers never see it).',
  status: 'Status changed.',
  assigned: 'Assignee changed.',
  details: 'Details saved.',
  linked: 'Work item linked.',
  unlinked: 'Work item unlinked.',
  unchanged: 'Nothing changed: it was already so.',
  file_removed: 'File removed.',
} as const;

function doneNotice(query: Request['query']): string | null {
  const done = query.done;
  return typeof done === 'string' && Object.hasOwn(DONE_NOTICES, done) ? DONE_NOTICES[done as keyof typeof DONE_NOTICES] : null;
}

export function deskRequestRoutes({ db, mailer, config }: AppDeps): Router {
  const router = Router();

  const render = (req: Request, res: Response, status = 200, error: string | null = null, draft = '', draftInternal = false) =>
    renderDeskRequest(db, req, res, idParam(req.params.id), status, error, draft, draftInternal);

  /**
   * Runs a change; a broken rule or bad input re-renders the page with its message, success
   * goes back to the page with `done` naming what happened (DONE_NOTICES), so it says so.
   */
  const action = (fn: (req: Request, id: number, res: Response) => Promise<void | boolean>, done: (req: Request) => keyof typeof DONE_NOTICES) => async (req: Request, res: Response) => {
    const id = idParam(req.params.id);
    let changed: void | boolean;
    try {
      changed = await fn(req, id, res);
    } catch (err) {
      if (err instanceof Invalid) {
        await authorizeRequest(db, actorOf(req)!, id, 'view', await requestScopeSettings(req, db));
        // The draft comes back as it was: its text, and still an internal note if it was one;
        // the details form, as typed.
        res.locals.typedDetails = typedValues(req.body, 'title', 'type', 'visibility');
        // Cut short by a file, the form may have lost fields sent after it: shown again as an
        // internal note, never as a reply to the customer the sender may not have meant.
        return render(req, res, 422, err.message, typedValues(req.body, 'body').body, asksInternal(req.body) || (uploadCutShort(res) && !('internal' in (req.body ?? {}))));
      }
      throw err;
    }
    // A change that found nothing to change (the same status, the same assignee) says so.
    redirectTo(res, `/desk/requests/${id}?done=${changed === false ? 'unchanged' : done(req)}`);
  };

  router.get('/requests/:id', (req, res) => render(req, res));

  router.post(
    '/requests/:id/comments',
    action(async (req, id, res) => {
      // Who may write comes before what was written: an observer's blank reply is a 403 too.
      const internal = asksInternal(req.body);
      await authorizeRequest(db, actorOf(req)!, id, internal ? 'internal_note' : 'comment', await requestScopeSettings(req, db));
      // A refused reply is shown again with its text; its files must be chosen again.
      const files = filesOrRefuse(req, res);
      const form = readForm(replyForm, req.body);
      if (form.body === '' && files.length === 0) throw new Invalid(NOTHING_TO_SEND, { body: 'empty' });
      await commentOnRequest(db, mailer, actorOf(req)!, id, form.body, internal, publicBaseUrl(req, config), files);
    }, (req) => (asksInternal(req.body) ? 'noted' : 'replied')),
  );

  router.post(
    '/requests/:id/status',
    action(async (req, id) => {
      await authorizeRequest(db, actorOf(req)!, id, 'edit', await requestScopeSettings(req, db));
      return changeRequestStatus(db, mailer, actorOf(req)!, id, readForm(statusForm, req.body).status, publicBaseUrl(req, config));
    }, () => 'status'),
  );

  router.post(
    '/requests/:id/assign',
    action(async (req, id) => {
      await authorizeRequest(db, actorOf(req)!, id, 'edit', await requestScopeSettings(req, db));
      const { assignee_id } = readForm(assignForm, req.body);
      return assignRequest(db, mailer, actorOf(req)!, id, assignee_id === '' ? null : assignee_id, publicBaseUrl(req, config));
    }, () => 'assigned'),
  );

  router.post(
    '/requests/:id/details',
    action(async (req, id) => {
      await authorizeRequest(db, actorOf(req)!, id, 'edit', await requestScopeSettings(req, db));
      return editRequestDetails(db, actorOf(req)!, id, readForm(detailsForm, req.body));
    }, () => 'details'),
  );

  router.post(
    '/requests/:id/links',
    action(async (req, id) => {
      await authorizeRequest(db, actorOf(req)!, id, 'edit', await requestScopeSettings(req, db));
      await linkWorkItem(db, actorOf(req)!, id, readForm(linkForm, req.body).work_item_id);
    }, () => 'linked'),
  );

  router.post(
    '/requests/:id/links/:itemId/delete',
    action(async (req, id) => {
      await unlinkWorkItem(db, actorOf(req)!, id, idParam(req.params.itemId));
    }, () => 'unlinked'),
  );

  return router;
}
