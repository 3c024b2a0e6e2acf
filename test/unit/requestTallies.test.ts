/**
 * The request tallies never drift: after any sequence of submissions and status changes made
 * through Portico's commands (also several at once on one request), they equal a count of the
 * rows from scratch; the migration fills them the same way; and no other write can touch a
 * tallied field unnoticed.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { createTestDatabase, type TestDatabase } from '../helpers/databases';
import { addMember, buildCompany, buildProject, buildRequester, buildRole, buildStaff } from '../helpers/factories';
import type { Db } from '../../server/db';
import { changeRequestStatus, submitRequest } from '../../server/commands/requests';
import { createLogger } from '../../server/logger';
import { createMailer } from '../../server/mail/mailer';
import { migrationOptions, migrateLatest } from '../../server/migrate';
import type { Actor } from '../../server/permissions';
import { toActor } from '../../server/repositories/principals';
import { REQUEST_STATUSES, REQUEST_TYPES, touchRequest, type RequestStatus } from '../../server/repositories/requestDetails';
import { rebuildRequestTallies } from '../../server/repositories/requestTallies';

const RUNS = Number(process.env.PORTICO_PROPERTY_RUNS ?? 25);

/** Both tally tables, without cells that count nothing, in a stable order. */
async function tallies(db: Db): Promise<{ counts: unknown[]; days: unknown[] }> {
  const counts = (await db('request_tallies').where('n', '<>', 0).orderBy(['project_id', 'company_key', 'status', 'type']).select('project_id', 'company_key', 'status', 'type', 'n')).map((r: Record<string, unknown>) => ({ ...r, n: Number(r.n) }));
  const days = (await db('request_day_tallies').where('n', '<>', 0).orderBy(['project_id', 'company_key', 'day']).select('project_id', 'company_key', 'day', 'n')).map((r: Record<string, unknown>) => ({ ...r, n: Number(r.n) }));
  return { counts, days };
}

/** The tallies as they should be, counted here from the rows (the test's own oracle). */
async function countedFromRows(db: Db): Promise<{ counts: unknown[]; days: unknown[] }> {
  const rows: { project_id: number; company_id: number | null; status: string; type: string; created_at: unknown }[] = await db('requests').select('project_id', 'company_id', 'status', 'type', 'created_at');
  const counts = new Map<string, { project_id: number; company_key: number; status: string; type: string; n: number }>();
  const days = new Map<string, { project_id: number; company_key: number; day: string; n: number }>();
  for (const r of rows) {
    const day = (r.created_at instanceof Date ? r.created_at : new Date(String(r.created_at))).toISOString().slice(0, 10);
    for (const company_key of [r.company_id === null ? -1 : Number(r.company_id), 0]) {
      const c = `${r.project_id}|${company_key}|${r.status}|${r.type}`;
      counts.set(c, { project_id: Number(r.project_id), company_key, status: r.status, type: r.type, n: (counts.get(c)?.n ?? 0) + 1 });
      const d = `${r.project_id}|${company_key}|${day}`;
      days.set(d, { project_id: Number(r.project_id), company_key, day, n: (days.get(d)?.n ?? 0) + 1 });
    }
  }
  const order = <T extends Record<string, unknown>>(list: T[], keys: string[]) =>
    list.sort((x, y) => {
      for (const k of keys) {
        const a = x[k] as string | number;
        const b = y[k] as string | number;
        if (a !== b) return a < b ? -1 : 1;
      }
      return 0;
    });
  return { counts: order([...counts.values()], ['project_id', 'company_key', 'status', 'type']), days: order([...days.values()], ['project_id', 'company_key', 'day']) };
}

type Step = { op: 'submit'; customer: number; project: number; type: number } | { op: 'status'; request: number; status: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant('submit' as const), customer: fc.nat(3), project: fc.nat(1), type: fc.nat(REQUEST_TYPES.length - 1) }),
  fc.record({ op: fc.constant('status' as const), request: fc.nat(), status: fc.nat(REQUEST_STATUSES.length - 1) }),
);

