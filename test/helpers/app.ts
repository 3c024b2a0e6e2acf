import { Writable } from 'node:stream';
import supertest from 'supertest';
import type { Express } from 'express';
import { createApp, type AppDeps } from '../../server/app';
import type { Db } from '../../server/db';
import { loadConfig, type Config } from '../../server/config';
import { createLogger } from '../../server/logger';
import { createMailer } from '../../server/mail/mailer';
import { createTestDatabase, type TestDatabase } from './databases';

export const TEST_SCRYPT_COST = 1024;

export interface TestApp {
  app: Express;
  deps: AppDeps;
  db: AppDeps['db'];
  /** Every log line the app wrote, as raw JSON text. */
  logs: string[];
  close(): Promise<void>;
}

/** A fresh database and an app over it; env overrides the test configuration. */
export async function createTestApp(env: Record<string, string> = {}, database?: TestDatabase): Promise<TestApp> {
  const testDb = database ?? (await createTestDatabase());
  const config: Config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: testDb.url,
    SESSION_SECRET: 'test-secret-test-secret-test-secret-0123',
    SCRYPT_COST: String(TEST_SCRYPT_COST),
    LOG_LEVEL: 'info',
    LOGIN_RATE_LIMIT: '1000',
    ...env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(chunk.toString());
      cb();
    },
  });
  const log = createLogger(config.LOG_LEVEL, sink);
  const deps: AppDeps = {
    db: testDb.db,
    config,
    log,
    sessionSecret: config.SESSION_SECRET ?? 'unused',
    mailer: createMailer(testDb.db, log, undefined, config.MAIL_FROM),
  };
  const app = createApp(deps);
  // Work left for after an answer (mailer.later) finishes before the database goes.
  const close = async () => {
    await deps.mailer.drain();
    await testDb.drop();
  };
  return { app, deps, db: testDb.db, logs, close };
}

/** The value of the hidden `_csrf` field of the last form in a page. */
export function csrfFrom(html: string): string {
  const all = [...html.matchAll(/name="_csrf" value="([^"]+)"/g)];
  const last = all[all.length - 1];
  if (!last?.[1]) throw new Error('no CSRF token in page');
  return last[1];
}

export type Agent = ReturnType<typeof supertest.agent>;

/** A signed-in browser-like agent (cookies kept), or throws if the sign-in fails. */
export async function signIn(app: Express, realm: 'portal' | 'desk', email: string, password: string): Promise<Agent> {
  const agent = supertest.agent(app);
  const page = await agent.get(`/${realm}/login`).expect(200);
  const res = await agent.post(`/${realm}/login`).type('form').send({ email, password, _csrf: csrfFrom(page.text) });
  if (res.status !== 303) throw new Error(`sign-in of ${email} at ${realm} answered ${res.status}`);
  return agent;
}

/** A token for forms, taken from any page the agent may load. */
export async function csrfOf(agent: Agent, page: string): Promise<string> {
  const res = await agent.get(page);
  return csrfFrom(res.text);
}

/**
 * Every row of every domain table, to prove a refused request changed nothing. API tests
 * leave out `access_tokens`, whose last-use time moves with every authenticated call.
 */
export async function snapshot(db: AppDeps['db'], except: string[] = []): Promise<Record<string, unknown>> {
  const tables = [
    'principals', 'companies', 'projects', 'project_members', 'roles', 'role_permissions', 'requests', 'votes',
    'comments', 'request_events', 'work_items', 'request_work_items', 'dashboards', 'dashboard_widgets', 'dashboard_grants',
    'settings', 'audit_events', 'access_tokens', 'entity_permissions', 'mail_outbox', 'request_tallies', 'request_day_tallies', 'request_mutes',
    'share_links', 'password_links', 'attachments', 'attachment_contents',
  ];
  const out: Record<string, unknown> = {};
  for (const t of tables.filter((name) => !except.includes(name))) {
    const rows = await db(t).select('*');
    out[t] = JSON.stringify(rows);
  }
  return out;
}

/** `snapshot` plus the account-token tables it leaves out, once the work mailed after an answer is done. */
export async function fullState(t: TestApp): Promise<Record<string, unknown>> {
  await t.deps.mailer.drain();
  const out = await snapshot(t.db);
  for (const table of ['pending_signups', 'password_reset_tokens']) out[table] = JSON.stringify(await t.db(table).select('*').orderBy('id'));
  return out;
}

/** The tables whose rows differ between two `fullState` (or `snapshot`) results. */
export function changedTables(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return Object.keys(before).filter((k) => before[k] !== after[k]);
}

/** Every statement `run` sends through `db`, in order, with its bindings. */
export async function queriesDuring(db: Db, run: () => Promise<unknown>): Promise<{ sql: string; bindings: readonly unknown[] }[]> {
  const seen: { sql: string; bindings: readonly unknown[] }[] = [];
  const listen = (q: { sql: string; bindings?: readonly unknown[] }) => void seen.push({ sql: q.sql, bindings: q.bindings ?? [] });
  db.on('query', listen);
  try {
    await run();
  } finally {
    db.removeListener('query', listen);
  }
  return seen;
}

/** The SQL statements `run` sends through `db`, in order, with identifier quotes taken out. */
export async function statementsDuring(db: Db, run: () => Promise<unknown>): Promise<string[]> {
  return (await queriesDuring(db, run)).map((q) => q.sql.replace(/["`]/g, ''));
}
