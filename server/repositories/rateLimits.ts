import type { Store, ClientRateLimitInfo, Options } from 'express-rate-limit';
import type { Db } from '../db';
import { toDate } from '../db';

/**
 * express-rate-limit counters kept in the database, so every instance behind one
 * PostgreSQL counts the same attempts. One upsert per hit; the window restarts when it ends.
 */
export class DbRateLimitStore implements Store {
  private windowMs = 60_000;
  readonly localKeys = false;

  constructor(
    private readonly db: Db,
    readonly prefix: string,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  private key(key: string): string {
    return `${this.prefix}:${key}`.slice(0, 300);
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const now = new Date();
    const nowIso = now.toISOString();
    const resetIso = new Date(now.getTime() + this.windowMs).toISOString();
    const result = await this.db.raw(
      `INSERT INTO rate_limits (key, hits, reset_at) VALUES (?, 1, ?)
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN rate_limits.reset_at <= ? THEN 1 ELSE rate_limits.hits + 1 END,
         reset_at = CASE WHEN rate_limits.reset_at <= ? THEN excluded.reset_at ELSE rate_limits.reset_at END
       RETURNING hits, reset_at`,
      [this.key(key), resetIso, nowIso, nowIso],
    );
    const rows: { hits: number | string; reset_at: unknown }[] = Array.isArray(result) ? result : result.rows;
    const row = rows[0];
    if (!row) throw new Error('rate limit counter was not written');
    return { totalHits: Number(row.hits), resetTime: toDate(row.reset_at) };
  }

  async decrement(key: string): Promise<void> {
    await this.db('rate_limits').where({ key: this.key(key) }).andWhere('hits', '>', 0).decrement('hits', 1);
  }

  async resetKey(key: string): Promise<void> {
    await this.db('rate_limits').where({ key: this.key(key) }).del();
  }

  async resetAll(): Promise<void> {
    await this.db('rate_limits').where('key', 'like', `${this.prefix}:%`).del();
  }
}
