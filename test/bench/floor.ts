/**
 * The benchmark's floor: the stack alone (express 5 + ejs, production view cache), no session,
 * no database, no middleware: nothing Portico does per request is here, so what a Portico
 * route reaches as a fraction of this is what its own work costs.
 *
 * `GET /floor` renders Portico's portal home template, layout included, with 25 rows from
 * memory. `GET /floor/<n>` sends the n-th page of the file named by FLOOR_PAGES (pages.ts):
 * a route's own template and view model as captured from Portico, or its JSON body, so each
 * route is also compared with the cost of sending exactly its page.
 *
 * Run as a child process by bench.ts, compiled like Portico itself (`node dist/test/bench/floor.js`): it listens on
 * PORT and reports its address over the IPC channel.
 */
import fs from 'node:fs';
import express from 'express';
import { useEjs } from '../../server/views';
import { decodeLocals, type FloorPage } from './viewModel';

export const FLOOR_ROWS = 25;

function rows(n: number) {
  const now = Date.now();
  return Array.from({ length: n }, (_, i) => ({
    id: 100_000 - i,
    title: `Invoice export fails with an error ${i + 1}`,
    type: ['issue', 'question', 'idea'][i % 3]!,
    status: ['new', 'open', 'in_progress', 'resolved'][i % 4]!,
    visibility: 'private',
    voteCount: (i * 7) % 40,
    projectName: 'Support',
    lastActivityAt: new Date(now - i * 3_600_000),
  }));
}

export function floorApp(pages: FloorPage[] = []): express.Express {
  const app = express();
  useEjs(app, true);
  app.disable('x-powered-by');
  const items = rows(FLOOR_ROWS);
  const helpers = {
    url: (p: string) => p,
    csrfToken: () => 'floor-csrf-token-floor-csrf-token-0123456789',
    current: () => '',
  };
  const locals = {
    ...helpers,
    viewer: { name: 'Alex Smith', realm: 'portal', canDesk: false, canAdmin: false, canPortal: true, dashboardHub: true, draftOwner: '1' },
    basePath: '',
  };
  app.get('/floor', (_req, res) => {
    res.set('Cache-Control', 'no-store');
    res.render('portal/home', { ...locals, title: 'My requests', q: '', show: 'all', status: 'any', params: {}, filtered: false, withCompany: true, result: { items, total: 4_000, page: 1, pageSize: FLOOR_ROWS } });
  });
  const served = pages.map((p) => (p.view !== undefined ? { view: p.view, locals: { ...decodeLocals(p.locals), ...helpers } } : { json: p.json }));
  app.get('/floor/:n', (req, res) => {
    const page = served[Number(req.params.n)];
    if (!page) return void res.status(404).send('no such page');
    res.set('Cache-Control', 'no-store');
    if (page.view !== undefined) res.render(page.view, page.locals);
    else res.json(page.json);
  });
  return app;
}

if (require.main === module) {
  const host = process.env.HOST ?? '127.0.0.1';
  const pages = process.env.FLOOR_PAGES ? (JSON.parse(fs.readFileSync(process.env.FLOOR_PAGES, 'utf8')) as FloorPage[]) : [];
  const server = floorApp(pages).listen(Number(process.env.PORT ?? 0), host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    process.send?.({ portico: 'listening', url: `http://${host}:${port}/`, workers: [process.pid] });
  });
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}
