import { Router } from 'express';
import type { AppDeps } from '../../../app';
import { NotFound } from '../../../errors';
import { parseWhere } from '../../../api/where';
import { ENTITY_TYPES } from '../../../permissions/entityTypes';
import { visibleRequests } from '../../../permissions/scopes';
import { listApiRequests, listApiUsers, type ApiRequestFilter, type ApiUserFilter } from '../../../repositories/apiQueries';
import { publicBaseUrl, requestScopeSettings } from '../../locals';
import { directAccessOnly, entityPermissionRoutes } from './entityPermissions';
import { apiActor, apiErrors, listResponse, paging, stringOf as str, tokenAuth, WhereFilter, whereParam, wholeNumberOf as num } from './support';

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
    const w = new WhereFilter<ApiUserFilter>();
    for (const c of conditions) {
      if (c.field === 'Id') w.set('id', num(c));
      else if (c.field === 'Email') w.set('email', str(c));
      else if (c.field === 'Name') w.set('name', str(c));
      else w.set('type', str(c));
    }
    const p = paging(req);
    res.json(listResponse(req, publicBaseUrl(req, config), w.empty ? [] : await listApiUsers(db, w.filter, p.take + 1, p.skip), p));
  });

  router.get('/Requests', async (req, res) => {
    const conditions = parseWhere(whereParam(req), ['Id', 'Status', 'Type', 'Visibility', 'Project.Id']);
    const w = new WhereFilter<ApiRequestFilter>();
    for (const c of conditions) {
      if (c.field === 'Id') w.set('id', num(c));
      else if (c.field === 'Status') w.set('status', str(c));
      else if (c.field === 'Type') w.set('type', str(c));
      else if (c.field === 'Visibility') w.set('visibility', str(c));
      else w.set('projectId', num(c));
    }
    const p = paging(req);
    const scope = visibleRequests(apiActor(req), await requestScopeSettings(req, db));
    res.json(listResponse(req, publicBaseUrl(req, config), w.empty ? [] : await listApiRequests(db, scope, w.filter, p.take + 1, p.skip), p));
  });

  router.use((_req, _res, next) => next(new NotFound('No such API resource.')));
  router.use(apiErrors(log));
  return router;
}
