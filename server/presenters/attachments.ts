/**
 * How files attached to requests are named, typed and shown: the name a file is saved under,
 * the type it is served as (from its own bytes), whether a browser may show it, its size.
 */
import crypto from 'node:crypto';
import { ATTACHMENT_MAX_BYTES, ATTACHMENTS_MAX, type AttachmentView, type NewAttachment } from '../repositories/attachments';
import { canRemoveAttachment, type MaybeActor, type RequestTarget } from '../permissions';

/** "812 bytes", "14 kB", "2.4 MB", as people read a size (1 kB = 1,024 bytes, as file managers count). */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} byte${bytes === 1 ? '' : 's'}`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} kB`;
  const mb = bytes / (1024 * 1024);
  return `${mb < 10 ? mb.toFixed(1) : Math.round(mb)} MB`;
}

/** What a form says beside its file field. */
export const UPLOAD_LIMITS_TEXT = `Up to ${ATTACHMENTS_MAX} files, ${ATTACHMENT_MAX_BYTES / (1024 * 1024)} MB each.`;

/** A request's files by where they came: `request` with it, `byComment` with each comment. */
export interface FilesOfRequest {
  /** The files the viewer may remove (policies/requests.ts canRemoveAttachment), by id. */
  removable: number[];
  request: AttachmentView[];
  /** By comment id (a plain object, so a captured page's view model survives JSON: test/bench/viewModel.ts). */
  byComment: Record<number, AttachmentView[]>;
}

export function filesOfRequest(files: readonly AttachmentView[], viewer: MaybeActor, target: RequestTarget): FilesOfRequest {
  const byComment: Record<number, AttachmentView[]> = {};
  const request: AttachmentView[] = [];
  for (const f of files) {
    if (f.commentId === null) request.push(f);
    else (byComment[f.commentId] ??= []).push(f);
  }
  return { removable: files.filter((f) => canRemoveAttachment(viewer, target, f.uploaderId)).map((f) => f.id), request, byComment };
}

/** What a name may not carry: control characters, and the direction overrides that make "txt.exe" read "exe.txt". */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is taken out
const UNSAFE_IN_NAMES = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** The name a file is shown and saved under: no folders, nothing invisible, at most 200 characters, its extension kept. */
export function cleanFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/\s+/g, ' ').replace(UNSAFE_IN_NAMES, '').trim();
  if (!clean || clean === '.' || clean === '..') return 'attachment';
  const chars = [...clean];
  if (chars.length <= 200) return clean;
  const dot = clean.lastIndexOf('.');
  const ext = dot > 0 && clean.length - dot <= 16 ? clean.slice(dot) : '';
  return chars.slice(0, 200 - [...ext].length).join('') + ext;
}

/**
 * The type a file is served as, from its first bytes, never from what the browser said: the
 * four image kinds a browser shows safely, PDF, and everything else as bytes to save
 * (an HTML or SVG file is never served as one, so it can never run as Portico's page).
 */
export function sniffType(data: Buffer): string {
  const starts = (bytes: number[], at = 0) => bytes.every((b, i) => data[at + i] === b);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts([0x47, 0x49, 0x46, 0x38]) && (data[4] === 0x37 || data[4] === 0x39) && data[5] === 0x61) return 'image/gif';
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  if (starts([0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf';
  return 'application/octet-stream';
}

/** Whether a browser may show the file in its tab rather than save it. */
export function shownInline(contentType: string): boolean {
  return ['image/png', 'image/jpeg', 'image/gif', 'image/webp'].includes(contentType);
}

/** A file as sent (its name as the browser gave it, its bytes), as it is stored: its name cleaned, its type from its bytes. */
export function attachmentOf(sentName: string, data: Buffer): NewAttachment {
  return { filename: cleanFilename(sentName), contentType: sniffType(data), data, sha256: crypto.createHash('sha256').update(data).digest('hex') };
}
