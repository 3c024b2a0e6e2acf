import crypto from 'node:crypto';
import type { Db } from '../db';
import { insertedId, nowIso, toDate } from '../db';

/** 256 random bits; only the SHA-256 digest is stored, so a database leak reveals no usable token. */
export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

export async function createAccessToken(db: Db, principalId: number, name: string): Promise<{ id: number; token: string }> {
  const token = `ptc_${crypto.randomBytes(32).toString('base64url')}`;
  const id = insertedId(
    await db('access_tokens').insert({ principal_id: principalId, name, token_hash: hashToken(token), created_at: nowIso() }).returning('id'),
  );
  return { id, token };
}

export interface AccessTokenInfo {
  id: number;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export async function listAccessTokens(db: Db, principalId: number): Promise<AccessTokenInfo[]> {
  const rows: Record<string, unknown>[] = await db('access_tokens')
    .where({ principal_id: principalId })
    .whereNull('revoked_at')
    .orderBy('id');
  return rows.map((r) => ({
    id: Number(r.id),
    name: String(r.name),
    createdAt: toDate(r.created_at),
    lastUsedAt: r.last_used_at == null ? null : toDate(r.last_used_at),
  }));
}

/** The principal id a live token belongs to, or null; records the use. */
export async function principalForToken(db: Db, token: string): Promise<number | null> {
  const row: { id: number; principal_id: number; expires_at: unknown } | undefined = await db('access_tokens')
    .where({ token_hash: hashToken(token) })
    .whereNull('revoked_at')
    .first('id', 'principal_id', 'expires_at');
  if (!row) return null;
  if (row.expires_at != null && toDate(row.expires_at).getTime() <= Date.now()) return null;
  await recordUse(db, Number(row.id));
  return Number(row.principal_id);
}

/** A token's last use is written at most this often: an API read stays a read. */
export const LAST_USED_INTERVAL_MS = 60_000;
const LAST_USED_MEMORY = 10_000;
/** Per database (tests run several side by side), token id → when its use was last written. */
const lastRecordedIn = new WeakMap<object, Map<number, number>>();

/**
 * Records a token's use (shown in the desk profile as "last used") to the minute. Writing it on
 * every call made every API read a database write; this memory only decides whether to write,
 * never whether the token is valid (that is read from the database on every request).
 */
async function recordUse(db: Db, tokenId: number): Promise<void> {
  const root = (db as { client: object }).client;
  let lastRecorded = lastRecordedIn.get(root);
  if (!lastRecorded) lastRecordedIn.set(root, (lastRecorded = new Map()));
  const now = Date.now();
  const last = lastRecorded.get(tokenId);
  if (last !== undefined && now - last < LAST_USED_INTERVAL_MS) return;
  if (lastRecorded.size >= LAST_USED_MEMORY) lastRecorded.clear();
  lastRecorded.set(tokenId, now);
  try {
    await db('access_tokens').where({ id: tokenId }).update({ last_used_at: new Date(now).toISOString() });
  } catch {
    // Best effort: a busy database must not fail a valid token's call; the next call retries.
    lastRecorded.delete(tokenId);
  }
}

/** Revokes every token of a person not revoked yet, expired ones too (when the account is disabled); answers how many. */
export async function revokeAllAccessTokens(db: Db, principalId: number): Promise<number> {
  return db('access_tokens').where({ principal_id: principalId }).whereNull('revoked_at').update({ revoked_at: nowIso() });
}

export async function revokeAccessToken(db: Db, principalId: number, tokenId: number): Promise<boolean> {
  const n = await db('access_tokens')
    .where({ id: tokenId, principal_id: principalId })
    .whereNull('revoked_at')
    .update({ revoked_at: nowIso() });
  return n > 0;
}
