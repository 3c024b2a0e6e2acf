import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import type { Db } from './db';

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

/** Brings the schema up to date; returns the names of the migrations it ran. */
export async function migrateLatest(db: Db): Promise<string[]> {
  const [, ran] = (await db.migrate.latest(migrationOptions)) as [number, string[]];
  return ran;
}

export async function migrateRollbackAll(db: Db): Promise<void> {
  await db.migrate.rollback(migrationOptions, true);
}
