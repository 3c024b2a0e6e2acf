/** Shared pieces of the REST API: token auth, body keys, booleans, paging, errors. */
import express, { type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import { isUniqueViolation, type Db } from '../../../db';
import { BadRequest, HttpError, NotFound, STATUS_NAMES, Unauthorized } from '../../../errors';
import { isStaff, type Actor, type DirectMode } from '../../../permissions';
import { principalForToken } from '../../../repositories/accessTokens';
import { findPrincipalById, toActor } from '../../../repositories/principals';
import { BulkError } from '../../../commands/entityPermissions';
import { WhereError, type Condition } from '../../../api/where';
import { bodyWithoutNul, MAX_BODY_DEPTH, MAX_ID, nestedDeeperThan } from '../../forms';
import type { Logger } from '../../../logger';
import { raced } from '../../errors';

declare module 'express-serve-static-core' {
  interface Request {
    apiActor?: Actor;
  }
}

export function apiActor(req: Request): Actor {
  if (!req.apiActor) throw new Unauthorized();
  return req.apiActor;
}

/** A personal access token as `Authorization: Bearer <token>` or `?token=` (also `access_token`). */
export function tokenAuth(db: Db): RequestHandler {
  return async (req, _res, next) => {
    const header = req.get('authorization');
    const bearer = header && /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const query = typeof req.query.token === 'string' ? req.query.token : typeof req.query.access_token === 'string' ? req.query.access_token : undefined;
    const token = bearer ?? query;
    if (!token || token.length > 200) return next(new Unauthorized('A personal access token is required (Authorization: Bearer <token> or ?token=).'));
    const principalId = await principalForToken(db, token);
    const person = principalId === null ? null : await findPrincipalById(db, principalId);
    const actor = person && !person.disabled ? toActor(person) : null;
    if (!actor || !isStaff(actor)) return next(new Unauthorized('The token is not valid.'));
    req.apiActor = actor;
    next();
  };
}

const parseJson = express.json({ limit: '1mb', strict: false });
/**
 * The JSON body, without NUL characters in its strings (see routes/forms.ts). A body nested
 * deeper than MAX_BODY_DEPTH is a 400 before the NUL filter walks it: the parser calls back
 * outside express's own error handling, where a stack overflow would end the process.
 */
export const jsonBody: RequestHandler = (req, res, next) =>
  parseJson(req, res, (err?: unknown) => {
    if (err) return next(err);
    if (nestedDeeperThan(req.body, MAX_BODY_DEPTH)) return next(new BadRequest(`The JSON body is nested too deeply (at most ${MAX_BODY_DEPTH} levels).`));
    bodyWithoutNul(req, res, next);
  });

/** Body keys are case-insensitive (`EntityID` = `EntityId`): lower-case them one level deep. */
export function lowerKeys(value: unknown): Record<string, unknown> | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const inner = v && typeof v === 'object' && !Array.isArray(v) ? lowerKeys(v) : v;
    out[k.toLowerCase()] = inner;
  }
  return out;
}

/** true/false or "True"/"False" in any case; missing is false; anything else is a 400. */
export function bodyBoolean(body: Record<string, unknown>, key: string, label: string): boolean {
  const v = body[key];
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === 'true';
  throw new BadRequest(`${label} must be true or false.`);
}

/** The highest mode the flags ask for; each mode includes the ones below it. */
export function modeFromBody(body: Record<string, unknown>): DirectMode | null {
  const view = bodyBoolean(body, 'view', 'View');
  const comment = bodyBoolean(body, 'comment', 'Comment');
  const edit = bodyBoolean(body, 'edit', 'Edit');
  const grant = bodyBoolean(body, 'grantaccess', 'GrantAccess');
  if (grant) return 'grant';
  if (edit) return 'edit';
  if (comment) return 'comment';
  return view ? 'view' : null;
}

export function bodyId(value: unknown, label: string): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0 || n > MAX_ID) throw new BadRequest(`${label} must be a positive whole number.`);
  return n;
}

export function pathId(value: unknown, label = 'Id'): number {
  if (typeof value !== 'string' || !/^\d+$/.test(value)) throw new BadRequest(`${label} must be a positive whole number.`);
  // Past the largest id a table holds: a well-formed id of nothing.
  if (value.length > 10 || Number(value) > MAX_ID) throw new NotFound(`No ${label === 'Id' ? 'item' : label} ${value}.`);
  return bodyId(value, label);
}

const WHERE_ONCE = 'Give where once, as one filter: Field eq Value and Field eq Value.';

