import { expect } from 'chai';
import supertest from 'supertest';
import { createTestApp, csrfFrom, type TestApp } from '../helpers/app';
import { DEMO_LOGINS, DEMO_PASSWORD, demoLoginsPresent, seedDemo } from '../../server/seeds/demo';
import { buildStaff } from '../helpers/factories';
import { readSettings } from '../../server/repositories/settings';
import { TEST_SCRYPT_COST } from '../helpers/app';

describe('demo data (PRODUCT.md section 9)', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
    expect(await seedDemo(t.db, TEST_SCRYPT_COST)).to.equal(true);
  });
  after(() => t.close());

  it('creates nothing the second time', async () => {
    const before = await t.db('principals').count({ n: '*' }).first();
    expect(await seedDemo(t.db, TEST_SCRYPT_COST)).to.equal(false);
    expect(await t.db('principals').count({ n: '*' }).first()).to.deep.equal(before);
  });

  it('names as present the demo logins whose accounts exist (npm run demo prints only those)', async () => {
    expect(await demoLoginsPresent(t.db)).to.deep.equal(DEMO_LOGINS.map((l) => l.email));
    const other = await createTestApp();
    try {
      await buildStaff(other.db, 'administrator');
      expect(await seedDemo(other.db, TEST_SCRYPT_COST)).to.equal(false);
      expect(await demoLoginsPresent(other.db)).to.deep.equal([]);
    } finally {
      await other.close();
    }
  });

  for (const login of DEMO_LOGINS) {
    const other = login.realm === 'portal' ? 'desk' : 'portal';
    it(`${login.email} signs in at /${login.realm}/login and is refused at /${other}/login`, async () => {
      const agent = supertest.agent(t.app);
      const page = await agent.get(`/${login.realm}/login`);
      await agent.post(`/${login.realm}/login`).type('form').send({ email: login.email, password: DEMO_PASSWORD, _csrf: csrfFrom(page.text) }).expect(303);
      await agent.get(`/${login.realm}`).expect(200);
      const fresh = supertest.agent(t.app);
      const otherPage = await fresh.get(`/${other}/login`);
      const refused = await fresh.post(`/${other}/login`).type('form').send({ email: login.email, password: DEMO_PASSWORD, _csrf: csrfFrom(otherPage.text) });
      expect(refused.status).to.equal(401);
    });
  }

  it('has the people, companies, work items and dashboards of the contract', async () => {
    const types = await t.db('principals').select('email', 'type').orderBy('email');
    expect(types.map((r: { email: string; type: string }) => `${r.email}:${r.type}`)).to.have.members(DEMO_LOGINS.map((l) => `${l.email}:${l.type}`));
    const support = await t.db('projects').where({ name: 'Support' }).first();
    expect(Boolean(support.portal_enabled)).to.equal(true);
    expect(Boolean(support.is_private)).to.equal(false);
    const items = await t.db('work_items').select('type', 'name');
    expect(items.filter((i: { type: string }) => i.type === 'user_story')).to.have.length(2);
    expect(items.map((i: { name: string }) => i.name)).to.include.members(['Self-service portal', 'Dashboard hub', 'Vote count off by one']);
    const boards = await t.db('dashboards').select('name', 'restriction');
    expect(Object.fromEntries(boards.map((b: { name: string; restriction: string }) => [b.name, b.restriction]))).to.deep.equal({
      'Acme service health': 'restricted',
      'Support overview': 'view_open',
      'Team scratchpad': 'open',
      'Internal metrics': 'restricted',
    });
    const requesterGrants = await t.db('dashboard_grants')
      .join('principals', 'principals.id', 'dashboard_grants.principal_id')
      .join('dashboards', 'dashboards.id', 'dashboard_grants.dashboard_id')
      .where('principals.type', 'requester')
      .select('dashboards.name', 'principals.email', 'dashboard_grants.level');
    expect(requesterGrants).to.have.deep.members([
      { name: 'Acme service health', email: 'alice@acme.test', level: 'view' },
      { name: 'Support overview', email: 'carol@globex.test', level: 'view' },
    ]);
    const s = await readSettings(t.db);
    expect(s['portal.dashboards']).to.equal(true);
    expect(s['portal.signup']).to.equal(true);
    expect(s['direct_access.enabled']).to.equal(false);
    const internal = await t.db('comments').where({ internal: true }).count({ n: '*' }).first();
    expect(Number(internal?.n)).to.be.greaterThan(0);
    const kinds: { type: string; visibility: string }[] = await t.db('requests').distinct('type', 'visibility');
    expect(new Set(kinds.map((k) => k.type))).to.deep.equal(new Set(['issue', 'question', 'idea']));
    expect(new Set(kinds.map((k) => k.visibility))).to.deep.equal(new Set(['private', 'company', 'public']));
  });

  it('keeps vote counts equal to the vote rows', async () => {
    const rows = await t.db('requests')
      .leftJoin('votes', 'votes.request_id', 'requests.id')
      .groupBy('requests.id', 'requests.vote_count')
      .select('requests.id', 'requests.vote_count')
      .count({ n: 'votes.id' });
    for (const r of rows as { vote_count: number; n: string | number }[]) expect(Number(r.vote_count)).to.equal(Number(r.n));
  });
});
