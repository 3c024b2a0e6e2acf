/**
 * Several instances over one database (issue 7): real Portico processes started as
 * `npm start` would (server/main.ts), sharing this file's test database. Sessions, settings
 * and sign-in counters live in the database, so any instance serves any request.
 *
 * On PostgreSQL this is the scale-out setup (instances may run on several machines); on
 * SQLite it is several processes on one machine over one file (WAL), which the same
 * assertions hold for. Both are asserted, each on its own engine.
 */
import http from 'node:http';
import { expect } from 'chai';
import { createTestDatabase, testEngine, type TestDatabase } from '../helpers/databases';
import { TEST_SCRYPT_COST } from '../helpers/app';
import { buildCompany, buildRequester, buildStaff, PASSWORD } from '../helpers/factories';
import { startChild, type Child } from '../bench/processes';
import { signIn } from '../bench/signIn';
import type { PrincipalRow } from '../../server/repositories/principals';
import { listeningUrl, restartDelay, RESTART_WINDOW_MS } from '../../server/main';

/** One GET on a connection of its own, so a cluster's primary hands each to the next worker. */
function getOnNewConnection(url: string, cookie: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers: { cookie } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

function csrfOf(html: string): string {
  const token = [...html.matchAll(/name="_csrf" value="([^"]+)"/g)].pop()?.[1];
  if (!token) throw new Error('no CSRF token in page');
  return token;
}

async function turnOnPortalDashboards(baseUrl: string, adminCookie: string): Promise<number> {
  const page = await fetch(`${baseUrl}/admin/settings`, { headers: { cookie: adminCookie } });
  const res = await fetch(`${baseUrl}/admin/settings`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: adminCookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ 'portal.dashboards': 'true', _csrf: csrfOf(await page.text()) }).toString(),
  });
  return res.status;
}

interface LogLine {
  pid: number;
  msg?: string;
  event?: string;
  req?: { method: string; url: string };
  res?: { statusCode: number };
}

function parsed(lines: string[]): LogLine[] {
  return lines.flatMap((l) => {
    try {
      return [JSON.parse(l) as LogLine];
    } catch {
      return [];
    }
  });
}

