/** What the benchmarks share: the seeded database, the routes and who signs in, one measurement. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { createDb, type Db } from '../../server/db';
import { migrateLatest } from '../../server/migrate';
import { LARGE_DEFAULTS, LARGE_PASSWORD, progressBar, seedLarge, type LargeSizes } from '../../server/seeds/large';
import { writeSetting } from '../../server/repositories/settings';
import { createAccessToken } from '../../server/repositories/accessTokens';
import { findPrincipalByEmail } from '../../server/repositories/principals';
import { cpuMs, freePort, peakRssMb, resetPeakRss, ROOT, startChild, type Child } from './processes';
import { PROXY_HEADERS, signIn } from './signIn';
import type { Measured } from './report';

/** The seed:large defaults times `f` (0.1: the --quick size, 10,000 requests). */
export function scaled(f: number): LargeSizes {
  const s = { ...LARGE_DEFAULTS };
  for (const k of ['requests', 'requesters', 'companies', 'dashboards', 'grants', 'votes', 'comments', 'workItems', 'entityGrants'] as const) s[k] = Math.max(1, Math.round(s[k] * f));
  return s;
}

export interface Prepared {
  url: string;
  label: string;
  cleanup(): void;
}

/**
 * The database to measure: `given` (reused when already seeded), or a fresh temporary SQLite
 * file seeded with `sizes`; `keep` leaves the temporary file in place.
 */
export async function prepareDatabase(given: string | undefined, sizes: LargeSizes, keep: boolean): Promise<Prepared> {
  let dir: string | null = null;
  const url = given ?? `sqlite:${path.join((dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-bench-'))), 'bench.sqlite')}`;
  const db = createDb(url);
  try {
    await migrateLatest(db);
    const seeded = await db('principals').where({ email_normalized: 'admin@large.test' }).first('id');
    if (!seeded) {
      if (await db('requests').first('id')) throw new Error(`${url} has data that seed:large did not write: give an empty database`);
      console.log(`Seeding ${sizes.requests.toLocaleString('en')} requests into ${given ? url.replace(/\/\/[^@]*@/, '//') : 'a temporary SQLite file'}...`);
      const bar = progressBar();
      const t0 = Date.now();
      await seedLarge(db, { sizes, scryptCost: 16_384, onProgress: bar.onProgress });
      bar.stop();
      console.log(`Seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s.`);
    }
    if (url.startsWith('sqlite:')) await db.raw('PRAGMA wal_checkpoint(TRUNCATE)');
    const n = Number((await db('requests').count({ n: '*' }).first())?.n ?? 0);
    const engine = url.startsWith('sqlite:') ? 'SQLite' : 'PostgreSQL';
    return {
      url,
      label: `${engine}, ${n.toLocaleString('en')} requests`,
      cleanup: () => {
        if (dir && !keep) fs.rmSync(dir, { recursive: true, force: true });
        else if (dir) console.log(`Database kept: ${url}`);
      },
    };
  } finally {
    await db.destroy();
  }
}

export interface Route {
  name: string;
  path: string;
  headers: Record<string, string>;
  /** Run with `direct_access.enabled` on (the API needs it; the other routes measure the default). */
  directAccess?: boolean;
}

export async function routesFor(db: Db, baseUrl: string): Promise<Route[]> {
  const who = async (email: string) => (await findPrincipalByEmail(db, email))!;
  const requester = await who('requester1@large.test');
  const admin = await who('admin@large.test');
  console.log('Signing in through the login forms: requester, staff user (project member), administrator...');
  const cookie = {
    requester: await signIn(baseUrl, 'portal', requester.email, LARGE_PASSWORD),
    user: await signIn(baseUrl, 'desk', 'agent@large.test', LARGE_PASSWORD),
    admin: await signIn(baseUrl, 'desk', admin.email, LARGE_PASSWORD),
  };
  const hot: { id: number } | undefined = await db('requests')
    .join('projects', 'projects.id', 'requests.project_id')
    .where({ 'requests.visibility': 'public', 'projects.portal_enabled': true })
    .orderBy('requests.vote_count', 'desc')
    .first('requests.id');
  const board: { id: number } | undefined = await db('dashboards as d')
    .join('dashboard_grants as g', 'g.dashboard_id', 'd.id')
    .where('g.principal_id', requester.id)
    .whereNot('d.restriction', 'open')
    .orderBy('d.id')
    .first('d.id');
  const { token } = await createAccessToken(db, admin.id, 'benchmark');
  const as = (c: string) => ({ ...PROXY_HEADERS, cookie: c });
  return [
    { name: 'portal home', path: '/portal', headers: as(cookie.requester) },
    { name: 'ideas board', path: '/portal/ideas', headers: as(cookie.requester) },
    { name: 'request page (top idea)', path: `/portal/requests/${hot?.id ?? 1}`, headers: as(cookie.requester) },
    { name: 'dashboard hub', path: '/portal/dashboards', headers: as(cookie.requester) },
    { name: 'dashboard, 5 widgets (requester)', path: `/portal/dashboards/${board?.id ?? 1}`, headers: as(cookie.requester) },
    { name: 'dashboard, 5 widgets (staff)', path: `/desk/dashboards/${board?.id ?? 1}`, headers: as(cookie.user) },
    { name: 'desk queue ?status=open (staff)', path: '/desk?status=open', headers: as(cookie.user) },
    { name: 'desk queue ?status=open (admin)', path: '/desk?status=open', headers: as(cookie.admin) },
    { name: 'EntityPermissions API', path: '/api/v1/EntityPermissions', headers: { authorization: `Bearer ${token}` }, directAccess: true },
  ];
}

