import crypto from 'node:crypto';
import type { Db } from '../db';
import { nowIso } from '../db';

/** Returns the named secret, creating a random one the first time (concurrent callers agree on one). */
export async function ensureSecret(db: Db, name: string): Promise<string> {
  const existing: { value: string } | undefined = await db('secrets').where({ name }).first('value');
  if (existing) return existing.value;
  await db('secrets')
    .insert({ name, value: crypto.randomBytes(48).toString('base64url'), created_at: nowIso() })
    .onConflict('name')
    .ignore();
  const row: { value: string } | undefined = await db('secrets').where({ name }).first('value');
  if (!row) throw new Error(`secret ${name} could not be stored`);
  return row.value;
}
