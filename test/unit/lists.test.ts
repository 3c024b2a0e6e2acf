import { expect } from 'chai';
import { createTestDatabase, type TestDatabase } from '../helpers/databases';
import { buildCompany, buildProject, buildRequester } from '../helpers/factories';
import { IDEAS_COUNT_CAP, listIdeas, listRequests } from '../../server/repositories/requests';
import { ownAndCompanyRequests } from '../../server/permissions/scopes';
import { visibleRequests } from '../../server/permissions/scopes';
import { toActor } from '../../server/repositories/principals';
import { nowIso } from '../../server/db';

describe('list counts', function () {
  this.timeout(60_000);
  let tdb: TestDatabase;
  before(async () => {
    tdb = await createTestDatabase();
  });
  after(() => tdb.drop());

  it('the ideas board counts exactly below the cap and says "more" above it', async () => {
    const project = await buildProject(tdb.db);
    const person = await buildRequester(tdb.db, { company: await buildCompany(tdb.db) });
    const scope = visibleRequests(toActor(person), { directAccess: false, portalDashboards: false });
    const rows = (n: number, from: number) =>
      Array.from({ length: n }, (_, i) => ({
        project_id: project, requester_id: person.id, company_id: person.companyId, type: 'idea', title: `Idea ${from + i}`,
        description: '', status: 'new', visibility: 'public', vote_count: 0, created_at: nowIso(), updated_at: nowIso(), last_activity_at: nowIso(), customer_activity_at: nowIso(),
      }));
    await tdb.db.batchInsert('requests', rows(30, 0), 200);
    const small = await listIdeas(tdb.db, scope, { page: 1, pageSize: 25 });
    expect([small.total, Boolean(small.totalCapped), small.items.length]).to.deep.equal([30, false, 25]);
    await tdb.db.batchInsert('requests', rows(IDEAS_COUNT_CAP, 30), 200);
    const big = await listIdeas(tdb.db, scope, { page: 2, pageSize: 25 });
    expect([big.total, big.totalCapped, big.items.length]).to.deep.equal([IDEAS_COUNT_CAP, true, 25]);
  });

  it('the portal home total comes with its page, on every page, past the end and when nothing matches', async () => {
    const project = await buildProject(tdb.db);
    const company = await buildCompany(tdb.db);
    const person = await buildRequester(tdb.db, { company });
    const colleague = await buildRequester(tdb.db, { company });
    const stranger = await buildRequester(tdb.db, { company: await buildCompany(tdb.db) });
    const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
    const row = (who: typeof person, i: number, visibility: string) => ({
      project_id: project, requester_id: who.id, company_id: who.companyId, type: 'issue', title: `Home ${i}`,
      description: '', status: 'new', visibility, vote_count: 0, created_at: at(i), updated_at: at(i), last_activity_at: at(i), customer_activity_at: at(i),
    });
    // 40 of their own, 12 of their company's shared with it, 9 private to a colleague, 5 of a stranger's.
    await tdb.db.batchInsert('requests', [
      ...Array.from({ length: 40 }, (_, i) => row(person, i, 'private')),
      ...Array.from({ length: 12 }, (_, i) => row(colleague, 100 + i, 'company')),
      ...Array.from({ length: 9 }, (_, i) => row(colleague, 200 + i, 'private')),
      ...Array.from({ length: 5 }, (_, i) => row(stranger, 300 + i, 'company')),
    ], 200);
    const scope = ownAndCompanyRequests(toActor(person), { directAccess: false, portalDashboards: false });
    const page = (n: number, search?: string) => listRequests(tdb.db, scope, { page: n, pageSize: 25, search });
    const first = await page(1);
    expect([first.total, first.items.length, first.items[0]?.title]).to.deep.equal([52, 25, 'Home 111']);
    const last = await page(3);
    expect([last.total, last.items.length]).to.deep.equal([52, 2]);
    const past = await page(9);
    expect([past.total, past.items.length]).to.deep.equal([52, 0]);
    const searched = await page(1, 'home 10');
    expect(searched.items.map((i) => i.title).sort()).to.deep.equal(['Home 10', 'Home 100', 'Home 101', 'Home 102', 'Home 103', 'Home 104', 'Home 105', 'Home 106', 'Home 107', 'Home 108', 'Home 109']);
    expect(searched.total).to.equal(11);
    const none = await page(1, 'nothing like this');
    expect([none.total, none.items.length]).to.deep.equal([0, 0]);
  });
});
