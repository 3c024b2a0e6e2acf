import { Router } from 'express';
import type { AppDeps } from '../../app';
import { requireArea } from '../guards';
import { redirectTo } from '../locals';
import { settingsRoutes } from './settings';
import { usersRoutes } from './users';
import { addPersonRoutes } from './addPerson';
import { auditRoutes } from './audit';
import { mailRoutes } from './mail';
import { companiesRoutes } from './companies';
import { projectsRoutes } from './projects';

export function adminRoutes(deps: AppDeps): Router {
  const router = Router();
  router.use(requireArea('admin', deps.config.BASE_PATH));
  // The area's own address (typed, or a URL trimmed back) opens its first page.
  router.get('/', (_req, res) => redirectTo(res, '/admin/settings', 302));
  router.use(settingsRoutes(deps));
  // Before usersRoutes, whose /users/:id would take "new" for an id.
  router.use(addPersonRoutes(deps));
  router.use(usersRoutes(deps));
  router.use(companiesRoutes(deps));
  router.use(projectsRoutes(deps));
  router.use(auditRoutes(deps));
  router.use(mailRoutes(deps));
  return router;
}
