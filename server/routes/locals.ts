import type { Request, RequestHandler, Response } from 'express';
import { fallbackBaseUrl, type Config } from '../config';
import { csrf } from '../auth/csrf';
import { settingsReadWithThisRequest } from '../auth/session';
import { NotFound } from '../errors';
import { canEnter, canUseDashboardHub, realmOf, type MaybeActor } from '../permissions';
import type { Db } from '../db';
import { readSettings, type Settings } from '../repositories/settings';
import { scopeSettingsOf } from '../repositories/accessFacts';
import type { ScopeSettings } from '../permissions/scopes';

export function actorOf(req: Request): MaybeActor {
  return req.user ?? null;
}

const SETTINGS = Symbol('settings');
type WithSettings = Request & { [SETTINGS]?: Promise<Settings> };

/**
 * The global settings as of this request: read from the database once per request (never
 * cached across requests, so a toggle is seen by every instance on its next request). A
 * signed-in request has them already, from the statement that read its session.
 */
export function requestSettings(req: Request, db: Db): Promise<Settings> {
  const r = req as WithSettings;
  if (!r[SETTINGS]) {
    const withSession = settingsReadWithThisRequest(req);
    r[SETTINGS] = withSession ? Promise.resolve(withSession) : readSettings(db);
  }
  return r[SETTINGS];
}

export async function requestScopeSettings(req: Request, db: Db): Promise<ScopeSettings> {
  return scopeSettingsOf(await requestSettings(req, db));
}

/** Path inside the app, prefixed with the mount point (BASE_PATH). */
export function appUrl(res: Response, path: string): string {
  return `${String(res.locals.basePath ?? '')}${path}`;
}

export function redirectTo(res: Response, path: string, status = 303): void {
  res.redirect(status, appUrl(res, path));
}

/** The path the browser asked for, without the mount point, for `next=`. */
export function requestedPath(req: Request, basePath: string): string {
  const full = req.originalUrl;
  return basePath && full.startsWith(basePath) ? full.slice(basePath.length) || '/' : full;
}

/**
 * What every template may read: flags and names, never the actor's type itself.
 */
export function viewLocals(config: Config, db: Db): RequestHandler {
  return async (req, res, next) => {
    const actor = actorOf(req);
    res.locals.basePath = config.BASE_PATH;
    res.locals.url = (path: string) => `${config.BASE_PATH}${path}`;
    res.locals.csrfToken = () => csrf.generateToken(req);
    res.locals.viewer = actor
      ? {
          name: actor.name,
          realm: realmOf(actor.type),
          // Whose unsent form text a browser tab keeps (public/js/drafts.js): never another person's.
          draftOwner: String(actor.id),
          canDesk: canEnter(actor, 'desk'),
          canAdmin: canEnter(actor, 'admin'),
          canPortal: canEnter(actor, 'portal'),
          // Only customers need the toggle read, to show or hide the Dashboards menu.
          dashboardHub: canEnter(actor, 'portal') && canUseDashboardHub(actor, (await requestSettings(req, db))['portal.dashboards']),
        }
      : null;
    res.locals.title = 'Portico';
    // The header marks the section the page belongs to (aria-current): `paths` are prefixes, `exact` whole paths.
    const here = requestedPath(req, config.BASE_PATH).split(/[?#]/)[0] ?? '';
    res.locals.current = (paths: string[], exact: string[] = []) =>
      exact.includes(here) || paths.some((p) => here === p || here.startsWith(`${p}/`)) ? 'aria-current="page"' : '';
    next();
  };
}

/**
 * Absolute address of Portico for links in mail and API paging: PUBLIC_URL, else the
 * configured host and port. Never the request's Host header, which a client chooses
 * (a poisoned Host would put an attacker's address into a password-reset mail).
 */
export function publicBaseUrl(_req: Request, config: Config): string {
  return config.PUBLIC_URL ?? fallbackBaseUrl(config);
}

/** A positive database id from a path parameter; anything else is simply not found. */
export function idParam(value: unknown): number {
  const n = typeof value === 'string' && /^[1-9][0-9]{0,9}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n > 2 ** 31 - 1) throw new NotFound();
  return n;
}
