/**
 * Changes that race: two requests that check for a row and then insert it. Grant changes on a
 * dashboard are serialised (its row is held on PostgreSQL; SQLite's write lock does so); any
 * other unique constraint that refuses the loser of such a race answers 409, never a 500, and
 * the log names the constraint without the values it refused.
 */
import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import { createTestDatabase, testEngine, type TestDatabase } from '../helpers/databases';
import { buildProject, buildRequest, buildRequester, buildStaff } from '../helpers/factories';
import { BulkError, createEntityPermissionsInBulk } from '../../server/commands/entityPermissions';
import { entityTypeByName } from '../../server/permissions/entityTypes';
import { insertEntityPermission } from '../../server/repositories/entityPermissions';
import { writeSetting } from '../../server/repositories/settings';
import { createDashboard } from '../../server/commands/dashboards';
import { grantDashboardAccess } from '../../server/commands/dashboardAccess';
import { toActor } from '../../server/repositories/principals';
import { createLogger } from '../../server/logger';
import { errorHandler } from '../../server/routes/errors';
import { apiErrors } from '../../server/routes/api/v1/support';
import { RACED } from '../../server/errors';
import { logLines } from '../helpers/logLines';
import { useEjs } from '../../server/views';
import { changeRequestsInBulk } from '../../server/commands/bulkRequests';
import { changeRequestStatus } from '../../server/commands/requests';
import { createMailer } from '../../server/mail/mailer';

/** What pg throws for a duplicate key (the detail quotes the refused value). */
function duplicateKey(): Error {
  return Object.assign(new Error('insert into "principals" ... - duplicate key value violates unique constraint "principals_email_normalized_unique"'), {
    code: '23505',
    constraint: 'principals_email_normalized_unique',
    table: 'principals',
    detail: 'Key (email_normalized)=(ann@example.test) already exists.',
  });
}

/** The roll-up tallies (every company) against the requests counted from their rows: a race that lost a count shows here. */
async function expectTalliesMatchRows(db: TestDatabase['db']): Promise<void> {
  const key = (r: Record<string, unknown>) => `${Number(r.project_id)}|${String(r.status)}|${String(r.type)}=${Number(r.n)}`;
  const rows = (await db('requests').groupBy('project_id', 'status', 'type').select('project_id', 'status', 'type').count({ n: '*' })).map(key).sort();
  const tallied = (await db('request_tallies').where('company_key', 0).andWhere('n', '<>', 0).select('project_id', 'status', 'type', 'n')).map(key).sort();
  expect(tallied).to.deep.equal(rows);
}

