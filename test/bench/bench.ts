/**
 * npm run bench [-- --quick] [--json FILE] [--instances N] [--duration S] [--connections N]
 *                  [--database URL] [--keep] [--baseline FILE]
 *
 * Compiles Portico (npm run build) and starts it in production mode on a large seeded database (a temporary SQLite file, or
 * DATABASE_URL when it is PostgreSQL, or --database), signs in through the real login forms,
 * and drives autocannon at each main route; measures the floor (express + ejs alone) the same
 * way; prints req/s, latency, req/s as a fraction of the floor and peak RSS per route.
 * Not a test: it reports against issue 7's targets and always exits 0 once it has run.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { createDb, type Db } from '../../server/db';
import { migrateLatest } from '../../server/migrate';
import { LARGE_DEFAULTS, LARGE_PASSWORD, progressBar, seedLarge, type LargeSizes } from '../../server/seeds/large';
import { writeSetting } from '../../server/repositories/settings';
import { createAccessToken } from '../../server/repositories/accessTokens';
import { findPrincipalByEmail } from '../../server/repositories/principals';
import { cpuMs, freePort, peakRssMb, resetPeakRss, ROOT, startChild, type Child } from './processes';
import { PROXY_HEADERS, signIn } from './signIn';
import { profileRoutes } from './profile';
import { capturePages } from './pages';
import type { FloorPage } from './viewModel';
import { formatTable, LEGEND, toJson, type JsonRow, type Measured } from './report';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'string' },
    instances: { type: 'string', default: '1' },
    duration: { type: 'string' },
    connections: { type: 'string', default: '20' },
    database: { type: 'string' },
    keep: { type: 'boolean', default: false },
    baseline: { type: 'string' },
  },
  strict: true,
});

const quick = args.quick === true;
const seconds = Number(args.duration ?? (quick ? 3 : 10));
const warmup = quick ? 1 : 2;
const connections = Number(args.connections);
const instances = Number(args.instances);
if (![seconds, connections, instances].every((n) => Number.isInteger(n) && n > 0)) throw new Error('--duration, --connections and --instances take whole numbers');

function scaled(f: number): LargeSizes {
  const s = { ...LARGE_DEFAULTS };
  for (const k of ['requests', 'requesters', 'companies', 'dashboards', 'grants', 'votes', 'comments', 'workItems', 'entityGrants'] as const) s[k] = Math.max(1, Math.round(s[k] * f));
  return s;
}

interface Prepared {
  url: string;
  label: string;
  cleanup(): void;
}

/** The database to measure: given (reused when already seeded), or a fresh temporary SQLite file. */
async function prepareDatabase(): Promise<Prepared> {
  const envUrl = process.env.DATABASE_URL;
  const given = args.database ?? (envUrl && /^postgres(ql)?:\/\//.test(envUrl) ? envUrl : undefined);
  let dir: string | null = null;
  const url = given ?? `sqlite:${path.join((dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-bench-'))), 'bench.sqlite')}`;
  const db = createDb(url);
  try {
    await migrateLatest(db);
    const seeded = await db('principals').where({ email_normalized: 'admin@large.test' }).first('id');
    if (!seeded) {
      if (await db('requests').first('id')) throw new Error(`${url} has data that seed:large did not write: give an empty database`);
      const sizes = quick ? scaled(0.1) : LARGE_DEFAULTS;
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
        if (dir && !args.keep) fs.rmSync(dir, { recursive: true, force: true });
        else if (dir) console.log(`Database kept: ${url}`);
      },
    };
  } finally {
    await db.destroy();
  }
}

interface Route {
  name: string;
  path: string;
  headers: Record<string, string>;
  /** Run with `direct_access.enabled` on (the API needs it; the other routes measure the default). */
  directAccess?: boolean;
}

