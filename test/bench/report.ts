/** The benchmark's table, its JSON and the targets of issue 7. */
import type { RouteProfile } from './profile';

export const TARGETS = { floorRatio: 0.6, p99Ms: 50, rssMb: 150, scaleLatency: 1.3 } as const;

export interface Measured {
  route: string;
  rps: number;
  p50: number;
  p99: number;
  /** Peak RSS of the busiest serving process during this route (MB). */
  rssMb: number | null;
  /** Sum over every process of the server (primary and workers) when clustered, else null. */
  rssTotalMb: number | null;
  non2xx: number;
  errors: number;
  /** CPU time (user + system, every thread) of the serving processes per completed request (ms). */
  cpuMsPerRequest: number | null;
  /** req/s of this route's own page sent from memory by the floor (pages.ts), when captured. */
  floorRps?: number;
  profile?: RouteProfile;
  note?: string;
  /** Not measured at all (the route is not available); left out of the JSON. */
  skipped?: boolean;
}

export interface JsonRow {
  route: string;
  rps: number;
  /** null when no response completed within the run. */
  p50: number | null;
  p99: number | null;
  /** req/s as a fraction of the route's own page floor (the portal home floor where none was captured). */
  floor_ratio: number;
  /** req/s as a fraction of the portal home floor (25 rows). */
  home_floor_ratio: number;
  /** req/s of the route's own page floor, or null. */
  floor_rps: number | null;
  rss_mb: number | null;
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The floor a route is held to: its own page's when captured, else the portal home floor. */
function ownFloor(r: Measured, homeFloorRps: number): number {
  return r.floorRps ?? homeFloorRps;
}

export function toJson(rows: Measured[], floorRps: number): JsonRow[] {
  return rows
    .filter((r) => !r.skipped)
    .map((r) => ({
      route: r.route,
      rps: round(r.rps),
      p50: r.note ? null : r.p50,
      p99: r.note ? null : r.p99,
      floor_ratio: round(ownFloor(r, floorRps) > 0 ? r.rps / ownFloor(r, floorRps) : 0, 3),
      home_floor_ratio: round(floorRps > 0 ? r.rps / floorRps : 0, 3),
      floor_rps: r.floorRps === undefined ? null : round(r.floorRps),
      rss_mb: r.rssMb === null ? null : round(r.rssMb),
    }));
}

function pad(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
}

/** A plain-text table; ✗ marks a figure that misses its target. */
export function formatTable(rows: Measured[], floorRps: number, baseline?: Map<string, JsonRow>): string {
  const head = ['route', 'req/s', 'p50 ms', 'p99 ms', 'page floor req/s', '× page floor', '× home floor', 'peak RSS MB', 'CPU ms/req', 'queries/req', 'db ms/req', 'alone ms'];
  if (baseline) head.push('p50 vs base');
  const body: string[][] = rows.map((r) => {
    if (r.note) return [r.route, r.note];
    const ratio = floorRps > 0 ? r.rps / floorRps : 0;
    const own = ownFloor(r, floorRps);
    const pageRatio = own > 0 ? r.rps / own : 0;
    const mark = (ok: boolean) => (ok ? ' ' : '✗');
    const isFloor = r.route.startsWith('floor');
    const cells = [
      r.route + (r.non2xx || r.errors ? ` (${r.non2xx} non-2xx, ${r.errors} errors)` : ''),
      round(r.rps).toFixed(1),
      String(r.p50),
      `${r.p99}${mark(r.p99 <= TARGETS.p99Ms)}`,
      r.floorRps === undefined ? '' : round(r.floorRps).toFixed(1),
      isFloor ? '' : `${pageRatio.toFixed(2)}${mark(pageRatio >= TARGETS.floorRatio)}`,
      isFloor ? '1.00 ' : `${ratio.toFixed(2)}${mark(ratio >= TARGETS.floorRatio)}`,
      r.rssMb === null ? 'n/a' : `${round(r.rssMb).toFixed(1)}${r.rssTotalMb !== null ? ` (Σ${Math.round(r.rssTotalMb)})` : ''}${mark(r.rssMb <= TARGETS.rssMb)}`,
      r.cpuMsPerRequest === null ? 'n/a' : r.cpuMsPerRequest.toFixed(2),
      r.profile ? round(r.profile.queries).toString() : '',
      r.profile ? round(r.profile.dbMs).toFixed(1) : '',
      r.profile ? round(r.profile.totalMs).toFixed(1) : '',
    ];
    if (baseline) {
      const base = baseline.get(r.route);
      const scale = base?.p50 ? r.p50 / base.p50 : null;
      cells.push(scale === null ? '' : `${scale.toFixed(2)}${mark(scale <= TARGETS.scaleLatency)}`);
    }
    return cells;
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.filter((b) => b.length > 2).map((b) => (b[i] ?? '').length)));
  const lines = [pad(head, widths), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const b of body) lines.push(b.length === 2 ? `${b[0]!.padEnd(widths[0]!)}  ${b[1]}` : pad(b, widths));
  return lines.join('\n');
}

export const LEGEND = [
  `page floor: express + ejs sending the route's own page (template and view model captured from Portico, or its JSON) from memory; home floor: the portal home template with 25 rows.`,
  `targets (issue 7): req/s ≥ ${TARGETS.floorRatio} × floor, p99 ≤ ${TARGETS.p99Ms} ms at the given connections, peak RSS ≤ ${TARGETS.rssMb} MB per process; ✗ = missed.`,
  'CPU ms/req: CPU time of the serving processes (all threads) per request under load, steadier than req/s on a shared machine.',
  'queries/req, db ms/req, alone ms: one request at a time on an in-process copy of the app (no load): SQL statements run, time inside them, whole request.',
].join('\n');
