/**
 * Sign-in, sign-out and sign-up refused across realms (PRODUCT.md sections 1 and 8): staff
 * credentials at /portal/login and a requester's at /desk/login answer like a wrong password
 * (401) and sign nobody in; the other realm's sign-out is 403 and ends nothing; with
 * portal.signup off, POST /portal/signup is 404. Each time: the database unchanged.
 */
import { expect } from 'chai';
import supertest from 'supertest';
import { createTestApp, csrfFrom, csrfOf, fullState, signIn, snapshot, type TestApp } from '../helpers/app';
import { buildCompany, buildRequester, buildStaff, PASSWORD } from '../helpers/factories';
import type { PrincipalRow } from '../../server/repositories/principals';
import { changeSettings } from '../../server/commands/changeSettings';

const STAFF_TYPES = ['administrator', 'user', 'observer', 'contributor'] as const;

describe('sign-in, sign-out and sign-up refused in the other realm', function () {
  this.timeout(60_000);
  let t: TestApp;
  const staff = {} as Record<(typeof STAFF_TYPES)[number], PrincipalRow>;
  let customer: PrincipalRow;

  before(async () => {
    t = await createTestApp();
    customer = await buildRequester(t.db, { company: await buildCompany(t.db) });
    for (const type of STAFF_TYPES) staff[type] = await buildStaff(t.db, type);
  });
  after(() => t.close());

  const sessions = async () => Number((await t.db('sessions').count({ n: '*' }).first())!.n);

  /** A sign-in attempt through the realm's own form, by a fresh visitor; the visitor is returned to look at afterwards. */
  async function attempt(realm: 'portal' | 'desk', email: string) {
    const agent = supertest.agent(t.app);
    const page = await agent.get(`/${realm}/login`).expect(200);
    const before = await snapshot(t.db);
    const res = await agent.post(`/${realm}/login`).type('form').send({ email, password: PASSWORD, _csrf: csrfFrom(page.text) });
    return { agent, res, before, after: await snapshot(t.db) };
  }

  for (const type of STAFF_TYPES) {
    it(`POST /portal/login with a staff ${type}'s right password → 401, not signed in, nothing written`, async () => {
      const { agent, res, before, after } = await attempt('portal', staff[type].email);
      expect(res.status).to.equal(401);
      expect(res.text).to.contain('Invalid email or password.');
      expect(after, 'database unchanged').to.deep.equal(before);
      expect((await agent.get('/portal')).status, 'not signed in to the portal').to.equal(302);
      expect((await agent.get('/desk')).status, 'nor to the desk').to.equal(302);
    });
  }

  it("POST /desk/login with a requester's right password → 401, not signed in, nothing written", async () => {
    const { agent, res, before, after } = await attempt('desk', customer.email);
    expect(res.status).to.equal(401);
    expect(res.text).to.contain('Invalid email or password.');
    expect(after, 'database unchanged').to.deep.equal(before);
    expect((await agent.get('/desk')).status, 'not signed in to the desk').to.equal(302);
    expect((await agent.get('/portal')).status, 'nor to the portal').to.equal(302);
  });

  for (const type of STAFF_TYPES) {
    it(`POST /portal/logout as a signed-in ${type} → 403, still signed in, nothing written`, async () => {
      const agent = await signIn(t.app, 'desk', staff[type].email, PASSWORD);
      const token = await csrfOf(agent, '/desk');
      const [before, count] = [await snapshot(t.db), await sessions()];
      await agent.post('/portal/logout').type('form').send({ _csrf: token }).expect(403);
      expect(await snapshot(t.db), 'database unchanged').to.deep.equal(before);
      expect(await sessions(), 'no session ended').to.equal(count);
      await agent.get('/desk').expect(200);
    });
  }

  it('POST /desk/logout as a signed-in requester → 403, still signed in, nothing written', async () => {
    const agent = await signIn(t.app, 'portal', customer.email, PASSWORD);
    const token = await csrfOf(agent, '/portal');
    const [before, count] = [await snapshot(t.db), await sessions()];
    await agent.post('/desk/logout').type('form').send({ _csrf: token }).expect(403);
    expect(await snapshot(t.db), 'database unchanged').to.deep.equal(before);
    expect(await sessions(), 'no session ended').to.equal(count);
    await agent.get('/portal').expect(200);
  });

  it('the fixture: each signs in and out in their own realm', async () => {
    for (const type of STAFF_TYPES) {
      const agent = await signIn(t.app, 'desk', staff[type].email, PASSWORD);
      await agent.post('/desk/logout').type('form').send({ _csrf: await csrfOf(agent, '/desk') }).expect(303);
    }
    const agent = await signIn(t.app, 'portal', customer.email, PASSWORD);
    await agent.post('/portal/logout').type('form').send({ _csrf: await csrfOf(agent, '/portal') }).expect(303);
  });

  describe('with portal.signup off', () => {
    before(() => changeSettings(t.db, staff.administrator.id, { 'portal.signup': false }));
    after(() => changeSettings(t.db, staff.administrator.id, { 'portal.signup': true }));

    for (const [label, email] of [
      ['a new address', () => 'newcomer-while-off@new.test'],
      ["a known customer's address", () => customer.email],
    ] as const) {
      it(`POST /portal/signup with ${label} → 404, no pending sign-up, no mail, nothing written`, async () => {
        const agent = supertest.agent(t.app);
        const token = csrfFrom((await agent.get('/portal/login').expect(200)).text);
        const before = await fullState(t);
        await agent.post('/portal/signup').type('form').send({ name: 'While Off', email: email(), password: 'a good long password', _csrf: token }).expect(404);
        expect(await fullState(t), 'database unchanged (after the work mailed later)').to.deep.equal(before);
      });
    }
  });
});
