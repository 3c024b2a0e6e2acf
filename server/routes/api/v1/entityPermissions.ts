import { Router, type Request, type RequestHandler } from 'express';
import type { AppDeps } from '../../../app';
import { BadRequest, HttpError, Invalid, NotFound } from '../../../errors';
import { parseWhere, asBoolean, type Condition } from '../../../api/where';
import { entityTypeById, entityTypeByName, entityTypeByStored } from '../../../permissions/entityTypes';
import { visibleEntityPermissions } from '../../../permissions/scopes';
import type { DirectMode } from '../../../permissions';
import { findEntityPermission, listEntityPermissions, type EntityPermissionFilter, type EntityPermissionRow } from '../../../repositories/entityPermissions';
import {
  createEntityPermission,
  createEntityPermissionsInBulk,
  revokeEntityPermission,
  updateEntityPermission,
  assertCanChangeGrant,
  assertCanManageEntity,
  BulkError,
  type GrantSpec,
} from '../../../commands/entityPermissions';
import { publicBaseUrl, requestScopeSettings } from '../../locals';
import { apiActor, bodyId, jsonBody, listResponse, lowerKeys, modeFromBody, paging, pathId, WhereFilter, whereParam, wholeNumberOf } from './support';

export const ENTITY_PERMISSION_FIELDS = ['Id', 'User.Id', 'EntityId', 'EntityType.Id', 'EntityType.Name', 'View', 'Comment', 'Edit', 'GrantAccess'] as const;

/** The Targetprocess item shape. */
export function present(row: EntityPermissionRow) {
  const type = entityTypeByStored(row.entityType);
  const rank = ['view', 'comment', 'edit', 'grant'].indexOf(row.mode);
  return {
    Id: row.id,
    EntityId: row.entityId,
    EntityType: { Id: type?.id ?? 0, Name: type?.name ?? row.entityType },
    User: { Id: row.principalId, Name: row.principalName },
    View: rank >= 0,
    Comment: rank >= 1,
    Edit: rank >= 2,
    GrantAccess: rank >= 3,
  };
}


function booleanOf(c: Condition): boolean {
  const b = asBoolean(c.value);
  if (b === null) throw new BadRequest(`${c.field} must be compared with True or False.`);
  return b;
}

/**
 * Turns parsed conditions into a repository filter; an unknown entity type simply matches
 * nothing, and so does a field asked for two different values (`empty`).
 */
function filterFrom(conditions: Condition[]): WhereFilter<EntityPermissionFilter> {
  const w = new WhereFilter<EntityPermissionFilter>();
  const narrowTypes = (stored: string[]) => {
    const had = w.filter.entityTypes;
    w.filter.entityTypes = had ? had.filter((t) => stored.includes(t)) : stored;
    if (w.filter.entityTypes.length === 0) w.empty = true;
  };
  for (const c of conditions) {
    switch (c.field) {
      case 'Id':
        w.set('id', wholeNumberOf(c));
        break;
      case 'User.Id':
        w.set('principalId', wholeNumberOf(c));
        break;
      case 'EntityId':
        w.set('entityId', wholeNumberOf(c));
        break;
      case 'EntityType.Id': {
        const t = entityTypeById(wholeNumberOf(c));
        narrowTypes(t ? [t.stored] : []);
        break;
      }
      case 'EntityType.Name': {
        if (typeof c.value !== 'string') throw new BadRequest('EntityType.Name must be compared with a quoted string.');
        const t = entityTypeByName(c.value);
        narrowTypes(t ? [t.stored] : []);
        break;
      }
      case 'View':
        w.set('view', booleanOf(c));
        break;
      case 'Comment':
        w.set('comment', booleanOf(c));
        break;
      case 'Edit':
        w.set('edit', booleanOf(c));
        break;
      case 'GrantAccess':
        w.set('grant', booleanOf(c));
        break;
    }
  }
  return w;
}

