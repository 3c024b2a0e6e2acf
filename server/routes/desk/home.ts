import { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../app';
import { visibleRequests } from '../../permissions/scopes';
import { queueTallyScope } from '../../permissions/tallyScopes';
import { listQueue, queueFilterOptions, QUEUE_SORTS, type QueueSort } from '../../repositories/queue';
import { countByStatus } from '../../repositories/queueCounts';
import type { QueueFilter } from '../../repositories/queueFilter';
import { REQUEST_STATUSES, REQUEST_TYPES } from '../../repositories/requestDetails';
import { actorOf, redirectTo, requestScopeSettings } from '../locals';

const optionalId = z.coerce.number().int().positive().max(2 ** 31 - 1).optional().catch(undefined);
const query = z.object({
  status: z.enum(REQUEST_STATUSES).optional().catch(undefined),
  type: z.enum(REQUEST_TYPES).optional().catch(undefined),
  project: optionalId,
  company: optionalId,
  company_name: z.string().trim().max(200).optional().catch(undefined),
  requester: optionalId,
  assignee: z.union([z.literal('none'), z.coerce.number().int().positive().max(2 ** 31 - 1)]).optional().catch(undefined),
  q: z.string().trim().max(200).optional().catch(undefined),
  sort: z.enum(Object.keys(QUEUE_SORTS) as [QueueSort, ...QueueSort[]]).catch('activity'),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});

export function deskHomeRoutes({ db }: AppDeps): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    // The filter form sends every field, the empty ones too: answer with the address of what was chosen.
    const sent = Object.entries(req.query).filter((e): e is [string, string] => typeof e[1] === 'string');
    if (sent.some(([k, v]) => v === '' || (k === 'sort' && v === 'activity'))) {
      const kept = new URLSearchParams(sent.filter(([k, v]) => v !== '' && !(k === 'sort' && v === 'activity')));
      return redirectTo(res, `/desk${kept.size ? `?${kept}` : ''}`, 302);
    }
    const q = query.parse(req.query);
    const settings = await requestScopeSettings(req, db);
    const scope = visibleRequests(actorOf(req), settings);
    const filter: QueueFilter = {
      status: q.status,
      type: q.type,
      projectId: q.project,
      companyId: q.company,
      companyName: q.company_name || undefined,
      requesterId: q.requester,
      assignee: q.assignee,
      q: q.q || undefined,
    };
    // The tabs count the filter's total as well: listQueue takes it from them. Added up from
    // the request tallies where the filter allows (exact), else counted from the rows (capped).
    const tabs = countByStatus(db, scope, filter, REQUEST_STATUSES, queueTallyScope(actorOf(req), settings));
    const [result, counts, options] = await Promise.all([listQueue(db, scope, filter, q.sort, q.page, 50, tabs), tabs, queueFilterOptions(db, actorOf(req), settings)]);
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries({ status: q.status, type: q.type, project: q.project, company: q.company, company_name: q.company_name, requester: q.requester, assignee: q.assignee, q: q.q, sort: q.sort === 'activity' ? undefined : q.sort })) {
      if (v !== undefined && v !== '') params[k] = String(v);
    }
    res.render('desk/queue', { title: 'Request queue', result, counts, options, q, params, statuses: REQUEST_STATUSES, types: REQUEST_TYPES, sorts: Object.keys(QUEUE_SORTS) });
  });
  return router;
}
