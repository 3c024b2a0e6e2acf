/** Single-use, expiring tokens sent by email: sign-up confirmation and password reset. */
import crypto from 'node:crypto';
import type { Db } from '../db';
import { nowIso, toDate } from '../db';
import { hashToken } from './accessTokens';
import { normalizeEmail } from './principals';

export const SIGNUP_TTL_MS = 24 * 3_600_000;
export const RESET_TTL_MS = 3_600_000;

function newToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export async function createPendingSignup(db: Db, s: { email: string; name: string; passwordHash: string | null }): Promise<string> {
  const token = newToken();
  const now = Date.now();
  await db('pending_signups').insert({
    email: s.email,
    email_normalized: normalizeEmail(s.email),
    name: s.name,
    password_hash: s.passwordHash,
    token_hash: hashToken(token),
    created_at: new Date(now).toISOString(),
    expires_at: new Date(now + SIGNUP_TTL_MS).toISOString(),
  });
  return token;
}

/** Sign-ups past their day keep no copy of the password they were sent with (their rows stay, their hash goes). */
export async function forgetExpiredSignupPasswords(db: Db): Promise<void> {
  await db('pending_signups').whereNotNull('password_hash').andWhere('expires_at', '<=', nowIso()).update({ password_hash: null });
}

export interface PendingSignup {
  id: number;
  email: string;
  name: string;
  /** The password chosen on the sign-up form, hashed; null for sign-ups from before it was asked there. */
  passwordHash: string | null;
}

/** A live (unused, unexpired) sign-up for the token, or null. */
export async function findPendingSignup(db: Db, token: string): Promise<PendingSignup | null> {
  const row: Record<string, unknown> | undefined = await db('pending_signups')
    .where({ token_hash: hashToken(token) })
    .whereNull('used_at')
    .andWhere('expires_at', '>', nowIso())
    .first();
  return row ? { id: Number(row.id), email: String(row.email), name: String(row.name), passwordHash: typeof row.password_hash === 'string' && row.password_hash ? row.password_hash : null } : null;
}

/** Marks the sign-up used (its copy of the password hash dropped: the account has it now); false when another request used it first. */
export async function useSignup(db: Db, id: number): Promise<boolean> {
  return (await db('pending_signups').where({ id }).whereNull('used_at').update({ used_at: nowIso(), password_hash: null })) > 0;
}

export async function createResetToken(db: Db, principalId: number): Promise<string> {
  const token = newToken();
  const now = Date.now();
  await db('password_reset_tokens').insert({
    principal_id: principalId,
    token_hash: hashToken(token),
    created_at: new Date(now).toISOString(),
    expires_at: new Date(now + RESET_TTL_MS).toISOString(),
  });
  return token;
}

export async function findResetToken(db: Db, token: string): Promise<{ id: number; principalId: number; createdAt: string } | null> {
  const row: Record<string, unknown> | undefined = await db('password_reset_tokens')
    .where({ token_hash: hashToken(token) })
    .whereNull('used_at')
    .andWhere('expires_at', '>', nowIso())
    .first('id', 'principal_id', 'created_at');
  return row ? { id: Number(row.id), principalId: Number(row.principal_id), createdAt: toDate(row.created_at).toISOString() } : null;
}

/** Ends every live reset link of the person (their password was set another way). */
export async function endResetTokensOf(db: Db, principalId: number): Promise<void> {
  await db('password_reset_tokens').where({ principal_id: principalId }).whereNull('used_at').update({ used_at: nowIso() });
}

/** Uses the token and kills every other live token of the same person. */
export async function useResetTokens(db: Db, id: number, principalId: number): Promise<boolean> {
  const used = await db('password_reset_tokens').where({ id }).whereNull('used_at').update({ used_at: nowIso() });
  await db('password_reset_tokens').where({ principal_id: principalId }).whereNull('used_at').update({ used_at: nowIso() });
  return used > 0;
}
