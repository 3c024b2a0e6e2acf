/**
 * Mocha root hooks for mutation testing (stryker.config.mjs), standing in for what
 * test/run.ts does around `npm test`: before the run, a migrated template SQLite database
 * announced through PORTICO_TEST_SQLITE_TEMPLATE; after it, the template and its copies
 * dropped and the variables removed. Stryker runs mocha once per mutant in the same
 * worker, so each run gets its own template (migrating one takes a few tens of ms).
 *
 * fast-check gets a fixed seed, so every run, and so every mutant, meets the same random
 * worlds: a mutant is killed or survives for good, never by luck.
 */
import fc from 'fast-check';
import { createTemplate, dropRunDatabases } from './databases';

fc.configureGlobal({ seed: Number(process.env.PORTICO_FC_SEED ?? 20240601) });

let env: Record<string, string> | null = null;

export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    env = await createTemplate(null);
    Object.assign(process.env, env);
  },
  async afterAll(): Promise<void> {
    if (!env) return;
    const created = env;
    env = null;
    for (const key of Object.keys(created)) delete process.env[key];
    await dropRunDatabases(created);
  },
};
