import { loadConfig } from '../config';
import { createDb } from '../db';
import { migrateLatest, migrateRollbackAll } from '../migrate';
import { runCli } from './run';

runCli(async () => {
  const config = loadConfig();
  const db = createDb(config.DATABASE_URL);
  try {
    if (process.argv.includes('--rollback-all')) {
      await migrateRollbackAll(db);
      console.log('All migrations rolled back.');
      return;
    }
    const ran = await migrateLatest(db);
    console.log(ran.length ? `Ran ${ran.length} migration(s):\n  ${ran.join('\n  ')}` : 'Database already up to date.');
  } finally {
    await db.destroy();
  }
});
