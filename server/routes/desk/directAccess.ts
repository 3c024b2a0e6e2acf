import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../app';
import { Conflict, HttpError, Invalid, NotFound } from '../../errors';
import { DIRECT_MODES, isRequester } from '../../permissions';
import { entityTypeById, entityTypeByStored } from '../../permissions/entityTypes';
import { findEntityPermission } from '../../repositories/entityPermissions';
import { findPrincipalByEmail, toActor } from '../../repositories/principals';
import { assertCanChangeGrant, assertCanManageEntity, copyGrantsToNested, createEntityPermission, revokeEntityPermission, updateEntityPermission } from '../../commands/entityPermissions';
import { actorOf, idParam, redirectTo, requestScopeSettings } from '../locals';
import { nestedCopyQuery, REMOVED_QUERY } from '../../presenters/directAccess';
import { grantedQuery } from '../../presenters/changeNotices';
import { typedValues } from '../forms';
import { renderDeskRequest } from './requests';
import { renderWorkItemPage } from './workItems';

const addForm = z.object({
  entity_type_id: z.coerce.number().int().positive(),
  entity_id: z.coerce.number().int().positive().max(2 ** 31 - 1),
  email: z.string().trim().min(3).max(320),
  mode: z.enum(DIRECT_MODES),
});
const modeForm = z.object({ mode: z.enum(DIRECT_MODES) });
const entityForm = z.object({ entity_type_id: z.coerce.number().int().positive(), entity_id: z.coerce.number().int().positive().max(2 ** 31 - 1) });

/**
 * The panel lives on the desk's request and work-item pages; releases and team iterations have
 * no desk page, and their grants are managed through the REST API. Anything else the panel's
 * routes answer 404 for, before reading or writing anything (a release grant was written and
 * the browser sent to the work item that has the release's id).
 */
function hasDeskPage(typeId: number): boolean {
  const kind = entityTypeById(typeId)?.kind;
  return kind === 'request' || kind === 'work_item';
}

/** Where the entity's desk page is, to go back after a change. */
function pageOf(typeId: number, entityId: number): string {
  const type = entityTypeById(typeId);
  return type?.kind === 'request' ? `/desk/requests/${entityId}` : `/desk/work-items/${entityId}`;
}

