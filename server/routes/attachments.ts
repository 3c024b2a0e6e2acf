/**
 * GET /portal/attachments/:id and /desk/attachments/:id: a file attached to a request, for
 * whoever may see the request and the comment it came with (an internal note's files never
 * reach a customer). Not found, not theirs to see: the same 404. Served so that it can never
 * act as a Portico page: its type from its own bytes, images shown and everything else saved,
 * a sandbox with nothing allowed around it. POST …/:id/delete removes one (commands/attachments.ts).
 */
import { Router } from 'express';
import { create as contentDisposition } from 'content-disposition';
import type { AppDeps } from '../app';
import { NotFound } from '../errors';
import { visibleComments } from '../permissions/scopes';
import { attachmentBytes, findAttachment } from '../repositories/attachments';
import { authorizeRequest } from '../commands/requests';
import { actorOf, idParam, redirectTo, requestScopeSettings } from './locals';
import { removeAttachment } from '../commands/attachments';
import { shownInline } from '../presenters/attachments';

export function attachmentRoutes({ db }: AppDeps, realm: 'portal' | 'desk'): Router {
  const router = Router();
  router.get('/attachments/:id', async (req, res) => {
    const actor = actorOf(req)!;
    const file = await findAttachment(db, idParam(req.params.id), visibleComments(actor));
    if (!file) throw new NotFound();
    await authorizeRequest(db, actor, file.requestId, 'view', await requestScopeSettings(req, db));
    const data = await attachmentBytes(db, file.id);
    if (!data) throw new NotFound();
    res.set({
      'Content-Type': file.contentType,
      'Content-Length': String(data.length),
      'Content-Disposition': contentDisposition(file.filename, { type: shownInline(file.contentType) ? 'inline' : 'attachment' }),
      // Nothing may run or load; the browser's own picture viewer styles its page inline.
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox",
      'Cross-Origin-Resource-Policy': 'same-origin',
    });
    res.end(data);
  });

  // Back to the request, which says so (the desk's `done=`, the portal's `file=`).
  router.post('/attachments/:id/delete', async (req, res) => {
    const requestId = await removeAttachment(db, actorOf(req)!, idParam(req.params.id));
    redirectTo(res, `/${realm}/requests/${requestId}?${realm === 'desk' ? 'done' : 'file'}=file_removed#comments`);
  });
  return router;
}
