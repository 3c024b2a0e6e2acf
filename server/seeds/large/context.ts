/** What every phase of the large seed shares: the transaction, the sizes, the PRNG, the id bases. */
import type { Knex } from 'knex';
import { BatchWriter, prng } from '../batch';
import type { LargeSizes } from '../large';

export const ID_TABLES = ['companies', 'roles', 'role_permissions', 'principals', 'projects', 'project_members', 'releases', 'team_iterations', 'work_items', 'requests', 'votes', 'comments', 'dashboards', 'dashboard_widgets', 'dashboard_grants', 'entity_permissions'] as const;
export type IdTable = (typeof ID_TABLES)[number];

export const DAY = 86_400_000;

export const FIRST = ['Alex', 'Sam', 'Maria', 'Jon', 'Priya', 'Chen', 'Fatima', 'Lukas', 'Aiko', 'Omar', 'Elena', 'Noah', 'Zara', 'Ivan', 'Lea', 'Tom'];
export const LAST = ['Smith', 'Garcia', 'Müller', 'Tanaka', 'Okafor', 'Rossi', 'Novak', 'Silva', 'Kim', 'Larsen', 'Dubois', 'Haddad', 'Costa', 'Berg'];
export const PROJECT = ['Support', 'Billing', 'Onboarding', 'Mobile app', 'Integrations', 'Infrastructure', 'Internal IT', 'Security'];
export const SUBJECT = ['Invoice export', 'Password reset', 'Dashboard', 'Mobile login', 'Report builder', 'Email digest', 'API token', 'Search', 'File upload', 'Calendar sync', 'Dark mode', 'Audit log'];

export interface SeedContext {
  trx: Knex.Transaction;
  s: LargeSizes;
  /** The largest id of each table before this run: every row written gets base + n. */
  base: Record<IdTable, number>;
  /** A second run's suffix for emails (".a1b2c3") and names (" (a1b2c3)"); empty on the first. */
  tag: string;
  label: string;
  /** The one password hash every seeded person shares. */
  hash: string;
  rand: () => number;
  int(n: number): number;
  pick<T>(list: readonly T[]): T;
  now: number;
  nowIso: string;
  iso(ms: number): string;
  writer(table: string, columns: string[], phase?: string): BatchWriter;
  /** Adds n rows done in `phase` to the progress. */
  report(phase: string): (n: number) => void;
  /** Flushes a writer and records how many rows it wrote under `name`. */
  finish(w: BatchWriter, name: string): Promise<void>;
  rows: Record<string, number>;
}

export function seedContext(args: {
  trx: Knex.Transaction;
  s: LargeSizes;
  base: Record<IdTable, number>;
  tag: string;
  hash: string;
  seed: number;
  maxBindings: number;
  report: (phase: string) => (n: number) => void;
}): SeedContext {
  const rand = prng(args.seed);
  const int = (n: number) => Math.floor(rand() * n);
  const now = Date.now();
  const iso = (ms: number) => new Date(ms).toISOString();
  const rows: Record<string, number> = {};
  return {
    trx: args.trx,
    s: args.s,
    base: args.base,
    tag: args.tag,
    label: args.tag ? ` (${args.tag.slice(1)})` : '',
    hash: args.hash,
    rand,
    int,
    pick: <T>(list: readonly T[]): T => list[int(list.length)]!,
    now,
    nowIso: iso(now),
    iso,
    report: args.report,
    writer: (table, columns, phase = table) => new BatchWriter(args.trx, table, columns, args.maxBindings, args.report(phase)),
    finish: async (w, name) => {
      await w.flush();
      rows[name] = w.written;
    },
    rows,
  };
}
