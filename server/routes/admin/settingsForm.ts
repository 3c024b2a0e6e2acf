import { z } from 'zod';
import { lastValue } from '../forms';
import { isSettingKey, SETTING_DEFAULTS, type SettingKey, type Settings } from '../../repositories/settings';

const boolValue = z.enum(['true', 'false', 'on', 'off', '1', '0']).transform((v) => v === 'true' || v === 'on' || v === '1');
const creatorsValue = z.enum(['all_staff', 'administrators']);

/** On failure, `changes` still holds the valid part, so the form can show what was chosen. */
export type SettingsParse = { ok: true; changes: Partial<Settings> } | { ok: false; errors: Partial<Record<string, string>>; changes: Partial<Settings> };

/** Only the keys present in the body are changed; an unknown key or a bad value changes nothing. */
export function parseSettingsForm(body: Record<string, unknown>): SettingsParse {
  const changes: Partial<Record<SettingKey, boolean | string>> = {};
  const errors: Record<string, string> = {};
  for (const [field, raw] of Object.entries(body)) {
    if (field === '_csrf') continue;
    if (!isSettingKey(field)) {
      errors[field] = `Unknown setting "${field}".`;
      continue;
    }
    const value = lastValue(raw);
    const parsed = typeof SETTING_DEFAULTS[field] === 'boolean' ? boolValue.safeParse(value) : creatorsValue.safeParse(value);
    if (parsed.success) changes[field] = parsed.data;
    else errors[field] = typeof SETTING_DEFAULTS[field] === 'boolean' ? 'Must be true or false.' : 'Must be all_staff or administrators.';
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors, changes: changes as Partial<Settings> };
  return { ok: true, changes: changes as Partial<Settings> };
}
