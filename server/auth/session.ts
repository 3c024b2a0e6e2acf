import session from 'express-session';
import { ConnectSessionKnexStore } from 'connect-session-knex';
import type { RequestHandler } from 'express';
import type { Db } from '../db';
import type { Config } from '../config';

export const SESSION_COOKIE = 'portico.sid';

/** A session's expiry is pushed back at most this often: reads then stay reads. */
export const TOUCH_INTERVAL_MS = 60_000;
const TOUCH_MEMORY = 50_000;

/**
 * Two changes to the library's store. touch() runs on every request that did not change
 * the session; writing the new expiry each time would make every page view a database
 * write, so it is written at most once a minute per session (the idle timeout is thus
 * exact to a minute). And a failed touch is swallowed: it must not become an unhandled
 * rejection that takes the process down (the next request retries).
 */
class SessionStore extends ConnectSessionKnexStore {
  private readonly lastTouch = new Map<string, number>();

  override async touch(sid: string, sess: session.SessionData, callback?: () => void): Promise<void> {
    const now = Date.now();
    const last = this.lastTouch.get(sid);
    if (last === undefined || now - last >= TOUCH_INTERVAL_MS) {
      if (this.lastTouch.size >= TOUCH_MEMORY) this.lastTouch.clear();
      this.lastTouch.set(sid, now);
      try {
        await super.touch(sid, sess);
      } catch {
        this.lastTouch.delete(sid);
      }
    }
    callback?.();
  }

  // A full save writes the expiry too, so it counts as a touch.
  override async set(sid: string, sess: session.SessionData, callback?: (err?: unknown) => void): Promise<void> {
    this.lastTouch.set(sid, Date.now());
    return super.set(sid, sess, callback);
  }

  override async destroy(sid: string, callback?: (err?: unknown) => void): Promise<number> {
    this.lastTouch.delete(sid);
    return super.destroy(sid, callback);
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
