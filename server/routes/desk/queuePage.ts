/**
 * The desk's request queue page: its query (filters, sort, page) and how it is shown, for
 * GET /desk and for a refused bulk change (routes/desk/bulk.ts), which shows the queue it
 * came from again with its message and ticks.
 */
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Db } from '../../db';
import { BULK_MAX, requestNumbers } from '../../commands/bulkRequests';
import { can, staffMayChangeEntities, type Actor } from '../../permissions';
import { visibleRequests, type ScopeSettings } from '../../permissions/scopes';
import { queueTallyScope } from '../../permissions/tallyScopes';
import { loadRequestTargets } from '../../repositories/accessFacts';
import { listQueue, queueFilterOptions, QUEUE_SORTS, type QueueSort } from '../../repositories/queue';
import { countByStatus } from '../../repositories/queueCounts';
import type { QueueFilter } from '../../repositories/queueFilter';
import { REQUEST_STATUSES, REQUEST_TYPES } from '../../repositories/requestDetails';
import { staffOfProjects } from '../../repositories/staffOptions';
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

/** What the bulk form sent back when it was refused: its message, and the ticks and choices to show again. */
export interface BulkState {
  error: string;
  selected: number[];
  typed: Record<string, string>;
}

/** The queue's own query (filters, sort, page) as the address keeps it: only what was chosen, the default sort left out. */
export function queueParams(q: z.infer<typeof query>, withPage = false): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries({ status: q.status, type: q.type, project: q.project, company: q.company, company_name: q.company_name, requester: q.requester, assignee: q.assignee, q: q.q, waiting: q.waiting, sort: q.sort === 'activity' ? undefined : q.sort })) {
    if (v !== undefined && v !== '') params[k] = String(v);
  }
  if (withPage && q.page > 1) params.page = String(q.page);
  return params;
}

export function parseQueueQuery(raw: unknown): z.infer<typeof query> {
  return query.parse(raw ?? {});
}

/** What the queue says after a bulk change (`?done=bulk&changed=3,7&unchanged=1`): how many, and which (they may have left the filtered list). */
function bulkNotice(raw: Record<string, unknown>): string | null {
  if (raw.done !== 'bulk') return null;
  const listed = typeof raw.changed === 'string' && /^\d{1,10}(,\d{1,10}){0,49}$/.test(raw.changed) ? raw.changed.split(',').map(Number) : [];
  const unchanged = typeof raw.unchanged === 'string' && /^\d{1,2}$/.test(raw.unchanged) ? Number(raw.unchanged) : 0;
  const n = listed.length;
  const parts = [n ? `${n} request${n === 1 ? '' : 's'} changed: ${requestNumbers(listed)}.` : 'Nothing changed.'];
  if (unchanged) parts.push(unchanged === 1 ? '1 request was already so.' : `${unchanged} requests were already so.`);
  return parts.join(' ');
}

/**
 * Which rows of the page the viewer may change (a tick each), asked of the policy row by row
 * from one statement, and whom they may assign them to: the staff of those rows' projects
 * only, as each request's own page offers them to its editors. Observers change nothing: not
 * even the statement is run for them.
 */
async function bulkChoices(db: Db, actor: Actor, ids: number[], settings: ScopeSettings): Promise<{ editable: Set<number>; assignees: { id: number; name: string }[] }> {
  if (!staffMayChangeEntities(actor) || ids.length === 0) return { editable: new Set(), assignees: [] };
  const targets = [...(await loadRequestTargets(db, actor, ids, settings)).values()].filter((t) => can(actor, 'edit', t));
  if (targets.length === 0) return { editable: new Set(), assignees: [] };
  return { editable: new Set(targets.map((t) => t.id)), assignees: await staffOfProjects(db, [...new Set(targets.map((t) => t.project.id))]) };
}

/**
 * The queue for the filters of `raw` (a query string, or the one a refused bulk form came
 * from): `bulk` shows that form's refusal with its ticks kept, under `status`.
 */
export async function renderQueue(db: Db, req: Request, res: Response, raw: Record<string, unknown>, status = 200, bulk: BulkState | null = null): Promise<void> {
  const q = query.parse(raw);
  // A search too long to run is said so, and kept in the box to shorten, not silently dropped.
  const typedSearch = typeof raw.q === 'string' ? raw.q.trim() : '';
  const searchTooLong = typedSearch.length > SEARCH_MAX ? typedSearch.slice(0, 2 * SEARCH_MAX) : null;
  const actor = actorOf(req)!;
  const settings = await requestScopeSettings(req, db);
  const scope = visibleRequests(actor, settings);
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
  const tabs = countByStatus(db, scope, filter, REQUEST_STATUSES, queueTallyScope(actor, settings));
  const [result, counts, options] = await Promise.all([listQueue(db, scope, filter, q.sort, q.page, 50, tabs), tabs, queueFilterOptions(db, actor, settings)]);
  const pages = Math.max(1, Math.ceil(result.total / result.pageSize));
  if (status === 200 && result.items.length === 0 && q.page > pages && !result.totalCapped) {
    // Past the last page (a bookmark, requests closed since): the last page there is.
    const last = new URLSearchParams(Object.entries(raw).filter((e): e is [string, string] => typeof e[1] === 'string' && e[0] !== 'page'));
    if (pages > 1) last.set('page', String(pages));
    return redirectTo(res, `/desk${last.size ? `?${last}` : ''}`, 302);
  }
  const params = queueParams(q);
  const filtered = Object.keys(params).some((k) => k !== 'sort') || searchTooLong !== null;
  const { editable, assignees } = await bulkChoices(db, actor, result.items.map((r) => r.id), settings);
  res.status(status).render('desk/queue', {
    title: 'Request queue',
    me: actor.id,
    result,
    counts,
    options,
    q,
    params,
    back: new URLSearchParams(queueParams(q, true)).toString(),
    filtered,
    searchTooLong,
    searchMax: SEARCH_MAX,
    statuses: REQUEST_STATUSES,
    types: REQUEST_TYPES,
    sorts: Object.keys(QUEUE_SORTS),
    sortLabels: SORT_LABELS,
    editable,
    canBulk: editable.size > 0,
    bulkAssignees: assignees,
    bulkMax: BULK_MAX,
    bulk,
    notice: status === 200 ? bulkNotice(raw) : null,
  });
}
