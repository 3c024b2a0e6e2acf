import type { RequestHandler } from 'express';
import { canEnter, type Area, type Realm } from '../permissions';
import { Forbidden } from '../errors';
import { actorOf, appUrl, requestedPath } from './locals';

const LOGIN_OF: Record<Area, Realm> = { portal: 'portal', desk: 'desk', admin: 'desk' };

/**
 * The gate in front of a whole area. Nobody signed in: 302 to that realm's login with
 * `next=`; signed in but of the wrong kind: 403, never the page.
 */
export function requireArea(area: Area, basePath: string): RequestHandler {
  return (req, res, next) => {
    const actor = actorOf(req);
    if (canEnter(actor, area)) return next();
    if (actor === null) {
      const login = `/${LOGIN_OF[area]}/login?next=${encodeURIComponent(requestedPath(req, basePath))}`;
      return res.redirect(302, appUrl(res, login));
    }
    next(new Forbidden('This area is not available to your account.'));
  };
}
