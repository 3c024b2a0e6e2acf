import session from 'express-session';
import { ConnectSessionKnexStore } from 'connect-session-knex';
import type { RequestHandler } from 'express';
import type { Db } from '../db';
import type { Config } from '../config';

export const SESSION_COOKIE = 'portico.sid';

/**
 * The library's touch() neither reports nor catches database errors; a failed touch
 * must not become an unhandled rejection that takes the process down.
 */
class SessionStore extends ConnectSessionKnexStore {
  override async touch(sid: string, sess: session.SessionData, callback?: () => void): Promise<void> {
    try {
      await super.touch(sid, sess);
    } catch {
      // A missed touch only shortens that session's life; the next request retries.
    }
    callback?.();
  }
}

export function createSessionStore(db: Db): ConnectSessionKnexStore {
  return new SessionStore({ knex: db, tableName: 'sessions', createTable: false, cleanupInterval: 5 * 60_000 });
}

export function sessionMiddleware(config: Config, secret: string, store: session.Store): RequestHandler {
  return session({
    name: SESSION_COOKIE,
    secret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    unset: 'destroy',
    proxy: config.TRUST_PROXY,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.NODE_ENV === 'production',
      path: config.BASE_PATH || '/',
      maxAge: config.SESSION_IDLE_MINUTES * 60_000,
    },
  });
}

declare module 'express-session' {
  interface SessionData {
    /** When the person signed in (ms); sessions older than the absolute limit end. */
    authenticatedAt?: number;
  }
}

/** Ends a signed-in session that has passed the absolute lifetime, whatever its activity. */
export function absoluteTimeout(config: Config): RequestHandler {
  const limitMs = config.SESSION_ABSOLUTE_HOURS * 3_600_000;
  return (req, _res, next) => {
    const started = req.session?.authenticatedAt;
    if (started !== undefined && Date.now() - started > limitMs) {
      req.session.regenerate((err) => next(err));
      return;
    }
    next();
  };
}
