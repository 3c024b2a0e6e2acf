import session from 'express-session';
import { ConnectSessionKnexStore } from 'connect-session-knex';
import type { Request, RequestHandler } from 'express';
import type { Db } from '../db';
import type { Config } from '../config';
import type { PrincipalRow } from '../repositories/principals';
import { readSessionWithPrincipal, setSessionPrincipal } from '../repositories/sessions';
import type { Settings } from '../repositories/settings';

export const SESSION_COOKIE = 'portico.sid';

/** A session's expiry is pushed back at most this often: reads then stay reads. */
export const TOUCH_INTERVAL_MS = 60_000;
const TOUCH_MEMORY = 50_000;

/** The principal read with a session (the joined read), kept on the request for deserializeUser. */
const PRINCIPAL_READ = Symbol('principal read with the session');
const readWithSession = new WeakMap<Request, PrincipalRow>();
/** The settings read in the same statement, kept on the request for requestSettings. */
const SETTINGS_READ = Symbol('settings read with the session');
const settingsReadWithSession = new WeakMap<Request, Settings>();

type WithPrincipal = session.SessionData & { [PRINCIPAL_READ]?: PrincipalRow; [SETTINGS_READ]?: Settings };

/** The settings this request's session read brought along (as of this request), or null. */
export function settingsReadWithThisRequest(req: Request): Settings | null {
  return settingsReadWithSession.get(req) ?? null;
}

/**
 * The principal that this request's session read brought along, if it is the one the session
 * names; then the caller need not read it again. Taken once: a later call answers null.
 */
export function takePrincipalReadWithSession(req: Request, principalId: number): PrincipalRow | null {
  const row = readWithSession.get(req);
  readWithSession.delete(req);
  return row && row.id === principalId ? row : null;
}

function sessionPrincipalId(sess: session.SessionData): number | null {
  const user = (sess as { passport?: { user?: { id?: unknown } } }).passport?.user;
  const id = Number(user?.id);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

/**
 * Changes to the library's store:
 * - get() reads the session and, joined on the row's principal hint, its person in one
 *   statement; createSession() hands that person to the request, where deserializeUser takes
 *   it instead of reading it again (it checks the id against the session's own JSON).
 * - set() also records the principal hint.
 * - touch() runs on every request that did not change the session; writing the new expiry each
 *   time would make every page view a database write, so it is written at most once a minute
 *   per session (the idle timeout is thus exact to a minute). A failed touch is swallowed: it
 *   must not become an unhandled rejection that takes the process down (the next request retries).
 */
class SessionStore extends ConnectSessionKnexStore {
  private readonly lastTouch = new Map<string, number>();

  constructor(private readonly db: Db) {
    super({ knex: db, tableName: 'sessions', createTable: false, cleanupInterval: 5 * 60_000 });
  }

  override async get(sid: string, callback?: (err: unknown, session?: session.SessionData | null) => void): Promise<session.SessionData | null> {
    try {
      const found = await readSessionWithPrincipal(this.db, sid);
      let sess: WithPrincipal | null = null;
      if (found) {
        sess = found.sess as unknown as WithPrincipal;
        // A symbol key: neither copied into the Session object nor part of its change hash.
        if (found.principal) sess[PRINCIPAL_READ] = found.principal;
        if (found.settings) sess[SETTINGS_READ] = found.settings;
      }
      callback?.(null, sess);
      return sess;
    } catch (err) {
      // express-session passes a callback and ignores the promise: a rejection would be unhandled.
      if (callback) {
        callback(err);
        return null;
      }
      throw err;
    }
  }

  override createSession(req: Request, data: session.SessionData): session.SessionData & session.Session {
    const row = (data as WithPrincipal)[PRINCIPAL_READ];
    if (row) readWithSession.set(req, row);
    else readWithSession.delete(req);
    const settings = (data as WithPrincipal)[SETTINGS_READ];
    if (settings) settingsReadWithSession.set(req, settings);
    return super.createSession(req, data);
  }

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
    try {
      await super.set(sid, sess);
      await setSessionPrincipal(this.db, sid, sessionPrincipalId(sess));
    } catch (err) {
      if (callback) return callback(err);
      throw err;
    }
    callback?.();
  }

  override async destroy(sid: string, callback?: (err?: unknown) => void): Promise<number> {
    this.lastTouch.delete(sid);
    return super.destroy(sid, callback);
  }
}

export function createSessionStore(db: Db): ConnectSessionKnexStore {
  return new SessionStore(db);
}

/** The session cookie's attributes, for setting it and for clearing it at sign-out alike. */
export function sessionCookieOptions(config: Config): { httpOnly: true; sameSite: 'lax'; secure: boolean; path: string } {
  return { httpOnly: true, sameSite: 'lax', secure: config.NODE_ENV === 'production', path: config.BASE_PATH || '/' };
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
    // Secure cookies over a trusted proxy's HTTPS: decided by express's `trust proxy` (req.secure).
    proxy: config.TRUST_PROXY === false ? false : undefined,
    cookie: { ...sessionCookieOptions(config), maxAge: config.SESSION_IDLE_MINUTES * 60_000 },
  });
}

declare module 'express-session' {
  interface SessionData {
    /** When the person signed in (ms); sessions older than the absolute limit end. */
    authenticatedAt?: number;
    /** The one-time mark of the token form last shown (routes/desk/tokens.ts). */
    tokenFormNonce?: string;
    /** The one-time marks of the share-link forms shown and not yet sent (routes/formNonces.ts). */
    shareLinkFormNonces?: string[];
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
