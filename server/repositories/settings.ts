import type { Db } from '../db';
import { nowIso } from '../db';

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
  const raw = new Map(rows.map((r) => [r.key, r.value]));
  const result = {} as Record<SettingKey, unknown>;
  for (const key of SETTING_KEYS) result[key] = decode(key, raw.get(key));
  return result as Settings;
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
