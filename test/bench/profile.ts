/**
 * Where a route's time goes, measured one request at a time on an in-process copy of the app
 * over the same database and session secret (so the benchmark's cookies work here too):
 * how many SQL queries one request runs and how long they take, against the whole request.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { createDb } from '../../server/db';
import { createLogger } from '../../server/logger';
import { createMailer } from '../../server/mail/mailer';

export interface ProfileTarget {
  name: string;
  path: string;
  headers: Record<string, string>;
}

export interface RouteProfile {
  status: number;
  queries: number;
  dbMs: number;
  totalMs: number;
}

interface QueryEvent {
  __knexQueryUid?: string;
}

export async function profileRoutes(databaseUrl: string, sessionSecret: string, targets: ProfileTarget[], repeats = 10): Promise<Map<string, RouteProfile>> {
  const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: databaseUrl, SESSION_SECRET: sessionSecret, LOG_LEVEL: 'silent', TRUST_PROXY: 'true', PUBLIC_URL: 'http://127.0.0.1' });
  const db = createDb(databaseUrl);
  const log = createLogger('silent');
  const app = createApp({ db, config, log, sessionSecret, mailer: createMailer(db, log, undefined, config.MAIL_FROM) });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let queries = 0;
  let dbMs = 0;
  const started = new Map<string, number>();
  db.on('query', (q: QueryEvent) => {
    queries += 1;
    if (q.__knexQueryUid) started.set(q.__knexQueryUid, performance.now());
  });
  const done = (_r: unknown, q: QueryEvent) => {
    const t = q.__knexQueryUid ? started.get(q.__knexQueryUid) : undefined;
    if (t !== undefined && q.__knexQueryUid) {
      dbMs += performance.now() - t;
      started.delete(q.__knexQueryUid);
    }
  };
  db.on('query-response', done);
  db.on('query-error', (_e: unknown, q: QueryEvent) => done(null, q));

  const out = new Map<string, RouteProfile>();
  try {
    for (const t of targets) {
      const once = async () => {
        const res = await fetch(base + t.path, { headers: t.headers, redirect: 'manual' });
        await res.arrayBuffer();
        return res.status;
      };
      await once();
      queries = 0;
      dbMs = 0;
      let status = 0;
      const t0 = performance.now();
      for (let i = 0; i < repeats; i += 1) status = await once();
      out.set(t.name, { status, queries: queries / repeats, dbMs: dbMs / repeats, totalMs: (performance.now() - t0) / repeats });
    }
  } finally {
    server.close();
    await db.destroy();
  }
  return out;
}
