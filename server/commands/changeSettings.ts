import type { Db } from '../db';
import { recordAudit } from '../repositories/audit';
import { readSettings, writeSetting, type SettingKey, type Settings } from '../repositories/settings';

/**
 * Writes the given settings and one audit event per value that actually changed, all in
 * one transaction. Returns the keys that changed.
 */
export async function changeSettings(db: Db, actorId: number, changes: Partial<Settings>): Promise<SettingKey[]> {
  return db.transaction(async (trx) => {
    const before = await readSettings(trx);
    const changed: SettingKey[] = [];
    for (const [key, value] of Object.entries(changes) as [SettingKey, Settings[SettingKey]][]) {
      if (before[key] === value) continue;
      await writeSetting(trx, key, value, actorId);
      await recordAudit(trx, {
        actorId,
        action: 'setting.changed',
        targetType: 'setting',
        targetId: null,
        before: { key, value: before[key] },
        after: { key, value },
      });
      changed.push(key);
    }
    return changed;
  });
}
