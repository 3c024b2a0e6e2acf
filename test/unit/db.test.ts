import { expect } from 'chai';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '../helpers/databases';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');

describe('database engine settings', function () {
  this.timeout(60_000);
  let tdb: TestDatabase;
  before(async () => {
    tdb = await createTestDatabase();
  });
  after(() => tdb.drop());

  it('two processes (as two instances would have) writing read-then-write transactions at once all succeed', async () => {
    const writer = (label: string) =>
      run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test', 'helpers', 'writerProcess.ts'), label, '10'], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: tdb.url },
      });
    const before = Number((await tdb.db('companies').count({ n: '*' }).first())?.n);
    await Promise.all([writer('a'), writer('b')]);
    const count = await tdb.db('companies').count({ n: '*' }).first();
    expect(Number(count?.n)).to.equal(before + 20);
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
