/**
 * What people do to requests. Each change runs in one transaction after the permissions
 * module allowed it; notifications go out after the commit and can never undo it.
 */
import type { Db } from '../db';
import { nowIso } from '../db';
import { recordRequestEvent } from '../repositories/requestEvents';
import { Invalid, NotFound } from '../errors';
import { authorize, can, type Actor, type RequestAction, type RequestTarget } from '../permissions';
import { loadProjectFacts, loadRequestTarget, loadScopeSettings } from '../repositories/accessFacts';
import type { Mailer } from '../mail/mailer';
import type { ScopeSettings } from '../permissions/scopes';
import {
  addVote,
  assigneeOf,
  insertComment,
  insertRequest,
  removeVote,
  setRequestStatus,
  touchRequest,
  type RequestStatus,
  type RequestType,
} from '../repositories/requestDetails';
import { projectMemberRecipients, requesterRecipient, type Recipient } from '../repositories/recipients';
import { customerMailFooter, notifyMany, sendOutgoing, staffMailFooter, type Outgoing } from '../mail/notifications';
import { setRequestMuted } from '../repositories/emailPreferences';
import type { TallyBatch } from '../repositories/requestTallies';
import { insertAttachments, type NewAttachment } from '../repositories/attachments';
import { ensureRoomFor } from './attachments';
import { staffToTell, type StaffAudience } from './staffRecipients';

/** The line a mail adds for the files that came with what it tells of (their names; the files stay behind the sign-in). */
function attachedLine(files: readonly NewAttachment[] | undefined): string {
  if (!files?.length) return '';
  return `\n\nAttached: ${files.map((f) => f.filename).join(', ')}`;
}

/** What a change of several requests in one transaction shares: the settings read once, the tallies written once at the end. */
export interface BulkContext {
  settings?: ScopeSettings;
  tallies?: TallyBatch;
}

/** Loads a request for an action and applies the 404/403 rule (with the settings the caller already read, if any). */
export async function authorizeRequest(db: Db, actor: Actor, requestId: number, action: RequestAction, settings?: ScopeSettings): Promise<RequestTarget> {
  const target = await loadRequestTarget(db, actor, requestId, settings ?? (await loadScopeSettings(db)));
  if (!target) throw new NotFound();
  authorize(actor, action, target);
  return target;
}

export interface SubmitInput {
  projectId: number;
  type: RequestType;
  title: string;
  description: string;
  visibility: 'private' | 'company' | 'public';
  /** Files sent with it, stored with the request in the same transaction. */
  attachments?: readonly NewAttachment[];
}

export async function submitRequest(db: Db, mailer: Mailer, actor: Actor, input: SubmitInput, baseUrl: string): Promise<number> {
  const { id, members } = await db.transaction(async (trx) => {
    const project = await loadProjectFacts(trx, actor, input.projectId, 'request');
    if (!project || !can(actor, 'submit_request', { kind: 'project', project })) {
      throw new Invalid('Choose one of the listed projects.', { project_id: 'unknown' });
    }
    if (input.visibility === 'company' && actor.companyId === null) {
      throw new Invalid('You are not part of a company, so a request cannot be shared with one.', { visibility: 'no company' });
    }
    const newId = await insertRequest(trx, { ...input, requesterId: actor.id, companyId: actor.companyId });
    await insertAttachments(trx, { requestId: newId, commentId: null, uploaderId: actor.id }, input.attachments ?? []);
    return { id: newId, members: await projectMemberRecipients(trx, input.projectId) };
  });
  const text = `${actor.name} submitted a new ${input.type}.\n\n${input.title}${attachedLine(input.attachments)}\n\n${baseUrl}/desk/requests/${id}`;
  await notifyMany(mailer, members, `New request #${id}: ${input.title}`, text, staffMailFooter(baseUrl, 'members'));
  return id;
}

