import { Router } from 'express';
import type { AppDeps } from '../../app';

export function deskHomeRoutes(_deps: AppDeps): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    res.render('desk/home', { title: 'Desk' });
  });
  return router;
}
