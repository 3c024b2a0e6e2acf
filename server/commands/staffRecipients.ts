/**
 * Which staff hear about a request. As in Zammad and Jira Service Management, a request
 * someone owns mails its owner, not the whole team: a customer's comment goes to the
 * assignee, and to the project's members only while nobody is assigned. Anyone mailed must
 * be able to open the request now (checked as them): an assignee who left the project or
 * was disabled is passed over for the members, so a mail never carries a comment to
 * someone who could not read it on the desk.
 */
import type { Db } from '../db';
import { can, isStaff, type Actor } from '../permissions';
import { loadRequestTarget, loadScopeSettings } from '../repositories/accessFacts';
import { emailNotificationsOn } from '../repositories/emailPreferences';
import { findPrincipalById, toActor } from '../repositories/principals';
import { projectMemberRecipients, type Recipient } from '../repositories/recipients';
import type { ScopeSettings } from '../permissions/scopes';

export type StaffAudience = 'assignee' | 'members';

/** The person a request is assigned to, when they are active staff who may still comment on it. */
export async function workingAssignee(db: Db, requestId: number, assigneeId: number | null, settings?: ScopeSettings): Promise<Actor | null> {
  if (assigneeId === null) return null;
  const person = await findPrincipalById(db, assigneeId);
  if (!person || person.disabled) return null;
  const assignee = toActor(person);
  if (!isStaff(assignee)) return null;
  const theirView = await loadRequestTarget(db, assignee, requestId, settings ?? (await loadScopeSettings(db)));
  return theirView && can(assignee, 'comment', theirView) ? assignee : null;
}

/** Who is told of a customer's comment: the working assignee (if they take email), else the project's members who do. */
export async function staffToTell(db: Db, requestId: number, projectId: number, assigneeId: number | null): Promise<{ to: Recipient[]; as: StaffAudience }> {
  const assignee = await workingAssignee(db, requestId, assigneeId);
  if (!assignee) return { to: await projectMemberRecipients(db, projectId), as: 'members' };
  return { to: (await emailNotificationsOn(db, assignee.id)) ? [{ email: assignee.email, name: assignee.name }] : [], as: 'assignee' };
}
