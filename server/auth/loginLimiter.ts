import { ipKeyGenerator, rateLimit, type RateLimitRequestHandler } from 'express-rate-limit';
import type { Request } from 'express';
import type { Db } from '../db';
import type { Config } from '../config';
import { DbRateLimitStore } from '../repositories/rateLimits';
import { normalizeEmail } from '../repositories/principals';
import { hashToken } from '../repositories/accessTokens';

function submittedEmail(req: Request): string {
  const body: unknown = req.body;
  const email = body && typeof body === 'object' ? (body as Record<string, unknown>).email : undefined;
  return typeof email === 'string' ? normalizeEmail(email).slice(0, 320) : '';
}

/** IPv6 clients are counted per /56 network, or one host could rotate addresses forever. */
function clientKey(req: Request): string {
  return req.ip ? ipKeyGenerator(req.ip) : 'unknown';
}

type OnLimited = (req: Request, res: import('express').Response) => void;

/** What every Portico limit shares: the configured window, standard headers, the page it answers, and whether right answers count. */
function limitBase(config: Config, onLimited: OnLimited, countSuccesses: boolean) {
  return {
    windowMs: config.LOGIN_RATE_WINDOW_MINUTES * 60_000,
    skipSuccessfulRequests: !countSuccesses,
    standardHeaders: 'draft-7' as const,
    legacyHeaders: false,
    handler: onLimited,
    // Its trust-proxy check stays on (config never sets express's trust-every-hop `true`).
    validate: { xForwardedForHeader: false },
  };
}

/** A limit per `key` (LOGIN_RATE_LIMIT) and a five times looser one per client address alone. */
function keyedAndPerAddress(db: Db, config: Config, common: ReturnType<typeof limitBase>, names: [string, string], key: (req: Request) => string): RateLimitRequestHandler[] {
  return [
    rateLimit({ ...common, limit: config.LOGIN_RATE_LIMIT, store: new DbRateLimitStore(db, names[0]), keyGenerator: key }),
    rateLimit({ ...common, limit: config.LOGIN_RATE_LIMIT * 5, store: new DbRateLimitStore(db, names[1]), keyGenerator: (req) => clientKey(req) }),
  ];
}

/**
 * Two limits on sign-in posts: per address and account (stops guessing one password), and a
 * looser one per address alone (stops spraying many accounts). Neither locks an account for
 * everyone: a victim signing in from elsewhere is not blocked by an attacker's attempts.
 * Sign-ins count only when refused (`countAll: false`): people who sign in rightly, however
 * often and however many behind one office address, never run into the limit. Sign-up and
 * reset requests answer alike whatever happens (no enumeration), so each of them counts.
 */
export function loginLimiters(
  db: Db,
  config: Config,
  realm: string,
  onLimited: OnLimited,
  opts: { countAll: boolean },
): RateLimitRequestHandler[] {
  const common = limitBase(config, onLimited, opts.countAll);
  return keyedAndPerAddress(db, config, common, [`login-account:${realm}`, `login-ip:${realm}`], (req) => `${clientKey(req)}|${submittedEmail(req)}`);
}


/**
 * Wrong current passwords on a password change, per account: whoever holds a session (a
 * borrowed laptop, a stolen cookie) cannot guess the password without limit and keep the
 * account after the session ends. Only refused attempts count.
 */
export function passwordChangeLimiter(db: Db, config: Config, onLimited: OnLimited): RateLimitRequestHandler {
  return rateLimit({
    ...limitBase(config, onLimited, false),
    limit: config.LOGIN_RATE_LIMIT,
    store: new DbRateLimitStore(db, 'password-change'),
    keyGenerator: (req) => `principal:${(req.user as { id?: unknown } | undefined)?.id ?? 'none'}`,
  });
}

function submittedTokenKey(req: Request): string {
  const body: unknown = req.body;
  const token = body && typeof body === 'object' ? (body as Record<string, unknown>).token : undefined;
  return typeof token === 'string' && token ? hashToken(token.slice(0, 200)) : 'none';
}

/**
 * Refused posts of an emailed link's form (sign-up confirmation, password reset): per link
 * (a wrong password typed on a sign-up link cannot be retried without end), and a looser
 * count per address (a flood of made-up links). Only refusals count, so customers behind one
 * address who use their own live links are never held up by somebody else's attempts.
 */
export function linkLimiters(db: Db, config: Config, kind: string, onLimited: OnLimited): RateLimitRequestHandler[] {
  return keyedAndPerAddress(db, config, limitBase(config, onLimited, false), [`link:${kind}`, `link-ip:${kind}`], submittedTokenKey);
}

