import { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../app';
import { listOutbox } from '../../repositories/outbox';
import { linkedText, withinPortico } from '../../presenters/text';
import { publicBaseUrl } from '../locals';

const query = z.object({ page: z.coerce.number().int().min(1).max(100_000).catch(1) });

/** The outbox: every notification Portico wrote, delivered or not (SMTP_URL unset: never sent). */
export function mailRoutes({ db, config }: AppDeps): Router {
  const router = Router();
  router.get('/mail', async (req, res) => {
    const { page } = query.parse(req.query);
    const result = await listOutbox(db, page, 25);
    const base = publicBaseUrl(req, config);
    const items = result.items.map((m) => ({ ...m, parts: linkedText(m.text, withinPortico(base)) }));
    res.render('admin/mail', { title: 'Mail outbox', result: { ...result, items }, smtp: Boolean(config.SMTP_URL) });
  });
  return router;
}
