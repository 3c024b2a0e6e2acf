/**
 * npm run bench [-- --quick] [--json FILE] [--instances N] [--duration S] [--connections N]
 *                  [--database URL] [--keep] [--baseline FILE] [--cpu-profile]
 *
 * Compiles Portico (npm run build) and starts it in production mode on a large seeded database (a temporary SQLite file, or
 * DATABASE_URL when it is PostgreSQL, or --database), signs in through the real login forms,
 * and drives autocannon at each main route; measures the floor (express + ejs alone) the same
 * way; prints req/s, latency, req/s as a fraction of the floor and peak RSS per route.
 * With --cpu-profile, each route is profiled once more and its main-thread time split by the code it goes to.
 * Not a test: it reports against issue 7's targets and always exits 0 once it has run.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LARGE_DEFAULTS } from '../../server/seeds/large';
import { freePort, startChild, type Child } from './processes';
import { profileRoutes } from './profile';
import { capturePages } from './pages';
import type { FloorPage } from './viewModel';
import { formatBreakdowns, type Breakdown } from './cpuGroups';
import { profileCpu } from './cpuPass';
import { formatTable, LEGEND, toJson, type JsonRow, type Measured } from './report';
import { build, measure, prepareDatabase, prepareRoutes, scaled, setDirectAccess, startPortico, withDirectAccessAsNeeded, type Load, type Prepared, type Route } from './harness';

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
    'cpu-profile': { type: 'boolean', default: false },
  },
  strict: true,
});

const quick = args.quick === true;
const seconds = Number(args.duration ?? (quick ? 3 : 10));
const warmup = quick ? 1 : 2;
const connections = Number(args.connections);
const instances = Number(args.instances);
if (![seconds, connections, instances].every((n) => Number.isInteger(n) && n > 0)) throw new Error('--duration, --connections and --instances take whole numbers');
const LOAD: Load = { warmup, seconds, connections };

/** A measured row's route without its " [2 workers]" suffix. */
const routeName = (measured: string) => measured.replace(/ \[\d+ workers?\]$/, '');

async function benchPortico(database: Prepared, workers: number, sessionSecret: string, cached: { routes?: Route[] }): Promise<Measured[]> {
  console.log(`\nStarting Portico (NODE_ENV=production, ${workers} worker${workers > 1 ? 's' : ''})...`);
  const server: Child = await startPortico(database.url, workers, sessionSecret);
  const suffix = instances > 1 ? ` [${workers} worker${workers > 1 ? 's' : ''}]` : '';
  const out: Measured[] = [];
  try {
    cached.routes ??= await prepareRoutes(database.url, server.url);
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
        out.push(await measure(route.name + suffix, server.url + route.path, route.headers, { serving: server.servingPids, all: server.allPids }, `[${i + 1}/${routes.length}]`, LOAD));
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
      out.set(name, await measure(`floor of ${name}`, `${floorServer.url}/floor/${i}`, {}, { serving: floorServer.servingPids, all: floorServer.allPids }, `[floor ${i + 1}/${named.length}]`, LOAD));
    }
  } finally {
    await floorServer.stop();
    fs.rmSync(file, { force: true });
  }
  return out;
}

async function main(): Promise<void> {
  build();
  const envUrl = process.env.DATABASE_URL;
  const given = args.database ?? (envUrl && /^postgres(ql)?:\/\//.test(envUrl) ? envUrl : undefined);
  const database = await prepareDatabase(given, quick ? scaled(0.1) : LARGE_DEFAULTS, args.keep === true);
  const sessionSecret = crypto.randomBytes(32).toString('base64url');
  try {
    console.log(`\nMeasuring the floor (express + ejs, Portico's portal home template, 25 rows from memory, no database)...`);
    const floorServer = await startChild('dist/test/bench/floor.js', { PORT: String(await freePort()), NODE_ENV: 'production' });
    const floor = await measure('floor: portal home, 25 rows (express + ejs)', `${floorServer.url}/floor`, {}, { serving: floorServer.servingPids, all: floorServer.allPids }, '[floor]', LOAD);
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

    let breakdowns: [string, Breakdown][] = [];
    if (args['cpu-profile']) {
      console.log('\nProfiling the main thread of each route under load (V8 sampling profiler)...');
      breakdowns = await profileCpu(database.url, sessionSecret, routes, LOAD);
    }

    const baseline = args.baseline ? new Map((JSON.parse(fs.readFileSync(args.baseline, 'utf8')) as JsonRow[]).map((r) => [r.route, r])) : undefined;
    console.log(`\nPortico benchmark: ${database.label}; ${connections} connections, ${seconds} s per route; ${os.cpus().length} CPUs, Node ${process.version}\n`);
    console.log(formatTable(rows, floor.rps, baseline));
    console.log(`\n${LEGEND}`);
    if (breakdowns.length) {
      console.log(`\nWhere each route's main-thread time goes (--cpu-profile; the profiler itself adds a few per cent):\n`);
      console.log(formatBreakdowns(breakdowns));
    }
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
