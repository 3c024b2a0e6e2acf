import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import supertest from 'supertest';
import { createTestApp, csrfFrom, type TestApp } from '../helpers/app';
import { buildRequester, buildStaff, PASSWORD } from '../helpers/factories';
import { changeSettings } from '../../server/commands/changeSettings';
import { insertDashboard } from '../../server/repositories/dashboards';

describe('mounted under BASE_PATH', () => {
  let t: TestApp;
  let host: express.Express;
  before(async () => {
    t = await createTestApp({ BASE_PATH: '/support' });
    host = express();
    host.get('/', (_req, res) => res.send('host application'));
    host.use('/support', t.app);
  });
  after(() => t.close());

  it('prefixes redirects, links and the cookie path with the mount point', async () => {
    const root = await supertest(host).get('/support/').expect(302);
    expect(root.headers.location).to.equal('/support/portal');
    const anon = await supertest(host).get('/support/portal').expect(302);
    expect(anon.headers.location).to.equal('/support/portal/login?next=%2Fportal');
    const person = await buildRequester(t.db);
    const agent = supertest.agent(host);
    const page = await agent.get('/support/portal/login').expect(200);
    expect(page.text).to.contain('action="/support/portal/login"');
    expect(page.text).to.contain('href="/support/static/css/portico.css"');
    const res = await agent.post('/support/portal/login').type('form').send({ email: person.email, password: PASSWORD, next: '/portal', _csrf: csrfFrom(page.text) });
    expect(res.status).to.equal(303);
    expect(res.headers.location).to.equal('/support/portal');
    expect(String(res.headers['set-cookie'])).to.contain('Path=/support');
    await agent.get('/support/portal').expect(200);
    await supertest(host).get('/').expect(200, 'host application');
  });

  it('a public share link is written and served under the mount point, its page linking there too', async () => {
    const staff = await buildStaff(t.db, 'administrator');
    await changeSettings(t.db, staff.id, { 'share_links.enabled': true });
    const board = await insertDashboard(t.db, 'Mounted board', staff.id);
    const agent = supertest.agent(host);
    const login = await agent.get('/support/desk/login').expect(200);
    await agent.post('/support/desk/login').type('form').send({ email: staff.email, password: PASSWORD, _csrf: csrfFrom(login.text) }).expect(303);
    const page = await agent.get(`/support/desk/dashboards/${board}/permissions`).expect(200);
    const made = await agent.post(`/support/desk/dashboards/${board}/share-links`).type('form').send({ label: 'Mounted', _csrf: csrfFrom(page.text) }).expect(201);
    const link = /id="new-share-link"[^>]*value="([^"]+)"/.exec(made.text)![1]!;
    expect(link).to.match(/^http:\/\/127\.0\.0\.1:\d+\/support\/share\/dashboard\?key=psl_/);
    const shared = await supertest(host).get(new URL(link).pathname + new URL(link).search).expect(200);
    expect(shared.text).to.contain('href="/support/static/css/portico.css"').and.contain('Mounted board');
    await changeSettings(t.db, staff.id, { 'share_links.enabled': false });
  });

  it('a case variant of the mount point (outside the cookie path, so without a session) is a 404, not a 500', async () => {
    for (const path of ['/SUPPORT/portal/login', '/Support/desk', '/SUPPORT/portal', '/sUpPoRt/']) {
      const res = await supertest(host).get(path);
      expect(res.status, path).to.equal(404);
    }
    // An asterisk-form request line ("GET * HTTP/1.1") has no session path either.
    const server = http.createServer(t.app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '*', method: 'GET' }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      expect(status).to.equal(404);
    } finally {
      server.close();
    }
    expect(t.logs.join('\n')).not.to.match(/"level":50/);
  });
});
