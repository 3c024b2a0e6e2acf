/** Staff corrections of what a request is: its title, its type and who may see it. */
import type { Db } from '../db';
import { nowIso } from '../db';
import { lockTallyKey, recountChangedRequest } from './requestTallies';
import type { RequestType } from './requestDetails';
import type { RequestVisibility } from '../permissions/policies/requests';

export interface RequestFields {
  title: string;
  type: RequestType;
  visibility: RequestVisibility;
}

/**
 * Writes the fields and recounts the tallies when the type changed, the row locked first as
 * for a status change. Answers the fields as they were, and the request's company, or null
 * when there is no such request. Call within a transaction.
 */
export async function setRequestFields(db: Db, id: number, next: RequestFields): Promise<{ before: RequestFields; companyId: number | null } | null> {
  const key = await lockTallyKey(db, id);
  if (!key) return null;
  const row: { title: string; visibility: RequestVisibility } | undefined = await db('requests').where({ id }).first('title', 'visibility');
  if (!row) return null;
  const before: RequestFields = { title: row.title, type: key.type as RequestType, visibility: row.visibility };
  if (before.title === next.title && before.type === next.type && before.visibility === next.visibility) return { before, companyId: key.companyId };
  const now = nowIso();
  await db('requests').where({ id }).update({ ...next, updated_at: now, last_activity_at: now, customer_activity_at: now });
  if (before.type !== next.type) await recountChangedRequest(db, key, { ...key, type: next.type });
  return { before, companyId: key.companyId };
}
