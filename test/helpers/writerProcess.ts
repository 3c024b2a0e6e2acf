/**
 * A separate process for the database tests: runs N read-then-write transactions against
 * DATABASE_URL at once, as one Portico instance would, then exits (code 0 when all succeeded).
 *   node --import tsx test/helpers/writerProcess.ts <label> <n>
 */
import { createDb, nowIso } from '../../server/db';

async function main(): Promise<void> {
  const [label = 'w', n = '10'] = process.argv.slice(2);
  const db = createDb(process.env.DATABASE_URL ?? '');
  try {
    await Promise.all(
      Array.from({ length: Number(n) }, (_, i) =>
        db.transaction(async (trx) => {
          const row = await trx('companies').count({ n: '*' }).first();
          await new Promise((resolve) => setTimeout(resolve, 2)); // hold the write lock across a turn of the event loop
          await trx('companies').insert({ name: `${label}-${i}-${Number(row?.n ?? 0)}-${Math.random()}`, created_at: nowIso() });
        }),
      ),
    );
  } finally {
    await db.destroy();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
