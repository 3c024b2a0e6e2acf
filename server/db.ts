import fs from 'node:fs';
import path from 'node:path';
import knex, { Knex } from 'knex';

export type Db = Knex;

interface SqliteConnection {
  run(sql: string, cb: (err: Error | null) => void): void;
}

type AfterCreate = (conn: SqliteConnection, done: (err: Error | null, conn: SqliteConnection) => void) => void;

/** Runs the statements one after another on a new SQLite connection. */
function pragmas(statements: string[]): AfterCreate {
  return (conn, done) => {
    const next = (i: number): void => {
      const sql = statements[i];
      if (sql === undefined) return done(null, conn);
      conn.run(sql, (err) => (err ? done(err, conn) : next(i + 1)));
    };
    next(0);
  };
}

const SQLITE_PRAGMAS = ['PRAGMA journal_mode = WAL', 'PRAGMA foreign_keys = ON', 'PRAGMA busy_timeout = 5000', 'PRAGMA synchronous = NORMAL'];

function sqliteFilename(databaseUrl: string): string {
  return databaseUrl.slice('sqlite:'.length) || ':memory:';
}

/**
 * SQLite gets one writing connection per process: writers queue in the pool instead of
 * failing with SQLITE_BUSY, and WAL lets readers (other processes, and this process's
 * reader pool, see createDb) read meanwhile.
 */
export function knexConfig(databaseUrl: string): Knex.Config {
  if (databaseUrl.startsWith('sqlite:')) {
    const filename = sqliteFilename(databaseUrl);
    if (filename !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
    return {
      client: 'sqlite3',
      connection: { filename },
      useNullAsDefault: true,
      pool: { min: 1, max: 1, afterCreate: pragmas(SQLITE_PRAGMAS) },
    };
  }
  return {
    client: 'pg',
    connection: databaseUrl,
    pool: { min: 0, max: 10 },
  };
}

interface TransactionInternals {
  query(conn: unknown, sql: string): Promise<unknown>;
}

/**
 * SQLite transactions start with BEGIN IMMEDIATE: a writer takes the write lock up front
 * and other processes' writers wait (busy_timeout) instead of failing midway when a read
 * lock cannot be upgraded.
 */
function beginImmediately(db: Db): void {
  // knex ships no type for its SQLite transaction class; it is loaded from its own file.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const SqliteTransaction = require('knex/lib/dialects/sqlite3/execution/sqlite-transaction') as new (...args: unknown[]) => TransactionInternals;
  class ImmediateTransaction extends SqliteTransaction {
    begin(conn: unknown): Promise<unknown> {
      return this.query(conn, 'BEGIN IMMEDIATE;');
    }
  }
  const client = db.client as { transaction: (...args: unknown[]) => unknown };
  client.transaction = function transaction(this: unknown, ...args: unknown[]) {
    return new ImmediateTransaction(this, ...args);
  };
}

/**
 * SQLite reading connections beside the writer: one connection runs one statement at a time,
 * so with only the writer every page's reads queue behind each other and behind writes.
 */
export const SQLITE_READERS = 3;

interface RunnerInternals {
  builder: { _method?: unknown; _connection?: unknown };
  connection: unknown;
  run(): Promise<unknown>;
}

const READ_METHODS = new Set(['select', 'first', 'pluck']);

/**
 * Plain SELECTs that run outside a transaction go to a pool of read-only connections
 * (`PRAGMA query_only`, so a write sent there by mistake fails instead of racing the
 * writer). Everything else (writes, raw SQL, every statement of a transaction) stays on
 * the single writing connection. In WAL mode a read sees every transaction committed
 * before it began, so a page still reads what the same request has just written.
 */
const readerPools = new WeakMap<Db, Db>();

/** The reader pool of a SQLite file database (for diagnostics and tests). */
export function readerPoolOf(db: Db): Db | undefined {
  return readerPools.get(db);
}

function attachReaders(db: Db, filename: string, readers: number): void {
  const pool = knex({
    client: 'sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    pool: { min: 0, max: readers, afterCreate: pragmas([...SQLITE_PRAGMAS.slice(1), 'PRAGMA query_only = ON']) },
  });
  readerPools.set(db, pool);
  const client = db.client as { runner(builder: unknown): RunnerInternals };
  const makeRunner = client.runner.bind(client);
  const readerClient = pool.client as { acquireConnection(): Promise<unknown>; releaseConnection(conn: unknown): Promise<void> };
  client.runner = (builder: unknown) => {
    const runner = makeRunner(builder);
    const b = runner.builder;
    if (b._connection || typeof b._method !== 'string' || !READ_METHODS.has(b._method)) return runner;
    // run() is the promise path; streams (unused here) keep acquiring from the writer.
    const run = runner.run.bind(runner);
    runner.run = async () => {
      const conn = await readerClient.acquireConnection();
      runner.connection = conn;
      try {
        return await run();
      } finally {
        await readerClient.releaseConnection(conn);
      }
    };
    return runner;
  };
  const writer = db.client as { destroy(callback?: unknown): Promise<void> };
  const destroyWriter = writer.destroy.bind(writer);
  writer.destroy = async (callback?: unknown) => {
    await pool.destroy();
    await destroyWriter(callback);
  };
}

export function createDb(databaseUrl: string, opts: { sqliteReaders?: number } = {}): Db {
  const db = knex(knexConfig(databaseUrl));
  if (isSqlite(db)) {
    beginImmediately(db);
    const filename = sqliteFilename(databaseUrl);
    const readers = opts.sqliteReaders ?? SQLITE_READERS;
    if (filename !== ':memory:' && readers > 0) attachReaders(db, filename, readers);
  }
  return db;
}

export function isSqlite(db: Db): boolean {
  return db.client.config.client === 'sqlite3';
}

/** Timestamps are written as ISO strings so both engines sort and compare them alike. */
export function nowIso(): string {
  return new Date().toISOString();
}

export function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'string' || typeof value === 'number') return new Date(value);
  throw new TypeError(`not a timestamp: ${String(value)}`);
}

export function toBool(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't' || value === 'true';
}

/** COUNT(*) comes back as a string from pg and a number from SQLite. */
export function toCount(row: Record<string, unknown> | undefined, key = 'count'): number {
  return Number(row?.[key] ?? 0);
}

/** The id from `insert(...).returning('id')`: pg gives `[{ id }]`, older SQLite drivers a bare number. */
export function insertedId(rows: unknown[]): number {
  const first = rows[0];
  const id = first && typeof first === 'object' ? (first as { id: unknown }).id : first;
  const n = Number(id);
  if (!Number.isSafeInteger(n)) throw new Error('insert returned no id');
  return n;
}

/** A case-insensitive "contains" pattern for `lower(col) like ? escape '\'`, with % and _ taken literally. */
export function containsPattern(text: string): string {
  return `%${text.trim().toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Resolves when the database answers a trivial query (for /healthz). */
export async function ping(db: Db): Promise<void> {
  await db.raw('select 1');
}
