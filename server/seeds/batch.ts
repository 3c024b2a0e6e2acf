/** Helpers for writing benchmark-sized data quickly: batched INSERTs, a PRNG, a progress bar. */
import { SingleBar } from 'cli-progress';
import type { Knex } from 'knex';

export interface SeedProgress {
  phase: string;
  done: number;
  total: number;
}

export type Row = Knex.Value[];

/** mulberry32: small, fast and reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Collects rows and writes them as multi-row INSERTs, as large as the engine's bind limit allows. */
export class BatchWriter {
  private values: Knex.Value[] = [];
  private pending = 0;
  private readonly perBatch: number;
  private readonly fullSql: string;
  written = 0;

  constructor(
    private readonly trx: Knex.Transaction,
    private readonly table: string,
    private readonly columns: readonly string[],
    maxBindings: number,
    private readonly onRows: (n: number) => void,
  ) {
    this.perBatch = Math.max(1, Math.floor(maxBindings / columns.length));
    this.fullSql = this.sql(this.perBatch);
  }

  private sql(rows: number): string {
    const tuple = `(${this.columns.map(() => '?').join(',')})`;
    return `INSERT INTO "${this.table}" (${this.columns.map((c) => `"${c}"`).join(',')}) VALUES ${Array(rows).fill(tuple).join(',')}`;
  }

  async push(row: Row): Promise<void> {
    for (const v of row) this.values.push(v);
    this.pending += 1;
    if (this.pending >= this.perBatch) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending === 0) return;
    const sql = this.pending === this.perBatch ? this.fullSql : this.sql(this.pending);
    try {
      await this.trx.raw(sql, this.values);
    } catch (err) {
      // knex puts the whole statement in the message: keep only the engine's reason.
      const reason = err instanceof Error ? err.message.slice(err.message.lastIndexOf(' - ') + 3) : String(err);
      throw new Error(`writing ${this.table} failed: ${reason}`, { cause: err });
    }
    this.written += this.pending;
    this.onRows(this.pending);
    this.values = [];
    this.pending = 0;
  }
}

/** A progress bar on stderr (a line every two seconds when stderr is not a terminal). */
export function progressBar(): { onProgress: (p: SeedProgress) => void; stop: () => void } {
  const bar = new SingleBar({
    format: 'seeding [{bar}] {percentage}% | {value}/{total} rows | {phase} | {duration_formatted}',
    barsize: 30,
    hideCursor: true,
    noTTYOutput: true,
    notTTYSchedule: 2000,
  });
  let started = false;
  return {
    onProgress(p) {
      if (!started) {
        bar.start(p.total, 0, { phase: p.phase });
        started = true;
      }
      bar.setTotal(Math.max(p.total, p.done));
      bar.update(p.done, { phase: p.phase });
    },
    stop: () => bar.stop(),
  };
}
