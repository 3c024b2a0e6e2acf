import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../app';
import { Invalid, NotFound } from '../../errors';
import { findProject, listProjectMembers, listProjectsWithMembers } from '../../repositories/projects';
import { changeProject, createProject } from '../../commands/administerProjects';
import { actorOf, idParam, redirectTo } from '../locals';
import { lastValue, readForm, typedValues } from '../forms';
import { nameField } from './names';

/** A checkbox after a hidden "false" of the same name: a ticked box arrives as both, the last wins. */
const flag = z.preprocess(lastValue, z.enum(['true', 'false', 'on'], { message: 'Tick the box or leave it empty.' })).transform((v) => v !== 'false');

const createForm = z.object({ name: nameField('project'), is_private: flag.default(false), portal_enabled: flag.default(false) });
/** An edit changes only the fields it sends (the page sends all three). */
const editForm = z.object({ name: nameField('project').optional(), is_private: flag.optional(), portal_enabled: flag.optional() });

type Typed = Record<string, string>;

/** What the refused form said, to show it again as chosen (a box: the last value sent). */
function typedProject(body: unknown): Typed {
  const sent = (body ?? {}) as Record<string, unknown>;
  const typed: Typed = typedValues(sent, 'name');
  for (const box of ['is_private', 'portal_enabled']) {
    const v = lastValue(sent[box]);
    if (typeof v === 'string') typed[box] = v;
  }
  return typed;
}

/** Projects (PRODUCT.md section 2): created and edited here; members are added on each person's page. */
export function projectsRoutes({ db }: AppDeps): Router {
  const router = Router();

  const renderList = async (req: Request, res: Response, status = 200, error: string | null = null, typed: Typed = {}) => {
    res.status(status).render('admin/projects', { title: 'Projects', projects: await listProjectsWithMembers(db), error, typed, saved: status === 200 && req.query.created === '1' });
  };

  const renderProject = async (req: Request, res: Response, id: number, status = 200, error: string | null = null, typed: Typed = {}) => {
    const project = await findProject(db, id);
    if (!project) throw new NotFound();
    res.status(status).render('admin/project', { title: project.name, project, members: await listProjectMembers(db, id), error, typed, saved: status === 200 && req.query.saved === '1' });
  };

  router.get('/projects', (req, res) => renderList(req, res));

  router.post('/projects', async (req, res) => {
    try {
      const form = readForm(createForm, req.body);
      await createProject(db, actorOf(req)!, { name: form.name, isPrivate: form.is_private, portalEnabled: form.portal_enabled });
    } catch (err) {
      if (err instanceof Invalid) return renderList(req, res, 422, err.message, typedProject(req.body));
      throw err;
    }
    redirectTo(res, '/admin/projects?created=1');
  });

  router.get('/projects/:id', (req, res) => renderProject(req, res, idParam(req.params.id)));

  router.post('/projects/:id', async (req, res) => {
    const id = idParam(req.params.id);
    try {
      const form = readForm(editForm, req.body);
      await changeProject(db, actorOf(req)!, id, { name: form.name, isPrivate: form.is_private, portalEnabled: form.portal_enabled });
    } catch (err) {
      if (err instanceof Invalid) return renderProject(req, res, id, 422, err.message, typedProject(req.body));
      throw err;
    }
    redirectTo(res, `/admin/projects/${id}?saved=1`);
  });

  return router;
}
