import { expect } from 'chai';
import supertest from 'supertest';
import { createTestApp, csrfOf, signIn, snapshot, type Agent, type TestApp } from '../helpers/app';
import { buildStaff, PASSWORD } from '../helpers/factories';

describe('security defaults', () => {
  let t: TestApp;
  let admin: Agent;

  before(async () => {
    t = await createTestApp();
    const person = await buildStaff(t.db, 'administrator');
    admin = await signIn(t.app, 'desk', person.email, PASSWORD);
  });
  after(() => t.close());

  it('sends a strict CSP and the other protective headers on every page', async () => {
    for (const path of ['/portal/login', '/desk/login', '/no/such/page']) {
      const res = await supertest(t.app).get(path);
      const csp = String(res.headers['content-security-policy']);
      expect(csp, path).to.contain("script-src 'self'");
      expect(csp).to.contain("frame-ancestors 'none'");
      expect(csp).to.contain("object-src 'none'");
      expect(csp).not.to.contain('unsafe-inline');
      expect(csp).not.to.contain('unsafe-eval');
      expect(res.headers['x-content-type-options']).to.equal('nosniff');
      expect(res.headers['referrer-policy']).to.equal('same-origin');
      expect(res.headers['x-powered-by']).to.equal(undefined);
      expect(res.headers['cache-control']).to.equal('no-store');
    }
  });

  it('keeps pages free of inline scripts and inline event handlers', async () => {
    const page = await admin.get('/admin/settings').expect(200);
    expect(page.text).not.to.match(/<script(?![^>]*\bsrc=)[^>]*>/i);
    expect(page.text).not.to.match(/\son[a-z]+=/i);
  });

  it('refuses a state-changing post without a CSRF token, whatever the content type, and writes nothing', async () => {
    const before = await snapshot(t.db);
    await admin.post('/admin/settings').type('form').send({ 'portal.signup': 'false' }).expect(403);
    await admin.post('/admin/settings').type('json').send({ 'portal.signup': 'false' }).expect(403);
    await admin.post('/admin/settings').set('Content-Type', 'text/plain').send('portal.signup=false').expect(403);
    await admin.post('/admin/settings').type('form').send({ 'portal.signup': 'false', _csrf: 'forged-token' }).expect(403);
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('refuses a post from a foreign Origin even with a valid token', async () => {
    const before = await snapshot(t.db);
    const token = await csrfOf(admin, '/admin/settings');
    await admin.post('/admin/settings').set('Origin', 'https://evil.test').type('form').send({ 'portal.signup': 'false', _csrf: token }).expect(403);
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('accepts the token as the x-csrf-token header too', async () => {
    const token = await csrfOf(admin, '/admin/settings');
    await admin.post('/admin/settings').set('x-csrf-token', token).type('form').send({ 'share_links.enabled': 'true' }).expect(303);
    const row = await t.db('settings').where({ key: 'share_links.enabled' }).first();
    expect(row.value).to.equal('true');
  });

  it('answers an unknown page with a 404 page that shows no internals', async () => {
    const res = await supertest(t.app).get('/portal/../../etc/passwd').expect(302);
    expect(res.headers.location).to.match(/^\/portal\/login/);
    const missing = await supertest(t.app).get('/definitely-missing').expect(404);
    expect(missing.text).to.contain('Page not found');
    expect(missing.text).not.to.match(/at .*\.(ts|js):\d+/);
    expect(missing.text).not.to.contain('node_modules');
  });

  it('answers JSON clients with a JSON error', async () => {
    const res = await supertest(t.app).get('/definitely-missing').set('Accept', 'application/json').expect(404);
    expect(res.body).to.deep.equal({ Status: 'NotFound', Message: 'Not found.' });
  });

  it('rejects an oversized form with 413, not a crash', async () => {
    const token = await csrfOf(admin, '/admin/settings');
    const res = await admin.post('/admin/settings').type('form').send({ _csrf: token, big: 'x'.repeat(300_000) });
    expect(res.status).to.equal(413);
  });

  it('reports health as JSON', async () => {
    const res = await supertest(t.app).get('/healthz').expect(200);
    expect(res.body).to.deep.equal({ status: 'ok' });
  });
});

describe('failures inside Portico', () => {
  it('answer 500 with a generic page, no stack trace, and health reports the database down', async () => {
    const t = await createTestApp();
    const person = await buildStaff(t.db, 'user');
    const agent = await signIn(t.app, 'desk', person.email, PASSWORD);
    await t.db.destroy();
    const page = await agent.get('/desk');
    expect(page.status).to.equal(500);
    expect(page.text).to.contain('Something went wrong');
    expect(page.text).not.to.match(/\bat [\w.<>]+ \(/);
    expect(page.text).not.to.match(/\.ts:\d+/);
    const health = await supertest(t.app).get('/healthz');
    expect(health.status).to.equal(503);
    expect(t.logs.join('\n')).to.contain('unhandled error');
    await t.close().catch(() => undefined);
  });
});
