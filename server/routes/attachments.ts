/**
 * GET /portal/attachments/:id and /desk/attachments/:id: a file attached to a request, for
 * whoever may see the request and the comment it came with (an internal note's files never
 * reach a customer). Not found, not theirs to see: the same 404. Served so that it can never
 * act as a Portico page: its type from its own bytes, images shown and everything else saved,
 * a sandbox with nothing allowed around it.
 */
import { Router } from 'express';
import { create as contentDisposition } from 'content-disposition';
import type { AppDeps } from '../app';
import { NotFound } from '../errors';
import { visibleComments } from '../permissions/scopes';
import { attachmentBytes, findAttachment } from '../repositories/attachments';
import { authorizeRequest } from '../commands/requests';
import { actorOf, idParam, requestScopeSettings } from './locals';
import { shownInline } from './uploads';

export function attachmentRoutes({ db }: AppDeps): Router {
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
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
      'Cross-Origin-Resource-Policy': 'same-origin',
    });
    res.end(data);
  });
  return router;
}
