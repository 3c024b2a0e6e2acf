import fs from 'node:fs';
import path from 'node:path';
import knex, { Knex } from 'knex';

export type Db = Knex;

/** The knex client name of the embedded engine. */
export const SQLITE_CLIENT = 'better-sqlite3';

interface SqliteConnection {
  exec(sql: string): void;
  prepare(sql: string): unknown;
}

/** Prepared statements kept per SQLite connection, most recently used last. */
export const STATEMENT_CACHE_SIZE = 256;

/**
 * Reuses prepared statements by SQL text (knex sends values as bindings, so one query shape
 * is one text). Preparing parses and plans the SQL each time, and a statement's native memory
 * is only returned when V8 happens to collect its small JS handle; a bounded cache saves both.
 */
function cacheStatements(conn: SqliteConnection): void {
  const prepare = conn.prepare.bind(conn);
  const cache = new Map<string, unknown>();
  conn.prepare = (sql: string) => {
    let statement = cache.get(sql);
    if (statement !== undefined) cache.delete(sql);
    else statement = prepare(sql);
    cache.set(sql, statement);
    if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    return statement;
  };
}

const SQLITE_PRAGMAS = ['PRAGMA journal_mode = WAL', 'PRAGMA foreign_keys = ON', 'PRAGMA busy_timeout = 5000', 'PRAGMA synchronous = NORMAL'];

/**
 * SQLite through better-sqlite3 (synchronous, in the calling thread), one connection per
 * process: writers queue in the pool instead of failing with SQLITE_BUSY, and WAL lets other
 * processes read meanwhile. node-sqlite3 was measured first: it hands every statement to the
 * libuv thread pool and builds each result row back on the main thread, which cost 40–60 %
 * more CPU per page than better-sqlite3 (README, Performance).
 */
export function knexConfig(databaseUrl: string): Knex.Config {
  if (databaseUrl.startsWith('sqlite:')) {
    const filename = databaseUrl.slice('sqlite:'.length) || ':memory:';
    if (filename !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
    return {
      client: SQLITE_CLIENT,
      connection: { filename },
      useNullAsDefault: true,
      pool: {
        min: 1,
        max: 1,
        afterCreate(conn: SqliteConnection, done: (err: Error | null, conn: SqliteConnection) => void) {
          try {
            for (const sql of SQLITE_PRAGMAS) conn.exec(sql);
            cacheStatements(conn);
            done(null, conn);
          } catch (err) {
            done(err as Error, conn);
          }
        },
      },
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

interface CompilerInternals {
  single: { limit?: unknown };
  _getValueOrParameterFromAttribute(attribute: string, rawValue?: unknown): string;
}

/**
 * SQLite gets LIMIT as a literal whole number (`limit 1`, not `limit ?`): with a bound
 * LIMIT, better-sqlite3's statements ran 10–20 µs longer each time (a point lookup 9 → 19 µs;
 * every `first()` is one). Only safe integers are inlined, so no text reaches the SQL; a page
 * size is one of a few values, so the prepared-statement cache keeps them all. OFFSET stays a
 * parameter (it costs nothing bound, and varies with every page).
 */
function inlineLimits(db: Db): void {
  const client = db.client as { queryCompiler: (...args: unknown[]) => unknown };
  const make = client.queryCompiler.bind(client);
  client.queryCompiler = (...args: unknown[]) => {
    const compiler = make(...args) as CompilerInternals;
    const parameter = compiler._getValueOrParameterFromAttribute.bind(compiler);
    compiler._getValueOrParameterFromAttribute = (attribute, rawValue) => {
      const limit = compiler.single.limit;
      if (attribute === 'limit' && rawValue === undefined && typeof limit === 'number' && Number.isSafeInteger(limit)) return String(limit);
      return parameter(attribute, rawValue);
    };
    return compiler;
  };
}

export function createDb(databaseUrl: string): Db {
  const db = knex(knexConfig(databaseUrl));
  if (isSqlite(db)) {
    beginImmediately(db);
    inlineLimits(db);
  }
  return db;
}

export function isSqlite(db: Db): boolean {
  return db.client.config.client === SQLITE_CLIENT;
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

/** Whether an error is a unique-constraint violation (PostgreSQL 23505, SQLite SQLITE_CONSTRAINT_UNIQUE). */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
