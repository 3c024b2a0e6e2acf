import { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../app';
import { listRequests } from '../../repositories/requests';
import { ownAndCompanyRequests } from '../../permissions/scopes';
import { actorOf, requestScopeSettings } from '../locals';

const query = z.object({
  page: z.coerce.number().int().min(1).max(10_000).catch(1),
  q: z.string().trim().max(200).catch(''),
});

export function portalHomeRoutes({ db }: AppDeps): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const { page, q } = query.parse(req.query);
    const scope = ownAndCompanyRequests(actorOf(req), await requestScopeSettings(req, db));
    const result = await listRequests(db, scope, { page, pageSize: 25, search: q || undefined });
    // Whether the list also holds colleagues' company requests, so the page says so.
    res.render('portal/home', { title: 'Your requests', result, q, withCompany: actorOf(req)!.companyId !== null });
  });
  return router;
}
