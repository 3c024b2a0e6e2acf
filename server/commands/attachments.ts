/** Removing a file from a request, and the room a request has for more. */
import type { Db } from '../db';
import { Forbidden, Invalid, NotFound } from '../errors';
import { canRemoveAttachment, type Actor } from '../permissions';
import { visibleComments } from '../permissions/scopes';
import { deleteAttachment, deleteCommentIfEmpty, findAttachment, REQUEST_FILES_MAX_BYTES, requestFilesBytes, type NewAttachment } from '../repositories/attachments';
import { recordRequestEvent } from '../repositories/requestEvents';
import { authorizeRequest } from './requests';

/**
 * Refuses `files` when the request would hold more than REQUEST_FILES_MAX_BYTES with them: the
 * database is also the backup, and one customer's request must not fill it. Within the
 * transaction that stores them.
 */
export async function ensureRoomFor(db: Db, requestId: number, files: readonly NewAttachment[]): Promise<void> {
  if (files.length === 0) return;
  const adding = files.reduce((n, f) => n + f.data.length, 0);
  const held = await requestFilesBytes(db, requestId);
  if (held + adding > REQUEST_FILES_MAX_BYTES) {
    const mb = (n: number) => Math.ceil(n / (1024 * 1024));
    throw new Invalid(`This request holds ${mb(held)} MB of files already, and can hold ${mb(REQUEST_FILES_MAX_BYTES)} MB in all: attach fewer or smaller files.`, { files: 'full' });
  }
}

/**
 * Removes a file: a file the actor cannot see (another's request, an internal note's for a
 * customer) is not found, one they see but may not remove a 403. The request's history
 * says who removed which file; a comment of files alone goes with its last one. Answers the
 * request it was attached to.
 */
export async function removeAttachment(db: Db, actor: Actor, id: number): Promise<number> {
  return db.transaction(async (trx) => {
    const file = await findAttachment(trx, id, visibleComments(actor));
    if (!file) throw new NotFound();
    const request = await authorizeRequest(trx, actor, file.requestId, 'view');
    if (!canRemoveAttachment(actor, request, file.uploaderId)) throw new Forbidden('Only staff who may change this request, or whoever attached the file, may remove it.');
    await deleteAttachment(trx, id);
    // A comment that was nothing but its files goes with the last of them (no empty card left).
    if (file.commentId !== null) await deleteCommentIfEmpty(trx, file.commentId);
    await recordRequestEvent(trx, file.requestId, actor.id, { kind: 'file_removed', filename: file.filename });
    return file.requestId;
  });
}
