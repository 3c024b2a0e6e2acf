import { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../app';
import { listRequests, type ListFilter } from '../../repositories/requests';
import { DONE_STATUSES, OPEN_STATUSES } from '../../repositories/requestDetails';
import { ownAndCompanyRequests } from '../../permissions/scopes';
import type { Actor } from '../../permissions';
import { actorOf, requestScopeSettings } from '../locals';

/** The home page's filters, as Jira's portal offers them: whose requests, and open or done. Anything else is the default. */
const query = z.object({
  page: z.coerce.number().int().min(1).max(10_000).catch(1),
  q: z.string().trim().max(200).catch(''),
  show: z.enum(['all', 'mine', 'company']).catch('all'),
  status: z.enum(['any', 'open', 'done']).catch('any'),
});
type HomeQuery = z.infer<typeof query>;

/** The filters as a narrowing of the customer's own and company requests (never a widening). */
function filterOf(actor: Actor, { show, status }: HomeQuery): ListFilter {
  return {
    statuses: status === 'open' ? OPEN_STATUSES : status === 'done' ? DONE_STATUSES : undefined,
    requestedBy: show === 'mine' ? actor.id : undefined,
    requestedByOthersThan: show === 'company' ? actor.id : undefined,
  };
}

export function portalHomeRoutes({ db }: AppDeps): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const actor = actorOf(req)!;
    const parsed = query.parse(req.query);
    // Without a company there are no colleagues' requests: "whose" is not offered, nor applied.
    const withCompany = actor.companyId !== null;
    const show = withCompany ? parsed.show : 'all';
    const { page, q, status } = parsed;
    const scope = ownAndCompanyRequests(actor, await requestScopeSettings(req, db));
    const result = await listRequests(db, scope, { page, pageSize: 25, search: q || undefined, filter: filterOf(actor, { ...parsed, show }) });
    // What the pager's links carry on: the filters that differ from the defaults.
    const params: Record<string, string> = { ...(q ? { q } : {}), ...(show !== 'all' ? { show } : {}), ...(status !== 'any' ? { status } : {}) };
    res.render('portal/home', { title: 'My requests', result, q, show, status, params, filtered: Object.keys(params).length > 0, withCompany });
  });
  return router;
}
