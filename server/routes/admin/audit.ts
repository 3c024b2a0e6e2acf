import { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../app';
import { auditActions, auditNames, listAuditEvents } from '../../repositories/auditLog';
import { ACTION_TEXT, actionText, presentAudit } from '../../presenters/audit';
import { pageField } from '../forms';

/** A calendar day that exists (not 2024-02-31) in years both engines' timestamps hold with a day to spare. */
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((d) => {
    const year = Number(d.slice(0, 4));
    const date = new Date(`${d}T00:00:00Z`);
    return year >= 1900 && year <= 9000 && !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === d;
  });
const query = z.object({
  action: z.string().trim().max(60).optional().catch(undefined),
  target_type: z.string().trim().max(40).optional().catch(undefined),
  actor: z.string().trim().max(320).optional().catch(undefined),
  from: day.optional().catch(undefined),
  to: day.optional().catch(undefined),
  page: pageField(100_000),
});

export function auditRoutes({ db }: AppDeps): Router {
  const router = Router();
  router.get('/audit', async (req, res) => {
    const q = query.parse(req.query);
    const filter = { action: q.action || undefined, targetType: q.target_type || undefined, actor: q.actor || undefined, from: q.from, to: q.to };
    const [page, happened] = await Promise.all([listAuditEvents(db, filter, q.page, 50), auditActions(db)]);
    const result = { ...page, items: presentAudit(page.items, await auditNames(db, page.items)) };
    const params = Object.fromEntries(Object.entries({ action: q.action, target_type: q.target_type, actor: q.actor, from: q.from, to: q.to }).filter(([, v]) => v));
    // Every action Portico records, not only those that happened yet, in words.
    const actions = [...new Set([...Object.keys(ACTION_TEXT), ...happened])].sort((a, b) => actionText(a).localeCompare(actionText(b)));
    // A date the filter could not read is said so, rather than silently left out.
    const unread = (['from', 'to'] as const).filter((k) => typeof req.query[k] === 'string' && req.query[k] !== '' && q[k] === undefined);
    const dateProblem = unread.length ? `Not a date, so not used: ${unread.map((k) => (k === 'from' ? '“From”' : '“To”')).join(' and ')} (use the date picker, or YYYY-MM-DD).` : q.from && q.to && q.from > q.to ? '“From” is after “To”: no event can match.' : null;
    res.render('admin/audit', { title: 'Audit log', result, actions, actionText, dateProblem, q, params });
  });
  return router;
}
