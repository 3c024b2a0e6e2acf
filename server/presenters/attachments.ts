/** How files attached to requests are shown: their sizes, the limits beside a file field, who gets which. */
import { ATTACHMENT_MAX_BYTES, ATTACHMENTS_MAX, type AttachmentView } from '../repositories/attachments';

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
  request: AttachmentView[];
  /** By comment id (a plain object, so a captured page's view model survives JSON: test/bench/viewModel.ts). */
  byComment: Record<number, AttachmentView[]>;
}

export function filesOfRequest(files: readonly AttachmentView[]): FilesOfRequest {
  const byComment: Record<number, AttachmentView[]> = {};
  const request: AttachmentView[] = [];
  for (const f of files) {
    if (f.commentId === null) request.push(f);
    else (byComment[f.commentId] ??= []).push(f);
  }
  return { request, byComment };
}
