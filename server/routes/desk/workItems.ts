import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../app';
import type { Db } from '../../db';
import { Forbidden, Invalid } from '../../errors';
import { abilitiesFor, authorize, can, type Actor } from '../../permissions';
import { visibleRequests, visibleWorkItems } from '../../permissions/scopes';
import { loadProjectFacts } from '../../repositories/accessFacts';
import { listProjects } from '../../repositories/people';
import { findWorkItem, linkedRequestCount, listLinkedRequests, listWorkItems, WORK_ITEM_STATUSES, WORK_ITEM_TYPES } from '../../repositories/workItems';
import { projectStaff } from '../../repositories/staffOptions';
import { authorizeWorkItem, commentOnWorkItem, createWorkItem, editWorkItem, KEEP_PARENT } from '../../commands/workItems';
import { listWorkItemComments } from '../../repositories/workItemComments';
import { visibleProjects } from '../../permissions/scopes';
import { actorOf, idParam, redirectTo, requestScopeSettings } from '../locals';
import { formProblem as message, idField, safeReadForm, staffCommentField, typedValues } from '../forms';
import { directAccessNotice, directAccessPanel } from '../../presenters/directAccess';
import { entityTypeByStored } from '../../permissions/entityTypes';

const optionalId = z.preprocess((v) => (v === undefined || v === '' ? null : v), idField().nullable());
const fields = {
  name: z.string().trim().min(2, 'The name needs at least 2 characters.').max(300, 'At most 300 characters.'),
  description: z.string().trim().max(20_000).default(''),
  status: z.enum(WORK_ITEM_STATUSES, { message: 'Choose a status.' }),
  parent_id: optionalId,
  owner_id: optionalId,
};
/** The fields both forms share, put back as typed when a form is shown again. */
const FORM_FIELDS = ['name', 'description', 'status', 'parent_id', 'owner_id'] as const;
const createForm = z.object({ project_id: idField('Choose a project.'), type: z.enum(WORK_ITEM_TYPES, { message: 'Choose a type.' }), ...fields });
const editForm = z.object({ ...fields, parent_id: z.union([z.literal(KEEP_PARENT), optionalId], { message: 'Choose one of the listed options.' }) });

const commentForm = z.object({ body: staffCommentField() });

type Project = Awaited<ReturnType<typeof listProjects>>[number];

/** Projects where the actor may add work items. */
async function addableProjects(db: AppDeps['db'], actor: Actor): Promise<Project[]> {
  const out = [];
  for (const p of await listProjects(db, visibleProjects(actor))) {
    const facts = await loadProjectFacts(db, actor, p.id, 'work_item');
    if (facts && can(actor, 'add', { kind: 'project', project: facts })) out.push(p);
  }
  return out;
}

/**
 * A work item's desk page as its viewer may see it; the direct-access panel shows its own
 * refusal from res.locals.directAccessForm (routes/desk/directAccess.ts).
 */
export async function renderWorkItemPage(db: Db, req: Request, res: Response, id: number, status = 200): Promise<void> {
  const actor = actorOf(req)!;
  const target = await authorizeWorkItem(db, actor, id, 'view');
  const settings = await requestScopeSettings(req, db);
  const item = (await findWorkItem(db, id, visibleWorkItems(actor, settings)))!;
  const children = await listWorkItems(db, visibleWorkItems(actor, settings), { parentId: id, limit: 500 });
  const type = entityTypeByStored(item.type);
  const directAccess = type ? await directAccessPanel(db, actor, type, target) : null;
  // What the panel's last change did, for those who manage access only.
  const notice = status === 200 ? directAccessNotice(req.query, directAccess) : null;
  const visible = visibleRequests(actor, settings);
  const [requests, linkedRequests, comments] = await Promise.all([linkedRequestCount(db, id, visible), listLinkedRequests(db, id, visible), listWorkItemComments(db, id)]);
  // A refused comment comes back with its message and its text (res.locals.commentForm).
  const commentForm = (res.locals.commentForm as { error: string; body: string } | undefined) ?? { error: null, body: '' };
  res.status(status).render('desk/work-item', { title: item.name, item, children, requests, linkedRequests, comments, commentForm, abilities: abilitiesFor(actor, target), directAccess, notice });
}

