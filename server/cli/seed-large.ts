/**
 * npm run seed:large [-- --requests 100000 --requesters 10000 ... --force --seed 7]
 * Migrates the database of DATABASE_URL, then writes benchmark-sized data into it.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { createDb } from '../db';
import { migrateLatest } from '../migrate';
import { LARGE_DEFAULTS, progressBar, seedLarge, type LargeSizes } from '../seeds/large';
import { runCli } from './run';

const SIZE_FLAGS: Record<string, keyof LargeSizes> = {
  requests: 'requests',
  requesters: 'requesters',
  companies: 'companies',
  dashboards: 'dashboards',
  grants: 'grants',
  votes: 'votes',
  comments: 'comments',
  'work-items': 'workItems',
  staff: 'staff',
  projects: 'projects',
  'entity-grants': 'entityGrants',
};

const USAGE = `usage: npm run seed:large -- [--force] [--seed N] ${Object.keys(SIZE_FLAGS).map((f) => `[--${f} N]`).join(' ')}`;

function parseCount(flag: string, raw: string): number {
  if (!/^\d[\d_]*$/.test(raw)) throw new Error(`--${flag} needs a whole number, not "${raw}"\n${USAGE}`);
  return Number(raw.replace(/_/g, ''));
}

runCli(async () => {
  const { values } = parseArgs({
    options: {
      ...Object.fromEntries(Object.keys(SIZE_FLAGS).map((f) => [f, { type: 'string' as const }])),
      force: { type: 'boolean', default: false },
      seed: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(`${USAGE}\ndefaults: ${JSON.stringify(LARGE_DEFAULTS)}`);
    return;
  }
  const sizes: LargeSizes = { ...LARGE_DEFAULTS };
  for (const [flag, key] of Object.entries(SIZE_FLAGS)) {
    const raw = (values as Record<string, unknown>)[flag];
    if (typeof raw === 'string') sizes[key] = parseCount(flag, raw);
  }
  const config = loadConfig();
  const db = createDb(config.DATABASE_URL);
  const started = Date.now();
  const bar = progressBar();
  try {
    await migrateLatest(db);
    const summary = await seedLarge(db, {
      sizes,
      scryptCost: config.SCRYPT_COST,
      force: values.force === true,
      seed: typeof values.seed === 'string' ? parseCount('seed', values.seed) : undefined,
      onProgress: bar.onProgress,
    });
    bar.stop();
    const seconds = (Date.now() - started) / 1000;
    const total = Object.values(summary.rows).reduce((a, b) => a + b, 0);
    console.log(`\nSeeded ${total.toLocaleString('en')} rows in ${seconds.toFixed(1)} s:`);
    for (const [table, n] of Object.entries(summary.rows)) console.log(`  ${table.padEnd(20)} ${n.toLocaleString('en').padStart(9)}`);
    console.log(`\nEvery seeded person has the password: ${summary.password}`);
    for (const [kind, email] of Object.entries(summary.logins)) console.log(`  ${kind.padEnd(13)} ${email}`);
    console.log(`  sample dashboard: ${summary.sampleDashboardId}, sample request: ${summary.sampleRequestId}`);
  } finally {
    bar.stop();
    await db.destroy();
  }
});
