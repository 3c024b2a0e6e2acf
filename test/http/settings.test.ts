import { expect } from 'chai';
import supertest from 'supertest';
import { createTestApp, csrfOf, signIn, snapshot, statementsDuring, type Agent, type TestApp } from '../helpers/app';
import { buildRequester, buildStaff, PASSWORD } from '../helpers/factories';
import { readSettings } from '../../server/repositories/settings';
import { changeSettings } from '../../server/commands/changeSettings';
import { createAccessToken } from '../../server/repositories/accessTokens';

describe('/admin/settings', () => {
  let t: TestApp;
  let admin: Agent;
  let adminId: number;

  before(async () => {
    t = await createTestApp();
    const person = await buildStaff(t.db, 'administrator');
    adminId = person.id;
    admin = await signIn(t.app, 'desk', person.email, PASSWORD);
  });
  after(() => t.close());

  it('shows every toggle with its explanation and the defaults, also reached from /admin', async () => {
    expect((await admin.get('/admin').expect(302)).headers.location).to.equal('/admin/settings');
    const page = await admin.get('/admin/settings').expect(200);
    expect(page.text).to.contain('Enable access in the customer portal');
    for (const key of ['portal.dashboards', 'portal.signup', 'direct_access.enabled', 'share_links.enabled', 'dashboards.creators']) {
      expect(page.text).to.contain(`name="${key}"`);
    }
    expect(await readSettings(t.db)).to.deep.equal({
      'portal.dashboards': false,
      'portal.signup': true,
      'direct_access.enabled': false,
      'share_links.enabled': false,
      'dashboards.creators': 'all_staff',
    });
  });

  it('changes only the keys a post names, audits each change, and "on" means true', async () => {
    const token = await csrfOf(admin, '/admin/settings');
    await admin.post('/admin/settings').type('form').send({ 'portal.dashboards': 'on', _csrf: token }).expect(303);
    const s = await readSettings(t.db);
    expect(s['portal.dashboards']).to.equal(true);
    expect(s['portal.signup']).to.equal(true);
    const events = await t.db('audit_events').where({ action: 'setting.changed' });
    expect(events).to.have.length(1);
    expect(events[0].actor_id).to.equal(adminId);
    expect(JSON.parse(events[0].before)).to.deep.equal({ key: 'portal.dashboards', value: false });
    expect(JSON.parse(events[0].after)).to.deep.equal({ key: 'portal.dashboards', value: true });
  });

  it('takes the last value of a repeated field (hidden false + checkbox)', async () => {
    const token = await csrfOf(admin, '/admin/settings');
    await admin.post('/admin/settings').type('form').send(`portal.signup=false&portal.signup=true&_csrf=${token}`).expect(303);
    expect((await readSettings(t.db))['portal.signup']).to.equal(true);
    await admin.post('/admin/settings').type('form').send(`portal.signup=false&_csrf=${token}`).expect(303);
    expect((await readSettings(t.db))['portal.signup']).to.equal(false);
  });

  it('refuses a bad value or an unknown key with a message and changes nothing', async () => {
    const before = await snapshot(t.db);
    const token = await csrfOf(admin, '/admin/settings');
    const bad = await admin
      .post('/admin/settings')
      .type('form')
      .send({ 'dashboards.creators': 'everyone', 'share_links.enabled': 'true', _csrf: token })
      .expect(422);
    expect(bad.text).to.contain('Must be all_staff or administrators.');
    const unknown = await admin.post('/admin/settings').type('form').send({ 'portal.signup': 'true', 'portal.evil': 'true', _csrf: token }).expect(422);
    expect(unknown.text).to.contain('Unknown setting');
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  for (const type of ['user', 'observer', 'contributor', 'requester'] as const) {
    it(`refuses a ${type}: 403 and nothing changes`, async () => {
      const person = type === 'requester' ? await buildRequester(t.db) : await buildStaff(t.db, type);
      const agent = await signIn(t.app, type === 'requester' ? 'portal' : 'desk', person.email, PASSWORD);
      await agent.get('/admin/settings').expect(403);
      const token = await csrfOf(agent, type === 'requester' ? '/portal' : '/desk');
      const before = await snapshot(t.db);
      await agent.post('/admin/settings').type('form').send({ 'direct_access.enabled': 'true', _csrf: token }).expect(403);
      expect(await snapshot(t.db)).to.deep.equal(before);
    });
  }

  it('sends an anonymous post to the staff login and changes nothing', async () => {
    const before = await snapshot(t.db);
    const agent = supertest.agent(t.app);
    const page = await agent.get('/desk/login');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const res = await agent.post('/admin/settings').type('form').send({ 'direct_access.enabled': 'true', _csrf: token });
    expect(res.status).to.equal(302);
    expect(res.headers.location).to.match(/^\/desk\/login\?next=/);
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('a signed-in page reads its session, its person and the settings in one statement, and sees a toggle flipped just before it', async () => {
    const customer = await buildRequester(t.db);
    const asCustomer = await signIn(t.app, 'portal', customer.email, PASSWORD);
    const token = await csrfOf(admin, '/admin/settings');
    for (const [on, status] of [['on', 200], ['false', 404], ['on', 200]] as const) {
      await admin.post('/admin/settings').type('form').send({ 'portal.dashboards': on, _csrf: token }).expect(303);
      const statements = await statementsDuring(t.db, () => asCustomer.get('/portal/dashboards').expect(status));
      const sessionReads = statements.filter((sql) => / from sessions /.test(sql));
      expect(sessionReads, 'one session read').to.have.length(1);
      expect(sessionReads[0], 'which brings the settings along').to.match(/from settings\)/);
      expect(statements.filter((sql) => /^select key, value from settings$/.test(sql)), 'no separate settings read').to.deep.equal([]);
    }
  });

  it('a request without a session (an API call with a token) reads the settings itself, fresh each time', async () => {
    const { token } = await createAccessToken(t.db, adminId, 'settings test');
    const call = () => supertest(t.app).get('/api/v1/EntityPermissions').set('Authorization', `Bearer ${token}`);
    for (const [on, status] of [[true, 200], [false, 404], [true, 200]] as const) {
      await changeSettings(t.db, adminId, { 'direct_access.enabled': on });
      const statements = await statementsDuring(t.db, () => call().expect(status));
      expect(statements.some((sql) => /^select key, value from settings$/.test(sql)), 'its own settings read').to.equal(true);
    }
    await changeSettings(t.db, adminId, { 'direct_access.enabled': false });
  });
});
