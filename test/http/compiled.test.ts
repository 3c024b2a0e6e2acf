/**
 * `npm start` runs the compiled server (dist/, `npm run build`), not tsx. It must find the
 * views, static files and Chart.js from dist/, and agree with tsx about which migrations
 * have run: the migrations are recorded under their source names either way.
 */
import { expect } from 'chai';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, testEngine, type TestDatabase } from '../helpers/databases';
import { freePort, ROOT, startChild, type Child } from '../bench/processes';
import { createDb } from '../../server/db';

const run = promisify(execFile);

async function startCompiled(databaseUrl: string): Promise<Child> {
  const port = await freePort();
  return startChild('dist/server/main.js', { DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'silent', NODE_ENV: 'development', SCRYPT_COST: '1024' });
}

describe('the compiled server (npm start)', function () {
  this.timeout(180_000);
  let tdb: TestDatabase;
  before(async () => {
    await run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT });
    tdb = await createTestDatabase();
  });
  after(() => tdb.drop());

  it('starts on a database migrated through tsx without re-running or missing a migration, and serves pages, static files and Chart.js', async () => {
    const before: { name: string }[] = await tdb.db('knex_migrations').orderBy('id').select('name');
    const server = await startCompiled(tdb.url);
    try {
      const login = await fetch(`${server.url}/portal/login`);
      expect(login.status).to.equal(200);
      expect(await login.text()).to.contain('name="_csrf"');
      for (const asset of ['/static/vendor/chart.umd.min.js', '/static/js/charts.js', '/healthz']) {
        const res = await fetch(server.url + asset);
        expect(res.status, asset).to.equal(200);
      }
    } finally {
      await server.stop();
    }
    expect(await tdb.db('knex_migrations').orderBy('id').select('name')).to.deep.equal(before);
  });

  it('migrates an empty database under the same names tsx records', async function () {
    if (testEngine() !== 'sqlite') this.skip();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-compiled-'));
    const url = `sqlite:${path.join(dir, 'fresh.sqlite')}`;
    try {
      const server = await startCompiled(url);
      await server.stop();
      const db = createDb(url);
      try {
        const names: string[] = await db('knex_migrations').orderBy('id').pluck('name');
        const sources = fs.readdirSync(path.join(ROOT, 'migrations')).filter((n) => n.endsWith('.ts')).sort();
        expect(names).to.deep.equal(sources);
      } finally {
        await db.destroy();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('`npm start` itself builds, starts with the configured V8 flags and malloc arenas, and serves', async () => {
    const port = await freePort();
    const npm = spawn('npm', ['start'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: tdb.url, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'silent', NODE_ENV: 'development', MALLOC_ARENA_MAX: '' },
      stdio: 'ignore',
      detached: true,
    });
    try {
      let status = 0;
      for (let i = 0; i < 120 && status !== 200; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        status = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status, () => 0);
      }
      expect(status).to.equal(200);
      // The server is the `node … dist/server/main.js` process below npm.
      const server = fs
        .readdirSync('/proc')
        .filter((d) => /^\d+$/.test(d))
        .map((d) => ({ pid: d, args: fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0') }))
        .find((p) => p.args.includes('dist/server/main.js') && fs.readFileSync(`/proc/${p.pid}/environ`, 'utf8').includes(`PORT=${port}\0`));
      expect(server, 'the node process of npm start').not.to.equal(undefined);
      expect(server!.args).to.include('--max-semi-space-size=4').and.include('--max-old-space-size=192');
      expect(fs.readFileSync(`/proc/${server!.pid}/environ`, 'utf8').split('\0')).to.include('MALLOC_ARENA_MAX=1');
    } finally {
      if (npm.pid) process.kill(-npm.pid, 'SIGTERM');
    }
  });
});
