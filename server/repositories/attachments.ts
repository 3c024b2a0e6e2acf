/** Files attached to requests and their comments: their rows, and their bytes apart. */
import type { Db } from '../db';
import { insertedId, nowIso, toDate } from '../db';
import type { Knex } from 'knex';
import type { Scope } from '../permissions/scopes';

/** How many files one form may bring, and how large each may be. */
export const ATTACHMENTS_MAX = 5;
export const ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;
/** How much one request may hold in all, its comments' files included. */
export const REQUEST_FILES_MAX_BYTES = 100 * 1024 * 1024;

/** A file as it is stored: its shown name, the type it is served as, its bytes. */
export interface NewAttachment {
  filename: string;
  contentType: string;
  data: Buffer;
  sha256: string;
}

export interface AttachmentView {
  id: number;
  requestId: number;
  /** The comment it came with; null for a file attached when the request was submitted. */
  commentId: number | null;
  uploaderId: number;
  filename: string;
  contentType: string;
  size: number;
  createdAt: Date;
}

const COLUMNS = ['attachments.id', 'attachments.request_id', 'attachments.comment_id', 'attachments.uploader_id', 'attachments.filename', 'attachments.content_type', 'attachments.size', 'attachments.created_at'];

function toView(r: Record<string, unknown>): AttachmentView {
  return {
    id: Number(r.id),
    requestId: Number(r.request_id),
    commentId: r.comment_id == null ? null : Number(r.comment_id),
    uploaderId: Number(r.uploader_id),
    filename: String(r.filename),
    contentType: String(r.content_type),
    size: Number(r.size),
    createdAt: toDate(r.created_at),
  };
}

/** Stores `files` with a request (commentId null) or one of its comments, inside the caller's transaction. */
export async function insertAttachments(db: Db, to: { requestId: number; commentId: number | null; uploaderId: number }, files: readonly NewAttachment[]): Promise<void> {
  const createdAt = nowIso();
  for (const f of files) {
    const id = insertedId(
      await db('attachments')
        .insert({ request_id: to.requestId, comment_id: to.commentId, uploader_id: to.uploaderId, filename: f.filename, content_type: f.contentType, size: f.data.length, sha256: f.sha256, created_at: createdAt })
        .returning('id'),
    );
    await db('attachment_contents').insert({ attachment_id: id, data: f.data });
  }
}

/**
 * Where the attachment's comment is not in `comments` (an internal note, for a customer),
 * neither is the attachment: lists and downloads pass the viewer's visibleComments scope.
 */
function withVisibleComment(db: Db, comments: Scope) {
  // Correlated on the comment's key: one index probe per file, never a pass over all comments.
  return (qb: Knex.QueryBuilder) =>
    void qb.where((w) => {
      void w.whereNull('attachments.comment_id');
      void w.orWhereExists(db('comments').whereRaw('?? = ??', ['comments.id', 'attachments.comment_id']).modify(comments).select(db.raw('1')));
    });
}

/** A request's files the viewer's comment scope allows, in the order they were attached. */
export async function listRequestAttachments(db: Db, requestId: number, comments: Scope): Promise<AttachmentView[]> {
  const rows: Record<string, unknown>[] = await db('attachments')
    .where('attachments.request_id', requestId)
    .modify(withVisibleComment(db, comments))
    .orderBy('attachments.id')
    .select(COLUMNS);
  return rows.map(toView);
}

/** One file's row, when the viewer's comment scope allows it (whether they see its request is asked apart). */
export async function findAttachment(db: Db, id: number, comments: Scope): Promise<AttachmentView | null> {
  const row: Record<string, unknown> | undefined = await db('attachments').where('attachments.id', id).modify(withVisibleComment(db, comments)).first(COLUMNS);
  return row ? toView(row) : null;
}

export async function attachmentBytes(db: Db, id: number): Promise<Buffer | null> {
  const row: { data: unknown } | undefined = await db('attachment_contents').where({ attachment_id: id }).first('data');
  if (!row) return null;
  return Buffer.isBuffer(row.data) ? row.data : Buffer.from(row.data as Uint8Array);
}

/** The bytes a request's files take in all. */
export async function requestFilesBytes(db: Db, requestId: number): Promise<number> {
  const row = await db('attachments').where({ request_id: requestId }).sum({ n: 'size' }).first();
  return Number((row as { n: unknown } | undefined)?.n ?? 0);
}

/** Removes a file, its bytes with it (their row cascades). */
export async function deleteAttachment(db: Db, id: number): Promise<boolean> {
  return (await db('attachments').where({ id }).del()) > 0;
}

/** Removes comment `commentId` when it has neither text nor files left (it was only its files). */
export async function deleteCommentIfEmpty(db: Db, commentId: number): Promise<void> {
  await db('comments')
    .where({ id: commentId, body: '' })
    .whereNotExists(db('attachments').where('attachments.comment_id', commentId).select(db.raw('1')))
    .del();
}
