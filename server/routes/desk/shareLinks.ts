import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../app';
import { Forbidden, Invalid } from '../../errors';
import { canMakeRequestListLink, isAdministrator, LINK_STOP_TEXT, OBSERVER_SHARE_REFUSED, requestListLinkStop } from '../../permissions';
import { linkableProjects } from '../../permissions/linkScopes';
import { createRequestListLink, revokeRequestListLink } from '../../commands/shareLinks';
import { listProjects } from '../../repositories/people';
import { REQUEST_TYPES } from '../../repositories/requestDetails';
import { linkableProjectName, LIST_SORTS, listRequestListLinks, STATUS_GROUPS } from '../../repositories/requestListLinks';
import { actorOf, idParam, publicBaseUrl, redirectTo, requestSettings } from '../locals';
import { formProblem, idField, safeReadForm, typedValues } from '../forms';
import { issueShareFormNonce, spendShareFormNonce } from '../formNonces';
import { expiresAtOf, LINK_ALREADY_NOTICE, LINK_REVOKED_NOTICE, SHARE_LINK_DAYS, shareLinkForm } from './shareLinkForm';

const listLinkForm = shareLinkForm.extend({
  project_id: z.preprocess((v) => (v === '' || v === undefined ? null : v), idField('Choose a project from the list.').nullable()),
  type: z.preprocess((v) => (v === '' || v === undefined ? null : v), z.enum(REQUEST_TYPES, { message: 'Choose a type from the list.' }).nullable()),
  statuses: z.enum(STATUS_GROUPS, { message: 'Choose which statuses the list shows.' }).default('open'),
  sort: z.enum(LIST_SORTS, { message: 'Choose an order from the list.' }).default('votes'),
});

export const LISTS_NOTHING = 'Lists nothing now: its project is hidden from its maker or closed to the portal.';

const NOTICES: Record<string, string> = {
  revoked: LINK_REVOKED_NOTICE,
  already: LINK_ALREADY_NOTICE,
};

/**
 * Public links to lists of requests (`/desk/share-links`): each staff member's own (an
 * administrator sees and revokes everyone's); made by staff who may change things.
 */
export function deskShareLinkRoutes({ db, config }: AppDeps): Router {
  const router = Router();

  const render = async (req: Request, res: Response, status = 200, extra: { newLinkUrl?: string; error?: string; values?: Record<string, string> } = {}) => {
    const actor = actorOf(req)!;
    const nonce = issueShareFormNonce(req);
    const notice = Object.keys(NOTICES).find((k) => req.query[k] === '1');
    const enabled = (await requestSettings(req, db))['share_links.enabled'];
    const now = new Date();
    res.status(status).render('desk/share-links', {
      title: 'Public request lists',
      links: await Promise.all(
        (await listRequestListLinks(db, isAdministrator(actor) ? null : actor.id)).map(async (l) => {
          const stop = requestListLinkStop({ enabled, revoked: false, expiresAt: l.expiresAt, maker: l.maker }, now);
          // A link that opens, for a project its maker no longer sees or that left the portal, lists nothing: say so.
          const empty = !stop && l.filter.projectId !== null && (await linkableProjectName(db, linkableProjects(l.maker), l.filter.projectId)) === null;
          return { ...l, maker: undefined, state: stop ? LINK_STOP_TEXT[stop] : empty ? LISTS_NOTHING : null };
        }),
      ),
      everyone: isAdministrator(actor),
      canMake: canMakeRequestListLink(actor),
      enabled,
      projects: await listProjects(db, linkableProjects(actor)),
      types: REQUEST_TYPES,
      days: SHARE_LINK_DAYS,
      nonce,
      now,
      notice: notice ? NOTICES[notice] : null,
      newLinkUrl: extra.newLinkUrl ?? null,
      error: extra.error ?? null,
      values: extra.values ?? {},
    });
  };

  router.get('/share-links', (req, res) => render(req, res));

  router.post('/share-links', async (req, res) => {
    const actor = actorOf(req)!;
    const values = typedValues(req.body, 'label', 'expires_days', 'project_id', 'type', 'statuses', 'sort');
    if (!canMakeRequestListLink(actor)) throw new Forbidden(OBSERVER_SHARE_REFUSED);
    // A reload of the answer that showed a new link makes no second one.
    const nonce = typedValues(req.body, 'nonce').nonce;
    if (nonce && !spendShareFormNonce(req, nonce)) return redirectTo(res, '/desk/share-links?already=1');
    const form = safeReadForm(listLinkForm, req.body);
    if (!form.success) return render(req, res, 422, { error: formProblem(form.error), values });
    const { label, expires_days: days, project_id: projectId, type, statuses, sort } = form.data;
    try {
      const { key } = await createRequestListLink(db, actor, {
        label,
        expiresAt: expiresAtOf(days),
        filter: { projectId, type, statusGroup: statuses, sort },
      });
      // Shown this once, in this answer: only the key's digest is kept.
      await render(req, res, 201, { newLinkUrl: `${publicBaseUrl(req, config)}/share/requests?key=${key}` });
    } catch (err) {
      if (err instanceof Invalid) return render(req, res, 422, { error: err.message, values });
      throw err;
    }
  });

  router.post('/share-links/:id/revoke', async (req, res) => {
    await revokeRequestListLink(db, actorOf(req)!, idParam(req.params.id));
    redirectTo(res, '/desk/share-links?revoked=1');
  });

  return router;
}
