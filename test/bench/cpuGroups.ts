/**
 * Where a route's main-thread CPU goes, from a V8 CPU profile (cpuProfiler.ts): every sample is
 * charged to the code that asked for the work, in a few groups (the SQL itself, knex, sessions
 * and sign-in, express and middleware, ejs, Portico's own code, Node's HTTP, garbage collection).
 */

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

export const GROUPS = ['SQL (driver)', 'knex', 'session and sign-in', 'express and middleware', 'rendering (ejs)', 'Portico code', 'Node HTTP', 'GC', 'other'] as const;
export type Group = (typeof GROUPS)[number];

const SESSION = /\/node_modules\/(express-session|cookie-signature|passport[^/]*|connect-session-knex|cookie|csrf-sync)\/|\/dist\/server\/auth\//;
const MIDDLEWARE =
  /\/node_modules\/(express|router|helmet|body-parser|qs|parseurl|etag|send|finalhandler|on-headers|on-finished|path-to-regexp|depd|content-type|type-is|accepts|negotiator|mime[^/]*|fresh|vary|encodeurl|escape-html|statuses|http-errors|raw-body|iconv-lite|express-rate-limit|serve-static|side-channel[^/]*|call-bind[^/]*|get-intrinsic|es-[^/]*|setprototypeof|forwarded|proxy-addr|ipaddr\.js|media-typer|content-disposition|safe-buffer|range-parser|cookie-parser)\//;

/** The group of one frame, or null when the frame says nothing (a native, or Node's own crypto/promise plumbing): ask its caller. */
function frameGroup(url: string, functionName: string): Group | null {
  if (!url) return null;
  if (/\/node_modules\/(better-sqlite3|pg|pg-[^/]+)\//.test(url) || (/\/knex\/lib\/dialects\/[^/]+\/index\.js$/.test(url) && functionName === '_query')) return 'SQL (driver)';
  if (/\/node_modules\/(knex|tarn|lodash)\//.test(url)) return 'knex';
  if (SESSION.test(url)) return 'session and sign-in';
  if (MIDDLEWARE.test(url)) return 'express and middleware';
  if (/\/node_modules\/ejs\/|\.ejs$|\/dist\/server\/views\.js$/.test(url)) return 'rendering (ejs)';
  if (url.includes('/dist/server/')) return 'Portico code';
  if (/^node:(internal\/)?crypto|^node:internal\/(process\/task_queues|async_hooks)/.test(url)) return null;
  if (url.startsWith('node:')) return 'Node HTTP';
  return 'other';
}

export interface Breakdown {
  /** Main-thread busy time (not idle) per request, ms. */
  busyMsPerRequest: number;
  /** Share of the busy time per group, 0–1. */
  shares: Record<Group, number>;
}

export function groupProfile(profile: CpuProfile, requests: number): Breakdown {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const groupOf = new Map<number, Group | 'idle'>();
  const resolve = (id: number): Group | 'idle' => {
    const known = groupOf.get(id);
    if (known) return known;
    const frame = byId.get(id)!.callFrame;
    let g: Group | 'idle';
    if (frame.functionName === '(idle)') g = 'idle';
    else if (frame.functionName === '(garbage collector)') g = 'GC';
    else if (frame.functionName === '(program)' || frame.functionName === '(root)') g = 'other';
    else {
      const own = frameGroup(frame.url, frame.functionName);
      const up = parent.get(id);
      g = own ?? (up === undefined ? 'Node HTTP' : resolve(up));
      if (g === 'idle') g = 'other';
    }
    groupOf.set(id, g);
    return g;
  };
  const time = Object.fromEntries(GROUPS.map((g) => [g, 0])) as Record<Group, number>;
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const g = resolve(id);
    const dt = profile.timeDeltas[i] ?? 0;
    if (g === 'idle') return;
    time[g] += dt;
    busy += dt;
  });
  const shares = Object.fromEntries(GROUPS.map((g) => [g, busy > 0 ? time[g] / busy : 0])) as Record<Group, number>;
  return { busyMsPerRequest: requests > 0 ? busy / 1000 / requests : 0, shares };
}

/** One line per route: main-thread ms per request and each group's share. */
export function formatBreakdowns(rows: [string, Breakdown][]): string {
  const head = ['route', 'main ms/req', ...GROUPS];
  const body = rows.map(([route, b]) => [route, b.busyMsPerRequest.toFixed(2), ...GROUPS.map((g) => `${Math.round(b.shares[g] * 100)}%`)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