describe('request tallies', function () {
  this.timeout(180_000);
  let tdb: TestDatabase;
  let customers: Actor[];
  let agent: Actor;
  let projects: number[];
  const mailer = () => createMailer(tdb.db, createLogger('silent'), undefined, 'portico@test');

  before(async () => {
    tdb = await createTestDatabase();
    const db = tdb.db;
    const acme = await buildCompany(db);
    const globex = await buildCompany(db);
    customers = [
      toActor(await buildRequester(db, { company: acme })),
      toActor(await buildRequester(db, { company: acme })),
      toActor(await buildRequester(db, { company: globex })),
      toActor(await buildRequester(db)),
    ];
    projects = [await buildProject(db), await buildProject(db)];
    const staff = await buildStaff(db, 'user');
    const role = await buildRole(db, { add: true, edit: true, delete: true, comment: true });
    for (const p of projects) await addMember(db, p, staff.id, role);
    agent = toActor(staff);
  });
  after(() => tdb.drop());

  it('equal a count from scratch after any sequence of submissions and status changes', async () => {
    const db = tdb.db;
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 20 }), async (steps) => {
        const mine: number[] = [];
        for (const step of steps) {
          if (step.op === 'submit') {
            const input = { projectId: projects[step.project]!, type: REQUEST_TYPES[step.type]!, title: 'Tallied', description: '', visibility: 'private' as const };
            mine.push(await submitRequest(db, mailer(), customers[step.customer]!, input, 'http://portico.test'));
          } else if (mine.length) {
            await changeRequestStatus(db, mailer(), agent, mine[step.request % mine.length]!, REQUEST_STATUSES[step.status] as RequestStatus, 'http://portico.test');
          }
        }
        const expected = await countedFromRows(db);
        expect(await tallies(db), 'maintained').to.deep.equal(expected);
        await rebuildRequestTallies(db);
        expect(await tallies(db), 'rebuilt').to.deep.equal(expected);
      }),
      { numRuns: RUNS, seed: Number(process.env.PORTICO_PROPERTY_SEED ?? 20261201) },
    );
  });

  it('stay exact when several status changes of one request run at once', async () => {
    const db = tdb.db;
    const id = await submitRequest(db, mailer(), customers[0]!, { projectId: projects[0]!, type: 'issue', title: 'Contended', description: '', visibility: 'private' }, 'http://portico.test');
    for (let round = 0; round < 3; round += 1) {
      await Promise.all(REQUEST_STATUSES.map((s) => changeRequestStatus(db, mailer(), agent, id, s, 'http://portico.test')));
    }
    expect(await tallies(db)).to.deep.equal(await countedFromRows(db));
  });

  it('crossing status changes in one project neither deadlock nor drift (the cells are locked in one order)', async () => {
    const db = tdb.db;
    const submit = (who: Actor) => submitRequest(db, mailer(), who, { projectId: projects[0]!, type: 'issue', title: 'Crossing', description: '', visibility: 'private' }, 'http://portico.test');
    // Customers of two companies: only the project's all-companies cells are shared.
    const a = await submit(customers[0]!);
    const b = await submit(customers[2]!);
    await changeRequestStatus(db, mailer(), agent, b, 'open', 'http://portico.test');
    const failures: unknown[] = [];
    for (let round = 0; round < 40; round += 1) {
      const [fromA, toA] = round % 2 ? (['open', 'new'] as const) : (['new', 'open'] as const);
      const results = await Promise.allSettled([
        changeRequestStatus(db, mailer(), agent, a, toA, 'http://portico.test'),
        changeRequestStatus(db, mailer(), agent, b, fromA, 'http://portico.test'),
      ]);
      failures.push(...results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason));
    }
    expect(failures).to.deep.equal([]);
    expect(await tallies(db)).to.deep.equal(await countedFromRows(db));
  });

  it('a recount while customers submit loses no request', async () => {
    const db = tdb.db;
    let recounting = true;
    const failures: unknown[] = [];
    const submitter = async (who: Actor) => {
      while (recounting) {
        await submitRequest(db, mailer(), who, { projectId: projects[0]!, type: 'question', title: 'During a recount', description: '', visibility: 'private' }, 'http://portico.test').catch((err: unknown) => failures.push(err));
      }
    };
    const writers = [submitter(customers[0]!), submitter(customers[2]!)];
    for (let i = 0; i < 20; i += 1) await rebuildRequestTallies(db).catch((err: unknown) => failures.push(err));
    recounting = false;
    await Promise.all(writers);
    expect(failures).to.deep.equal([]);
    expect(await tallies(db)).to.deep.equal(await countedFromRows(db));
  });

  it('refuse a write of a tallied field that would bypass them', async () => {
    const db = tdb.db;
    const id = await submitRequest(db, mailer(), customers[2]!, { projectId: projects[1]!, type: 'idea', title: 'Guarded', description: '', visibility: 'public' }, 'http://portico.test');
    for (const field of ['status', 'type', 'project_id', 'company_id', 'created_at']) {
      let refused: unknown = null;
      await touchRequest(db, id, { customerVisible: false, fields: { [field]: field === 'status' ? 'closed' : 1 } }).catch((err: unknown) => (refused = err));
      expect(refused, field).to.be.instanceOf(Error);
    }
    expect((await db('requests').where({ id }).first('status')).status).to.equal('new');
    await touchRequest(db, id, { customerVisible: false, fields: { assignee_id: agent.id } });
  });

  it('are filled by their migration from the requests already there', async () => {
    const db = tdb.db;
    const expected = await tallies(db);
    expect(expected.counts.length).to.be.greaterThan(0);
    // Down to just before the tallies' migration (later ones first), then up again.
    await db.migrate.down({ ...migrationOptions, name: '20261202000000_request_events.ts' });
    await db.migrate.down({ ...migrationOptions, name: '20261201010000_request_tallies.ts' });
    expect(await db.schema.hasTable('request_tallies')).to.equal(false);
    await migrateLatest(db);
    expect(await tallies(db)).to.deep.equal(expected);
  });
});
