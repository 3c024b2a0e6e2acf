import type { Db } from '../db';
import { administratorPrincipals } from '../permissions/peopleScopes';

/** People who can be picked as assignee for a project's requests: its members and the administrators. */
export async function projectStaff(db: Db, projectId: number): Promise<{ id: number; name: string }[]> {
  return staffOfProjects(db, [projectId]);
}

/**
 * People who can be picked as assignee for requests of any of `projectIds` (the queue's bulk
 * assignment): active members of those projects and the administrators. Whether one may take
 * a given request is checked as them when it is assigned (commands/staffRecipients.ts).
 */
export async function staffOfProjects(db: Db, projectIds: readonly number[]): Promise<{ id: number; name: string }[]> {
  const rows: Record<string, unknown>[] = await db('principals')
    .where('disabled', false)
    .andWhere((w) => {
      if (projectIds.length) void w.whereIn('id', db('project_members').whereIn('project_id', projectIds).select('principal_id'));
      void w.orWhere((a) => void a.modify(administratorPrincipals()));
    })
    .orderBy('name')
    .select('id', 'name');
  return rows.map((r) => ({ id: Number(r.id), name: String(r.name) }));
}