export interface Load {
  /** Seconds of load before measuring. */
  warmup: number;
  seconds: number;
  connections: number;
}

/** Drives autocannon at one URL: req/s, latency, the serving processes' CPU per request and peak RSS. */
export async function measure(name: string, url: string, headers: Record<string, string>, pids: { serving: number[]; all: number[] }, step: string, load: Load): Promise<Measured> {
  const { warmup, seconds, connections } = load;
  process.stdout.write(`  ${step} ${name}: warming up ${warmup} s, measuring ${seconds} s at ${connections} connections... `);
  await autocannon({ url, headers, connections, duration: warmup });
  for (const pid of pids.all) resetPeakRss(pid);
  const cpuTotal = () => {
    const each = pids.serving.map(cpuMs);
    return each.every((v): v is number => v !== null) ? each.reduce((a, b) => a + b, 0) : null;
  };
  const cpuBefore = cpuTotal();
  const r = await autocannon({ url, headers, connections, duration: seconds });
  const cpuAfter = cpuTotal();
  const peaks = pids.serving.map(peakRssMb).filter((v): v is number => v !== null);
  const totals = pids.all.map(peakRssMb).filter((v): v is number => v !== null);
  const m: Measured = {
    route: name,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    rssMb: peaks.length ? Math.max(...peaks) : null,
    rssTotalMb: pids.all.length > 1 && totals.length ? totals.reduce((a, b) => a + b, 0) : null,
    non2xx: r.non2xx,
    errors: r.errors,
    cpuMsPerRequest: cpuBefore !== null && cpuAfter !== null && r.requests.total > 0 ? (cpuAfter - cpuBefore) / r.requests.total : null,
  };
  if (r.requests.total === 0) {
    m.note = `no response within the ${seconds} s run (${r.errors} errors/timeouts): each request takes longer than that at ${connections} connections`;
    console.log(m.note);
    return m;
  }
  console.log(`${m.rps.toFixed(1)} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms${m.non2xx ? `, ${m.non2xx} non-2xx` : ''}`);
  return m;
}

export async function setDirectAccess(url: string, on: boolean): Promise<void> {
  const db = createDb(url);
  try {
    await writeSetting(db, 'direct_access.enabled', on, null);
  } finally {
    await db.destroy();
  }
}

/**
 * `run` over the routes measured with Direct Access off, then over those that need it on (the
 * API), leaving it off again: each group sees the settings its route is measured with.
 */
export async function withDirectAccessAsNeeded<T>(url: string, routes: Route[], run: (group: Route[]) => Promise<T>): Promise<[T, T]> {
  await setDirectAccess(url, false);
  const plain = await run(routes.filter((r) => !r.directAccess));
  await setDirectAccess(url, true);
  const api = await run(routes.filter((r) => r.directAccess));
  await setDirectAccess(url, false);
  return [plain, api];
}

/** Portico as `npm start` runs it (compiled, production), on `databaseUrl`, with `workers` workers. */
export async function startPortico(databaseUrl: string, workers: number, sessionSecret: string, extra: { env?: Record<string, string>; nodeFlags?: string[] } = {}): Promise<Child> {
  const port = await freePort();
  const env = {
    NODE_ENV: 'production',
    SESSION_SECRET: sessionSecret,
    LOG_LEVEL: 'silent',
    TRUST_PROXY: 'true',
    LOGIN_RATE_LIMIT: '100000',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: databaseUrl,
    WEB_CONCURRENCY: String(workers),
    ...extra.env,
  };
  return startChild('dist/server/main.js', env, { nodeFlags: extra.nodeFlags });
}

/** The routes of `routesFor`, with the settings they are measured with (the hub needs the toggle on). */
export async function prepareRoutes(databaseUrl: string, baseUrl: string): Promise<Route[]> {
  const db = createDb(databaseUrl);
  try {
    await writeSetting(db, 'portal.dashboards', true, null);
    await writeSetting(db, 'direct_access.enabled', false, null);
    return await routesFor(db, baseUrl);
  } finally {
    await db.destroy();
  }
}

/** Portico and the floor run compiled, as `npm start` runs Portico in production. */
export function build(): void {
  console.log('Compiling (npm run build)...');
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
}

