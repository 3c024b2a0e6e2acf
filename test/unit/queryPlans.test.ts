/**
 * The main lists stay indexed as data grows: each query the app runs for them (captured
 * from the very repository functions and permission scopes the routes use) goes through
 * EXPLAIN QUERY PLAN (SQLite) or EXPLAIN (PostgreSQL; with sequential scans disabled where
 * the planner prefers them, as it rightly does on small tables), and must reach requests,
 * dashboard_grants and votes through an index keyed on a selective column, never by reading
 * the whole table.
 */
import { expect } from 'chai';
import { createTestDatabase, testEngine, type TestDatabase } from '../helpers/databases';
import { TEST_SCRYPT_COST } from '../helpers/app';
import type { Db } from '../../server/db';
import { seedLarge, LARGE_DEFAULTS, type LargeSummary } from '../../server/seeds/large';
import { findPrincipalByEmail, toActor } from '../../server/repositories/principals';
import type { Actor } from '../../server/permissions/actor';
import { linkedRequests } from '../../server/permissions/linkScopes';
import { ownAndCompanyRequests, visibleComments, visibleDashboards, visibleRequests, widgetRequests, type ScopeSettings } from '../../server/permissions/scopes';
import { findAttachment, insertAttachments, listRequestAttachments } from '../../server/repositories/attachments';
import { listSharedRequests } from '../../server/repositories/requestListLinks';
import { listIdeas, listRequests } from '../../server/repositories/requests';
import { listQueue, queueFilterOptions } from '../../server/repositories/queue';
import { countByStatus } from '../../server/repositories/queueCounts';
import { queueTallyScope } from '../../server/permissions/tallyScopes';
import { listDashboards, listGrants } from '../../server/repositories/dashboards';
import { loadDashboardTarget } from '../../server/repositories/accessFacts';
import { hasVoted, REQUEST_STATUSES, votedAmong } from '../../server/repositories/requestDetails';
import { listWidgets, WIDGET_KINDS } from '../../server/repositories/widgets';
import { widgetFigures } from '../../server/repositories/widgetData';
import { queriesDuring } from '../helpers/app';

const WATCHED = ['requests', 'dashboard_grants', 'votes', 'request_tallies', 'request_day_tallies', 'comments', 'attachments'];

interface Captured {
  sql: string;
  bindings: readonly unknown[];
}

/** Every statement `run` sends to the database. */
const capture = (db: Db, run: () => Promise<unknown>): Promise<Captured[]> => queriesDuring(db, run);

