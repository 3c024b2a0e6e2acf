import fs from 'node:fs';
import path from 'node:path';
import knex, { Knex } from 'knex';

export type Db = Knex;

/** The knex client name of the embedded engine. */
export const SQLITE_CLIENT = 'better-sqlite3';

interface SqliteConnection {
  exec(sql: string): void;
  prepare(sql: string): unknown;
  function(name: string, options: { deterministic: boolean }, fn: (value: unknown) => unknown): void;
}

/**
 * SQLite's own lower() folds ASCII letters only ("ÜBER" stays "Über"), so a search for "über"
 * would miss it, where PostgreSQL finds it. This one folds every letter as JavaScript does.
 */
function unicodeLower(value: unknown): unknown {
  return value === null || value === undefined ? null : String(value).toLowerCase();
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
      client: PorticoSqliteClient as unknown as typeof Knex.Client,
      connection: { filename },
      useNullAsDefault: true,
      // Error messages carry the SQL with its placeholders, never the values (emails, token digests).
      compileSqlOnError: false,
      pool: {
        min: 1,
        max: 1,
        afterCreate(conn: SqliteConnection, done: (err: Error | null, conn: SqliteConnection) => void) {
          try {
            for (const sql of SQLITE_PRAGMAS) conn.exec(sql);
            conn.function('unicode_lower', { deterministic: true }, unicodeLower);
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
    compileSqlOnError: false,
    pool: { min: 0, max: 10 },
  };
}

/* eslint-disable @typescript-eslint/no-require-imports -- knex ships no types for its dialect classes; they are loaded from their own files. */
const BetterSqlite3Client = require('knex/lib/dialects/better-sqlite3') as new (config: Knex.Config) => object;
const SqliteTransaction = require('knex/lib/dialects/sqlite3/execution/sqlite-transaction') as new (...args: unknown[]) => { query(conn: unknown, sql: string): Promise<unknown> };
const SqliteQueryCompiler = require('knex/lib/dialects/sqlite3/query/sqlite-querycompiler') as new (...args: unknown[]) => {
  single: { limit?: unknown };
  _getValueOrParameterFromAttribute(attribute: string, rawValue?: unknown): string;
};
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * SQLite transactions start with BEGIN IMMEDIATE: a writer takes the write lock up front
 * and other processes' writers wait (busy_timeout) instead of failing midway when a read
 * lock cannot be upgraded. (Nested transactions are savepoints, as in knex.)
 */
class ImmediateTransaction extends SqliteTransaction {
  begin(conn: unknown): Promise<unknown> {
    return this.query(conn, 'BEGIN IMMEDIATE;');
  }
}

/**
 * `limit 1` (every `first()`) and the offset-only `limit -1` are written into the SQL instead
 * of bound: with a bound LIMIT, better-sqlite3 ran the same statement slower every time (a
 * point lookup 9 → 19 µs). Other limits stay bound unless the code passes knex's own
 * `{ skipBinding: true }` for a constant of its own (LITERAL_LIMIT): a limit a client chooses
 * (the API's take) written into the SQL would make one statement text, and one prepared
 * statement, per value. OFFSET stays bound (it costs nothing so, and varies with every page).
 */
class LiteralFirstCompiler extends SqliteQueryCompiler {
  override _getValueOrParameterFromAttribute(attribute: string, rawValue?: unknown): string {
    const limit = this.single.limit;
    if (attribute === 'limit' && rawValue === undefined && (limit === 1 || limit === -1)) return String(limit);
    return super._getValueOrParameterFromAttribute(attribute, rawValue);
  }
}

/**
 * knex's better-sqlite3 client with Portico's two changes above. A class rather than patches
 * of one client object: knex makes each transaction's client from the class's prototype.
 */
class PorticoSqliteClient extends BetterSqlite3Client {
  transaction(...args: unknown[]): unknown {
    return new ImmediateTransaction(this, ...args);
  }

  queryCompiler(builder: unknown, formatter: unknown): unknown {
    return new LiteralFirstCompiler(this, builder, formatter);
  }
}

/** knex's option for a LIMIT the code chooses itself (a cap, a constant), written into the SQL on SQLite. */
export const LITERAL_LIMIT = { skipBinding: true } as const;

export function createDb(databaseUrl: string): Db {
  return knex(knexConfig(databaseUrl));
}

export function isSqlite(db: Db | Knex.QueryBuilder): boolean {
  return (db.client as { driverName?: string }).driverName === SQLITE_CLIENT;
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

/**
 * "`column` contains `text`", whatever the case of any letter, as a raw where clause. On SQLite
 * a term with letters beyond ASCII is compared through unicode_lower() (a JavaScript call per
 * row, several times slower on a scan than the built-in); an ASCII term keeps the built-in
 * lower(), which folds every letter such a term can match. `column` is the code's, never input.
 */
export function containsClause(qb: Db | Knex.QueryBuilder, column: string, text: string): [string, string[]] {
  const term = containsPattern(text);
  // eslint-disable-next-line no-control-regex -- the ASCII range itself
  const lower = isSqlite(qb) && /[^\x00-\x7f]/.test(term) ? 'unicode_lower' : 'lower';
  return [`${lower}(${column}) like ? escape '\\'`, [term]];
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
