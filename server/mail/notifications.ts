import type { Mailer } from './mailer';
import type { Recipient } from '../repositories/recipients';

/** One message per recipient, so no one sees another's address. */
export async function notifyMany(mailer: Mailer, recipients: Recipient[], subject: string, text: string): Promise<void> {
  const seen = new Set<string>();
  for (const r of recipients) {
    const key = r.email.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    await mailer.send({ to: r.email, subject, text: `Hello ${r.name},\n\n${text}\n\n— Portico` });
  }
}
