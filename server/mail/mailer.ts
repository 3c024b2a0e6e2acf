import nodemailer, { type Transporter } from 'nodemailer';
import type { Db } from '../db';
import { nowIso, insertedId } from '../db';
import type { Logger } from '../logger';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  /** Never throws: the change that caused a mail has already happened and must not be lost. */
  send(mail: OutgoingMail): Promise<void>;
}

/**
 * Every message is written to the outbox table (readable by administrators); with SMTP_URL
 * set it is also delivered, and a delivery failure is recorded on its outbox row.
 */
export function createMailer(db: Db, log: Logger, smtpUrl: string | undefined, from: string): Mailer {
  const transport: Transporter | null = smtpUrl ? nodemailer.createTransport(smtpUrl) : null;
  return {
    async send(mail) {
      try {
        const id = insertedId(await db('mail_outbox')
          .insert({ to_address: mail.to, subject: mail.subject, text_body: mail.text, created_at: nowIso() })
          .returning('id'));
        if (!transport) return;
        try {
          await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text });
          await db('mail_outbox').where({ id }).update({ sent_at: nowIso() });
        } catch (err) {
          log.warn({ err: { message: (err as Error).message }, outboxId: id }, 'mail delivery failed');
          await db('mail_outbox').where({ id }).update({ error: (err as Error).message.slice(0, 1000) });
        }
      } catch (err) {
        log.error({ err }, 'mail could not be queued');
      }
    },
  };
}
