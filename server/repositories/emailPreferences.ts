/**
 * Whom Portico may mail about requests: a person's own choice for all of it
 * (`principals.email_notifications`) and a customer's per-request opt-out (`request_mutes`).
 */
import type { Db } from '../db';
import { nowIso } from '../db';


export async function emailNotificationsOn(db: Db, principalId: number): Promise<boolean> {
  const row: { email_notifications: unknown } | undefined = await db('principals').where({ id: principalId }).first('email_notifications');
  return row ? Boolean(row.email_notifications) : false;
}

export async function setEmailNotifications(db: Db, principalId: number, on: boolean): Promise<void> {
  await db('principals').where({ id: principalId }).update({ email_notifications: on, updated_at: nowIso() });
}

export async function isRequestMuted(db: Db, requestId: number, principalId: number): Promise<boolean> {
  return (await db('request_mutes').where({ request_id: requestId, principal_id: principalId }).first('request_id')) !== undefined;
}

/** Mutes or unmutes one request for one person; idempotent either way. */
export async function setRequestMuted(db: Db, requestId: number, principalId: number, muted: boolean): Promise<void> {
  if (muted) {
    await db('request_mutes').insert({ request_id: requestId, principal_id: principalId, created_at: nowIso() }).onConflict(['request_id', 'principal_id']).ignore();
  } else {
    await db('request_mutes').where({ request_id: requestId, principal_id: principalId }).delete();
  }
}