/** The entity a grant is asked for (EntityID, EntityType), or a 400/404 when it names none. */
function entityFrom(body: Record<string, unknown>): { typeId: number; entityId: number } {
  if (body.entityid === undefined) throw new BadRequest('EntityID is required.');
  const entityId = bodyId(body.entityid, 'EntityID');
  const typeRef = lowerKeys(body.entitytype);
  if (!typeRef) throw new BadRequest('EntityType is required, as {"Id": 17} or {"Name": "Request"}.');
  let typeId: number;
  if (typeRef.id !== undefined) typeId = bodyId(typeRef.id, 'EntityType.Id');
  else if (typeof typeRef.name === 'string') {
    const t = entityTypeByName(typeRef.name);
    if (!t) throw new NotFound(`Unknown EntityType "${typeRef.name}"; see /api/v1/EntityTypes.`);
    typeId = t.id;
  } else throw new BadRequest('EntityType needs an Id or a Name.');
  return { typeId, entityId };
}

/** The entity a body names, or null when it names none (such a body gets the same answer from everyone). */
function entityNamedBy(raw: unknown): { typeId: number; entityId: number } | null {
  const body = lowerKeys(raw);
  try {
    return body ? entityFrom(body) : null;
  } catch {
    return null;
  }
}

function specFrom(raw: unknown, label = 'The body'): GrantSpec {
  const body = lowerKeys(raw);
  if (!body) throw new BadRequest(`${label} must be a JSON object.`);
  const { typeId, entityId } = entityFrom(body);
  const user = lowerKeys(body.user);
  if (!user || user.id === undefined) throw new BadRequest('User is required, as {"Id": 641}.');
  const mode = modeFromBody(body);
  if (!mode) throw new Invalid('A permission must allow at least View.');
  return { entityTypeId: typeId, entityId, userId: bodyId(user.id, 'User.Id'), mode };
}

/**
 * With the feature off the whole resource does not exist, for everyone: mounted ahead of the
 * token check, so a caller without a token gets the same 404 as one with.
 */
export function directAccessOnly({ db }: AppDeps): RequestHandler {
  return async (req, _res, next) => {
    if (!(await requestScopeSettings(req, db)).directAccess) return next(new NotFound('Direct Access to Entities is not enabled.'));
    next();
  };
}

