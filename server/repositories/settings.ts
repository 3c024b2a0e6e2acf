import type { Knex } from 'knex';
import type { Db } from '../db';
import { isSqlite, nowIso } from '../db';

/** The global toggles of PRODUCT.md section 5 and their defaults. */
export const SETTING_DEFAULTS = {
  'portal.dashboards': false,
  'portal.signup': true,
  'direct_access.enabled': false,
  'share_links.enabled': false,
  'dashboards.creators': 'all_staff',
} as const satisfies Record<string, boolean | string>;

export type SettingKey = keyof typeof SETTING_DEFAULTS;
export type Settings = { -readonly [K in SettingKey]: (typeof SETTING_DEFAULTS)[K] extends boolean ? boolean : DashboardCreators };
export type DashboardCreators = 'all_staff' | 'administrators';

export const SETTING_KEYS = Object.keys(SETTING_DEFAULTS) as SettingKey[];

export function isSettingKey(key: string): key is SettingKey {
  return Object.prototype.hasOwnProperty.call(SETTING_DEFAULTS, key);
}

function decode<K extends SettingKey>(key: K, raw: string | undefined): Settings[K] {
  const fallback = SETTING_DEFAULTS[key] as Settings[K];
  if (raw === undefined) return fallback;
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === typeof fallback ? (value as Settings[K]) : fallback;
  } catch {
    return fallback;
  }
}

/**
 * Read from the database on every call: a toggle flipped in one instance is seen by all
 * instances on their very next request (no per-process cache can go stale).
 */
export async function readSettings(db: Db): Promise<Settings> {
  const rows: { key: string; value: string }[] = await db('settings').select('key', 'value');
  return settingsFrom(new Map(rows.map((r) => [r.key, r.value])));
}

/** The settings from their stored values by key (missing or unreadable ones at their defaults). */
export function settingsFrom(raw: ReadonlyMap<string, string>): Settings {
  const result = {} as Record<SettingKey, unknown>;
  for (const key of SETTING_KEYS) result[key] = decode(key, raw.get(key));
  return result as Settings;
}

/**
 * Every stored setting as one JSON object of key → stored value, as a column of another
 * statement (the session read takes the settings along: one statement, and one PostgreSQL
 * round trip, fewer per request). Read with `settingsFromColumn`.
 */
export function settingsColumn(db: Db, alias: string): Knex.Raw {
  return isSqlite(db)
    ? db.raw('(select json_group_object(`key`, `value`) from settings) as ??', [alias])
    : db.raw('(select json_object_agg(key, value) from settings) as ??', [alias]);
}

/** The settings from a `settingsColumn` value (PostgreSQL answers JSON parsed, SQLite as text); null when unreadable. */
export function settingsFromColumn(value: unknown): Settings | null {
  // PostgreSQL aggregates an empty table to NULL: every setting at its default, as readSettings.
  if (value === null) return settingsFrom(new Map());
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return null;
    }
  }
  if (!parsed || typeof parsed !== 'object') return null;
  const raw = new Map<string, string>();
  for (const [key, stored] of Object.entries(parsed)) if (typeof stored === 'string') raw.set(key, stored);
  return settingsFrom(raw);
}

export async function readSetting<K extends SettingKey>(db: Db, key: K): Promise<Settings[K]> {
  const row: { value: string } | undefined = await db('settings').where({ key }).first('value');
  return decode(key, row?.value);
}

export async function writeSetting<K extends SettingKey>(db: Db, key: K, value: Settings[K], actorId: number | null): Promise<void> {
  await db('settings')
    .insert({ key, value: JSON.stringify(value), updated_by: actorId, updated_at: nowIso() })
    .onConflict('key')
    .merge(['value', 'updated_by', 'updated_at']);
}
