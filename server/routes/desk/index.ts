import { Router } from 'express';
import type { PassportStatic } from 'passport';
import type { AppDeps } from '../../app';
import { authRoutes } from '../authRoutes';
import { requireArea } from '../guards';
import { attachmentRoutes } from '../attachments';
import { deskHomeRoutes } from './home';
import { deskRequestRoutes } from './requests';
import { deskBulkRoutes } from './bulk';
import { deskWorkItemRoutes } from './workItems';
import { deskDashboardRoutes } from './dashboards';
import { deskDashboardPermissionRoutes } from './dashboardPermissions';
import { deskTokenRoutes, tokenSection } from './tokens';
import { deskDirectAccessRoutes } from './directAccess';
import { deskShareLinkRoutes } from './shareLinks';
import { profileRoutes } from '../profile';
import { passwordLinkRoutes } from '../passwordLinks';

export function deskRoutes(deps: AppDeps, passport: PassportStatic): Router {
  const router = Router();
  router.use(authRoutes(deps, passport, 'desk'));
  router.use(passwordLinkRoutes(deps, 'desk'));
  router.use(requireArea('desk', deps.config.BASE_PATH));
  router.use(profileRoutes(deps, 'desk', (req) => tokenSection(deps.db, req)));
  router.use(deskTokenRoutes(deps));
  router.use(deskHomeRoutes(deps));
  router.use(deskBulkRoutes(deps));
  router.use(deskRequestRoutes(deps));
  router.use(attachmentRoutes(deps, 'desk'));
  router.use(deskWorkItemRoutes(deps));
  router.use(deskDashboardRoutes(deps));
  router.use(deskDashboardPermissionRoutes(deps));
  router.use(deskDirectAccessRoutes(deps));
  router.use(deskShareLinkRoutes(deps));
  return router;
}
