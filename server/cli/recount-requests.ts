/**
 * npm run recount-requests: counts every request again into the dashboards' tallies, in one
 * transaction, with progress. Portico keeps the tallies itself; this is for requests written
 * into the database by something else (an import, a hand-made fix).
 */
import { loadConfig } from '../config';
import { createDb } from '../db';
import { migrateLatest } from '../migrate';
import { rebuildRequestTallies } from '../repositories/requestTallies';
import { runCli } from './run';

runCli(async () => {
  const config = loadConfig();
  const db = createDb(config.DATABASE_URL);
  try {
    await migrateLatest(db);
    const total = Number((await db('requests').count({ n: '*' }).first())?.n ?? 0);
    const started = Date.now();
    let shown = -1;
    await db.transaction((trx) =>
      rebuildRequestTallies(trx, (counted) => {
        const pct = total ? Math.floor((counted / total) * 100) : 100;
        if (pct !== shown && process.stdout.isTTY) process.stdout.write(`\rCounting requests: ${pct}% (${counted.toLocaleString('en')} of ${total.toLocaleString('en')})`);
        shown = pct;
      }),
    );
    if (process.stdout.isTTY) process.stdout.write('\n');
    console.log(`Counted ${total.toLocaleString('en')} requests into the dashboard tallies in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  } finally {
    await db.destroy();
  }
});
