import { expect } from 'chai';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '../helpers/databases';
import { isSqlite, LITERAL_LIMIT } from '../../server/db';

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

  it('on SQLite, transactions begin IMMEDIATE (savepoints inside), in every client knex makes; only limit 1, limit -1 and LITERAL_LIMIT are written into the SQL', async function () {
    const db = tdb.db;
    if (!isSqlite(db)) {
      // PostgreSQL: every limit stays a parameter.
      expect(db('companies').first('id').toSQL().toNative().sql).to.match(/limit \$1$/);
      expect(db('companies').limit(25, LITERAL_LIMIT).toSQL().toNative().sql).to.match(/limit 25$/);
      return;
    }
    const seen: string[] = [];
    const listen = (q: { sql: string }) => void seen.push(q.sql);
    db.on('query', listen);
    try {
      await db.transaction(async (trx) => {
        expect(trx('companies').first('id').toSQL().toNative().sql, 'first() in a transaction').to.match(/limit 1$/);
        await trx('companies').first('id');
        await trx.transaction(async (inner) => void (await inner('companies').first('id')));
      });
    } finally {
      db.off('query', listen);
    }
    expect(seen[0]).to.equal('BEGIN IMMEDIATE;');
    expect(seen.some((sql) => /^SAVEPOINT /i.test(sql)), 'the nested transaction is a savepoint').to.equal(true);
    expect(db('companies').first('id').toSQL().toNative().sql).to.match(/limit 1$/);
    expect(db('companies').offset(5).toSQL().toNative()).to.deep.include({ sql: 'select * from `companies` limit -1 offset ?' });
    // A limit a client may choose stays bound: one statement text whatever the value.
    const texts = new Set([2, 3, 999].map((n) => db('companies').limit(n).toSQL().toNative().sql));
    expect([...texts]).to.deep.equal(['select * from `companies` limit ?']);
    expect(db('companies').limit(1001, LITERAL_LIMIT).toSQL().toNative().sql).to.equal('select * from `companies` limit 1001');
  });
});
