/**
 * Links an administrator mails so that a person chooses their password (an invitation, or a
 * fresh link later): single-use, expiring, only the token's digest stored.
 */
import crypto from 'node:crypto';
import type { Db } from '../db';
import { nowIso, toDate } from '../db';
import { hashToken } from './accessTokens';

export const PASSWORD_LINK_TTL_MS = 7 * 24 * 3_600_000;

/** A new link for the person; their earlier unused links stop working. Returns the token (256 random bits). */
export async function createPasswordLink(db: Db, principalId: number, createdBy: number | null): Promise<{ token: string; expiresAt: string }> {
  const token = crypto.randomBytes(32).toString('base64url');
  const now = Date.now();
  const expiresAt = new Date(now + PASSWORD_LINK_TTL_MS).toISOString();
  await endPasswordLinksOf(db, principalId);
  await db('password_links').insert({
    principal_id: principalId,
    token_hash: hashToken(token),
    created_by: createdBy,
    created_at: new Date(now).toISOString(),
    expires_at: expiresAt,
  });
  return { token, expiresAt };
}

/** The unused, unexpired link of this token, or null (one indexed lookup). */
export async function findLivePasswordLink(db: Db, token: string): Promise<{ id: number; principalId: number; createdAt: string } | null> {
  const row: Record<string, unknown> | undefined = await db('password_links')
    .where({ token_hash: hashToken(token) })
    .whereNull('used_at')
    .andWhere('expires_at', '>', nowIso())
    .first('id', 'principal_id', 'created_at');
  return row ? { id: Number(row.id), principalId: Number(row.principal_id), createdAt: toDate(row.created_at).toISOString() } : null;
}

/** Marks the link used; false when another request used it first. */
export async function usePasswordLink(db: Db, id: number): Promise<boolean> {
  return (await db('password_links').where({ id }).whereNull('used_at').update({ used_at: nowIso() })) > 0;
}

/** Ends every unused link of the person (a newer link, a password set, the account disabled); how many. */
export async function endPasswordLinksOf(db: Db, principalId: number): Promise<number> {
  return db('password_links').where({ principal_id: principalId }).whereNull('used_at').update({ used_at: nowIso() });
}
