import { Router } from 'express';
import type { AppDeps } from '../../app';
import { readSettings } from '../../repositories/settings';
import { changeSettings } from '../../commands/changeSettings';
import { actorOf, redirectTo } from '../locals';
import { parseSettingsForm } from './settingsForm';
import { Forbidden } from '../../errors';
import { SETTING_HELP } from '../../presenters/settings';

export function settingsRoutes({ db }: AppDeps): Router {
  const router = Router();

  router.get('/settings', async (req, res) => {
    const settings = await readSettings(db);
    res.render('admin/settings', { title: 'Settings', settings, help: SETTING_HELP, errors: {}, saved: req.query.saved === '1' });
  });

  router.post('/settings', async (req, res) => {
    const actor = actorOf(req);
    if (!actor) throw new Forbidden();
    const parsed = parseSettingsForm((req.body ?? {}) as Record<string, unknown>);
    if (!parsed.ok) {
      // Shown as submitted where it was valid: the administrator's choices are not lost.
      const settings = { ...(await readSettings(db)), ...parsed.changes };
      res.status(422).render('admin/settings', { title: 'Settings', settings, help: SETTING_HELP, errors: parsed.errors, saved: false });
      return;
    }
    await changeSettings(db, actor.id, parsed.changes);
    redirectTo(res, '/admin/settings?saved=1');
  });

  return router;
}
