import readline from 'node:readline/promises';
import { loadConfig } from '../config';
import { createDb } from '../db';
import { migrateLatest, migrateRollbackAll } from '../migrate';
import { runCli } from './run';

/** The database as an operator knows it: no password, no query parameters (which may hold one). */
function described(url: string): string {
  if (url.startsWith('sqlite:')) return url;
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.username ? `${u.username}@` : ''}${u.host}${u.pathname}`;
  } catch {
    return 'the configured database';
  }
}

/**
 * Undoing every migration drops every table with all its data: it goes ahead only on `--yes`,
 * or when someone at a terminal types "yes" to the question naming the database.
 */
async function confirmedRollback(url: string): Promise<boolean> {
  if (process.argv.includes('--yes')) return true;
  const question = `--rollback-all drops every Portico table and all its data in ${described(url)}.`;
  if (!process.stdin.isTTY) {
    console.error(`${question}\nAdd --yes to go ahead.`);
    return false;
  }
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await rl.question(`${question} Type yes to go ahead: `)).trim().toLowerCase() === 'yes';
  } finally {
    rl.close();
  }
}

runCli(async () => {
  const config = loadConfig();
  if (process.argv.includes('--rollback-all')) {
    if (!(await confirmedRollback(config.DATABASE_URL))) {
      console.error('Nothing was changed.');
      process.exitCode = 1;
      return;
    }
    const db = createDb(config.DATABASE_URL);
    try {
      await migrateRollbackAll(db);
      console.log('All migrations rolled back.');
    } finally {
      await db.destroy();
    }
    return;
  }
  const db = createDb(config.DATABASE_URL);
  try {
    const ran = await migrateLatest(db);
    console.log(ran.length ? `Ran ${ran.length} migration(s):\n  ${ran.join('\n  ')}` : 'Database already up to date.');
  } finally {
    await db.destroy();
  }
});
