import type { Config } from './config';
import { createDb, type Db } from './db';
import { createLogger, type Logger } from './logger';
import { migrateLatest } from './migrate';
import { ensureSecret } from './repositories/secrets';
import { createMailer } from './mail/mailer';
import type { AppDeps } from './app';

/** Opens the database, brings the schema up to date and gathers what createApp needs. */
export async function bootstrap(config: Config, log: Logger = createLogger(config.LOG_LEVEL)): Promise<AppDeps> {
  const db: Db = createDb(config.DATABASE_URL);
  const ran = await migrateLatest(db);
  if (ran.length > 0) log.info({ migrations: ran }, 'database migrated');
  // The demo needs no configuration: a secret is generated once and kept in the database.
  const sessionSecret = config.SESSION_SECRET ?? (await ensureSecret(db, 'session_secret'));
  const mailer = createMailer(db, log, config.SMTP_URL, config.MAIL_FROM, config.NODE_ENV === 'production');
  return { db, config, log, sessionSecret, mailer };
}
