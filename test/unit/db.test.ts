import { expect } from 'chai';
import { createDb } from '../../server/db';
import { createTestDatabase, type TestDatabase } from '../helpers/databases';
import { nowIso } from '../../server/db';

describe('database engine settings', function () {
  this.timeout(60_000);
  let tdb: TestDatabase;
  before(async () => {
    tdb = await createTestDatabase();
  });
  after(() => tdb.drop());

  it('two connections (as two instances would have) writing read-then-write transactions at once all succeed', async () => {
    const other = createDb(tdb.url);
    try {
      const write = (db: typeof other, n: number) =>
        db.transaction(async (trx) => {
          const row = await trx('companies').count({ n: '*' }).first();
          await trx('companies').insert({ name: `c-${n}-${Number(row?.n ?? 0)}-${Math.random()}`, created_at: nowIso() });
        });
      const jobs: Promise<void>[] = [];
      for (let i = 0; i < 20; i += 1) jobs.push(write(i % 2 ? tdb.db : other, i));
      await Promise.all(jobs);
      const count = await tdb.db('companies').count({ n: '*' }).first();
      expect(Number(count?.n)).to.equal(20);
    } finally {
      await other.destroy();
    }
  });

  it('enforces foreign keys', async () => {
    let failed = false;
    try {
      await tdb.db('project_members').insert({ project_id: 999999, principal_id: 999999, role_id: 999999 });
    } catch {
      failed = true;
    }
    expect(failed).to.equal(true);
  });
});