async function routesFor(db: Db, baseUrl: string): Promise<Route[]> {
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

async function measure(name: string, url: string, headers: Record<string, string>, pids: { serving: number[]; all: number[] }, step: string): Promise<Measured> {
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

async function setDirectAccess(url: string, on: boolean): Promise<void> {
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
async function withDirectAccessAsNeeded<T>(url: string, routes: Route[], run: (group: Route[]) => Promise<T>): Promise<[T, T]> {
  await setDirectAccess(url, false);
  const plain = await run(routes.filter((r) => !r.directAccess));
  await setDirectAccess(url, true);
  const api = await run(routes.filter((r) => r.directAccess));
  await setDirectAccess(url, false);
  return [plain, api];
}

/** A measured row's route without its " [2 workers]" suffix. */
const routeName = (measured: string) => measured.replace(/ \[\d+ workers?\]$/, '');

async function benchPortico(database: Prepared, workers: number, sessionSecret: string, cached: { routes?: Route[] }): Promise<Measured[]> {
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
    DATABASE_URL: database.url,
    WEB_CONCURRENCY: String(workers),
  };
  console.log(`\nStarting Portico (NODE_ENV=production, ${workers} worker${workers > 1 ? 's' : ''})...`);
  const server: Child = await startChild('dist/server/main.js', env);
  const suffix = instances > 1 ? ` [${workers} worker${workers > 1 ? 's' : ''}]` : '';
  const out: Measured[] = [];
  try {
    if (!cached.routes) {
      const db = createDb(database.url);
      try {
        await writeSetting(db, 'portal.dashboards', true, null);
        await writeSetting(db, 'direct_access.enabled', false, null);
        cached.routes = await routesFor(db, server.url);
      } finally {
        await db.destroy();
      }
    }
    const routes = cached.routes;
    for (const [i, route] of routes.entries()) {
      if (route.directAccess) await setDirectAccess(database.url, true);
      const check = await fetch(server.url + route.path, { headers: route.headers, redirect: 'manual' });
      await check.arrayBuffer();
      if (check.status !== 200) {
        const why = check.status === 404 && route.directAccess ? 'answers 404 with direct_access.enabled on: the API route is not mounted yet' : `answers ${check.status}`;
        console.log(`  [${i + 1}/${routes.length}] ${route.name}: skipped (${why})`);
        out.push({ route: route.name + suffix, rps: 0, p50: 0, p99: 0, rssMb: null, rssTotalMb: null, non2xx: 0, errors: 0, cpuMsPerRequest: null, note: `skipped: ${why}`, skipped: true });
      } else {
        out.push(await measure(route.name + suffix, server.url + route.path, route.headers, { serving: server.servingPids, all: server.allPids }, `[${i + 1}/${routes.length}]`));
      }
      if (route.directAccess) await setDirectAccess(database.url, false);
    }
  } finally {
    await server.stop();
  }
  return out;
}

/**
 * Each route's own floor: its page (template and view model, or JSON body) captured from one
 * real request, then sent from memory by the bare floor server and measured like the route.
 */
async function measurePageFloors(database: Prepared, sessionSecret: string, routes: Route[]): Promise<Map<string, Measured>> {
  console.log("\nMeasuring each route's own floor (express + ejs sending that route's captured page from memory)...");
  const [plain, api] = await withDirectAccessAsNeeded(database.url, routes, (group) => capturePages(database.url, sessionSecret, group));
  const named: [string, FloorPage][] = [...plain.pages, ...api.pages];
  for (const [name, why] of [...plain.problems, ...api.problems]) console.log(`  ${name}: no page floor (${why}); compared with the portal home floor`);
  const out = new Map<string, Measured>();
  if (!named.length) return out;
  const file = path.join(os.tmpdir(), `portico-floor-pages-${process.pid}.json`);
  fs.writeFileSync(file, JSON.stringify(named.map(([, page]) => page)));
  const floorServer = await startChild('dist/test/bench/floor.js', { PORT: String(await freePort()), NODE_ENV: 'production', FLOOR_PAGES: file });
  try {
    for (const [i, [name]] of named.entries()) {
      out.set(name, await measure(`floor of ${name}`, `${floorServer.url}/floor/${i}`, {}, { serving: floorServer.servingPids, all: floorServer.allPids }, `[floor ${i + 1}/${named.length}]`));
    }
  } finally {
    await floorServer.stop();
    fs.rmSync(file, { force: true });
  }
  return out;
}

/** Portico and the floor run compiled, as `npm start` runs Portico in production. */
function build(): void {
  console.log('Compiling (npm run build)...');
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
}

async function main(): Promise<void> {
  build();
  const database = await prepareDatabase();
  const sessionSecret = crypto.randomBytes(32).toString('base64url');
  try {
    console.log(`\nMeasuring the floor (express + ejs, Portico's portal home template, 25 rows from memory, no database)...`);
    const floorServer = await startChild('dist/test/bench/floor.js', { PORT: String(await freePort()), NODE_ENV: 'production' });
    const floor = await measure('floor: portal home, 25 rows (express + ejs)', `${floorServer.url}/floor`, {}, { serving: floorServer.servingPids, all: floorServer.allPids }, '[floor]');
    await floorServer.stop();

    const cached: { routes?: Route[] } = {};
    const rows: Measured[] = [floor];
    const counts = instances > 1 ? [1, instances] : [1];
    for (const workers of counts) rows.push(...(await benchPortico(database, workers, sessionSecret, cached)));

    const routes = cached.routes ?? [];
    const pageFloors = await measurePageFloors(database, sessionSecret, routes);
    for (const row of rows) {
      const own = pageFloors.get(routeName(row.route));
      if (own && !own.note) row.floorRps = own.rps;
    }

    console.log('\nProfiling each route alone (queries and time per request)...');
    const [plain, api] = await withDirectAccessAsNeeded(database.url, routes, (group) => profileRoutes(database.url, sessionSecret, group));
    for (const row of rows) {
      const p = plain.get(routeName(row.route)) ?? api.get(routeName(row.route));
      if (p && p.status === 200) row.profile = p;
    }

    const baseline = args.baseline ? new Map((JSON.parse(fs.readFileSync(args.baseline, 'utf8')) as JsonRow[]).map((r) => [r.route, r])) : undefined;
    console.log(`\nPortico benchmark: ${database.label}; ${connections} connections, ${seconds} s per route; ${os.cpus().length} CPUs, Node ${process.version}\n`);
    console.log(formatTable(rows, floor.rps, baseline));
    console.log(`\n${LEGEND}`);
    if (instances > 1) {
      console.log(`\n${instances} workers against 1:`);
      for (const r of rows.filter((x) => x.route.endsWith(`[${instances} workers]`) && !x.note)) {
        const one = rows.find((x) => x.route === r.route.replace(`[${instances} workers]`, '[1 worker]'));
        if (one && one.rps > 0) console.log(`  ${r.route.replace(/ \[.*\]$/, '').padEnd(34)} ×${(r.rps / one.rps).toFixed(2)} req/s, p99 ${one.p99} → ${r.p99} ms`);
      }
    }
    if (args.json) {
      fs.writeFileSync(args.json, `${JSON.stringify(toJson(rows, floor.rps), null, 2)}\n`);
      console.log(`\nWrote ${args.json}`);
    }
  } finally {
    database.cleanup();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error('benchmark failed:', err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
