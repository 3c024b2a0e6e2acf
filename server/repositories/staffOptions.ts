import type { Db } from '../db';
import { administratorPrincipals } from '../permissions/peopleScopes';

/** People who can be picked as assignee for a project's requests: its members and the administrators. */
export async function projectStaff(db: Db, projectId: number): Promise<{ id: number; name: string }[]> {
  const rows: Record<string, unknown>[] = await db('principals')
    .where('disabled', false)
    .andWhere((w) => {
      void w.whereIn('id', db('project_members').where('project_id', projectId).select('principal_id'));
      void w.orWhere((a) => void a.modify(administratorPrincipals()));
    })
    .orderBy('name')
    .select('id', 'name');
  return rows.map((r) => ({ id: Number(r.id), name: String(r.name) }));
}
