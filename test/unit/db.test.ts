import { expect } from 'chai';
import { createDb, readerPoolOf } from '../../server/db';
import { createTestDatabase, testEngine, type TestDatabase } from '../helpers/databases';
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

  describe('SQLite readers beside the single writer', function () {
    before(function () {
      if (testEngine() !== 'sqlite') this.skip();
    });

    it('a plain read is answered while a transaction holds the writer, and does not see its uncommitted rows', async () => {
      const db = tdb.db;
      const before = Number((await db('companies').count({ n: '*' }).first())?.n);
      let seenInside = -1;
      await db.transaction(async (trx) => {
        await trx('companies').insert({ name: `held-${Math.random()}`, created_at: nowIso() });
        // With one connection this read would wait for the transaction it runs inside: a deadlock.
        seenInside = Number((await db('companies').count({ n: '*' }).first())?.n);
      });
      expect(seenInside).to.equal(before);
      expect(Number((await db('companies').count({ n: '*' }).first())?.n)).to.equal(before + 1);
    });

    it('reads see every write committed before them (read-your-writes under concurrency)', async () => {
      const db = tdb.db;
      const names = await Promise.all(
        Array.from({ length: 30 }, async (_, i) => {
          const name = `ryw-${i}-${Math.random()}`;
          await db('companies').insert({ name, created_at: nowIso() });
          return (await db('companies').where({ name }).first('name'))?.name as string | undefined;
        }),
      );
      expect(names.every((n, i) => n?.startsWith(`ryw-${i}-`))).to.equal(true);
    });

    it('reader connections refuse writes (query_only), so a misrouted write cannot race the writer', async () => {
      const readers = readerPoolOf(tdb.db);
      expect(readers, 'a file database has a reader pool').not.to.equal(undefined);
      const before = Number((await tdb.db('companies').count({ n: '*' }).first())?.n);
      const err = await readers!.raw("insert into companies (name, created_at) values ('misrouted', '2026-01-01')").then(
        () => null,
        (e: Error) => e,
      );
      expect(err?.message).to.match(/readonly|query_only|attempt to write/i);
      expect(Number((await tdb.db('companies').count({ n: '*' }).first())?.n)).to.equal(before);
    });

    it('an in-memory database keeps its one connection (readers would each open another, empty database)', async () => {
      const mem = createDb('sqlite::memory:');
      try {
        await mem.schema.createTable('t', (t) => t.integer('x'));
        await mem('t').insert({ x: 1 });
        expect(await mem('t').pluck('x')).to.deep.equal([1]);
      } finally {
        await mem.destroy();
      }
    });
  });
});
