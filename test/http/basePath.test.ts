import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import supertest from 'supertest';
import { createTestApp, csrfFrom, type TestApp } from '../helpers/app';
import { buildRequester, PASSWORD } from '../helpers/factories';

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
