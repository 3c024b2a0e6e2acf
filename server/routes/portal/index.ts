import { Router } from 'express';
import type { PassportStatic } from 'passport';
import type { AppDeps } from '../../app';
import { authRoutes } from '../authRoutes';
import { requireArea } from '../guards';
import { attachmentRoutes } from '../attachments';
import { portalHomeRoutes } from './home';
import { portalRequestRoutes } from './requests';
import { portalIdeasRoutes } from './ideas';
import { portalDashboardRoutes } from './dashboards';
import { portalAccountRoutes } from './account';
import { profileRoutes } from '../profile';
import { passwordLinkRoutes } from '../passwordLinks';

export function portalRoutes(deps: AppDeps, passport: PassportStatic): Router {
  const router = Router();
  router.use(authRoutes(deps, passport, 'portal'));
  router.use(portalAccountRoutes(deps));
  router.use(passwordLinkRoutes(deps, 'portal'));
  router.use(requireArea('portal', deps.config.BASE_PATH));
  router.use(profileRoutes(deps, 'portal'));
  router.use(portalHomeRoutes(deps));
  router.use(portalRequestRoutes(deps));
  router.use(attachmentRoutes(deps, 'portal'));
  router.use(portalIdeasRoutes(deps));
  router.use(portalDashboardRoutes(deps));
  return router;
}
