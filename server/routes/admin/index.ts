import { Router } from 'express';
import type { AppDeps } from '../../app';
import { requireArea } from '../guards';
import { settingsRoutes } from './settings';
import { usersRoutes } from './users';
import { auditRoutes } from './audit';
import { mailRoutes } from './mail';

export function adminRoutes(deps: AppDeps): Router {
  const router = Router();
  router.use(requireArea('admin', deps.config.BASE_PATH));
  router.use(settingsRoutes(deps));
  router.use(usersRoutes(deps));
  router.use(auditRoutes(deps));
  router.use(mailRoutes(deps));
  return router;
}
