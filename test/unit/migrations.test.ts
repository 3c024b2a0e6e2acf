/**
 * Migrations never change who may do what (SECURITY.md: Grafana CVE-2022-36062, where a
 * migration widened permissions). On a database holding the demo data plus rows for every
 * permission-relevant table and column (test/helpers/permissionSnapshot.ts), a permission
 * snapshot is taken: the raw rows, and the application's answers (every principal × every
 * entity × every action, every list the routes build, what every stored credential lets in).
 * Then, for each migration after the first, the database is rolled back to just before it
 * and migrated up to the latest again, and the snapshot must come back the same.
 */
import fs from 'node:fs';
import { expect } from 'chai';
import { createTestDatabase, type TestDatabase } from '../helpers/databases';
import { migrateLatest, migrateRollbackAll, migrationOptions, MIGRATIONS_DIR } from '../../server/migrate';
import { createDb } from '../../server/db';
import { permissionAnswers, seedPermissionWorld, takeSnapshot, type PermissionSnapshot, type PermissionWorld, type Rows } from '../helpers/permissionSnapshot';

/** The migrations in the order knex runs them, read when mocha collects the tests. */
const MIGRATIONS = fs
  .readdirSync(MIGRATIONS_DIR)
  .filter((n) => n.endsWith('.ts') && !n.endsWith('.d.ts'))
  .sort();

/**
 * What rolling a migration back destroys that its `up` cannot bring back, and why. A
 * migration not listed here loses nothing: its down/up pair must give back the whole
 * snapshot, rows and answers, deep-equal:
 *
 * - 20261123030000_perf_indexes, 20261123050000_queue_filter_indexes: indexes only.
 * - 20261201010000_request_tallies: down drops the tally tables, but up counts them again
 *   from the requests, so the rows (and every dashboard figure built on them) come back equal.
 *
 * Rolling back to just before migration k also rolls back every later one, so the losses of
 * the pair for k are those of k and of every migration after it.
 */
interface Loss {
  /** Rows that may differ afterwards: a whole table, or one column of it. */
  rows: { table: string; column?: string }[];
  /**
   * 'equal': the answers must still deep-equal (what was lost decided nothing).
   * 'subset': the lost data did decide something, so the answers afterwards need only be a
   * subset of those before: nothing newly allowed, and what is no longer allowed must be
   * exactly what the lost data allowed (`narrowed`).
   */
  answers: 'equal' | 'subset';
  narrowed?: (w: PermissionWorld, before: string[]) => string[];
}

const signupLinkEnded = (w: PermissionWorld, _before: string[]) => [`sign-up link ${w.signupTokens.find((t) => t.token === w.liveSignup)!.label} live`];

const LOSSES: Record<string, Loss> = {
  // down drops principals.sessions_valid_after and the pending_signups table (up creates it
  // empty): live sign-up links end. The cut-offs are forgotten, so up fails closed: it sets
  // everyone's cut-off to the moment it runs, and every session from before ends (a 0 there
  // once revived sessions that a password change or a disable had ended).
  '20261123020000_accounts.ts': {
    rows: [{ table: 'pending_signups' }, { table: 'principals', column: 'sessions_valid_after' }],
    answers: 'subset',
    narrowed: (w, before) => [...signupLinkEnded(w, before), ...before.filter((a) => a.startsWith('session '))],
  },
  // down adds password_hash back (as ''); up then marks every unconfirmed sign-up used, as it
  // did the first time ("made under the old rule"): a live link made since then ends too.
  // Narrower, never wider.
  '20261123040000_signup_password_at_confirmation.ts': {
    rows: [{ table: 'pending_signups', column: 'used_at' }],
    answers: 'subset',
    narrowed: signupLinkEnded,
  },
  // down drops sessions.principal_id and up adds it back empty. It is only a hint for the
  // joined session read (the session JSON decides), so every answer must stay equal.
  '20261201000000_session_principal.ts': {
    rows: [{ table: 'sessions', column: 'principal_id' }],
    answers: 'equal',
  },
  // down drops requests.customer_activity_at; up recomputes it from the public comments and
  // the status history. It only orders the portal's list and dates its rows: every answer
  // (which requests each list holds) must stay equal.
  '20261202020000_customer_activity.ts': {
    rows: [{ table: 'requests', column: 'customer_activity_at' }],
    answers: 'equal',
  },
  // down drops requests.customer_replied_at; up recomputes it from the public comments (a
  // world written straight into the tables has none set). It only marks rows in the queue.
  '20261203100000_customer_replied.ts': {
    rows: [{ table: 'requests', column: 'customer_replied_at' }],
    answers: 'equal',
  },
  // down drops password_links (up creates it empty): the links administrators mailed to set a
  // password end, and their people (who have none yet) wait for a new one. Narrower, never wider.
  '20261204000000_password_links.ts': {
    rows: [{ table: 'password_links' }],
    answers: 'subset',
    narrowed: (_w, before) => before.filter((a) => a.startsWith('password link ')),
  },
  // down drops the attached files (up creates the tables empty): whoever could download one
  // no longer can, since there is none. Narrower, never wider.
  '20261205000000_attachments.ts': {
    rows: [{ table: 'attachments' }],
    answers: 'subset',
    narrowed: (_w, before) => before.filter((a) => / files \[/.test(a)),
  },
};


function lossesFrom(index: number): { rows: Loss['rows']; answers: Loss['answers']; narrowed: (w: PermissionWorld, before: string[]) => string[] } {
  const later = MIGRATIONS.slice(index);
  const losses = later.map((name) => LOSSES[name]).filter((l): l is Loss => l !== undefined);
  return {
    rows: losses.flatMap((l) => l.rows),
    answers: losses.some((l) => l.answers === 'subset') ? 'subset' : 'equal',
    narrowed: (w, before) => [...new Set(losses.flatMap((l) => l.narrowed?.(w, before) ?? []))].sort(),
  };
}

/** The rows without what a rollback may lose. */
function without(rows: Rows, lost: Loss['rows']): Rows {
  const out: Rows = {};
  for (const [table, list] of Object.entries(rows)) {
    if (lost.some((l) => l.table === table && l.column === undefined)) continue;
    const columns = lost.filter((l) => l.table === table).map((l) => l.column);
    out[table] = list.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !columns.includes(k))));
  }
  return out;
}