/** Waits until the log has `n` lines matching, since a worker may log just after answering. */
async function logged(lines: string[], match: (l: LogLine) => boolean, n: number): Promise<LogLine[]> {
  for (let i = 0; i < 50; i += 1) {
    const found = parsed(lines).filter(match);
    if (found.length >= n) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  return parsed(lines).filter(match);
}

describe(`several Portico instances on one ${testEngine() === 'pg' ? 'PostgreSQL database' : 'SQLite file'}`, function () {
  this.timeout(180_000);
  let tdb: TestDatabase;
  let requester: PrincipalRow;
  let admin: PrincipalRow;
  const children: Child[] = [];
  const env = () => ({
    NODE_ENV: 'test',
    DATABASE_URL: tdb.url,
    SESSION_SECRET: 'cluster-test-secret-cluster-test-secret-0123',
    SCRYPT_COST: String(TEST_SCRYPT_COST),
    LOGIN_RATE_LIMIT: '1000',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
  });

  beforeEach(async () => {
    tdb = await createTestDatabase();
    requester = await buildRequester(tdb.db, { company: await buildCompany(tdb.db) });
    admin = await buildStaff(tdb.db, 'administrator');
  });
  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => c.stop()));
    await tdb.drop();
  });

  it('two separate processes: signed in through A, served by B; signed out through B, refused by A; a toggle set through A is seen by B on its next request', async () => {
    const a = await startChild('server/main.ts', env());
    children.push(a);
    const b = await startChild('server/main.ts', env());
    children.push(b);
    expect(a.servingPids[0]).not.to.equal(b.servingPids[0]);
    expect(a.url).not.to.equal(b.url);

    const cookie = await signIn(a.url, 'portal', requester.email, PASSWORD);
    expect((await getOnNewConnection(`${b.url}/portal`, '')).status, 'B without the cookie').to.equal(302);
    const home = await getOnNewConnection(`${b.url}/portal`, cookie);
    expect(home.status).to.equal(200);
    expect(home.body).to.contain(`data-testid="viewer-name">${requester.name}<`);

    // The Dashboard Hub follows portal.dashboards (off by default): 404 on B until A turns it on.
    expect((await getOnNewConnection(`${b.url}/portal/dashboards`, cookie)).status).to.equal(404);
    const adminCookie = await signIn(a.url, 'desk', admin.email, PASSWORD);
    expect(await turnOnPortalDashboards(a.url, adminCookie)).to.equal(303);
    expect((await getOnNewConnection(`${b.url}/portal/dashboards`, cookie)).status).to.equal(200);

    const page = await fetch(`${b.url}/portal`, { headers: { cookie } });
    const out = await fetch(`${b.url}/portal/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrfOf(await page.text()) }).toString(),
    });
    expect(out.status).to.equal(303);
    expect((await getOnNewConnection(`${a.url}/portal`, cookie)).status, 'A after sign-out through B').to.equal(302);
  });

  it('WEB_CONCURRENCY=2: two workers share one port, and the request logs show each serving the sessions and the settings written through the other', async () => {
    const lines: string[] = [];
    const cluster = await startChild('server/main.ts', { ...env(), WEB_CONCURRENCY: '2', LOG_LEVEL: 'info' }, { stdoutLines: lines });
    children.push(cluster);
    const workers = cluster.servingPids;
    expect(workers).to.have.length(2);
    expect(new Set(workers).size).to.equal(2);
    const served = async (path: string, cookie: string, status: number) => {
      for (let i = 0; i < 6; i += 1) expect((await getOnNewConnection(`${cluster.url}${path}`, cookie)).status, `${path} #${i + 1}`).to.equal(status);
      const done = await logged(lines, (l) => l.req?.url === path && l.res?.statusCode === status, 6);
      return new Set(done.map((l) => l.pid));
    };

    const cookie = await signIn(cluster.url, 'portal', requester.email, PASSWORD);
    const [login] = await logged(lines, (l) => l.event === 'login', 1);
    expect(workers).to.include(login?.pid);
    const homeServers = await served('/portal', cookie, 200);
    expect([...homeServers], 'workers that served the signed-in home page').to.have.members(workers);

    expect([...(await served('/portal/dashboards', cookie, 404))]).to.have.members(workers);
    const adminCookie = await signIn(cluster.url, 'desk', admin.email, PASSWORD);
    expect(await turnOnPortalDashboards(cluster.url, adminCookie)).to.equal(303);
    const [toggle] = await logged(lines, (l) => l.req?.method === 'POST' && l.req.url === '/admin/settings' && l.res?.statusCode === 303, 1);
    expect(workers).to.include(toggle?.pid);
    expect([...(await served('/portal/dashboards', cookie, 200))], 'workers that saw the toggle').to.have.members(workers);
  });
});

describe('replacing workers that die', () => {
  it('at once the first time, then after 1, 2, 4 s; at the fifth death within a minute the primary gives up', () => {
    const t0 = 1_000_000;
    expect(restartDelay([t0], t0)).to.equal(0);
    expect(restartDelay([t0, t0 + 100], t0 + 100)).to.equal(1000);
    expect(restartDelay([t0, t0 + 100, t0 + 200], t0 + 200)).to.equal(2000);
    expect(restartDelay([t0, t0 + 100, t0 + 200, t0 + 300], t0 + 300)).to.equal(4000);
    expect(restartDelay([t0, t0 + 100, t0 + 200, t0 + 300, t0 + 400], t0 + 400)).to.equal(null);
    // Deaths older than the window no longer count: a worker that dies once a day is just replaced.
    const day = 86_400_000;
    expect(restartDelay([t0, t0 + day, t0 + 2 * day, t0 + 3 * day, t0 + 4 * day, t0 + 5 * day], t0 + 5 * day)).to.equal(0);
    expect(restartDelay([t0, t0 + RESTART_WINDOW_MS], t0 + RESTART_WINDOW_MS)).to.equal(0);
  });
});

describe('the address printed at start', () => {
  it('puts an IPv6 host in brackets and keeps the mount point', () => {
    expect(listeningUrl({ HOST: '::1', BASE_PATH: '' }, 3000)).to.equal('http://[::1]:3000/');
    expect(listeningUrl({ HOST: '127.0.0.1', BASE_PATH: '/support' }, 8080)).to.equal('http://127.0.0.1:8080/support/');
    expect(listeningUrl({ HOST: 'desk.example.test', BASE_PATH: '' }, 80)).to.equal('http://desk.example.test:80/');
  });
});
