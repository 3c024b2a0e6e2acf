import { csrfSync } from 'csrf-sync';
import type { Request, RequestHandler } from 'express';
import { realmOfPath, safeNextPath } from './redirects';
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

/** The page a form was sent from, as a path inside Portico (BASE_PATH taken off), when the Referer names this site. */
function sendingPage(req: Request, basePath: string): string | null {
  const referer = req.get('referer');
  if (!referer) return null;
  try {
    const url = new URL(referer);
    if (url.host !== req.get('host')) return null;
    const path = url.pathname.startsWith(`${basePath}/`) ? url.pathname.slice(basePath.length) : basePath ? null : url.pathname;
    return path === null ? null : safeNextPath(path + url.search);
  } catch {
    return null;
  }
}

/**
 * The CSRF check; when it fails for a page's form and nobody is signed in (the session ended
 * in another tab, or expired, and its token with it), the sender is led to the sign-in page,
 * back to the page they were on, instead of a "form has expired" dead end. Nothing was done,
 * so nothing is lost but what was typed. Signed in, a bad token is refused as always.
 */
export function csrfProtection(basePath: string, signedIn: (req: Request) => boolean, wantsJson: (req: Request) => boolean): RequestHandler {
  return (req, res, next) =>
    csrf.csrfSynchronisedProtection(req, res, (err?: unknown) => {
      if (!err) return next();
      const realm = realmOfPath(req.path);
      if (!realm || signedIn(req) || wantsJson(req) || (err as { code?: unknown }).code !== 'EBADCSRFTOKEN') return next(err);
      const back = sendingPage(req, basePath);
      res.redirect(303, `${basePath}/${realm}/login?expired=1${back ? `&next=${encodeURIComponent(back)}` : ''}`);
    });
}
