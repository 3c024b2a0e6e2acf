/** Comments on work items: staff-only, as work items are (customers see a linked item's name and status alone). */
import type { Db } from '../db';
import { insertedId, nowIso, toDate } from '../db';

export interface WorkItemComment {
  id: number;
  authorName: string;
  body: string;
  createdAt: Date;
}

/** The item's comments, oldest first (the most recent `limit`). */
export async function listWorkItemComments(db: Db, workItemId: number, limit = 500): Promise<WorkItemComment[]> {
  const rows: Record<string, unknown>[] = await db('comments')
    .join('principals as a', 'a.id', 'comments.author_id')
    .where('comments.work_item_id', workItemId)
    .orderBy('comments.created_at', 'desc')
    .orderBy('comments.id', 'desc')
    .limit(limit)
    .select('comments.id', 'a.name as author_name', 'comments.body', 'comments.created_at');
  return rows.reverse().map((r) => ({ id: Number(r.id), authorName: String(r.author_name), body: String(r.body), createdAt: toDate(r.created_at) }));
}

export async function insertWorkItemComment(db: Db, c: { workItemId: number; authorId: number; body: string }): Promise<number> {
  const now = nowIso();
  const id = insertedId(await db('comments').insert({ work_item_id: c.workItemId, author_id: c.authorId, body: c.body, internal: false, created_at: now }).returning('id'));
  await db('work_items').where({ id: c.workItemId }).update({ updated_at: now });
  return id;
}
