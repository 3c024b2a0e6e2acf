import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { ZodError } from 'zod';
import type { Logger } from '../logger';
import { isUniqueViolation } from '../db';
import { Conflict, HttpError, Invalid, NotFound, RACED } from '../errors';

export function wantsJson(req: Request): boolean {
  return req.path.startsWith('/api/') || req.accepts(['html', 'json']) === 'json';
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Sign-in required',
  403: 'Not allowed',
  404: 'Page not found',
  409: 'Conflict',
  413: 'Too large',
  422: 'Cannot do that',
  429: 'Too many attempts',
  500: 'Something went wrong',
  503: 'Busy',
};

/** A 409 for a unique violation, logged (constraint and table only) since it may also be a bug. */
export function raced(log: Logger, err: unknown): Conflict {
  const { constraint, table } = err as { constraint?: unknown; table?: unknown };
  log.warn({ constraint, table, code: (err as { code?: unknown }).code }, 'unique constraint refused a concurrent change');
  return new Conflict(RACED);
}

export const notFoundHandler: RequestHandler = (_req, _res, next) => next(new NotFound());

/** Maps an error's status from libraries (body-parser, csrf-sync) that throw http-errors. */
function statusOf(err: unknown): number {
  if (err instanceof HttpError) return err.status;
  if (err && typeof err === 'object') {
    const s = (err as { status?: unknown; statusCode?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
    if (typeof s === 'number' && s >= 400 && s < 500) return s;
  }
  return 500;
}

/**
 * One place turns errors into answers. Expected errors keep their message; anything else
 * is logged and answered with a generic 500, never a stack trace.
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (thrown: unknown, req, res, _next) => {
    // A schema parsed with .parse() where readForm belonged: still the person's input, never a 500.
    // A unique constraint that stopped a concurrent duplicate: the check before it lost a race.
    const err = thrown instanceof ZodError ? new Invalid('Some of what was sent is not valid; check it and try again.') : isUniqueViolation(thrown) ? raced(log, thrown) : thrown;
    const status = statusOf(err);
    // A 503 of Portico's own (too many uploads at once) is an answer, not a fault: it keeps its message.
    const expected = status < 500 || (err instanceof HttpError && status === 503);
    if (!expected) log.error({ err }, 'unhandled error');
    const message = expected && err instanceof Error ? err.message : 'Something went wrong on our side. Please try again.';
    if (res.headersSent) return;
    res.status(status);
    res.locals.url ??= (path: string) => path;
    res.locals.viewer ??= null;
    if (wantsJson(req)) {
      const code = err instanceof HttpError ? err.code : status === 500 ? 'InternalServerError' : 'Error';
      res.json({ Status: code, Message: message, ...(err instanceof Invalid ? { Fields: err.fields } : {}) });
      return;
    }
    res.render('errors/error', { title: TITLES[status] ?? 'Error', status, message }, (renderErr, html) => {
      if (renderErr) {
        log.error({ err: renderErr }, 'error page failed to render');
        res.type('text/plain').send(TITLES[status] ?? 'Error');
        return;
      }
      res.send(html);
    });
  };
}
