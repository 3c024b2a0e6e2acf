import { Router } from 'express';
import type { AppDeps } from '../../app';
import { requireArea } from '../guards';
import { settingsRoutes } from './settings';

export function adminRoutes(deps: AppDeps): Router {
  const router = Router();
  router.use(requireArea('admin', deps.config.BASE_PATH));
  router.use(settingsRoutes(deps));
  return router;
}
