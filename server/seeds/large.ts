/**
 * Benchmark-sized data (`npm run seed:large`): a customer base of tens of thousands of
 * requesters and hundreds of thousands of rows, shaped like a real portal (most votes on a
 * few popular public ideas, company-shared requests, dashboards granted one person at a time).
 *
 * Speed comes from three things: ids are assigned here rather than read back, so every
 * table is written with multi-row INSERTs of ~32,000 bound values; everything runs in one
 * transaction (all or nothing); and rows are generated in index order (votes by request,
 * grants by dashboard) so the B-trees grow at their right edge.
 */
import crypto from 'node:crypto';
import type { Db } from '../db';
import { isSqlite } from '../db';
import { hashPassword } from '../auth/passwords';
import type { SeedProgress } from './batch';
import { ID_TABLES, seedContext, type IdTable } from './large/context';
import { seedOrganisation } from './large/organisation';
import { seedActivity } from './large/activity';
import { seedSharing } from './large/sharing';

export { progressBar, type SeedProgress } from './batch';

export const LARGE_PASSWORD = 'large-password';

export interface LargeSizes {
  requests: number;
  requesters: number;
  companies: number;
  dashboards: number;
  grants: number;
  votes: number;
  comments: number;
  workItems: number;
  staff: number;
  projects: number;
  /** Direct Access grants (entity_permissions) of staff on requests and work items. */
  entityGrants: number;
}

/** Issue 7's sizes. */
export const LARGE_DEFAULTS: Readonly<LargeSizes> = Object.freeze({
  requests: 100_000,
  requesters: 10_000,
  companies: 500,
  dashboards: 2_000,
  grants: 50_000,
  votes: 300_000,
  comments: 200_000,
  workItems: 20_000,
  staff: 40,
  projects: 8,
  entityGrants: 20_000,
});

const MINIMUM: Partial<LargeSizes> = { requesters: 1, companies: 1, staff: 4, projects: 2 };


export interface LargeOptions {
  sizes: LargeSizes;
  /** scrypt N of the one password hash every seeded person shares. */
  scryptCost: number;
  /** Append to a database that already has people or requests. */
  force?: boolean;
  /** PRNG seed: the same seed on an empty database gives the same rows. */
  seed?: number;
  onProgress?: (p: SeedProgress) => void;
}

export interface LargeSummary {
  rows: Record<string, number>;
  password: string;
  logins: { administrator: string; user: string; observer: string; contributor: string; requester: string };
  /** A `restricted` dashboard with five widgets, granted to `logins.requester`, visible to `logins.user`. */
  sampleDashboardId: number;
  /** A request created by `logins.requester`. */
  sampleRequestId: number;
}

/** Refusal to write into a database that already has people or requests (without --force). */
export class SeedRefused extends Error {}

function checkSizes(s: LargeSizes): void {
  for (const [key, value] of Object.entries(s) as [keyof LargeSizes, number][]) {
    const min = MINIMUM[key] ?? 0;
    if (!Number.isSafeInteger(value) || value < min) throw new Error(`--${key} must be a whole number of at least ${min}`);
  }
}

export async function seedLarge(db: Db, opts: LargeOptions): Promise<LargeSummary> {
  const s = opts.sizes;
  checkSizes(s);
  const sqlite = isSqlite(db);
  const hash = await hashPassword(LARGE_PASSWORD, opts.scryptCost);

  const planned = s.companies + s.staff + s.requesters + s.projects * 11 + s.workItems + s.requests * 2.15 + s.votes + s.comments + s.dashboards * 6 + s.grants + s.entityGrants;
  let done = 0;
  const report = (phase: string) => (n: number) => {
    done += n;
    opts.onProgress?.({ phase, done, total: Math.round(planned) });
  };

  if (sqlite) {
    // Room for the indexes being built, so pages are not spilled and re-read mid-transaction.
    await db.raw('PRAGMA cache_size = -262144');
  }
  try {
    const summary = await db.transaction(async (trx) => {
      // A database with people in it may be a real installation: the seed would add accounts
      // with a published password (an administrator among them) beside the real ones.
      const existing = (await trx('requests').first('id')) ?? (await trx('principals').first('id'));
      if (existing && !opts.force) throw new SeedRefused('This database already has people or requests; run with --force to append to it.');
      // A second run gets its own suffix so emails and names stay unique.
      const taken = await trx('principals').where({ email_normalized: 'admin@large.test' }).first('id');
      const tag = taken ? `.${crypto.randomBytes(3).toString('hex')}` : '';
      const base = {} as Record<IdTable, number>;
      for (const t of ID_TABLES) base[t] = Number((await trx(t).max({ m: 'id' }).first())?.m ?? 0);
      const ctx = seedContext({ trx, s, base, tag, hash, seed: opts.seed ?? 7, maxBindings: sqlite ? 32_000 : 30_000, report });

      const org = await seedOrganisation(ctx);
      const activity = await seedActivity(ctx, org);
      const sampleDashboardId = await seedSharing(ctx, org, activity);

      if (!sqlite) {
        // Ids were given explicitly: move each sequence past them.
        for (const t of ID_TABLES) await trx.raw(`SELECT setval(pg_get_serial_sequence('${t}', 'id'), GREATEST((SELECT MAX(id) FROM "${t}"), 1))`);
      }
      const firstOwn = activity.reqRequester.findIndex((w) => w === 0);
      return {
        rows: ctx.rows,
        password: LARGE_PASSWORD,
        logins: { administrator: org.staffEmail(0), user: org.staffEmail(1), observer: org.staffEmail(2), contributor: org.staffEmail(3), requester: org.requesterEmail(0) },
        sampleDashboardId,
        sampleRequestId: firstOwn >= 0 ? activity.requestId(firstOwn) : 0,
      };
    });
    opts.onProgress?.({ phase: 'statistics', done, total: done });
    // Fresh statistics and visibility maps, as a settled production database has them
    // (PostgreSQL's autovacuum does the same in time; SQLite has no such daemon).
    await db.raw(sqlite ? 'ANALYZE' : 'VACUUM ANALYZE');
    return summary;
  } finally {
    if (sqlite) await db.raw('PRAGMA cache_size = -2000');
  }
}
