import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knex from 'knex';
import { createDb, type Db } from '../../server/db';
import { migrateLatest } from '../../server/migrate';

/**
 * Test databases. The runner (test/run.ts) migrates one template per run; each test file
 * copies it, so every file starts from an empty, fully migrated database of its own.
 *   SQLite:     PORTICO_TEST_SQLITE_TEMPLATE = path of the migrated template file
 *   PostgreSQL: PORTICO_TEST_PG_ADMIN_URL + PORTICO_TEST_PG_TEMPLATE (a database name)
 */
export function testEngine(): 'sqlite' | 'pg' {
  return process.env.PORTICO_TEST_PG_TEMPLATE ? 'pg' : 'sqlite';
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function createTemplate(adminUrl: string | null): Promise<Record<string, string>> {
  if (adminUrl) {
    const name = `portico_t_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
    const admin = knex({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
    try {
      await admin.raw(`CREATE DATABASE ${name}`);
    } finally {
      await admin.destroy();
    }
    const db = createDb(withDatabase(adminUrl, name));
    try {
      await migrateLatest(db);
    } finally {
      await db.destroy();
    }
    return { PORTICO_TEST_PG_ADMIN_URL: adminUrl, PORTICO_TEST_PG_TEMPLATE: name };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-test-'));
  const file = path.join(dir, 'template.sqlite');
  const db = createDb(`sqlite:${file}`);
  try {
    await migrateLatest(db);
    // Fold the WAL into the main file so a plain copy carries the whole schema.
    await db.raw('PRAGMA wal_checkpoint(TRUNCATE)');
  } finally {
    await db.destroy();
  }
  return { PORTICO_TEST_SQLITE_TEMPLATE: file };
}

/** Drops every database this run created (template and copies). */
export async function dropRunDatabases(env: Record<string, string>): Promise<void> {
  const adminUrl = env.PORTICO_TEST_PG_ADMIN_URL;
  const template = env.PORTICO_TEST_PG_TEMPLATE;
  if (adminUrl && template) {
    const admin = knex({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
    try {
      const rows = await admin('pg_database').where('datname', 'like', `${template}%`).select('datname');
      for (const r of rows as { datname: string }[]) await admin.raw(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`);
    } finally {
      await admin.destroy();
    }
  }
  const file = env.PORTICO_TEST_SQLITE_TEMPLATE;
  if (file) fs.rmSync(path.dirname(file), { recursive: true, force: true });
}

let counter = 0;

export interface TestDatabase {
  url: string;
  db: Db;
  drop(): Promise<void>;
}

/** A copy of the migrated template, or with `empty` a database with no tables at all (for migration tests). */
export async function createTestDatabase(opts: { empty?: boolean } = {}): Promise<TestDatabase> {
  counter += 1;
  const adminUrl = process.env.PORTICO_TEST_PG_ADMIN_URL;
  const template = process.env.PORTICO_TEST_PG_TEMPLATE;
  if (adminUrl && template) {
    const name = `${template}_${counter}`;
    const admin = knex({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
    try {
      await admin.raw(opts.empty ? `CREATE DATABASE ${name}` : `CREATE DATABASE ${name} TEMPLATE ${template}`);
    } finally {
      await admin.destroy();
    }
    const url = withDatabase(adminUrl, name);
    const db = createDb(url);
    return {
      url,
      db,
      async drop() {
        await db.destroy();
        const again = knex({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
        try {
          await again.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        } finally {
          await again.destroy();
        }
      },
    };
  }
  const templateFile = process.env.PORTICO_TEST_SQLITE_TEMPLATE;
  if (!templateFile) throw new Error('run the tests with `npm test` (test/run.ts prepares the databases)');
  const file = path.join(path.dirname(templateFile), `db-${process.pid}-${counter}.sqlite`);
  if (!opts.empty) fs.copyFileSync(templateFile, file);
  const url = `sqlite:${file}`;
  const db = createDb(url);
  return {
    url,
    db,
    async drop() {
      await db.destroy();
      for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
    },
  };
}
