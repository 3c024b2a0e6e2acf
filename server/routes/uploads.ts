/**
 * Files sent with a form (multipart/form-data): a new request, a customer's comment, a staff
 * reply or note. Read into memory by multer, within limits, and only where they can be
 * taken: on those three routes, for someone signed in who may enter that route's area, and
 * only after the form's CSRF token (its first field) checked out; until then a file's bytes
 * are read past, never kept. A few uploads are read at once, no more (the rest are told to
 * try again), so no number of them can exhaust the server's memory.
 *
 * A broken limit does not end the request: the route is told (`uploadProblem`) and shows its
 * form again with the message, the text kept. The forms put their file field last, so every
 * other field has arrived before a file can break a limit.
 */
import type { Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import { csrf } from '../auth/csrf';
import { BadRequest, HttpError, Invalid } from '../errors';
import { canEnter, type Area } from '../permissions';
import { attachmentOf, cleanFilename } from '../presenters/attachments';
import { ATTACHMENT_MAX_BYTES, ATTACHMENTS_MAX, type NewAttachment } from '../repositories/attachments';
import { actorOf } from './locals';

const MAX_MB = ATTACHMENT_MAX_BYTES / (1024 * 1024);

/** The routes whose forms take files, and the area each belongs to (matched whatever the letter case, as express routes are). */
const UPLOAD_ROUTES: { path: RegExp; area: Area }[] = [
  { path: /^\/portal\/requests\/?$/i, area: 'portal' },
  { path: /^\/portal\/requests\/\d+\/comments\/?$/i, area: 'portal' },
  { path: /^\/desk\/requests\/\d+\/comments\/?$/i, area: 'desk' },
];

/** How many uploads are read at once; each holds at most its files (5 × 10 MB) in memory. */
export const UPLOADS_AT_ONCE = 4;
/** …and how many of them one person may send (in all their sessions), so no one can hold them all. */
export const UPLOADS_PER_PERSON = 2;

const reader = multer({
  storage: multer.memoryStorage(),
  limits: {
    fileSize: ATTACHMENT_MAX_BYTES,
    files: ATTACHMENTS_MAX,
    // The forms' own fields: a handful, none longer than a 20,000-character text (in UTF-8).
    fields: 10,
    fieldSize: 100 * 1024,
    parts: 10 + ATTACHMENTS_MAX,
    // No form names a field with brackets: `x[1000000000]` would be a sparse array to walk.
    fieldNestingDepth: 0,
  },
  defParamCharset: 'utf8',
  // A file before a valid token (a forged or foreign form) is read past, not kept.
  fileFilter: (req, _file, done) => done(null, csrf.isRequestValid(req)),
}).array('files', ATTACHMENTS_MAX);

function problemOf(code: string): string {
  switch (code) {
    case 'LIMIT_FILE_SIZE':
      return `A file can be at most ${MAX_MB} MB: attach a smaller one.`;
    case 'LIMIT_FILE_COUNT':
      return `Attach at most ${ATTACHMENTS_MAX} files at a time.`;
    case 'LIMIT_UNEXPECTED_FILE':
      return 'Files go in the form’s “Attach files” field: send the form again from the page.';
    default:
      return 'The form could not be read whole: shorten the text or attach fewer files, and send it again.';
  }
}

class Busy extends HttpError {
  constructor() {
    super(503, 'ServiceUnavailable', 'Too many files are being sent at this moment: send the form again in a minute.');
  }
}

export function readUploads(): RequestHandler {
  let reading = 0;
  const byPerson = new Map<number, number>();
  return (req, res, next) => {
    if (req.method !== 'POST' || !req.is('multipart/form-data')) return next();
    const route = UPLOAD_ROUTES.find((r) => r.path.test(req.path));
    // Anyone else's upload is not read: the CSRF check or the area's gate refuses it unread.
    const actor = actorOf(req);
    if (!route || !actor || !canEnter(actor, route.area)) return next();
    const theirs = byPerson.get(actor.id) ?? 0;
    if (reading >= UPLOADS_AT_ONCE || theirs >= UPLOADS_PER_PERSON) {
      res.set('Retry-After', '30');
      return next(new Busy());
    }
    reading += 1;
    byPerson.set(actor.id, theirs + 1);
    let done = false;
    const finish = () => {
      if (done) return false;
      done = true;
      reading -= 1;
      const left = (byPerson.get(actor.id) ?? 1) - 1;
      if (left > 0) byPerson.set(actor.id, left);
      else byPerson.delete(actor.id);
      return true;
    };
    res.on('close', finish);
    reader(req, res, (err?: unknown) => {
      if (!finish()) return;
      if (err instanceof multer.MulterError) {
        res.locals.uploadProblem = problemOf(err.code);
        req.files = [];
        return next();
      }
      // A body that is not the multipart it says (no boundary, cut short, a part with no name).
      if (err) return next(new BadRequest('The form could not be read: send it again from the page.'));
      next();
    });
  };
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
  const files = chosen.map((f) => attachmentOf(f.originalname, f.buffer));
  return { files, problem: null, sent: files.length > 0 };
}

/**
 * The files of a form whose other fields were read already, for a route that refuses with an
 * Invalid: their problem is thrown, and `res.locals` tells the form shown again that its files
 * must be chosen again (`filesDropped`) and what was wrong with them (`fileProblem`).
 */
export function filesOrRefuse(req: Request, res: Response): NewAttachment[] {
  const sent = sentFiles(req, res);
  res.locals.filesDropped = sent.sent;
  if (sent.problem) {
    res.locals.fileProblem = sent.problem;
    throw new Invalid(sent.problem, { files: 'refused' });
  }
  return sent.files;
}

/** Whether an upload limit cut the form short (fields after the failing file may be missing). */
export function uploadCutShort(res: Response): boolean {
  return typeof res.locals.uploadProblem === 'string';
}