/** `alias -> table` for every watched table named in the statement (SQLite's plans name aliases). */
function aliasesOf(sql: string): Map<string, string> {
  const map = new Map<string, string>(WATCHED.map((t) => [t, t]));
  for (const m of sql.matchAll(/[`"](\w+)[`"]\s+as\s+[`"](\w+)[`"]/gi)) if (WATCHED.includes(m[1]!)) map.set(m[2]!, m[1]!);
  return map;
}

interface Verdict {
  plan: string[];
  /** Watched tables read whole. */
  scanned: string[];
  /** Watched tables reached through an index. */
  indexed: string[];
  /** `table.column` for every column an index lookup on a watched table is keyed on. */
  keys: string[];
}

/** Column names compared in a condition such as `(requester_id=? AND visibility>?)` or `((visibility)::text = 'x'::text)`. */
function columnsIn(condition: string): string[] {
  return [...condition.matchAll(/\(?(\w+)\)?(?:::\w+)?\s*(?:=|<>|>=|<=|>|<|\bIN\b)/gi)].map((m) => m[1]!);
}

async function explain(db: Db, q: Captured): Promise<Verdict> {
  const bindings = q.bindings as never;
  if (testEngine() === 'sqlite') {
    const rows: { detail: string }[] = await db.raw(`EXPLAIN QUERY PLAN ${q.sql}`, bindings);
    const aliases = aliasesOf(q.sql);
    const plan = rows.map((r) => r.detail);
    const tableOf = (line: string, verb: string) => {
      const name = new RegExp(`^${verb} (\\w+)`).exec(line)?.[1];
      return name ? aliases.get(name) : undefined;
    };
    // "SCAN t" and "SCAN t USING [COVERING] INDEX" both visit every row of t; SEARCH is a lookup.
    const keys = plan.flatMap((l) => {
      const table = tableOf(l, 'SEARCH');
      // The lookup's condition closes the line ("... (a=? AND b=?)", then " LEFT-JOIN" for an outer join).
      const condition = /\(([^()]*)\)(?:\s+LEFT-JOIN)?\s*$/.exec(l)?.[1];
      return table && condition ? columnsIn(condition).map((c) => `${table}.${c}`) : [];
    });
    return {
      plan,
      scanned: plan.map((l) => tableOf(l, 'SCAN')).filter((t): t is string => t !== undefined),
      indexed: plan.map((l) => tableOf(l, 'SEARCH')).filter((t): t is string => t !== undefined),
      keys,
    };
  }
  // knex hands pg `$n` placeholders in order; give them back as `?` for db.raw.
  const sql = q.sql.replace(/\$\d+/g, '?');
  const explainWith = (settings: string[]) =>
    db.transaction(async (trx) => {
      for (const setting of settings) await trx.raw(`SET LOCAL ${setting}`);
      const result: { rows: { 'QUERY PLAN': string }[] } = await trx.raw(`EXPLAIN ${sql}`, bindings);
      return result.rows.map((r) => r['QUERY PLAN']);
    });
  // The planner's own choice first; where it prefers to read a small watched table whole
  // (cheaper than an index at test sizes, not at production sizes), ask again with
  // sequential scans disabled and judge that plan.
  let plan = await explainWith(['jit = off']);
  if (plan.some((l) => WATCHED.some((t) => l.includes(`Seq Scan on ${t}`)))) plan = await explainWith(['jit = off', 'enable_seqscan = off']);
  const tables = (re: RegExp) => plan.flatMap((l) => [...l.matchAll(re)].map((m) => m[1]!)).filter((t) => WATCHED.includes(t));
  // An "Index Cond" belongs to the scan node above it; a bitmap index scan names its index (knex: <table>_<columns>_index).
  const keys: string[] = [];
  let current: string | undefined;
  for (const line of plan) {
    const node = /(?:Index Scan|Index Only Scan)(?: Backward)? using \w+ on (\w+)|Bitmap Index Scan on (\w+)|Scan on (\w+)/.exec(line);
    if (node) current = node[1] ?? (node[2] ? WATCHED.find((t) => node[2]!.startsWith(`${t}_`)) : undefined);
    const condition = /Index Cond: (.*)$/.exec(line)?.[1];
    if (condition && current && WATCHED.includes(current)) keys.push(...columnsIn(condition).map((c) => `${current}.${c}`));
  }
  // An index scan with no Index Cond under it walks the whole index: a full scan as well.
  const walked = plan.flatMap((line, i) => {
    const table = /(?:Index Scan|Index Only Scan)(?: Backward)? using \w+ on (\w+)/.exec(line)?.[1];
    if (!table || !WATCHED.includes(table)) return [];
    const depth = line.search(/\S/);
    const below = plan.slice(i + 1).filter((l, j, rest) => rest.slice(0, j + 1).every((x) => x.search(/\S/) > depth));
    return below.some((l) => /Index Cond:/.test(l)) ? [] : [table];
  });
  return {
    plan,
    scanned: [...tables(/Seq Scan on (\w+)/g), ...walked],
    indexed: tables(/(?:Index Scan|Index Only Scan|Bitmap Heap Scan)(?: Backward)?(?: using \w+)? on (\w+)/g),
    keys,
  };
}

/**
 * Every captured statement reaches the watched tables by index, never by a scan, and the
 * lookups are keyed on the selective columns named in `keys` (for each table, at least one
 * of them), so a lookup through an unselective index (all requests of a project, say) fails too.
 */
async function expectIndexed(db: Db, label: string, keys: Record<string, string[]>, run: () => Promise<unknown>): Promise<void> {
  const queries = await capture(db, run);
  expect(queries, `${label}: no query was captured`).not.to.be.empty;
  const used = new Set<string>();
  const plans: string[] = [];
  for (const q of queries) {
    const v = await explain(db, q);
    const shown = `${label}\n  ${q.sql}\n  plan:\n    ${v.plan.join('\n    ')}`;
    plans.push(shown);
    expect(v.scanned, `full scan of ${v.scanned.join(', ')} in ${shown}`).to.deep.equal([]);
    for (const k of v.keys) used.add(k);
  }
  for (const [table, columns] of Object.entries(keys)) {
    const hit = columns.some((c) => used.has(`${table}.${c}`));
    expect(hit, `${label}: no index lookup on ${table} by ${columns.join(' or ')} (lookups by: ${[...used].join(', ') || 'none'})\n${plans.join('\n')}`).to.equal(true);
  }
}

describe('query plans of the main lists', function () {
  this.timeout(120_000);
  let tdb: TestDatabase;
  let seeded: LargeSummary;
  let requester: Actor;
  let agent: Actor;
  const off: ScopeSettings = { directAccess: false, portalDashboards: true };

  before(async () => {
    tdb = await createTestDatabase();
    // Enough rows that the planners choose as they do for a real desk (with 3,000 requests
    // PostgreSQL rightly reads a small index whole), few enough to seed in a few seconds.
    seeded = await seedLarge(tdb.db, {
      sizes: { ...LARGE_DEFAULTS, requests: 20_000, requesters: 300, companies: 60, dashboards: 60, grants: 600, votes: 6_000, comments: 1_500, workItems: 300, staff: 40, projects: 6, entityGrants: 600 },
      scryptCost: TEST_SCRYPT_COST,
    });
    requester = toActor((await findPrincipalByEmail(tdb.db, seeded.logins.requester))!);
    agent = toActor((await findPrincipalByEmail(tdb.db, seeded.logins.user))!);
  });
  after(() => tdb.drop());

  it('the seeded data is consistent: vote_count equals the vote rows, emails are unique and lower-cased, a second run is refused', async () => {
    const db = tdb.db;
    const drift = await db('requests as r')
      .whereRaw('r.vote_count <> (select count(*) from votes v where v.request_id = r.id)')
      .count({ n: '*' })
      .first();
    expect(Number(drift?.n)).to.equal(0);
    expect(Number((await db('votes').count({ n: '*' }).first())?.n)).to.be.greaterThan(5_000);
    // Direct Access grants name an existing entity by its own type (request, or the item's type).
    const strayGrants = await db('entity_permissions as ep')
      .whereNot((q) => void q.where('ep.entity_type', 'request').whereExists(db('requests as r').whereRaw('r.id = ep.entity_id').select(db.raw('1'))))
      .whereNotExists(db('work_items as w').whereRaw('w.id = ep.entity_id and w.type = ep.entity_type').select(db.raw('1')))
      .count({ n: '*' })
      .first();
    expect(Number(strayGrants?.n)).to.equal(0);
    expect(Number((await db('entity_permissions').count({ n: '*' }).first())?.n)).to.equal(600);
    const emails = await db('principals').select('email', 'email_normalized');
    expect(emails.every((e: { email: string; email_normalized: string }) => e.email.toLowerCase() === e.email_normalized)).to.equal(true);
    const before = await db('requests').count({ n: '*' }).first();
    const again = await seedLarge(db, { sizes: { ...LARGE_DEFAULTS, requests: 1 }, scryptCost: TEST_SCRYPT_COST }).then(() => null, (err: Error) => err);
    expect(again?.message).to.match(/already has people or requests/);
    expect(await db('requests').count({ n: '*' }).first()).to.deep.equal(before);
  });

  it("a request's files, listed and fetched: by the request, each file's comment by its key (never a pass over all comments)", async () => {
    const db = tdb.db;
    const commented = (await db('comments').whereNotNull('request_id').first('request_id', 'id', 'author_id')) as { request_id: unknown; id: unknown; author_id: unknown };
    const requestId = Number(commented.request_id);
    const file = (name: string) => ({ filename: name, contentType: 'application/octet-stream', data: Buffer.from(name), sha256: name });
    await insertAttachments(db, { requestId, commentId: null, uploaderId: Number(commented.author_id) }, [file('with the request')]);
    await insertAttachments(db, { requestId, commentId: Number(commented.id), uploaderId: Number(commented.author_id) }, [file('with a comment')]);
    const fileId = Number(((await db('attachments').orderBy('id', 'desc').first('id')) as { id: unknown }).id);
    for (const [who, viewer] of [['requester', requester], ['staff', agent]] as const) {
      await expectIndexed(db, `request files (${who})`, { attachments: ['request_id'], comments: ['id', 'rowid'] }, () => listRequestAttachments(db, requestId, visibleComments(viewer)));
      await expectIndexed(db, `one file (${who})`, { attachments: ['id', 'rowid'], comments: ['id', 'rowid'] }, () => findAttachment(db, fileId, visibleComments(viewer)));
    }
  });

  it("portal home: the requester's own and company requests, by index", async () => {
    await expectIndexed(tdb.db, 'portal home', { requests: ['requester_id'] }, () => listRequests(tdb.db, ownAndCompanyRequests(requester, off), { page: 1, pageSize: 25 }));
  });

  it('ideas board: the public list and the votes of the viewer among them', async () => {
    const db = tdb.db;
    await expectIndexed(db, 'ideas board', { requests: ['visibility'], votes: ['requester_id'] }, async () => {
      const page = await listIdeas(db, visibleRequests(requester, off), { page: 1, pageSize: 25 });
      await votedAmong(db, page.items.map((i) => i.id), requester.id);
    });
  });

  it('a public link to a list of requests: the public ones by their visibility index, for a member and an administrator', async () => {
    const db = tdb.db;
    const admin = toActor((await findPrincipalByEmail(db, seeded.logins.administrator))!);
    for (const maker of [agent, admin]) {
      for (const sort of ['votes', 'newest'] as const) {
        const run = () => listSharedRequests(db, linkedRequests(maker, off), { projectId: null, type: null, statusGroup: 'open', sort });
        await expectIndexed(db, `request-list link by ${maker.type}, ${sort}`, { requests: ['visibility'] }, run);
        // By votes, SQLite walks (visibility, vote_count) in order and stops at 100, rather than sorting every public request.
        if (sort === 'votes' && testEngine() === 'sqlite') {
          const [q] = await capture(db, run);
          const plan = (await explain(db, q!)).plan.join('\n');
          expect(plan, plan).not.to.match(/TEMP B-TREE FOR ORDER BY/);
        }
      }
    }
  });

  it('desk queue filtered by status, its status tabs and filter choices, for a project member', async () => {
    const db = tdb.db;
    const scope = visibleRequests(agent, off);
    await expectIndexed(db, 'desk queue', { requests: ['status', 'project_id'] }, async () => {
      await listQueue(db, scope, { status: 'open' }, 'activity', 1, 50);
      await countByStatus(db, scope, { status: 'open' }, REQUEST_STATUSES);
      await queueFilterOptions(db, agent, off);
    });
  });

  it("desk queue tabs from the tallies: the member's projects' cells, and their direct grants counted apart", async () => {
    const db = tdb.db;
    const on: ScopeSettings = { ...off, directAccess: true };
    await expectIndexed(db, 'queue tabs from the tallies', { request_tallies: ['company_key', 'project_id'] }, () => countByStatus(db, visibleRequests(agent, off), {}, REQUEST_STATUSES, queueTallyScope(agent, off)));
    await expectIndexed(db, 'queue tabs from the tallies, direct access on', { request_tallies: ['company_key', 'project_id'], requests: ['id', 'rowid'] }, () =>
      countByStatus(db, visibleRequests(agent, on), { type: 'idea' }, REQUEST_STATUSES, queueTallyScope(agent, on)),
    );
  });

  it('desk queue with Direct Access on: member projects or direct grants, each by index', async () => {
    const db = tdb.db;
    const on: ScopeSettings = { ...off, directAccess: true };
    await expectIndexed(db, 'desk queue, direct access on', { requests: ['status', 'project_id'] }, async () => {
      await listQueue(db, visibleRequests(agent, on), { status: 'open' }, 'activity', 1, 50);
      await countByStatus(db, visibleRequests(agent, on), { status: 'open', q: 'a' }, REQUEST_STATUSES);
    });
  });

  it('dashboard hub: the grant scope, for a requester and for staff', async () => {
    await expectIndexed(tdb.db, 'hub (requester)', { dashboard_grants: ['principal_id'] }, () => listDashboards(tdb.db, visibleDashboards(requester, off)));
    await expectIndexed(tdb.db, 'hub (staff)', { dashboard_grants: ['principal_id'] }, () => listDashboards(tdb.db, visibleDashboards(agent, off)));
  });

  it('dashboard grants by principal and by dashboard', async () => {
    await expectIndexed(tdb.db, 'grant of one principal', { dashboard_grants: ['principal_id'] }, () => loadDashboardTarget(tdb.db, requester, seeded.sampleDashboardId, off));
    await expectIndexed(tdb.db, 'grants of a dashboard', { dashboard_grants: ['dashboard_id'] }, () => listGrants(tdb.db, seeded.sampleDashboardId));
  });

  it('votes by requester', async () => {
    await expectIndexed(tdb.db, 'votes of a requester', { votes: ['requester_id'] }, async () => {
      await hasVoted(tdb.db, seeded.sampleRequestId, requester.id);
      await votedAmong(tdb.db, [seeded.sampleRequestId, seeded.sampleRequestId + 1], requester.id);
    });
  });

  it('the five widgets of a dashboard, as a requester and as staff', async () => {
    const db = tdb.db;
    const widgets = await listWidgets(db, seeded.sampleDashboardId);
    expect(widgets.map((w) => w.kind)).to.have.members(Object.keys(WIDGET_KINDS));
    for (const viewer of [requester, agent]) {
      for (const w of widgets) {
        const scope = widgetRequests(viewer, w.dataScope, off, WIDGET_KINDS[w.kind].lists);
        await expectIndexed(db, `widget ${w.kind} as ${viewer.type}`, viewer === requester ? { requests: ['company_id', 'requester_id'] } : { requests: ['project_id'] }, () => widgetFigures(db, w.kind, scope, w.projectId));
      }
    }
  });
});
