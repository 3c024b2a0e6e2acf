/**
 * Each route's own floor: what express + ejs alone cost to send that very page. The page's
 * template and view model are captured from one real request (an in-process copy of Portico
 * over the benchmark database), written to a file, and the floor serves them from memory, with
 * no session, database or middleware. A JSON route's floor sends the same body with res.json.
 */
import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { createDb } from '../../server/db';
import { createLogger } from '../../server/logger';
import { createMailer } from '../../server/mail/mailer';
import { encodeLocals, type FloorPage } from './viewModel';

interface Target {
  name: string;
  path: string;
  headers: Record<string, string>;
}

interface Captured {
  view?: string;
  locals?: string;
  json?: unknown;
}

/** The template and view model (or JSON body) of each target, by route name; a route that cannot be captured is left out with the reason. */
export async function capturePages(databaseUrl: string, sessionSecret: string, targets: Target[]): Promise<{ pages: Map<string, FloorPage>; problems: Map<string, string> }> {
  const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: databaseUrl, SESSION_SECRET: sessionSecret, LOG_LEVEL: 'silent', TRUST_PROXY: 'true', PUBLIC_URL: 'http://127.0.0.1' });
  const db = createDb(databaseUrl);
  const log = createLogger('silent');
  const portico = createApp({ db, config, log, sessionSecret, mailer: createMailer(db, log, undefined, config.MAIL_FROM) });
  // What the current request rendered or sent (one request at a time).
  const last: { captured: Captured; problem: string | null } = { captured: {}, problem: null };
  const outer = express();
  outer.use((_req, res, next) => {
    const render = res.render.bind(res) as (view: string, options?: object) => void;
    const json = res.json.bind(res);
    res.render = ((view: string, options?: Record<string, unknown>) => {
      try {
        last.captured = { view, locals: encodeLocals({ ...(res.locals as Record<string, unknown>), ...(options ?? {}) }) };
      } catch (err) {
        last.problem = err instanceof Error ? err.message : String(err);
      }
      render(view, options);
    }) as typeof res.render;
    res.json = (body: unknown) => {
      last.captured = { json: body };
      return json(body);
    };
    next();
  });
  outer.use(portico);
  const server = http.createServer(outer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const pages = new Map<string, FloorPage>();
  const problems = new Map<string, string>();
  try {
    for (const t of targets) {
      last.captured = {};
      last.problem = null;
      const res = await fetch(base + t.path, { headers: t.headers, redirect: 'manual' });
      await res.arrayBuffer();
      if (res.status !== 200) problems.set(t.name, `answered ${res.status}`);
      else if (last.problem) problems.set(t.name, last.problem);
      else if (last.captured.view && last.captured.locals) pages.set(t.name, { view: last.captured.view, locals: last.captured.locals });
      else if (last.captured.json !== undefined) pages.set(t.name, { json: last.captured.json });
      else problems.set(t.name, 'neither rendered a view nor sent JSON');
    }
  } finally {
    server.close();
    await db.destroy();
  }
  return { pages, problems };
}