describe('changes that race', function () {
  this.timeout(60_000);
  let tdb: TestDatabase;
  before(async () => {
    tdb = await createTestDatabase();
  });
  after(() => tdb.drop());

  /** An administrator, a project and a customer to race bulk changes in, and a mailer that sends nowhere. */
  async function bulkRaceWorld() {
    const db = tdb.db;
    return {
      db,
      admin: toActor(await buildStaff(db, 'administrator')),
      project: await buildProject(db),
      customer: await buildRequester(db),
      mailer: createMailer(db, createLogger('silent'), undefined, 'Portico <p@x.test>'),
    };
  }

  it('several "add this person" to one dashboard at once: every one succeeds, one grant, one "added" in the audit', async () => {
    const db = tdb.db;
    const owner = toActor(await buildStaff(db, 'user'));
    const customer = await buildRequester(db);
    for (let round = 0; round < 5; round += 1) {
      const dashboard = await createDashboard(db, owner, `Raced ${round}`);
      const results = await Promise.allSettled(Array.from({ length: 6 }, () => grantDashboardAccess(db, owner, dashboard, customer.email, 'view')));
      expect(results.map((r) => r.status), `round ${round}`).to.deep.equal(Array(6).fill('fulfilled'));
      const grants = await db('dashboard_grants').where({ dashboard_id: dashboard });
      expect(grants, `round ${round}`).to.have.length(1);
      const added = await db('audit_events').where({ action: 'dashboard.grant_added', target_id: dashboard });
      expect(added, `round ${round}`).to.have.length(1);
    }
  });

  it('a bulk grant whose item the database refuses meanwhile (PostgreSQL) reports it and keeps checking the others: 409, nothing written', async function () {
    // SQLite writers hold the database from BEGIN, so no other grant can be written meanwhile there.
    if (testEngine() !== 'pg') this.skip();
    const db = tdb.db;
    const admin = toActor(await buildStaff(db, 'administrator'));
    const agent = await buildStaff(db, 'user');
    const project = await buildProject(db);
    const customer = await buildRequester(db);
    const first = await buildRequest(db, { projectId: project, requester: customer });
    const second = await buildRequest(db, { projectId: project, requester: customer });
    const request = entityTypeByName('Request')!;
    await writeSetting(db, 'direct_access.enabled', true, admin.id);
    const before = Number((await db('entity_permissions').count({ n: '*' }).first())?.n);
    // Someone else grants the first item and has not committed yet: the bulk's insert waits on the unique key.
    const other = await db.transaction();
    await insertEntityPermission(other, { entityType: request.stored, entityId: first, principalId: agent.id, mode: 'view', createdBy: admin.id });
    const spec = (entityId: number) => ({ entityTypeId: request.id, entityId, userId: agent.id, mode: 'view' as const });
    const bulk = createEntityPermissionsInBulk(db, admin, [spec(first), spec(second)]).then(
      () => null,
      (err: unknown) => err,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    await other.commit();
    const err = await bulk;
    expect(err).to.be.instanceOf(BulkError);
    expect((err as BulkError).items, JSON.stringify((err as BulkError).items)).to.have.length(1);
    expect((err as BulkError).status).to.equal(409);
    expect((err as BulkError).items.map((i) => [i.index, i.status])).to.deep.equal([[0, 409]]);
    // Only the other's grant was written; the bulk wrote nothing.
    expect(Number((await db('entity_permissions').count({ n: '*' }).first())?.n)).to.equal(before + 1);
  });

  it('two bulk status changes of the same requests at once, ticked in opposite orders: both go through, no deadlock, no mixed result', async () => {
    const { db, admin, project, customer, mailer } = await bulkRaceWorld();
    for (let round = 0; round < 5; round += 1) {
      const ids: number[] = [];
      for (let i = 0; i < 8; i += 1) ids.push(await buildRequest(db, { projectId: project, requester: customer, status: 'new' }));
      // Each row is locked as it is changed (lockTallyKey): in the order ticked, these two would wait on each other.
      const results = await Promise.allSettled([
        changeRequestsInBulk(db, mailer, admin, ids, () => ({ status: 'open' }), 'http://x.test'),
        changeRequestsInBulk(db, mailer, admin, [...ids].reverse(), () => ({ status: 'resolved' }), 'http://x.test'),
      ]);
      expect(results.map((r) => r.status), JSON.stringify(results)).to.deep.equal(['fulfilled', 'fulfilled']);
      const statuses = new Set((await db('requests').whereIn('id', ids).select('status')).map((r: { status: string }) => r.status));
      expect(statuses.size, [...statuses].join()).to.equal(1);
    }
    await mailer.drain();
  });

  it('two bulk changes of different requests whose types alternate, at once: both go through (the tally cells are taken in one order)', async () => {
    const { db, admin, project, customer, mailer } = await bulkRaceWorld();
    for (let round = 0; round < 8; round += 1) {
      const a: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < 10; i += 1) {
        // Each bulk moves cells of both types, one request after another, in opposite turns.
        a.push(await buildRequest(db, { projectId: project, requester: customer, type: i % 2 ? 'question' : 'issue' }));
        b.push(await buildRequest(db, { projectId: project, requester: customer, type: i % 2 ? 'issue' : 'question' }));
      }
      const results = await Promise.allSettled([a, b].map((ids) => changeRequestsInBulk(db, mailer, admin, ids, () => ({ status: 'open' }), 'http://x.test')));
      expect(results.map((r) => (r.status === 'rejected' ? String((r.reason as Error).message).slice(-100) : 'ok'))).to.deep.equal(['ok', 'ok']);
    }
    await mailer.drain();
    await expectTalliesMatchRows(db);
  });

  it('a bulk change and a single status change of one of its requests, at once: both go through, the counts right', async () => {
    const { db, admin, project, customer, mailer } = await bulkRaceWorld();
    for (let round = 0; round < 8; round += 1) {
      const ids: number[] = [];
      for (let i = 0; i < 20; i += 1) ids.push(await buildRequest(db, { projectId: project, requester: customer }));
      const results = await Promise.allSettled([
        changeRequestsInBulk(db, mailer, admin, ids, () => ({ status: 'resolved' }), 'http://x.test'),
        changeRequestStatus(db, mailer, admin, ids[15]!, 'open', 'http://x.test'),
      ]);
      expect(results.map((r) => (r.status === 'rejected' ? String((r.reason as Error).message).slice(-100) : 'ok'))).to.deep.equal(['ok', 'ok']);
    }
    await mailer.drain();
    await expectTalliesMatchRows(db);
  });

  it('a unique violation reaching a page or the API answers 409 with a sentence, and logs the constraint without the values', async () => {
    const { lines, sink } = logLines();
    const log = createLogger('info', sink);
    const app = express();
    useEjs(app, false);
    app.get('/page', () => {
      throw duplicateKey();
    });
    app.get('/api/v1/Things', () => {
      throw duplicateKey();
    });
    app.use('/api/v1', apiErrors(log));
    app.use(errorHandler(log));
    const page = await request(app).get('/page').set('accept', 'text/html').expect(409);
    expect(page.text).to.contain(RACED);
    const api = await request(app).get('/api/v1/Things').expect(409);
    expect(api.body).to.deep.equal({ Status: 'Conflict', Message: RACED });
    expect(lines).to.have.length(2);
    for (const line of lines) expect(line).to.include({ constraint: 'principals_email_normalized_unique', table: 'principals', code: '23505', level: 40 });
    expect(JSON.stringify(lines)).not.to.contain('ann@example.test');
  });

  it('an error logged whole keeps its message and code but not the values a database quoted', () => {
    const { lines, sink } = logLines();
    createLogger('info', sink).error({ err: duplicateKey() }, 'failed');
    const err = lines[0]?.err as Record<string, unknown>;
    expect(err).to.include({ code: '23505', constraint: 'principals_email_normalized_unique', type: 'Error' });
    expect(err.message).to.contain('duplicate key');
    expect(err).not.to.have.property('detail');
    expect(JSON.stringify(lines)).not.to.contain('ann@example.test');
  });
});