/** Form posts of the direct-access panel on desk pages; all rules live in the commands. */
export function deskDirectAccessRoutes({ db }: AppDeps): Router {
  const router = Router();

  router.use('/direct-access', async (req, _res, next) => {
    if (!(await requestScopeSettings(req, db)).directAccess) return next(new NotFound());
    next();
  });

  /** The entity grant `id` is on, by type id (null when there is no such grant). */
  const entityOfGrant = async (id: number): Promise<{ typeId: number; entityId: number } | null> => {
    const grant = await findEntityPermission(db, id);
    const type = grant ? entityTypeByStored(grant.entityType) : undefined;
    return grant && type ? { typeId: type.id, entityId: grant.entityId } : null;
  };

  /**
   * The desk page of grant `id`'s entity, to go back to after a change ('/desk' when there is no
   * such grant). A grant on something without a desk page (a release, a team iteration) is not
   * the panel's to serve: 404.
   */
  const pageOfGrant = async (id: number): Promise<string> => {
    const entity = await entityOfGrant(id);
    if (!entity) return '/desk';
    // Worded as the commands word an unknown or unmanaged grant, so the answer maps nothing.
    if (!hasDeskPage(entity.typeId)) throw new NotFound(`EntityPermission ${id} not found.`);
    return pageOf(entity.typeId, entity.entityId);
  };

  /**
   * A refused change (a rule of the domain, a duplicate) shows the entity's page again, its
   * panel saying why and keeping what was typed; nothing was written.
   */
  const refused = async (req: Request, res: Response, typeId: number, entityId: number, err: HttpError, typed: { email?: string; mode?: string } = {}) => {
    res.locals.directAccessForm = { error: err.message, email: typed.email ?? '', mode: typed.mode ?? '' };
    if (entityTypeById(typeId)?.kind === 'request') return renderDeskRequest(db, req, res, entityId, err.status);
    return renderWorkItemPage(db, req, res, entityId, err.status);
  };
  const shownAgain = (err: unknown): err is HttpError => err instanceof Invalid || err instanceof Conflict;

  router.post('/direct-access', async (req, res) => {
    const entity = entityForm.safeParse(req.body ?? {});
    if (!entity.success) throw new Invalid('Enter an email and choose an access mode.');
    const { entity_type_id: typeId, entity_id: entityId } = entity.data;
    if (!hasDeskPage(typeId)) throw new NotFound();
    const typed = typedValues(req.body, 'email', 'mode');
    let granted: number;
    try {
      const form = addForm.safeParse(req.body ?? {});
      // Authorized before the email is looked up, so nobody can probe which addresses exist.
      await assertCanManageEntity(db, actorOf(req)!, typeId, entityId);
      if (!form.success) throw new Invalid('Enter an email and choose an access mode.');
      const person = await findPrincipalByEmail(db, form.data.email);
      // A customer's address answers as an unknown one: managers do not learn who is a customer.
      if (!person || isRequester(toActor(person))) throw new Invalid('No staff member has that email address.');
      try {
        granted = await createEntityPermission(db, actorOf(req)!, { entityTypeId: typeId, entityId, userId: person.id, mode: form.data.mode });
      } catch (err) {
        // The API's wording names ids; on the page, the person and where to change their access.
        if (err instanceof Conflict) throw new Conflict(`${person.name} already has direct access here; change it in the list above.`);
        throw err;
      }
    } catch (err) {
      if (shownAgain(err)) return refused(req, res, typeId, entityId, err, typed);
      throw err;
    }
    redirectTo(res, pageOf(typeId, entityId) + grantedQuery(granted));
  });

  router.post('/direct-access/nested', async (req, res) => {
    const form = entityForm.safeParse(req.body ?? {});
    if (!form.success || !hasDeskPage(form.data.entity_type_id)) throw new NotFound();
    const result = await copyGrantsToNested(db, actorOf(req)!, form.data.entity_type_id, form.data.entity_id);
    redirectTo(res, pageOf(form.data.entity_type_id, form.data.entity_id) + nestedCopyQuery(result));
  });

  /** The entity page of grant `id`, if the actor manages access there (to others a refusal shows nothing more). */
  const managedPlaceOf = async (req: Request, id: number): Promise<{ typeId: number; entityId: number } | null> => {
    const entity = await entityOfGrant(id);
    if (!entity) return null;
    const manages = await assertCanManageEntity(db, actorOf(req)!, entity.typeId, entity.entityId).then(
      () => true,
      () => false,
    );
    return manages ? entity : null;
  };

  router.post('/direct-access/:id', async (req, res) => {
    const id = idParam(req.params.id);
    const back = await pageOfGrant(id);
    const form = modeForm.safeParse(req.body ?? {});
    try {
      if (!form.success) {
        await assertCanChangeGrant(db, actorOf(req)!, id);
        throw new Invalid('Choose an access mode.');
      }
      await updateEntityPermission(db, actorOf(req)!, id, form.data.mode);
    } catch (err) {
      if (!shownAgain(err)) throw err;
      const place = await managedPlaceOf(req, id);
      if (!place) throw err;
      return refused(req, res, place.typeId, place.entityId, err);
    }
    redirectTo(res, back + grantedQuery(id));
  });

  router.post('/direct-access/:id/delete', async (req, res) => {
    const id = idParam(req.params.id);
    const target = await pageOfGrant(id);
    await revokeEntityPermission(db, actorOf(req)!, id);
    redirectTo(res, target + REMOVED_QUERY);
  });

  return router;
}
