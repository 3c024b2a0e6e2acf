/**
 * Files sent with a form (multipart/form-data): a new request, a customer's comment, a staff
 * reply or note. Read into memory by multer, within limits, only on those routes and only for
 * someone signed in (anyone else's upload is never read: the CSRF check refuses it unread).
 * A broken limit does not end the request: the route is told (`uploadProblem`) and shows its
 * form again with the message, the text kept.
 */
import crypto from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import { ATTACHMENT_MAX_BYTES, ATTACHMENTS_MAX, type NewAttachment } from '../repositories/attachments';
import { actorOf } from './locals';

const MAX_MB = ATTACHMENT_MAX_BYTES / (1024 * 1024);

/** The routes whose forms take files. */
const UPLOAD_PATHS = [/^\/portal\/requests\/?$/, /^\/portal\/requests\/\d+\/comments\/?$/, /^\/desk\/requests\/\d+\/comments\/?$/];

const reader = multer({
  storage: multer.memoryStorage(),
  // The form's own fields are few and as long as its urlencoded twin allows (200 kB in all).
  limits: { fileSize: ATTACHMENT_MAX_BYTES, files: ATTACHMENTS_MAX, fields: 20, fieldSize: 200 * 1024, parts: 20 + ATTACHMENTS_MAX },
  defParamCharset: 'utf8',
}).array('files', ATTACHMENTS_MAX);

function problemOf(code: string): string {
  switch (code) {
    case 'LIMIT_FILE_SIZE':
      return `A file can be at most ${MAX_MB} MB: attach a smaller one.`;
    case 'LIMIT_FILE_COUNT':
    case 'LIMIT_UNEXPECTED_FILE':
      return `Attach at most ${ATTACHMENTS_MAX} files at a time.`;
    default:
      return 'The form is too large to read: shorten the text or attach fewer files.';
  }
}

export function readUploads(): RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'POST' || !req.is('multipart/form-data')) return next();
    if (actorOf(req) === null || !UPLOAD_PATHS.some((p) => p.test(req.path))) return next();
    reader(req, res, (err?: unknown) => {
      if (err instanceof multer.MulterError) {
        res.locals.uploadProblem = problemOf(err.code);
        req.files = [];
        return next();
      }
      next(err);
    });
  };
}

/** What a name may not carry: control characters, and the direction overrides that make "txt.exe" read "exe.txt". */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is taken out
const UNSAFE_IN_NAMES = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f]/g;

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

/** The files sent with a form, ready to store; or the problem to show with the form again. */
export interface SentFiles {
  files: NewAttachment[];
  problem: string | null;
  /** Whether files came at all: a browser cannot put them back into a form shown again, so the form asks for them again. */
  sent: boolean;
}

/**
 * The files sent with this form: a limit multer hit, or an empty file, is the problem (a
 * browser sends one empty and nameless part when no file was chosen: that is no file).
 */
export function sentFiles(req: Request, res: Response): SentFiles {
  const problem: unknown = res.locals.uploadProblem;
  if (typeof problem === 'string') return { files: [], problem, sent: true };
  const chosen = (Array.isArray(req.files) ? req.files : []).filter((f) => !(f.size === 0 && f.originalname === ''));
  const empty = chosen.find((f) => f.size === 0);
  if (empty) return { files: [], problem: `“${cleanFilename(empty.originalname)}” is empty: attach a file with something in it.`, sent: true };
  const files = chosen.map((f) => ({
    filename: cleanFilename(f.originalname),
    contentType: sniffType(f.buffer),
    data: f.buffer,
    sha256: crypto.createHash('sha256').update(f.buffer).digest('hex'),
  }));
  return { files, problem: null, sent: files.length > 0 };
}
