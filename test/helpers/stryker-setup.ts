/**
 * Preloaded (`node --import`) into each test run of the mutation testing
 * (stryker.config.mjs), which otherwise runs the suite exactly as `npm test` does through
 * test/run.ts: fast-check gets a fixed seed, so every run, and so every mutant, meets the
 * same random worlds. A mutant is then killed or survives for good, never by luck.
 * PORTICO_FC_SEED picks another seed.
 */
import fc from 'fast-check';

fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: Number(process.env.PORTICO_FC_SEED ?? 20240601) });
