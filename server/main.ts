import http from 'node:http';
import express from 'express';
import { ConfigError, loadConfig, type Config } from './config';
import { createApp, type AppDeps } from './app';
import { bootstrap } from './bootstrap';

export interface Running {
  server: http.Server;
  url: string;
  stop(): Promise<void>;
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
  const url = `http://${config.HOST}:${port}${config.BASE_PATH}/`;
  deps.log.info({ url }, 'Portico listening');

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

if (require.main === module) {
  try {
    const config = loadConfig();
    start(config).then(stopOnSignals, (err: unknown) => {
      console.error('Portico failed to start:', err instanceof Error ? err.message : err);
      process.exit(1);
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}
