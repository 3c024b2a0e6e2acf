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

export const SEARCH_MAX = 200;
const SORT_LABELS: Record<QueueSort, string> = { activity: 'Latest activity', oldest: 'Oldest first', newest: 'Newest first', votes: 'Most votes' };
const optionalId = z.coerce.number().int().positive().max(2 ** 31 - 1).optional().catch(undefined);
const query = z.object({
  status: z.enum(REQUEST_STATUSES).optional().catch(undefined),
  type: z.enum(REQUEST_TYPES).optional().catch(undefined),
  project: optionalId,
  company: optionalId,
  company_name: z.string().trim().max(200).optional().catch(undefined),
  requester: optionalId,
  assignee: z.union([z.literal('none'), z.coerce.number().int().positive().max(2 ** 31 - 1)]).optional().catch(undefined),
  q: z.string().trim().max(SEARCH_MAX).optional().catch(undefined),
  waiting: z.literal('1').optional().catch(undefined),
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
    // A search too long to run is said so, and kept in the box to shorten, not silently dropped.
    const typedSearch = typeof req.query.q === 'string' ? req.query.q.trim() : '';
    const searchTooLong = typedSearch.length > SEARCH_MAX ? typedSearch.slice(0, 2 * SEARCH_MAX) : null;
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
      waiting: q.waiting === '1',
    };
    // The tabs count the filter's total as well: listQueue takes it from them. Added up from
    // the request tallies where the filter allows (exact), else counted from the rows (capped).
    const tabs = countByStatus(db, scope, filter, REQUEST_STATUSES, queueTallyScope(actorOf(req), settings));
    const [result, counts, options] = await Promise.all([listQueue(db, scope, filter, q.sort, q.page, 50, tabs), tabs, queueFilterOptions(db, actorOf(req), settings)]);
    const pages = Math.max(1, Math.ceil(result.total / result.pageSize));
    if (result.items.length === 0 && q.page > pages && !result.totalCapped) {
      // Past the last page (a bookmark, requests closed since): the last page there is.
      const last = new URLSearchParams(sent.filter(([k]) => k !== 'page'));
      if (pages > 1) last.set('page', String(pages));
      return redirectTo(res, `/desk${last.size ? `?${last}` : ''}`, 302);
    }
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries({ status: q.status, type: q.type, project: q.project, company: q.company, company_name: q.company_name, requester: q.requester, assignee: q.assignee, q: q.q, waiting: q.waiting, sort: q.sort === 'activity' ? undefined : q.sort })) {
      if (v !== undefined && v !== '') params[k] = String(v);
    }
    const filtered = Object.keys(params).some((k) => k !== 'sort') || searchTooLong !== null;
    res.render('desk/queue', { title: 'Request queue', me: actorOf(req)!.id, result, counts, options, q, params, filtered, searchTooLong, searchMax: SEARCH_MAX, statuses: REQUEST_STATUSES, types: REQUEST_TYPES, sorts: Object.keys(QUEUE_SORTS), sortLabels: SORT_LABELS });
  });
  return router;
}
