import { Router } from 'express';
import type { AppDeps } from '../../app';
import { redirectTo } from '../locals';
import { renderQueue } from './queuePage';

export function deskHomeRoutes({ db }: AppDeps): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    // The filter form sends every field, the empty ones too: answer with the address of what was chosen.
    const sent = Object.entries(req.query).filter((e): e is [string, string] => typeof e[1] === 'string');
    if (sent.some(([k, v]) => v === '' || (k === 'sort' && v === 'activity'))) {
      const kept = new URLSearchParams(sent.filter(([k, v]) => v !== '' && !(k === 'sort' && v === 'activity')));
      return redirectTo(res, `/desk${kept.size ? `?${kept}` : ''}`, 302);
    }
    await renderQueue(db, req, res, req.query);
  });
  return router;
}
