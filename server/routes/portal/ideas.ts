import { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../app';
import { visibleRequests } from '../../permissions/scopes';
import { listIdeas } from '../../repositories/requests';
import { votedAmong } from '../../repositories/requestDetails';
import { actorOf, requestScopeSettings } from '../locals';

const query = z.object({ page: z.coerce.number().int().min(1).max(10_000).catch(1) });

export function portalIdeasRoutes({ db }: AppDeps): Router {
  const router = Router();
  router.get('/ideas', async (req, res) => {
    const actor = actorOf(req)!;
    const { page } = query.parse(req.query);
    const result = await listIdeas(db, visibleRequests(actor, await requestScopeSettings(req, db)), { page, pageSize: 25 });
    const voted = await votedAmong(db, result.items.map((i) => i.id), actor.id);
    res.render('portal/ideas', { title: 'Ideas', result, voted, here: req.originalUrl.slice(res.locals.basePath.length) });
  });
  return router;
}
