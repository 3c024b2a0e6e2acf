import path from 'node:path';
import type { Db } from './db';

export const MIGRATIONS_DIR = path.resolve(__dirname, '..', 'migrations');

const options = { directory: MIGRATIONS_DIR, loadExtensions: ['.ts'], extension: 'ts' };

/** Brings the schema up to date; returns the names of the migrations it ran. */
export async function migrateLatest(db: Db): Promise<string[]> {
  const [, ran] = (await db.migrate.latest(options)) as [number, string[]];
  return ran;
}

export async function migrateRollbackAll(db: Db): Promise<void> {
  await db.migrate.rollback(options, true);
}
