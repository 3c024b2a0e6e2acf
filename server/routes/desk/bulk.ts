/**
 * POST /desk/requests/bulk: the queue's "with the ticked requests" form. A refusal shows the
 * queue again, as it was (its filters, page and ticks), with the message; success goes back
 * to that queue saying how many requests changed.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../app';
import { BULK_MAX, changeRequestsInBulk, type BulkChange } from '../../commands/bulkRequests';
import { Forbidden, Invalid } from '../../errors';
import { staffMayChangeEntities } from '../../permissions';
import { REQUEST_STATUSES } from '../../repositories/requestDetails';
import { actorOf, publicBaseUrl, redirectTo } from '../locals';
import { idField, lastValue, MAX_ID, readForm, typedValues } from '../forms';
import { parseQueueQuery, queueParams, renderQueue } from './queuePage';

// '' is "leave as it is"; the assignee's "none" unassigns.
const changeForm = z
  .object({
    status: z.union([z.literal(''), z.enum(REQUEST_STATUSES)], { message: 'Choose a status from the list.' }).default(''),
    assignee_id: z.union([z.literal(''), z.literal('none'), idField()], { message: 'Choose someone from the list.' }).default(''),
    // A ticked box follows its hidden "false": the last value is the choice; none sent is the default, yes.
    email_customers: z.preprocess(lastValue, z.enum(['true', 'false'], { message: 'Choose whether to email the customers.' })).default('true'),
  })
  .refine((f) => f.status !== '' || f.assignee_id !== '', { message: 'Choose a status or an assignee to set.', path: ['status'] });

function changeOf(body: unknown): BulkChange {
  const form = readForm(changeForm, body);
  return {
    ...(form.status === '' ? {} : { status: form.status }),
    ...(form.assignee_id === '' ? {} : { assigneeId: form.assignee_id === 'none' ? null : form.assignee_id }),
    emailCustomers: form.email_customers === 'true',
  };
}

/**
 * The ticked request ids (one `ids` field per tick, digits only), each once, and the problem
 * with them if any; the ids are kept either way, to tick again on the form shown again.
 */
function readTicks(body: unknown): { ids: number[]; problem: Invalid | null } {
  const raw = (body as Record<string, unknown> | undefined)?.ids;
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const ids = [...new Set(values.filter((v): v is string => typeof v === 'string' && /^[1-9]\d{0,9}$/.test(v)).map(Number).filter((n) => n <= MAX_ID))];
  if (values.length === 0) return { ids, problem: new Invalid('Tick the requests to change first.', { ids: 'none' }) };
  if (ids.length !== new Set(values).size) return { ids, problem: new Invalid('Tick requests from the list.', { ids: 'unknown' }) };
  if (ids.length > BULK_MAX) return { ids, problem: new Invalid(`Tick at most ${BULK_MAX} requests at a time (you ticked ${ids.length}).`, { ids: 'too many' }) };
  return { ids, problem: null };
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
    const ticks = readTicks(req.body);
    try {
      // Who may change comes before what was sent: an observer's empty form is a 403 too.
      if (!staffMayChangeEntities(actor)) throw new Forbidden('Observers cannot change requests.');
      if (ticks.problem) throw ticks.problem;
      const outcome = await changeRequestsInBulk(db, mailer, actor, ticks.ids, () => changeOf(req.body), publicBaseUrl(req, config));
      const done = new URLSearchParams(queueParams(parseQueueQuery(from), true));
      done.set('done', 'bulk');
      done.set('changed', outcome.changed.join(','));
      done.set('unchanged', String(outcome.unchanged));
      redirectTo(res, `/desk?${done}`);
    } catch (err) {
      if (!(err instanceof Invalid) && !(err instanceof Forbidden)) throw err;
      await renderQueue(db, req, res, from, err.status, { error: err.message, selected: ticks.ids, typed: { ...typedValues(req.body, 'status', 'assignee_id'), email_customers: String(lastValue((req.body as Record<string, unknown> | undefined)?.email_customers) ?? 'true') } });
    }
  });

  return router;
}
