import cluster, { type Worker } from 'node:cluster';
import http from 'node:http';
import { isIP } from 'node:net';
import express from 'express';
import { ConfigError, configWarnings, loadConfig, type Config } from './config';
import { createApp, type AppDeps } from './app';
import { bootstrap } from './bootstrap';
import { createLogger } from './logger';

export interface Running {
  server: http.Server;
  url: string;
  stop(): Promise<void>;
}

/**
 * Resolves once no query has run for a moment. A handler whose client hung up (its socket,
 * and so server.close(), are already done) may still be querying; closing the pool under it
 * would reject its query and crash the process on the way out.
 */
async function databaseIdle(deps: AppDeps, maxMs: number): Promise<void> {
  const pool = deps.db.client.pool as { numUsed?: () => number; numPendingAcquires?: () => number } | undefined;
  if (!pool?.numUsed || !pool.numPendingAcquires) return;
  const deadline = Date.now() + maxMs;
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    if (pool.numUsed() + pool.numPendingAcquires() > 0) quietSince = Date.now();
    else if (Date.now() - quietSince >= 200) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The address Portico prints once it listens (an IPv6 host in brackets: http://[::1]:3000/). */
export function listeningUrl(config: Pick<Config, 'HOST' | 'BASE_PATH'>, port: number): string {
  const host = isIP(config.HOST) === 6 ? `[${config.HOST}]` : config.HOST;
  return `http://${host}:${port}${config.BASE_PATH}/`;
}

/** Starts Portico mounted under BASE_PATH; resolves once it listens. */
export async function start(config: Config, prepared?: AppDeps): Promise<Running> {
  const deps = prepared ?? (await bootstrap(config));
  const outer = express();
  outer.disable('x-powered-by');
  outer.use(config.BASE_PATH || '/', createApp(deps));
  const server = http.createServer(outer);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = listeningUrl(config, port);
  deps.log.info({ url }, 'Portico listening');
  if (!cluster.isWorker) for (const warning of configWarnings(config)) deps.log.warn(warning);

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      deps.log.info('shutting down');
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests still running after 10 s are cut so a stuck client cannot hold the shutdown.
        setTimeout(() => server.closeAllConnections(), 10_000).unref();
      });
      // Mail still being delivered gets 10 s more (the SMTP waits are bounded too); what is
      // not through by then stays in the outbox, unsent, with no error (logged here).
      const drained = await Promise.race([deps.mailer.drain().then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), 10_000).unref())]);
      if (!drained) deps.log.warn('mail still being delivered at shutdown was left unsent in the outbox');
      await databaseIdle(deps, 10_000);
      await deps.db.destroy();
    })();
    return stopping;
  };
  return { server, url, stop };
}

export function stopOnSignals(running: Running): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      running.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}

/** WEB_CONCURRENCY: how many worker processes `npm start` runs; 1 (the default) means no cluster. */
export function webConcurrency(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.WEB_CONCURRENCY?.trim();
  if (!raw) return 1;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 64) throw new ConfigError('Invalid configuration:\n  WEB_CONCURRENCY: must be a whole number from 1 to 64');
  return n;
}

/** Tells a supervising parent (the benchmark, the tests) that Portico listens, when it started us with an IPC channel. */
function announce(message: { url: string; workers: number[] }): void {
  if (cluster.isPrimary && process.send) process.send({ portico: 'listening', ...message });
}

/** Worker deaths within this window count towards giving up. */
export const RESTART_WINDOW_MS = 60_000;
export const RESTARTS_IN_WINDOW = 5;

/**
 * When to replace a worker that died, given the times workers died (this one last): at once
 * the first time, then after 1, 2, 4 … seconds (at most 10) while deaths keep coming within
 * a minute, and never (null: the primary stops, exit 1) at the fifth death in a minute, so a
 * worker that cannot start (a database gone, a disk full) is not re-forked in a tight loop.
 */
export function restartDelay(deaths: readonly number[], now: number): number | null {
  const recent = deaths.filter((t) => now - t < RESTART_WINDOW_MS).length;
  if (recent >= RESTARTS_IN_WINDOW) return null;
  return recent <= 1 ? 0 : Math.min(1000 * 2 ** (recent - 2), 10_000);
}

/**
 * WEB_CONCURRENCY=N > 1: this process becomes a node:cluster primary that forks N workers
 * sharing one port. Workers start one after another, so only one at a time runs the
 * migrations. Any worker can serve any request because sessions, settings and sign-in
 * counters live in the database (with PostgreSQL, instances on several machines can share
 * it the same way). A worker that dies is replaced (restartDelay); SIGTERM/SIGINT stop every
 * worker gracefully, then the primary.
 */
async function runPrimary(config: Config, count: number): Promise<void> {
  const log = createLogger(config.LOG_LEVEL);
  let stopping = false;
  const forkOne = () =>
    new Promise<{ worker: Worker; port: number }>((resolve, reject) => {
      const worker = cluster.fork();
      worker.once('listening', (address) => resolve({ worker, port: address.port }));
      worker.once('exit', (code) => reject(new Error(`a worker stopped with code ${code} before listening`)));
    });
  const stopAll = (code: number) => {
    if (stopping) return;
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    if (workers.length === 0) process.exit(code);
    cluster.on('exit', () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(code);
    });
    for (const w of workers) w.process.kill('SIGTERM');
    setTimeout(() => process.exit(code), 15_000).unref();
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => stopAll(0));

  let port = config.PORT;
  const pids: number[] = [];
  try {
    for (let i = 0; i < count; i += 1) {
      const started = await forkOne();
      port = started.port;
      pids.push(started.worker.process.pid ?? 0);
    }
  } catch (err) {
    console.error('Portico failed to start:', err instanceof Error ? err.message : err);
    return stopAll(1);
  }
  const deaths: number[] = [];
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    deaths.push(Date.now());
    const delay = restartDelay(deaths, Date.now());
    if (delay === null) {
      log.fatal({ workerPid: worker.process.pid, code, signal, deaths: deaths.length }, 'workers keep dying; stopping Portico');
      return stopAll(1);
    }
    log.error({ workerPid: worker.process.pid, code, signal, restartInMs: delay }, 'worker died; starting another');
    setTimeout(() => {
      if (!stopping) cluster.fork();
    }, delay);
  });
  const url = listeningUrl(config, port);
  log.info({ url, workers: count }, 'Portico workers listening');
  for (const warning of configWarnings(config)) log.warn(warning);
  announce({ url, workers: pids });
}

if (require.main === module) {
  try {
    const config = loadConfig();
    const workers = webConcurrency();
    if (cluster.isPrimary && workers > 1) {
      void runPrimary(config, workers);
    } else {
      start(config).then((running) => {
        stopOnSignals(running);
        announce({ url: running.url, workers: [process.pid] });
      }, (err: unknown) => {
        console.error('Portico failed to start:', err instanceof Error ? err.message : err);
        process.exit(1);
      });
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}
