import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../app';
import { Invalid, NotFound } from '../../errors';
import { abilitiesFor } from '../../permissions';
import { visibleComments } from '../../permissions/scopes';
import {
  findRequestDetail,
  hasVoted,
  customerView,
  listLinkedWorkItems,
  listRequestComments,
  portalProjects,
  REQUEST_TYPES,
} from '../../repositories/requestDetails';
import { authorizeRequest, commentOnRequest, setRequestNotifications, submitRequest, voteOnRequest } from '../../commands/requests';
import { requestEmailChoice } from '../../repositories/emailPreferences';
import { presentPortalRequest } from '../../presenters/requests';
import { actorOf, idParam, publicBaseUrl, redirectTo, requestScopeSettings } from '../locals';
import { safeNextPath } from '../../auth/redirects';
import { sentFiles } from '../uploads';
import { listRequestAttachments } from '../../repositories/attachments';
import { filesOfRequest } from '../../presenters/attachments';
import { commentTextField, NOTHING_TO_SEND, fieldProblems, formProblem as firstMessage, idField, requestTitleField, safeReadForm, typedValues } from '../forms';

const requestForm = z.object({
  project_id: idField('Choose a project.'),
  type: z.enum(REQUEST_TYPES, { message: 'Choose issue, question or idea.' }),
  title: requestTitleField(),
  description: z.string().trim().max(20_000, 'The description can have at most 20,000 characters.').default(''),
  // '' is the form's "the usual for its type" choice (defaultVisibility).
  visibility: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['private', 'company', 'public'], { message: 'Choose who can see the request.' }).optional()),
});

const commentForm = z.object({ body: commentTextField() });

const notificationsForm = z.object({ notify: z.enum(['on', 'off'], { message: 'Choose whether to get email about this request.' }) });

/** Ideas are public unless said otherwise; issues and questions private. */
export function defaultVisibility(type: string): 'private' | 'public' {
  return type === 'idea' ? 'public' : 'private';
}

