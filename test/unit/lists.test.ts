import { expect } from 'chai';
import { createTestDatabase, type TestDatabase } from '../helpers/databases';
import { buildCompany, buildProject, buildRequester } from '../helpers/factories';
import { IDEAS_COUNT_CAP, listIdeas } from '../../server/repositories/requests';
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
        description: '', status: 'new', visibility: 'public', vote_count: 0, created_at: nowIso(), updated_at: nowIso(), last_activity_at: nowIso(),
      }));
    await tdb.db.batchInsert('requests', rows(30, 0), 200);
    const small = await listIdeas(tdb.db, scope, { page: 1, pageSize: 25 });
    expect([small.total, Boolean(small.totalCapped), small.items.length]).to.deep.equal([30, false, 25]);
    await tdb.db.batchInsert('requests', rows(IDEAS_COUNT_CAP, 30), 200);
    const big = await listIdeas(tdb.db, scope, { page: 2, pageSize: 25 });
    expect([big.total, big.totalCapped, big.items.length]).to.deep.equal([IDEAS_COUNT_CAP, true, 25]);
  });
});
