import { Router, type Request, type RequestHandler, type Response, type NextFunction } from 'express';
import type { PassportStatic } from 'passport';
import { z } from 'zod';
import type { AppDeps } from '../app';
import { INVALID_LOGIN, strategyName } from '../auth/passport';
import { loginLimiters } from '../auth/loginLimiter';
import { realmOfPath, safeNextPath } from '../auth/redirects';
import { SESSION_COOKIE, sessionCookieOptions } from '../auth/session';
import { canEnter, type Realm } from '../permissions';
import { Forbidden } from '../errors';
import { actorOf, appUrl } from './locals';
import { readSetting } from '../repositories/settings';

const loginForm = z.object({
  email: z.string().trim().max(320).default(''),
  password: z.string().max(4096).default(''),
  next: z.string().optional(),
});

const HOME: Record<Realm, string> = { portal: '/portal', desk: '/desk' };

/** What the sign-in page says when it is reached with `?<flag>=1`. */
const LOGIN_NOTICES = {
  reset: 'Your password was changed. Sign in with the new one.',
  set: 'Your password is set. Sign in with it.',
  expired: 'You were signed out (in another tab, or after a while away). Sign in again to go on.',
  signedout: 'You are signed out.',
} as const;

const CREDENTIALS_IN_URL = 'Sign in with the form: an email address or password in the page address is not accepted.';

/**
 * GET/POST <realm>/login and POST <realm>/logout. Every failure gets the same page,
 * status and message; success regenerates the session (passport does at req.login).
 */
export function authRoutes(deps: AppDeps, passport: PassportStatic, realm: Realm): Router {
  const router = Router();
  const view = `${realm}/login`;

  const renderLogin = async (res: Response, status: number, email: string, next: string | null, error: string | null, notice: string | null = null) =>
    res.status(status).render(view, { title: 'Sign in', email, next, error, notice, signup: realm === 'portal' && (await readSetting(deps.db, 'portal.signup')) });

  router.get('/login', async (req, res) => {
    const next = safeNextPath(req.query.next);
    if (canEnter(actorOf(req), realm)) return res.redirect(303, appUrl(res, next ?? HOME[realm]));
    const notice = Object.entries(LOGIN_NOTICES).find(([flag]) => req.query[flag] === '1')?.[1] ?? null;
    await renderLogin(res, 200, '', next, null, notice);
  });

  const limited = (req: Request, res: Response) => {
    const form = loginForm.safeParse(req.body);
    renderLogin(res, 429, form.success ? form.data.email : '', null, 'Too many sign-in attempts. Wait a few minutes and try again.').catch(() => {
      if (!res.headersSent) res.status(429).type('text/plain').send('Too many sign-in attempts.');
    });
  };

  router.post('/login', ...loginLimiters(deps.db, deps.config, realm, limited, { countAll: false }), (req: Request, res: Response, next: NextFunction) => {
    const form = loginForm.safeParse(req.body ?? {});
    const email = form.success ? form.data.email : '';
    const nextPath = form.success ? safeNextPath(form.data.next) : null;
    // passport-local falls back to the query string: credentials in an address end up in
    // histories and proxy logs, so only the form's body is read.
    if (req.query.email !== undefined || req.query.password !== undefined) return void renderLogin(res, 400, email, nextPath, CREDENTIALS_IN_URL).catch(next);
    passport.authenticate(strategyName(realm), { session: false }, (err: unknown, user: Express.User | false) => {
      if (err) return next(err);
      if (!user) return void renderLogin(res, 401, email, nextPath, INVALID_LOGIN).catch(next);
      req.login(user, (loginErr) => {
        if (loginErr) return next(loginErr);
        req.session.authenticatedAt = Date.now();
        req.session.save((saveErr) => {
          if (saveErr) return next(saveErr);
          res.redirect(303, appUrl(res, nextPath ?? HOME[realm]));
        });
      });
    })(req, res, next);
  });

  router.post('/logout', (req, res, next) => {
    // Someone signed in to the other realm ends nothing here (the wrong realm is refused, never served).
    const actor = actorOf(req);
    if (actor !== null && !canEnter(actor, realm)) return next(new Forbidden('This area is not available to your account.'));
    req.session.destroy((err) => {
      if (err) return next(err);
      res.clearCookie(SESSION_COOKIE, sessionCookieOptions(deps.config));
      res.redirect(303, appUrl(res, `/${realm}/login?signedout=1`));
    });
  });

  return router;
}

/**
 * POST /portal/logout or /desk/logout with nobody signed in (a second tab, an expired session)
 * has nothing to end: it goes to that realm's sign-in page. Mounted before the CSRF check,
 * which would otherwise call the vanished session's form "expired"; it changes nothing.
 */
export function logoutWithoutSession(basePath: string): RequestHandler {
  return (req, res, next) => {
    const realm = req.method === 'POST' && /^\/[a-z]+\/logout\/?$/i.test(req.path) ? realmOfPath(req.path) : null;
    if (!realm || actorOf(req) !== null) return next();
    res.redirect(303, `${basePath}/${realm}/login?signedout=1`);
  };
}
