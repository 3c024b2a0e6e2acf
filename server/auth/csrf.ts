import { csrfSync } from 'csrf-sync';
import type { Request, RequestHandler } from 'express';
import { Forbidden } from '../errors';

function tokenFromRequest(req: Request): string | undefined {
  const body: unknown = req.body;
  if (body && typeof body === 'object' && '_csrf' in body) {
    const value = (body as Record<string, unknown>)._csrf;
    if (typeof value === 'string') return value;
  }
  const header = req.get('x-csrf-token');
  return header ?? undefined;
}

/**
 * Synchronizer tokens kept in the (database-backed) session. Every method but GET, HEAD
 * and OPTIONS needs the token, whatever the body's content type.
 */
export const csrf = csrfSync({
  getTokenFromRequest: tokenFromRequest,
  size: 32,
  errorConfig: { statusCode: 403, message: 'The form has expired or did not come from Portico. Reload the page and try again.', code: 'EBADCSRFTOKEN' },
});

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A state-changing request whose Origin (or, lacking it, Referer) names another site is
 * refused before anything else looks at it.
 */
export function sameOriginOnly(): RequestHandler {
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const source = req.get('origin') ?? req.get('referer');
    if (!source) return next();
    let host: string;
    try {
      host = new URL(source).host;
    } catch {
      return next(new Forbidden('Cross-site request refused.'));
    }
    if (source === 'null' || host !== req.get('host')) return next(new Forbidden('Cross-site request refused.'));
    next();
  };
}
