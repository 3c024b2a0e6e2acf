/**
 * POST /desk/requests/bulk: the queue's "with the ticked requests" form. A refusal shows the
 * queue again, as it was (its filters, page and ticks), with the message; success goes back
 * to that queue saying how many requests changed.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../app';
import { BULK_MAX, changeRequestsInBulk, checkBulkSelection, type BulkChange } from '../../commands/bulkRequests';
import { Forbidden, Invalid } from '../../errors';
import { staffMayChangeEntities } from '../../permissions';
import { REQUEST_STATUSES } from '../../repositories/requestDetails';
import { actorOf, publicBaseUrl, redirectTo, requestScopeSettings } from '../locals';
import { idField, readForm, typedValues } from '../forms';
import { parseQueueQuery, queueParams, renderQueue } from './home';

const NONE_TICKED = 'Tick the requests to change first.';

const changeForm = z.discriminatedUnion('action', [
  z.object({ action: z.literal('status'), status: z.enum(REQUEST_STATUSES, { message: 'Choose a status from the list.' }) }),
  z.object({ action: z.literal('assign'), assignee_id: z.union([z.literal(''), idField()], { message: 'Choose someone from the list.' }) }),
], { message: 'Choose “Set status” or “Assign”.' });

/** The ticked request ids: one field sent once per tick. */
function tickedIds(body: unknown): number[] {
  const raw = (body as Record<string, unknown> | undefined)?.ids;
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (values.length === 0) throw new Invalid(NONE_TICKED, { ids: 'none' });
  if (values.length > BULK_MAX) throw new Invalid(`Tick at most ${BULK_MAX} requests at a time (you ticked ${values.length}).`, { ids: 'too many' });
  const ids = values.map((v) => idField().safeParse(v));
  if (ids.some((r) => !r.success)) throw new Invalid('Tick requests from the list.', { ids: 'unknown' });
  return [...new Set(ids.map((r) => r.data!))];
}

/** The ticks to show again on a refused form: every id that could be one. */
function ticksOf(body: unknown): number[] {
  const raw = (body as Record<string, unknown> | undefined)?.ids;
  const values = Array.isArray(raw) ? raw : [raw];
  return values.flatMap((v) => {
    const id = idField().safeParse(v);
    return id.success ? [id.data] : [];
  });
}

/** The queue the form was sent from (its filters, sort and page), from the form's `back` field. */
function queueOf(body: unknown): Record<string, string> {
  const back = typedValues(body, 'back').back ?? '';
  return Object.fromEntries(new URLSearchParams(back.length <= 2000 ? back : ''));
}

export function deskBulkRoutes({ db, mailer, config }: AppDeps): Router {
  const router = Router();

  router.post('/requests/bulk', async (req: Request, res: Response) => {
    const actor = actorOf(req)!;
    const from = queueOf(req.body);
    try {
      // Who may change comes before what was sent: an observer's empty form is a 403 too.
      if (!staffMayChangeEntities(actor)) throw new Forbidden('Observers cannot change requests.');
      const selected = tickedIds(req.body);
      await checkBulkSelection(db, actor, selected, await requestScopeSettings(req, db));
      const form = readForm(changeForm, req.body);
      const change: BulkChange = form.action === 'status' ? { kind: 'status', status: form.status } : { kind: 'assign', assigneeId: form.assignee_id === '' ? null : form.assignee_id };
      const outcome = await changeRequestsInBulk(db, mailer, actor, selected, change, publicBaseUrl(req, config));
      const done = new URLSearchParams(queueParams(parseQueueQuery(from), true));
      done.set('done', change.kind === 'status' ? 'bulk-status' : 'bulk-assign');
      done.set('changed', String(outcome.changed));
      done.set('unchanged', String(outcome.unchanged));
      redirectTo(res, `/desk?${done}`);
    } catch (err) {
      if (!(err instanceof Invalid) && !(err instanceof Forbidden)) throw err;
      const typed = typedValues(req.body, 'action', 'status', 'assignee_id');
      await renderQueue(db, req, res, from, err.status, { error: err.message, selected: ticksOf(req.body), typed });
    }
  });

  return router;
}
