/** The session table beyond what connect-session-knex writes: the principal hint and the joined read. */
import type { Db } from '../db';
import { expiredCondition, dateAsISO } from 'connect-session-knex/dist/utils';
import { principalFromRow, type PrincipalRow } from './principals';
import { settingsColumn, settingsFromColumn, type Settings } from './settings';

export const SESSIONS_TABLE = 'sessions';

export interface SessionWithPrincipal {
  /** The stored session data, as connect-session-knex's own get() returns it. */
  sess: Record<string, unknown>;
  /** The principal named by the row's hint, read in the same statement; null without a hint or a match. */
  principal: PrincipalRow | null;
  /** The global settings, read in the same statement (null if unreadable: then read on their own). */
  settings: Settings | null;
}

/** A live (unexpired) session, its principal (joined on its hint) and the settings: one statement. */
export async function readSessionWithPrincipal(db: Db, sid: string): Promise<SessionWithPrincipal | null> {
  const row: Record<string, unknown> | undefined = await db(`${SESSIONS_TABLE} as s`)
    .leftJoin('principals as p', 'p.id', 's.principal_id')
    .where('s.sid', sid)
    .andWhereRaw(expiredCondition(db), [dateAsISO(db)])
    .first('s.sess', 'p.*', settingsColumn(db, 'settings_json'));
  if (!row) return null;
  const sess: unknown = typeof row.sess === 'string' ? JSON.parse(row.sess) : row.sess;
  if (!sess || typeof sess !== 'object') return null;
  return { sess: sess as Record<string, unknown>, principal: row.id == null ? null : principalFromRow(row), settings: settingsFromColumn(row.settings_json) };
}

/** Records whose session this is (or nobody's), for the joined read. */
export async function setSessionPrincipal(db: Db, sid: string, principalId: number | null): Promise<void> {
  await db(SESSIONS_TABLE).where({ sid }).update({ principal_id: principalId });
}
