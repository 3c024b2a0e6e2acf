/**
 * npm run bench:scale [-- --rounds N] [--duration S] [--connections N] [--small URL --large URL]
 *
 * Issue 7's "ten times the data costs at most 1.3× the latency", measured so that the drift of
 * a shared machine cancels out: Portico runs on a 10,000-request and a 100,000-request
 * database at once (temporary SQLite files, or the two given databases, seeded by seed:large
 * when empty), and every route is measured on both alternately, the order flipped each round
 * (small, large, large, small, ...). It prints the median p50 and CPU time per request on each
 * size and their ratios. Not a test: it reports and exits 0.
 */
import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import { LARGE_DEFAULTS } from '../../server/seeds/large';
import { TARGETS, type Measured } from './report';
import { build, measure, prepareDatabase, prepareRoutes, scaled, setDirectAccess, startPortico, type Load, type Prepared, type Route } from './harness';
import type { Child } from './processes';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '4' },
    connections: { type: 'string', default: '20' },
    small: { type: 'string' },
    large: { type: 'string' },
  },
  strict: true,
});
const rounds = Number(args.rounds);
const load: Load = { warmup: 1, seconds: Number(args.duration), connections: Number(args.connections) };
if (![rounds, load.seconds, load.connections].every((n) => Number.isInteger(n) && n > 0)) throw new Error('--rounds, --duration and --connections take whole numbers');

interface Side {
  name: 'small' | 'large';
  database: Prepared;
  server: Child;
  routes: Route[];
  runs: Map<string, Measured[]>;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function measureOn(side: Side, index: number, step: string): Promise<void> {
  const route = side.routes[index]!;
  if (route.directAccess) await setDirectAccess(side.database.url, true);
  try {
    const m = await measure(`${route.name} (${side.name})`, side.server.url + route.path, route.headers, { serving: side.server.servingPids, all: side.server.allPids }, step, load);
    side.runs.set(route.name, [...(side.runs.get(route.name) ?? []), m]);
  } finally {
    if (route.directAccess) await setDirectAccess(side.database.url, false);
  }
}

function report(small: Side, large: Side): string {
  const head = ['route', 'p50 10k', 'p50 100k', '× p50', 'CPU ms/req 10k', 'CPU ms/req 100k', '× CPU'];
  const rows = small.routes.map((route) => {
    const a = small.runs.get(route.name) ?? [];
    const b = large.runs.get(route.name) ?? [];
    const p50 = [median(a.map((m) => m.p50)), median(b.map((m) => m.p50))] as const;
    const cpu = [median(a.map((m) => m.cpuMsPerRequest ?? NaN)), median(b.map((m) => m.cpuMsPerRequest ?? NaN))] as const;
    const ratio = p50[1] / p50[0];
    return [route.name, String(p50[0]), String(p50[1]), `${ratio.toFixed(2)}${ratio > TARGETS.scaleLatency ? '✗' : ''}`, cpu[0].toFixed(2), cpu[1].toFixed(2), (cpu[1] / cpu[0]).toFixed(2)];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  build();
  const sessionSecret = crypto.randomBytes(32).toString('base64url');
  const databases = [await prepareDatabase(args.small, scaled(0.1), false), await prepareDatabase(args.large, LARGE_DEFAULTS, false)] as const;
  const sides: Side[] = [];
  try {
    for (const [i, name] of (['small', 'large'] as const).entries()) {
      const database = databases[i]!;
      console.log(`\nStarting Portico on ${database.label}...`);
      const server = await startPortico(database.url, 1, sessionSecret);
      sides.push({ name, database, server, routes: await prepareRoutes(database.url, server.url), runs: new Map() });
    }
    const [small, large] = sides as [Side, Side];
    for (let round = 0; round < rounds; round += 1) {
      console.log(`\nRound ${round + 1} of ${rounds}:`);
      for (const i of small.routes.keys()) {
        const order = (round + i) % 2 === 0 ? [small, large] : [large, small];
        for (const side of order) await measureOn(side, i, `[${round + 1}/${rounds}]`);
      }
    }
    console.log(`\nTen times the data: ${small.database.label} against ${large.database.label}; ${load.connections} connections, ${load.seconds} s per measurement, median of ${rounds} rounds measured alternately.\n`);
    console.log(report(small, large));
    console.log(`\ntarget (issue 7): × p50 ≤ ${TARGETS.scaleLatency}; ✗ = missed. × CPU: the serving process's CPU time per request, steadier than latency on a shared machine.`);
  } finally {
    for (const side of sides) await side.server.stop();
    for (const database of databases) database.cleanup();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error('benchmark failed:', err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