export function deskWorkItemRoutes({ db }: AppDeps): Router {
  const router = Router();

  router.get('/work-items', async (req, res) => {
    const actor = actorOf(req)!;
    const items = await listWorkItems(db, visibleWorkItems(actor, await requestScopeSettings(req, db)), { limit: 500 });
    res.render('desk/work-items', { title: 'Work items', items, canAdd: (await addableProjects(db, actor)).length > 0 });
  });

  /** `addable`: the projects the actor may add to, when the caller has them already. */
  const renderForm = async (req: Request, res: Response, status: number, values: Record<string, unknown>, error: string | null, itemId: number | null, addable?: Project[]) => {
    const actor = actorOf(req)!;
    const projects = itemId === null ? (addable ?? (await addableProjects(db, actor))) : [];
    // A new item's project must be one the actor may add to; only then are its people listed.
    const asked = Number(values.project_id ?? 0);
    const projectId = itemId === null ? (projects.some((p) => p.id === asked) ? asked : (projects[0]?.id ?? 0)) : Number(values.project_id);
    const settings = await requestScopeSettings(req, db);
    const visible = visibleWorkItems(actor, settings);
    const parents = (await listWorkItems(db, visible, { limit: 500 })).filter((w) => w.id !== itemId && (itemId === null || w.projectId === projectId));
    // A parent the editor cannot see is not among the choices; "keep" stands in for it.
    const current = itemId === null ? null : await findWorkItem(db, itemId, visible);
    const parentHidden = current !== null && current.parentId !== null && current.parent === null;
    res.status(status).render('desk/work-item-form', {
      title: itemId === null ? 'New work item' : 'Edit work item',
      itemId,
      values,
      error,
      projects,
      parents,
      keepParent: parentHidden ? KEEP_PARENT : null,
      owners: projectId ? await projectStaff(db, projectId) : [],
      types: WORK_ITEM_TYPES,
      statuses: WORK_ITEM_STATUSES,
    });
  };

  router.get('/work-items/new', async (req, res) => {
    // Like "New dashboard": no form for someone who may add to no project (an observer, say).
    if ((await addableProjects(db, actorOf(req)!)).length === 0) throw new Forbidden('You cannot add work items to any project.');
    await renderForm(req, res, 200, { status: 'open', type: 'user_story', project_id: req.query.project }, null, null);
  });

  router.post('/work-items', async (req, res) => {
    // Typed values back into the form as text, one per field (a field sent twice: its first).
    const values = typedValues(req.body, ...FORM_FIELDS, 'project_id', 'type');
    // Before a form problem is shown, the refusal a good form would get (403): someone who may add
    // to no project, or not to the project they chose, hears that whatever else they typed.
    const problem = async (text: string) => {
      const actor = actorOf(req)!;
      const addable = await addableProjects(db, actor);
      if (addable.length === 0) throw new Forbidden('You cannot add work items to any project.');
      const chosen = idField().safeParse(values.project_id);
      const facts = chosen.success ? await loadProjectFacts(db, actor, chosen.data, 'work_item') : null;
      if (facts && can(actor, 'view', { kind: 'project', project: facts })) authorize(actor, 'add', { kind: 'project', project: facts });
      return renderForm(req, res, 422, values, text, null, addable);
    };
    const form = safeReadForm(createForm, req.body);
    if (!form.success) return problem(message(form.error));
    try {
      const d = form.data;
      const id = await createWorkItem(db, actorOf(req)!, { projectId: d.project_id, type: d.type, name: d.name, description: d.description, status: d.status, parentId: d.parent_id, ownerId: d.owner_id });
      redirectTo(res, `/desk/work-items/${id}`);
    } catch (err) {
      if (err instanceof Invalid) return problem(err.message);
      throw err;
    }
  });

  router.get('/work-items/:id', (req, res) => renderWorkItemPage(db, req, res, idParam(req.params.id)));

  router.post('/work-items/:id/comments', async (req, res) => {
    const id = idParam(req.params.id);
    await authorizeWorkItem(db, actorOf(req)!, id, 'comment');
    const form = safeReadForm(commentForm, req.body);
    if (!form.success) {
      res.locals.commentForm = { error: message(form.error), body: typedValues(req.body, 'body').body ?? '' };
      return renderWorkItemPage(db, req, res, id, 422);
    }
    await commentOnWorkItem(db, actorOf(req)!, id, form.data.body);
    redirectTo(res, `/desk/work-items/${id}#comments`);
  });

  router.get('/work-items/:id/edit', async (req, res) => {
    const id = idParam(req.params.id);
    const actor = actorOf(req)!;
    await authorizeWorkItem(db, actor, id, 'edit');
    const item = (await findWorkItem(db, id, visibleWorkItems(actor, await requestScopeSettings(req, db))))!;
    const parentId = item.parent?.id ?? (item.parentId === null ? '' : KEEP_PARENT);
    await renderForm(req, res, 200, { ...item, project_id: item.projectId, parent_id: parentId, owner_id: item.ownerId ?? '' }, null, id);
  });

  router.post('/work-items/:id', async (req, res) => {
    const id = idParam(req.params.id);
    await authorizeWorkItem(db, actorOf(req)!, id, 'edit');
    const item = (await findWorkItem(db, id))!;
    const values = { ...typedValues(req.body, ...FORM_FIELDS), project_id: item.projectId, type: item.type };
    const form = safeReadForm(editForm, req.body);
    if (!form.success) return renderForm(req, res, 422, values, message(form.error), id);
    try {
      const d = form.data;
      await editWorkItem(db, actorOf(req)!, id, { name: d.name, description: d.description, status: d.status, parentId: d.parent_id, ownerId: d.owner_id });
      redirectTo(res, `/desk/work-items/${id}`);
    } catch (err) {
      if (err instanceof Invalid) return renderForm(req, res, 422, values, err.message, id);
      throw err;
    }
  });

  return router;
}
