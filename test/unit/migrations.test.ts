import { expect } from 'chai';
import { createTestDatabase, type TestDatabase } from '../helpers/databases';
import { migrateLatest, migrateRollbackAll } from '../../server/migrate';
import { seedDemo } from '../../server/seeds/demo';
import { TEST_SCRYPT_COST } from '../helpers/app';
import { readSettings } from '../../server/repositories/settings';

describe('migrations', function () {
  this.timeout(60_000);
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

  it('re-running the latest migration on seeded data keeps every grant and setting (permission snapshot)', async () => {
    await seedDemo(tdb.db, TEST_SCRYPT_COST);
    const snapshot = async () => ({
      grants: await tdb.db('dashboard_grants').orderBy('id').select('dashboard_id', 'principal_id', 'level'),
      restrictions: await tdb.db('dashboards').orderBy('id').select('id', 'restriction'),
      members: await tdb.db('project_members').orderBy('id').select('project_id', 'principal_id', 'role_id'),
      types: await tdb.db('principals').orderBy('id').select('id', 'type', 'disabled'),
      settings: await readSettings(tdb.db),
    });
    const before = await snapshot();
    await tdb.db.migrate.down((await import('../../server/migrate')).migrationOptions);
    await migrateLatest(tdb.db);
    expect(await snapshot()).to.deep.equal(before);
  });
});
