import type { Db } from '../db';
import { requestEmailChoice } from './emailPreferences';

export interface Recipient {
  email: string;
  name: string;
}

/**
 * Active members of a project who take email about requests, to tell them about new requests
 * and customer comments.
 */
export async function projectMemberRecipients(db: Db, projectId: number): Promise<Recipient[]> {
  const rows: Recipient[] = await db('project_members as m')
    .join('principals as p', 'p.id', 'm.principal_id')
    .where({ 'm.project_id': projectId, 'p.disabled': false, 'p.email_notifications': true })
    .select('p.email', 'p.name');
  return rows;
}

/**
 * The customer who raised a request, to tell them about a reply or a status change: unless
 * their account is disabled, they turned email off in their profile, or muted this request.
 */
export async function requesterRecipient(db: Db, principalId: number, requestId: number): Promise<Recipient | null> {
  if ((await requestEmailChoice(db, requestId, principalId)) !== 'on') return null;
  const row: Recipient | undefined = await db('principals').where({ id: principalId, disabled: false }).first('email', 'name');
  return row ?? null;
}