export function portalRequestRoutes({ db, mailer, config }: AppDeps): Router {
  const router = Router();

  /** `problems`: each refused field's message, shown beside it and listed above the form; `filesDropped`: files came, and must be chosen again. */
  const renderNew = async (res: Response, status: number, values: Record<string, unknown>, error: string | null, problems: Record<string, string> = {}, filesDropped = false) => {
    res.status(status).render('portal/new-request', {
      title: 'New request',
      projects: await portalProjects(db),
      types: REQUEST_TYPES,
      values,
      error,
      problems,
      filesDropped,
    });
  };

  router.get('/requests/new', async (req, res) => {
    const type = typeof req.query.type === 'string' && (REQUEST_TYPES as readonly string[]).includes(req.query.type) ? req.query.type : 'issue';
    await renderNew(res, 200, { type }, null);
  });

  router.post('/requests', async (req, res) => {
    // What was typed goes back into the form as text, one value per field (a field sent twice: its first).
    const values = typedValues(req.body, 'project_id', 'type', 'title', 'description', 'visibility');
    const form = safeReadForm(requestForm, req.body);
    const files = sentFiles(req, res);
    if (!form.success || files.problem) {
      const problems = { ...(form.success ? {} : fieldProblems(form.error)), ...(files.problem ? { files: files.problem } : {}) };
      return renderNew(res, 422, values, form.success ? files.problem : firstMessage(form.error), problems, files.sent);
    }
    try {
      const { project_id, type, title, description, visibility } = form.data;
      const input = { projectId: project_id, type, title, description, visibility: visibility ?? defaultVisibility(type), attachments: files.files };
      const id = await submitRequest(db, mailer, actorOf(req)!, input, publicBaseUrl(req, config));
      redirectTo(res, `/portal/requests/${id}?submitted=1`);
    } catch (err) {
      if (err instanceof Invalid) return renderNew(res, 422, values, err.message, Object.fromEntries(Object.keys(err.fields).map((k) => [k, err.message])), files.sent);
      throw err;
    }
  });

  const notificationNotice = (query: Request['query']): string | null => {
    if (query.notifications === 'on') return 'You will get email about this request again.';
    if (query.notifications === 'off') return 'You will get no more email about this request.';
    if (query.file === 'file_removed') return 'File removed.';
    return null;
  };

  const renderRequest = async (req: Request, res: Response, status = 200, error: string | null = null, draft = '', emailError: string | null = null) => {
    const actor = actorOf(req)!;
    const id = idParam(req.params.id);
    const target = await authorizeRequest(db, actor, id, 'view', await requestScopeSettings(req, db));
    const abilities = abilitiesFor(actor, target);
    const [detail, comments, files, linked, voted, email] = await Promise.all([
      findRequestDetail(db, id),
      listRequestComments(db, id, visibleComments(actor)),
      listRequestAttachments(db, id, visibleComments(actor)).then((f) => filesOfRequest(f, actor, target)),
      listLinkedWorkItems(db, id).then(customerView),
      hasVoted(db, id, actor.id),
      // What the page says about the request's email, to the customer who raised it only.
      abilities.manage_notifications ? requestEmailChoice(db, id, actor.id) : null,
    ]);
    if (!detail) throw new NotFound();
    const submitted = email === 'on' ? 'Request submitted. You will get an email when the team replies.' : 'Request submitted.';
    res.status(status).render('portal/request', {
      title: detail.title,
      request: presentPortalRequest(detail),
      comments,
      files,
      filesDropped: res.locals.filesDropped === true,
      fileProblem: typeof res.locals.fileProblem === 'string' ? res.locals.fileProblem : null,
      linked,
      voted,
      abilities,
      email,
      emailError,
      error,
      notice: status !== 200 ? null : typeof req.query.submitted === 'string' ? submitted : notificationNotice(req.query),
      draft,
    });
  };

  router.get('/requests/:id', (req, res) => renderRequest(req, res));

  router.post('/requests/:id/comments', async (req, res) => {
    const id = idParam(req.params.id);
    const form = safeReadForm(commentForm, req.body);
    const files = sentFiles(req, res);
    const nothing = form.success && form.data.body === '' && files.files.length === 0 && !files.problem;
    if (!form.success || files.problem || nothing) {
      await authorizeRequest(db, actorOf(req)!, id, 'comment', await requestScopeSettings(req, db));
      res.locals.filesDropped = files.sent;
      res.locals.fileProblem = files.problem;
      return renderRequest(req, res, 422, !form.success ? firstMessage(form.error) : (files.problem ?? NOTHING_TO_SEND), typedValues(req.body, 'body').body);
    }
    try {
      await commentOnRequest(db, mailer, actorOf(req)!, id, form.data.body, false, publicBaseUrl(req, config), files.files);
    } catch (err) {
      // No room left on the request for the files: the comment shown again, the files asked for again.
      if (!(err instanceof Invalid)) throw err;
      res.locals.filesDropped = files.sent;
      res.locals.fileProblem = err.message;
      return renderRequest(req, res, 422, err.message, form.data.body);
    }
    redirectTo(res, `/portal/requests/${id}#comments`);
  });

  router.post('/requests/:id/notifications', async (req, res) => {
    const id = idParam(req.params.id);
    const form = safeReadForm(notificationsForm, req.body);
    if (!form.success) {
      await authorizeRequest(db, actorOf(req)!, id, 'manage_notifications', await requestScopeSettings(req, db));
      return renderRequest(req, res, 422, null, '', firstMessage(form.error));
    }
    await setRequestNotifications(db, actorOf(req)!, id, form.data.notify === 'on');
    redirectTo(res, `/portal/requests/${id}?notifications=${form.data.notify}#email`);
  });

  for (const [path, vote] of [['vote', true], ['unvote', false]] as const) {
    router.post(`/requests/:id/${path}`, async (req, res) => {
      const id = idParam(req.params.id);
      await voteOnRequest(db, actorOf(req)!, id, vote);
      if (req.accepts(['html', 'json']) === 'json') {
        const detail = await findRequestDetail(db, id);
        res.json({ id, voted: vote, votes: detail?.voteCount ?? 0 });
        return;
      }
      const back = safeNextPath((req.body as Record<string, unknown> | undefined)?.next);
      // Back where the button was (its list item), not at the top of a long list.
      redirectTo(res, back ? (back.includes('#') ? back : `${back}#request-${id}`) : `/portal/requests/${id}`);
    });
  }

  return router;
}