/**
 * The `where` filter, given at most once and under that very name: a repeated one, or one
 * sent as `where[]`, `where[x]` or `Where` (other keys to the query parser), would otherwise
 * be dropped unseen and the caller served the whole list.
 */
export function whereParam(req: Request): string {
  for (const key of Object.keys(req.query)) if (key !== 'where' && /^where(\[.*)?$/i.test(key)) throw new BadRequest(WHERE_ONCE);
  const where = req.query.where;
  if (where === undefined) return '';
  if (typeof where !== 'string') throw new BadRequest(WHERE_ONCE);
  return where;
}

/**
 * A repository filter built from `where` conditions, one field at a time. A field asked for
 * two different values (`Id eq 1 and Id eq 2`) matches nothing: `empty` says so, where the
 * last value would otherwise silently win.
 */
export class WhereFilter<F extends object> {
  readonly filter = {} as F;
  empty = false;

  set<K extends keyof F>(key: K, value: NonNullable<F[K]>): void {
    const had = this.filter[key];
    if (had !== undefined && had !== value) this.empty = true;
    this.filter[key] = value;
  }
}

/** A condition's whole-number value, within what an id column can hold. */
export function wholeNumberOf(c: Condition): number {
  if (typeof c.value !== 'number' || !Number.isInteger(c.value)) throw new BadRequest(`${c.field} must be compared with a whole number.`);
  if (Math.abs(c.value) > MAX_ID) throw new BadRequest(`${c.field} must be compared with a whole number of at most ${MAX_ID}.`);
  return c.value;
}

/** A condition's string value. */
export function stringOf(c: Condition): string {
  if (typeof c.value !== 'string') throw new BadRequest(`${c.field} must be compared with a quoted string.`);
  return c.value;
}

export interface Paging {
  take: number;
  skip: number;
}

/** How far a list may be paged; no Next link points past it. */
export const MAX_SKIP = 10_000_000;

export function paging(req: Request): Paging {
  const parse = (v: unknown, def: number, label: string, min: number, max: number) => {
    if (v === undefined) return def;
    if (typeof v !== 'string' || !/^\d{1,8}$/.test(v)) throw new BadRequest(`${label} must be a whole number.`);
    const n = Number(v);
    if (n < min || n > max) throw new BadRequest(`${label} must be between ${min} and ${max}.`);
    return n;
  };
  return { take: parse(req.query.take, 25, 'take', 1, 1000), skip: parse(req.query.skip, 0, 'skip', 0, MAX_SKIP) };
}

/** `{"Items":[...],"Next":"..."}`: Next repeats the query with the following page, absent on the last. */
export function listResponse<T>(req: Request, base: string, rows: T[], p: Paging): { Items: T[]; Next?: string } {
  const items = rows.slice(0, p.take);
  if (rows.length <= p.take || p.skip + p.take > MAX_SKIP) return { Items: items };
  const url = new URL(`${base}/api/v1${req.path}`);
  // Credentials never travel in Next: the caller sends its token again however it likes.
  for (const [k, v] of Object.entries(req.query)) if (typeof v === 'string' && !['skip', 'take', 'token', 'access_token'].includes(k.toLowerCase())) url.searchParams.set(k, v);
  url.searchParams.set('take', String(p.take));
  url.searchParams.set('skip', String(p.skip + p.take));
  return { Items: items, Next: url.toString() };
}

/** Every API error as `{"Status":"NotFound","Message":"..."}`. */
export function apiErrors(log: Logger): ErrorRequestHandler {
  return (thrown: unknown, _req, res, _next) => {
    const err = isUniqueViolation(thrown) ? raced(log, thrown) : thrown;
    let status = 500;
    let message = 'Something went wrong on our side.';
    if (err instanceof WhereError) {
      status = 400;
      message = err.message;
    } else if (err instanceof HttpError) {
      status = err.status;
      message = err.message;
    } else if (err && typeof err === 'object' && (err as { type?: string }).type === 'entity.parse.failed') {
      status = 400;
      message = 'The body is not valid JSON.';
    } else if (err && typeof err === 'object' && typeof (err as { status?: unknown }).status === 'number' && (err as { status: number }).status < 500) {
      status = (err as { status: number }).status;
      message = (err as Error).message;
    } else log.error({ err }, 'API error');
    const body: Record<string, unknown> = { Status: STATUS_NAMES[status] ?? 'Error', Message: message };
    if (err instanceof BulkError) body.Items = err.items.map((i) => ({ Index: i.index, Status: STATUS_NAMES[i.status] ?? String(i.status), Message: i.message }));
    res.status(status).json(body);
  };
}
