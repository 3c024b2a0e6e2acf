import type { Mailer } from './mailer';
import type { Recipient } from '../repositories/recipients';

/** Why a customer gets mail about their request, and how they stop it (the request page and the profile). */
export function customerMailFooter(baseUrl: string, requestId: number): string {
  return (
    `You get this email because you raised this request. No more email about it: open ${baseUrl}/portal/requests/${requestId} ` +
    `and choose "Stop email about this request". No email about any request: ${baseUrl}/portal/profile`
  );
}

/** Why a staff member gets mail about a request (its assignee, or a member of its project), and where they stop it. */
export function staffMailFooter(baseUrl: string, as: 'assignee' | 'members'): string {
  const why = as === 'assignee' ? 'as the person the request is assigned to' : "as a member of the request's project";
  return `You get this email ${why}. To stop email about requests: ${baseUrl}/desk/profile`;
}

/** One message per recipient, so no one sees another's address; `footer` says why they get it and how to stop it. */
export async function notifyMany(mailer: Mailer, recipients: Recipient[], subject: string, text: string, footer: string): Promise<void> {
  const seen = new Set<string>();
  for (const r of recipients) {
    const key = r.email.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    await mailer.send({ to: r.email, subject, text: `Hello ${r.name},\n\n${text}\n\n— Portico\n\n${footer}` });
  }
}

/** A notification decided inside a transaction, sent once it has committed. */
export interface Outgoing {
  to: Recipient[];
  subject: string;
  text: string;
  footer: string;
}

/** Sends what committed changes decided to send, in order. */
export async function sendOutgoing(mailer: Mailer, mails: readonly Outgoing[]): Promise<void> {
  for (const m of mails) await notifyMany(mailer, m.to, m.subject, m.text, m.footer);
}