export function entityPermissionRoutes({ db, config }: AppDeps): Router {
  const router = Router();

  /**
   * A grant asked for with a bad User or flags: whoever may not manage its entity hears that
   * refusal (403/404), as they would for a good body, not what was wrong with the rest.
   */
  const specOrRefusal = async (req: Request, raw: unknown, label?: string): Promise<GrantSpec> => {
    try {
      return specFrom(raw, label);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      const entity = entityNamedBy(raw);
      if (entity) await assertCanManageEntity(db, apiActor(req), entity.typeId, entity.entityId);
      throw err;
    }
  };

  const scopeFor = async (req: Request) => visibleEntityPermissions(apiActor(req), await requestScopeSettings(req, db));

  router.get('/EntityPermissions', async (req, res) => {
    const where = filterFrom(parseWhere(whereParam(req), ENTITY_PERMISSION_FIELDS));
    const p = paging(req);
    const rows = where.empty ? [] : await listEntityPermissions(db, await scopeFor(req), where.filter, p.take + 1, p.skip);
    res.json(listResponse(req, publicBaseUrl(req, config), rows.map(present), p));
  });

  router.get('/EntityPermissions/meta', (_req, res) => {
    res.json({
      Name: 'EntityPermission',
      Description: 'Direct access of one staff user to one entity, beside project and team permissions. Modes: View < Comment < Edit < GrantAccess; each includes the ones before.',
      Fields: [
        { Name: 'Id', Type: 'Int32', CanFilter: true },
        { Name: 'EntityId', Type: 'Int32', CanFilter: true, Required: true },
        { Name: 'EntityType', Type: 'EntityType', CanFilter: true, Required: true, Filters: ['EntityType.Id', 'EntityType.Name'] },
        { Name: 'User', Type: 'User', CanFilter: true, Required: true, Filters: ['User.Id'] },
        { Name: 'View', Type: 'Boolean', CanFilter: true },
        { Name: 'Comment', Type: 'Boolean', CanFilter: true },
        { Name: 'Edit', Type: 'Boolean', CanFilter: true },
        { Name: 'GrantAccess', Type: 'Boolean', CanFilter: true },
      ],
      Where: { Operators: ['eq'], Joiners: ['and'], Fields: ENTITY_PERMISSION_FIELDS },
      Operations: ['GET /api/v1/EntityPermissions', 'GET /api/v1/EntityPermissions/:id', 'POST /api/v1/EntityPermissions', 'POST /api/v1/EntityPermissions/:id', 'DELETE /api/v1/EntityPermissions/:id', 'POST /api/v1/EntityPermissions/bulk'],
    });
  });

  router.get('/EntityPermissions/:id', async (req, res) => {
    const id = pathId(req.params.id);
    const rows = await listEntityPermissions(db, await scopeFor(req), { id }, 1, 0);
    if (!rows[0]) throw new NotFound(`EntityPermission ${id} not found.`);
    res.json(present(rows[0]));
  });

  router.post('/EntityPermissions/bulk', jsonBody, async (req, res) => {
    if (!Array.isArray(req.body)) throw new BadRequest('The body must be a JSON array of permissions.');
    if (req.body.length === 0 || req.body.length > 500) throw new BadRequest('Send between 1 and 500 permissions.');
    const specs: GrantSpec[] = [];
    const problems: { index: number; status: number; message: string }[] = [];
    const refusal = (index: number) => (err: unknown) => {
      if (!(err instanceof HttpError)) throw err;
      problems.push({ index, status: err.status, message: err.message });
    };
    const parsed: [number, GrantSpec][] = [];
    for (const [index, item] of (req.body as unknown[]).entries()) {
      await specOrRefusal(req, item, `Item ${index}`).then((spec) => parsed.push([index, spec]), refusal(index));
    }
    if (problems.length) {
      // The well-formed items are reported too when their entity is refused, as they would be
      // without the others: what a caller is told does not depend on what else they sent.
      for (const [index, spec] of parsed) await assertCanManageEntity(db, apiActor(req), spec.entityTypeId, spec.entityId).catch(refusal(index));
      throw new BulkError(problems.sort((a, b) => a.index - b.index));
    }
    for (const [, spec] of parsed) specs.push(spec);
    const ids = await createEntityPermissionsInBulk(db, apiActor(req), specs);
    const rows = await Promise.all(ids.map((id) => findEntityPermission(db, id)));
    res.status(201).json({ Items: rows.filter((r): r is EntityPermissionRow => r !== null).map(present) });
  });

  /** A grant as it stands after a change: revoked by someone else in between, it is gone (404). */
  const presentSaved = async (id: number) => {
    const row = await findEntityPermission(db, id);
    if (!row) throw new NotFound(`EntityPermission ${id} was revoked meanwhile.`);
    return present(row);
  };

  router.post('/EntityPermissions', jsonBody, async (req, res) => {
    const id = await createEntityPermission(db, apiActor(req), await specOrRefusal(req, req.body));
    res.status(201).json(await presentSaved(id));
  });

  router.post('/EntityPermissions/:id', jsonBody, async (req, res) => {
    const id = pathId(req.params.id);
    let mode: DirectMode;
    try {
      const body = lowerKeys(req.body);
      if (!body) throw new BadRequest('The body must be a JSON object.');
      const asked = modeFromBody(body);
      if (!asked) throw new Invalid('A permission must allow at least View; DELETE it to take access away.');
      mode = asked;
    } catch (err) {
      // Whoever may not change this grant hears so (404/403) whatever they sent.
      if (err instanceof HttpError) await assertCanChangeGrant(db, apiActor(req), id);
      throw err;
    }
    await updateEntityPermission(db, apiActor(req), id, mode);
    res.json(await presentSaved(id));
  });

  router.delete('/EntityPermissions/:id', async (req, res) => {
    const id = pathId(req.params.id);
    await revokeEntityPermission(db, apiActor(req), id);
    res.json({ Id: id, Deleted: true });
  });

  return router;
}