/** Answers for a failure message (widget figures are long). */
function shown(answers: string[]): string {
  return answers.map((a) => (a.length > 160 ? `${a.slice(0, 160)}…` : a)).join('\n  ');
}

async function completedMigrations(tdb: TestDatabase): Promise<string[]> {
  const [done] = (await tdb.db.migrate.list(migrationOptions)) as [({ name: string } | string)[], unknown[]];
  return done.map((m) => (typeof m === 'string' ? m : m.name));
}

describe('migrations', function () {
  this.timeout(60_000);

  describe('on an empty database', () => {
    let tdb: TestDatabase;
    before(async () => {
      tdb = await createTestDatabase();
    });
    after(() => tdb.drop());

    it('roll all the way down and up again on this engine', async () => {
      await migrateRollbackAll(tdb.db);
      expect(await tdb.db.schema.hasTable('principals')).to.equal(false);
      expect(await tdb.db.schema.hasTable('sessions')).to.equal(false);
      await migrateLatest(tdb.db);
      expect(await tdb.db.schema.hasColumn('principals', 'sessions_valid_after')).to.equal(true);
    });
  });

  describe('several instances starting at once on a database with no tables', () => {
    let tdb: TestDatabase;
    before(async () => {
      tdb = await createTestDatabase({ empty: true });
    });
    after(() => tdb.drop());

    it('all of them come up: one migrates, the others find it done', async () => {
      expect(await tdb.db.schema.hasTable('knex_migrations')).to.equal(false);
      const instances = [createDb(tdb.url), createDb(tdb.url), createDb(tdb.url)];
      try {
        const results = await Promise.allSettled(instances.map((db) => migrateLatest(db)));
        expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).to.deep.equal(['ok', 'ok', 'ok']);
        const ran = results.map((r) => (r.status === 'fulfilled' ? r.value.length : -1));
        expect(ran.filter((n) => n > 0), `migrations run by each: ${ran.join(', ')}`).to.have.length(1);
        expect(await tdb.db.schema.hasColumn('principals', 'sessions_valid_after')).to.equal(true);
      } finally {
        await Promise.all(instances.map((db) => db.destroy()));
      }
    });
  });

  describe('permission snapshot before and after each down/up pair', () => {
    let tdb: TestDatabase;
    let world: PermissionWorld;
    let snapshot: PermissionSnapshot;
    before(async () => {
      tdb = await createTestDatabase();
      world = await seedPermissionWorld(tdb.db);
      snapshot = await takeSnapshot(tdb.db, world);
    });
    after(() => tdb.drop());

    it('knex runs the migrations of the migrations folder, in that order', async () => {
      expect(await completedMigrations(tdb)).to.deep.equal(MIGRATIONS);
      expect(MIGRATIONS.length).to.be.greaterThan(1);
    });

    it('the world exercises every permission-relevant table and the answers see it', () => {
      for (const [table, rows] of Object.entries(snapshot.rows)) expect(rows, table).to.not.be.empty;
      const a = snapshot.answers;
      const has = (pattern: RegExp) => expect(a.some((s) => pattern.test(s)), String(pattern)).to.equal(true);
      const hasNot = (pattern: RegExp) => expect(a.some((s) => pattern.test(s)), String(pattern)).to.equal(false);
      // Direct Access (a user with grants only), dashboard grants, portal lists, credentials.
      has(/^P\d+ request#\d+ manage_access$/);
      has(/^P\d+ work_item#\d+ edit$/);
      has(/^P\d+ release#\d+ manage_access$/);
      has(/^P\d+ team_iteration#\d+ comment$/);
      has(/^P\d+ dashboard#\d+ manage_grants$/);
      has(/^P\d+ dashboard#\d+ preview as P\d+ /);
      has(/^P\d+ portal\.home \[\d/);
      has(/^P\d+ uses the dashboard hub$/);
      has(/^login desk /);
      has(/^session agent-after-password-change → P\d+$/);
      has(/^api token agent live → P\d+$/);
      has(/^reset link alice live$/);
      has(/^sign-up link gina live$/);
      has(/^password link invited-staff \(desk\) live at desk$/);
      has(/^password link invited-customer \(portal\) live at portal$/);
      // A link works at its own realm only, once, until it expires, is superseded or its account is disabled.
      hasNot(/^password link \S+ \((desk|portal)\) live at (?!\1)/);
      hasNot(/^password link (used|expired|disabled|invited-staff superseded) /);
      hasNot(/^login \w+ invited-/);
      // Before any rollback the cut-offs hold, and revoked, expired or customers' tokens fail.
      for (const s of world.staleSessions) hasNot(new RegExp(`^session ${s.sid} `));
      hasNot(/^api token (user2 revoked|contrib2 expired|disabled user live|customer live) /);
      hasNot(/^session (carol-wrong-realm|disabled-user|admin-expired) /);
      hasNot(/^(reset link (bob-used|carol-expired)|sign-up link (hank-used|ivy-expired)) /);
      hasNot(/^login \w+ (disabled-user|frank)@/);
      hasNot(/^anonymous request#/);
    });

    it('the answers are the same when asked twice (nothing in them drifts)', async () => {
      expect(await permissionAnswers(tdb.db, world)).to.deep.equal(snapshot.answers);
    });

    // From the last migration back to the second: each pair rolls back a superset of the
    // migrations the pairs before it rolled back, so its losses include theirs and every
    // pair can compare with the snapshot of the untouched database taken above.
    for (const [index, name] of [...MIGRATIONS.entries()].slice(1).reverse()) {
      const loss = lossesFrom(index);
      const what =
        loss.answers === 'equal'
          ? loss.rows.length
            ? 'keeps every answer'
            : 'gives back every row and answer'
          : 'widens nothing';
      it(`down to just before ${name} and up again ${what}`, async () => {
        const db = tdb.db;
        // Back to the latest first, should a failed pair have left the schema halfway.
        await migrateLatest(db);
        for (const expected of MIGRATIONS.slice(index).reverse()) {
          const [, undone] = (await db.migrate.down(migrationOptions)) as [number, string[]];
          expect(undone).to.deep.equal([expected]);
        }
        expect(await completedMigrations(tdb)).to.deep.equal(MIGRATIONS.slice(0, index));
        expect(await migrateLatest(db)).to.deep.equal(MIGRATIONS.slice(index));

        const after = await takeSnapshot(db, world);
        // The answers first: a changed answer says what a change means, the rows where it came from.
        const before = new Set(snapshot.answers);
        const now = new Set(after.answers);
        const widened = after.answers.filter((a) => !before.has(a));
        const narrowed = snapshot.answers.filter((a) => !now.has(a));
        const expected = loss.answers === 'equal' ? { widened: [], narrowed: [] } : { widened: [], narrowed: loss.narrowed(world, snapshot.answers) };
        expect(widened, `newly allowed after the pair:\n  ${shown(widened)}\n`).to.deep.equal(expected.widened);
        expect(narrowed, `no longer allowed after the pair:\n  ${shown(narrowed)}\n`).to.deep.equal(expected.narrowed);
        if (loss.answers === 'equal') expect(after.answers).to.deep.equal(snapshot.answers);
        const rowsAfter = without(after.rows, loss.rows);
        const rowsBefore = without(snapshot.rows, loss.rows);
        expect(Object.keys(rowsAfter)).to.deep.equal(Object.keys(rowsBefore));
        for (const table of Object.keys(rowsBefore)) expect(rowsAfter[table], `rows of ${table}`).to.deep.equal(rowsBefore[table]);
      });
    }
  });
});
