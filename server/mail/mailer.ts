import nodemailer, { type Transporter } from 'nodemailer';
import type { Db } from '../db';
import { insertedId, nowIso } from '../db';
import type { Logger } from '../logger';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  /** Single-use secrets in the text (reset and confirmation links): see createMailer. */
  secrets?: string[];
}

export interface Mailer {
  /** Never throws: the change that caused a mail has already happened and must not be lost. */
  send(mail: OutgoingMail): Promise<void>;
  /**
   * Runs `work` (which may send mail) after the caller has its answer, so that how long the
   * answer took tells nothing about what the work found (whether an address has an account).
   * It never throws; a failure is logged.
   */
  later(work: () => Promise<void>): void;
  /** Waits for deliveries and later work still under way (at shutdown, and in tests). */
  drain(): Promise<void>;
}

export const HIDDEN_SECRET = '[link hidden: sent by mail only]';

/** The outbox keeps subjects of at most this many characters (varchar on PostgreSQL). */
export const MAX_SUBJECT = 300;

/** A subject cut to MAX_SUBJECT characters (whole code points, an ellipsis at the cut): "New request #12: <a 300-character title>" fits. */
export function shortSubject(subject: string): string {
  const chars = Array.from(subject);
  return chars.length <= MAX_SUBJECT ? subject : `${chars.slice(0, MAX_SUBJECT - 1).join('')}…`;
}

/**
 * Every message is written to the outbox (readable by administrators at /admin/mail).
 * With SMTP_URL it is also delivered, after the caller has its answer (so a slow or
 * failing mail server neither delays a page nor tells, by timing, whether an address
 * exists); a failure is recorded on the outbox row. Secrets stay in the stored copy only
 * when the outbox is the sole delivery (no SMTP, not production), so that administrators
 * cannot take over accounts from it in a real installation.
 */
function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const LOCAL_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/**
 * How Portico talks to SMTP_URL: waits bounded (nodemailer's own wait for a silent server is
 * ten minutes), and on smtp:// to anything but this machine STARTTLS is required, so neither
 * the mail password nor the mail goes out in clear when a server (or someone in between)
 * offers no STARTTLS. `?requireTLS=false` in the URL opts out; smtps:// is TLS from the start.
 */
export function smtpOptions(smtpUrl: string): { url: string; requireTLS: boolean; connectionTimeout: number; greetingTimeout: number; socketTimeout: number } {
  const url = new URL(smtpUrl);
  return { url: smtpUrl, requireTLS: url.protocol === 'smtp:' && !LOCAL_HOSTS.includes(url.hostname), connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };
}

/** How long to wait before each new try of a delivery that failed for a reason that may pass. */
export const RETRY_DELAYS_MS: readonly number[] = [30_000, 120_000, 600_000];

/**
 * Whether a failed delivery is worth trying again: not when the server refused for good
 * (5xx: no such mailbox, message refused), nor when our own settings are wrong (login
 * refused, TLS not offered); yes when it was busy (4xx) or could not be reached.
 */
export function failedForGood(err: unknown): boolean {
  const { responseCode, code } = (err ?? {}) as { responseCode?: unknown; code?: unknown };
  // The server's own answer decides (nodemailer reports a 421 to RCPT as EENVELOPE too).
  if (typeof responseCode === 'number') return responseCode >= 500;
  return code === 'EAUTH' || code === 'ETLS';
}

export function createMailer(
  db: Db,
  log: Logger,
  smtpUrl: string | undefined,
  from: string,
  production = false,
  opts: { retryDelaysMs?: readonly number[] } = {},
): Mailer {
  const retryDelays = opts.retryDelaysMs ?? RETRY_DELAYS_MS;
  // The URL's own settings (?requireTLS=false) win over these defaults (nodemailer applies them last).
  const transport: Transporter | null = smtpUrl ? nodemailer.createTransport(smtpOptions(smtpUrl)) : null;
  const keepSecrets = !transport && !production;
  const pending = new Set<Promise<void>>();
  const track = (job: Promise<void>) => {
    pending.add(job);
    void job.finally(() => pending.delete(job)).catch(() => undefined);
  };

  // Tries again in this process only: the message (with its single-use link) is kept in
  // memory, never in the outbox of a real installation, so a restart ends the retries.
  const deliver = async (id: number, mail: OutgoingMail, attempt = 0): Promise<void> => {
    if (!transport) return;
    try {
      await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text });
      await db('mail_outbox').where({ id }).update({ sent_at: nowIso(), error: null });
    } catch (err) {
      const delay = failedForGood(err) ? undefined : retryDelays[attempt];
      const message = messageOf(err).slice(0, 900);
      log.warn({ err: { message }, outboxId: id, attempt: attempt + 1, retryInMs: delay ?? null }, 'mail delivery failed');
      const recorded = delay === undefined ? message : `${message} (try ${attempt + 1}; trying again in ${Math.round(delay / 1000)} s)`;
      await db('mail_outbox')
        .where({ id })
        .update({ error: recorded })
        .catch(() => undefined);
      // The wait is not tracked: drain() (shutdown, tests) waits for deliveries under way, not for these.
      if (delay !== undefined) setTimeout(() => track(deliver(id, mail, attempt + 1)), delay).unref();
    }
  };

  return {
    async send(given) {
      const mail = { ...given, subject: shortSubject(given.subject) };
      let stored = mail.text;
      if (!keepSecrets) for (const secret of mail.secrets ?? []) stored = stored.split(secret).join(HIDDEN_SECRET);
      try {
        const id = insertedId(
          await db('mail_outbox').insert({ to_address: mail.to, subject: mail.subject, text_body: stored, created_at: nowIso() }).returning('id'),
        );
        track(deliver(id, mail));
      } catch (err) {
        log.error({ err }, 'mail could not be queued');
      }
    },
    later(work) {
      track(
        new Promise<void>((resolve) => setImmediate(resolve))
          .then(work)
          // The error as is (type, code, stack): knex is set up so that its messages name no values.
          .catch((err: unknown) => log.error({ err }, 'work after the answer failed')),
      );
    },
    async drain() {
      // Later work may queue deliveries of its own: wait until nothing is left.
      while (pending.size) await Promise.all([...pending]);
    },
  };
}
