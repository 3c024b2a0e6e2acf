import path from 'node:path';
import querystring from 'node:querystring';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Db } from './db';
import type { Config } from './config';
import type { Logger } from './logger';
import { requestLogging } from './logger';
import { createPassport } from './auth/passport';
import { absoluteTimeout, createSessionStore, sessionMiddleware } from './auth/session';
import { csrfProtection, sameOriginOnly } from './auth/csrf';
import { readUploads } from './routes/uploads';
import { actorOf, viewLocals } from './routes/locals';
import { errorHandler, notFoundHandler, wantsJson } from './routes/errors';
import { NotFound } from './errors';
import { logoutWithoutSession } from './routes/authRoutes';
import { healthRoutes } from './routes/health';
import { portalRoutes } from './routes/portal';
import { deskRoutes } from './routes/desk';
import { adminRoutes } from './routes/admin';
import { apiV1Routes } from './routes/api/v1';
import { shareRoutes } from './routes/share';
import type { Mailer } from './mail/mailer';
import { PROJECT_ROOT } from './paths';
import { bodyWithoutNul, withoutNul } from './routes/forms';
import { useEjs } from './views';

export interface AppDeps {
  db: Db;
  config: Config;
  log: Logger;
  sessionSecret: string;
  mailer: Mailer;
}


/**
 * Builds the whole express app. It knows nothing of the port it will listen on and can be
 * mounted under BASE_PATH by a host application (main.ts does exactly that).
 */
export function createApp(deps: AppDeps): Express {
  const { db, config, log } = deps;
  const app = express();
  app.locals.deps = deps;
  useEjs(app, config.NODE_ENV === 'production');
  app.set('trust proxy', config.TRUST_PROXY);
  app.disable('x-powered-by');
  // express's "simple" parser, with NUL characters taken out (routes/forms.ts, withoutNul).
  app.set('query parser', (query: string) => withoutNul(querystring.parse(query)));

  app.use(requestLogging(log, (url) => url === '/healthz'));

  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      referrerPolicy: { policy: 'same-origin' },
      strictTransportSecurity: config.NODE_ENV === 'production',
    }),
  );

  app.use('/static', express.static(path.join(PROJECT_ROOT, 'public'), { maxAge: '1h', index: false }));
  app.use(
    '/static/vendor',
    express.static(path.join(PROJECT_ROOT, 'node_modules', 'chart.js', 'dist'), { maxAge: '1d', index: false }),
  );

  app.use(healthRoutes(db));
  // Token-authenticated JSON API: mounted before sessions and CSRF, which it never uses.
  app.use('/api/v1', apiV1Routes(deps));

  // Everything below is dynamic and may be personal: never cached by browsers or proxies.
  app.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  // Public share links: no session, no sign-in, no form (routes/share.ts).
  app.use('/share', shareRoutes(deps, config));

  const passport = createPassport(db, config.SCRYPT_COST, log);
  app.use(sessionMiddleware(config, deps.sessionSecret, createSessionStore(db)));
  // express-session skips a path outside its cookie's (a case variant of BASE_PATH such as
  // /SUPPORT, which express still routes here; an asterisk-form request line): no session,
  // no page, rather than a 500 from whatever needs the session next.
  app.use((req, _res, next) => next(req.session ? undefined : new NotFound()));
  app.use(absoluteTimeout(config));
  app.use(passport.session());
  app.use(express.urlencoded({ extended: false, limit: '200kb', parameterLimit: 200 }));
  app.use(sameOriginOnly());
  // Files only after the origin check: another site's upload is refused before it is read.
  app.use(readUploads());
  app.use(bodyWithoutNul);
  app.use(logoutWithoutSession(config.BASE_PATH));
  app.use(csrfProtection(config.BASE_PATH, (req) => actorOf(req) !== null, wantsJson));
  app.use(viewLocals(config, db));

  app.get('/', (_req, res) => res.redirect(302, `${config.BASE_PATH}/portal`));
  app.use('/portal', portalRoutes(deps, passport));
  app.use('/desk', deskRoutes(deps, passport));
  app.use('/admin', adminRoutes(deps));

  app.use(notFoundHandler);
  app.use(errorHandler(log));
  return app;
}
