/**
 * Whom Portico may mail about requests: a person's own choice for all of it
 * (`principals.email_notifications`) and a customer's per-request opt-out (`request_mutes`).
 */
import type { Db } from '../db';
import { nowIso } from '../db';

/** Whether a person takes email about requests at all (their profile's choice). */
export async function emailNotificationsOn(db: Db, principalId: number): Promise<boolean> {
  const row: { email_notifications: unknown } | undefined = await db('principals').where({ id: principalId }).first('email_notifications');
  return row ? Boolean(row.email_notifications) : false;
}

export async function setEmailNotifications(db: Db, principalId: number, on: boolean): Promise<void> {
  await db('principals').where({ id: principalId }).update({ email_notifications: on, updated_at: nowIso() });
}

/** Whether a person is mailed about a request (one statement): 'off' for every request, 'muted' for this one, else 'on'. */
export async function requestEmailChoice(db: Db, requestId: number, principalId: number): Promise<'on' | 'muted' | 'off'> {
  const row: { email_notifications: unknown; muted: unknown } | undefined = await db('principals as p')
    .leftJoin('request_mutes as m', (j) => void j.on('m.principal_id', 'p.id').andOn('m.request_id', db.raw('?', [requestId])))
    .where('p.id', principalId)
    .first('p.email_notifications', 'm.request_id as muted');
  if (!row || !row.email_notifications) return 'off';
  return row.muted === null || row.muted === undefined ? 'on' : 'muted';
}

/** Mutes or unmutes one request for one person; idempotent either way. */
export async function setRequestMuted(db: Db, requestId: number, principalId: number, muted: boolean): Promise<void> {
  if (muted) {
    await db('request_mutes').insert({ request_id: requestId, principal_id: principalId, created_at: nowIso() }).onConflict(['request_id', 'principal_id']).ignore();
  } else {
    await db('request_mutes').where({ request_id: requestId, principal_id: principalId }).delete();
  }
}