export async function commentOnRequest(
  db: Db,
  mailer: Mailer,
  actor: Actor,
  requestId: number,
  body: string,
  internal: boolean,
  baseUrl: string,
  attachments: readonly NewAttachment[] = [],
): Promise<number> {
  const { commentId, audience, staffAs, recipients } = await db.transaction(async (trx) => {
    const t = await authorizeRequest(trx, actor, requestId, internal ? 'internal_note' : 'comment');
    const id = await insertComment(trx, { requestId, authorId: actor.id, body, internal });
    await ensureRoomFor(trx, requestId, attachments);
    await insertAttachments(trx, { requestId, commentId: id, uploaderId: actor.id }, attachments);
    // Customers are told about staff replies; staff are told about customer comments.
    const fromStaff = can(actor, 'internal_note', t);
    // A customer's comment waits on the team (the queue says so) until staff answer publicly.
    const waiting = internal ? {} : { customer_replied_at: fromStaff ? null : nowIso() };
    await touchRequest(trx, requestId, { customerVisible: !internal, fields: waiting });
    let to: Recipient[] = [];
    let staffAs: StaffAudience = 'members';
    if (!internal) {
      if (fromStaff) {
        const requester = await requesterRecipient(trx, t.requesterId, requestId);
        to = requester ? [requester] : [];
      } else ({ to, as: staffAs } = await staffToTell(trx, requestId, t.project.id, await assigneeOf(trx, requestId)));
    }
    return { commentId: id, audience: fromStaff ? 'customer' : 'staff', staffAs, recipients: to.filter((r) => r.email !== actor.email) };
  });
  if (!internal) {
    const link = audience === 'customer' ? `${baseUrl}/portal/requests/${requestId}` : `${baseUrl}/desk/requests/${requestId}`;
    const footer = audience === 'customer' ? customerMailFooter(baseUrl, requestId) : staffMailFooter(baseUrl, staffAs);
    const said = body ? `${actor.name} wrote:\n\n${body}` : `${actor.name} sent files.`;
    await notifyMany(mailer, recipients, `New comment on request #${requestId}`, `${said}${attachedLine(attachments)}\n\n${link}`, footer);
  }
  return commentId;
}

export async function voteOnRequest(db: Db, actor: Actor, requestId: number, vote: boolean): Promise<void> {
  await db.transaction(async (trx) => {
    await authorizeRequest(trx, actor, requestId, 'vote');
    if (vote) await addVote(trx, requestId, actor.id);
    else await removeVote(trx, requestId, actor.id);
  });
}

/** Whether the customer who raised a request gets email about it (replies, status changes). */
export async function setRequestNotifications(db: Db, actor: Actor, requestId: number, notify: boolean): Promise<void> {
  await db.transaction(async (trx) => {
    await authorizeRequest(trx, actor, requestId, 'manage_notifications');
    await setRequestMuted(trx, requestId, actor.id, !notify);
  });
}

/**
 * Sets a request's status within `trx`: null when it already had it (nothing written), else
 * the mail to its customer (none when they take no email), to send once `trx` commits.
 */
export async function changeStatusIn(trx: Db, actor: Actor, requestId: number, status: RequestStatus, baseUrl: string, within: BulkContext = {}): Promise<Outgoing[] | null> {
  const t = await authorizeRequest(trx, actor, requestId, 'edit', within.settings);
  const previous = await setRequestStatus(trx, requestId, status, within.tallies);
  if (previous === null || previous === status) return null;
  await recordRequestEvent(trx, requestId, actor.id, { kind: 'status', from: previous, to: status });
  const to = await requesterRecipient(trx, t.requesterId, requestId);
  if (!to) return [];
  const row: { title: string } | undefined = await trx('requests').where({ id: requestId }).first('title');
  const shown = status.replace('_', ' ');
  return [{ to: [to], subject: `Request #${requestId} is now ${shown}`, text: `${row?.title ?? ''}\n\nStatus: ${shown}\n\n${baseUrl}/portal/requests/${requestId}`, footer: customerMailFooter(baseUrl, requestId) }];
}

/** Sets a request's status and mails its requester; false when it already had that status (nothing written). */
export async function changeRequestStatus(db: Db, mailer: Mailer, actor: Actor, requestId: number, status: RequestStatus, baseUrl: string): Promise<boolean> {
  const mails = await db.transaction((trx) => changeStatusIn(trx, actor, requestId, status, baseUrl));
  if (mails) await sendOutgoing(mailer, mails);
  return mails !== null;
}
