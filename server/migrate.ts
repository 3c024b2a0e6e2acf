import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import type { Db } from './db';
import { isSqlite } from './db';

export const MIGRATIONS_DIR = path.resolve(__dirname, '..', 'migrations');

/** `.ts` when run through tsx, `.js` when run compiled (`npm run build`, dist/). */
const OWN_EXTENSION = path.extname(__filename);

/**
 * The migrations beside this file, in either form. They are always recorded under their
 * source name (`…_domain.ts`), so a database migrated by `npm run demo` (tsx) and one
 * migrated by `npm start` (compiled) agree about what has run.
 */
class MigrationSource implements Knex.MigrationSource<string> {
  async getMigrations(): Promise<string[]> {
    const names = await fs.promises.readdir(MIGRATIONS_DIR);
    return names
      .filter((n) => n.endsWith(OWN_EXTENSION) && !n.endsWith('.d.ts'))
      .map((n) => n.slice(0, -OWN_EXTENSION.length))
      .sort();
  }

  getMigrationName(stem: string): string {
    return `${stem}.ts`;
  }

  async getMigration(stem: string): Promise<Knex.Migration> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(path.join(MIGRATIONS_DIR, stem + OWN_EXTENSION)) as Knex.Migration;
  }
}

export const migrationOptions: Knex.MigratorConfig = { migrationSource: new MigrationSource() };

/** The PostgreSQL advisory lock that lets one process at a time migrate (an arbitrary, fixed number). */
export const MIGRATION_LOCK_KEY = 728_355_011;

interface PgConnection {
  query(sql: string, values: unknown[]): Promise<unknown>;
}

/** knex's answers to a second migrator: its lock is taken, or its tables were created meanwhile. */
function anotherMigrator(err: unknown): boolean {
  const message = err instanceof Error ? err.message : '';
  return /Migration table is already locked/.test(message) || /knex_migrations(_lock)?\b.*already exists/.test(message);
}

/**
 * One instance at a time migrates. knex's own lock lives in a table it first has to create,
 * so two instances starting on an empty database both created it (one failed), and a second
 * migrator meeting the lock fails instead of waiting. On PostgreSQL a session-level advisory
 * lock, held on a connection of its own while `run` migrates, makes the others wait; on
 * SQLite (no such lock) a migrator that meets another tries again until it is done, for up
 * to a minute.
 */
async function oneMigratorAtATime<T>(db: Db, run: () => Promise<T>): Promise<T> {
  if (isSqlite(db)) {
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        return await run();
      } catch (err) {
        if (!anotherMigrator(err) || Date.now() > deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
      }
    }
  }
  const client = db.client as { acquireConnection(): Promise<PgConnection>; releaseConnection(c: PgConnection): Promise<unknown> };
  const conn = await client.acquireConnection();
  try {
    await conn.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      return await run();
    } finally {
      await conn.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await client.releaseConnection(conn);
  }
}

/** Brings the schema up to date; returns the names of the migrations it ran. */
export async function migrateLatest(db: Db): Promise<string[]> {
  return oneMigratorAtATime(db, async () => {
    const [, ran] = (await db.migrate.latest(migrationOptions)) as [number, string[]];
    return ran;
  });
}

export async function migrateRollbackAll(db: Db): Promise<void> {
  await db.migrate.rollback(migrationOptions, true);
}
