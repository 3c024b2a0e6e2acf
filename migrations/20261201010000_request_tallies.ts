import type { Knex } from 'knex';

/**
 * Running counts of requests, kept in the same transaction as every change to a request
 * (server/repositories/requestTallies.ts), so that a dashboard's "by status", "by type" and
 * "created per week" widgets add up a few dozen rows instead of reading every request of a
 * project (10 ms at 12,500 requests a project, growing with it).
 *
 * `company_key` is the request's company id, -1 for requests of no company, and 0 for the
 * roll-up of every company of the project. Filled here from the requests already present.
 */
const BATCH = 5_000;

function dayOf(value: unknown): string {
  const d = value instanceof Date ? value : new Date(String(value));
  return d.toISOString().slice(0, 10);
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('request_tallies', (t) => {
    t.integer('project_id').unsigned().notNullable().references('id').inTable('projects').onDelete('CASCADE');
    t.integer('company_key').notNullable();
    t.string('status', 20).notNullable();
    t.string('type', 20).notNullable();
    t.integer('n').notNullable().defaultTo(0);
    t.primary(['project_id', 'company_key', 'status', 'type']);
  });
  await knex.schema.createTable('request_day_tallies', (t) => {
    t.integer('project_id').unsigned().notNullable().references('id').inTable('projects').onDelete('CASCADE');
    t.integer('company_key').notNullable();
    t.string('day', 10).notNullable();
    t.integer('n').notNullable().defaultTo(0);
    t.primary(['project_id', 'company_key', 'day']);
  });

  // Counted here rather than with the repository so that this migration means the same forever.
  const counts = new Map<string, number>();
  const days = new Map<string, number>();
  const add = (m: Map<string, number>, key: string) => m.set(key, (m.get(key) ?? 0) + 1);
  let after = 0;
  let counted = 0;
  for (;;) {
    const rows: { id: number; project_id: number; company_id: number | null; status: string; type: string; created_at: unknown }[] = await knex('requests')
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH)
      .select('id', 'project_id', 'company_id', 'status', 'type', 'created_at');
    if (!rows.length) break;
    for (const r of rows) {
      const day = dayOf(r.created_at);
      for (const company of [r.company_id ?? -1, 0]) {
        add(counts, JSON.stringify([Number(r.project_id), Number(company), r.status, r.type]));
        add(days, JSON.stringify([Number(r.project_id), Number(company), day]));
      }
    }
    after = Number(rows[rows.length - 1]!.id);
    counted += rows.length;
    // A large desk takes a while here (about 3 s per 100,000 requests): say how far it is.
    if (counted >= 50_000 && counted % 50_000 < BATCH) process.stderr.write(`request_tallies: ${counted.toLocaleString('en')} requests counted\n`);
  }
  const tallyRows = [...counts].map(([k, n]) => {
    const [project_id, company_key, status, type] = JSON.parse(k) as [number, number, string, string];
    return { project_id, company_key, status, type, n };
  });
  const dayRows = [...days].map(([k, n]) => {
    const [project_id, company_key, day] = JSON.parse(k) as [number, number, string];
    return { project_id, company_key, day, n };
  });
  for (let i = 0; i < tallyRows.length; i += 500) await knex('request_tallies').insert(tallyRows.slice(i, i + 500));
  for (let i = 0; i < dayRows.length; i += 500) await knex('request_day_tallies').insert(dayRows.slice(i, i + 500));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('request_day_tallies');
  await knex.schema.dropTable('request_tallies');
}
