import type { Db } from '../db';

export interface Recipient {
  email: string;
  name: string;
}

/** Active members of a project, to tell them about new requests and customer comments. */
export async function projectMemberRecipients(db: Db, projectId: number): Promise<Recipient[]> {
  const rows: Recipient[] = await db('project_members as m')
    .join('principals as p', 'p.id', 'm.principal_id')
    .where({ 'm.project_id': projectId, 'p.disabled': false })
    .select('p.email', 'p.name');
  return rows;
}

export async function principalRecipient(db: Db, id: number): Promise<Recipient | null> {
  const row: Recipient | undefined = await db('principals').where({ id, disabled: false }).first('email', 'name');
  return row ?? null;
}
