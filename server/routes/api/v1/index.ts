import { Router } from 'express';
import type { AppDeps } from '../../../app';
import { NotFound } from '../../../errors';
import { parseWhere } from '../../../api/where';
import { ENTITY_TYPES } from '../../../permissions/entityTypes';
import { visibleRequests } from '../../../permissions/scopes';
import { listApiRequests, listApiUsers, type ApiRequestFilter, type ApiUserFilter } from '../../../repositories/apiQueries';
import { publicBaseUrl, requestScopeSettings } from '../../locals';
import { directAccessOnly, entityPermissionRoutes } from './entityPermissions';
import { apiActor, apiErrors, listResponse, paging, stringOf as str, tokenAuth, whereParam, wholeNumberOf as num } from './support';

/**
 * The Targetprocess-compatible REST API under /api/v1. Authenticated only by personal
 * access tokens (never by the session cookie, so no CSRF exposure), staff only.
 */
export function apiV1Routes(deps: AppDeps): Router {
  const { db, config, log } = deps;
  const router = Router();
  router.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  router.use('/EntityPermissions', directAccessOnly(deps));
  router.use(tokenAuth(db));
  router.use(entityPermissionRoutes(deps));

  router.get('/EntityTypes', (_req, res) => {
    res.json({ Items: ENTITY_TYPES.map((t) => ({ Id: t.id, Name: t.name })) });
  });

  router.get('/Users', async (req, res) => {
    const conditions = parseWhere(whereParam(req), ['Id', 'Email', 'Name', 'Type']);
    const f: ApiUserFilter = {};
    for (const c of conditions) {
      if (c.field === 'Id') f.id = num(c);
      else if (c.field === 'Email') f.email = str(c);
      else if (c.field === 'Name') f.name = str(c);
      else f.type = str(c);
    }
    const p = paging(req);
    res.json(listResponse(req, publicBaseUrl(req, config), await listApiUsers(db, f, p.take + 1, p.skip), p));
  });

  router.get('/Requests', async (req, res) => {
    const conditions = parseWhere(whereParam(req), ['Id', 'Status', 'Type', 'Visibility', 'Project.Id']);
    const f: ApiRequestFilter = {};
    for (const c of conditions) {
      if (c.field === 'Id') f.id = num(c);
      else if (c.field === 'Status') f.status = str(c);
      else if (c.field === 'Type') f.type = str(c);
      else if (c.field === 'Visibility') f.visibility = str(c);
      else f.projectId = num(c);
    }
    const p = paging(req);
    const scope = visibleRequests(apiActor(req), await requestScopeSettings(req, db));
    res.json(listResponse(req, publicBaseUrl(req, config), await listApiRequests(db, scope, f, p.take + 1, p.skip), p));
  });

  router.use((_req, _res, next) => next(new NotFound('No such API resource.')));
  router.use(apiErrors(log));
  return router;
}
