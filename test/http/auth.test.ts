import { expect } from 'chai';
import supertest from 'supertest';
import { createTestApp, csrfFrom, signIn, snapshot, statementsDuring, TEST_SCRYPT_COST, type TestApp } from '../helpers/app';
import { buildCompany, buildRequester, buildStaff, PASSWORD } from '../helpers/factories';
import type { PrincipalRow } from '../../server/repositories/principals';
import { SESSION_COOKIE } from '../../server/auth/session';
import { createPendingSignup, createResetToken } from '../../server/repositories/accountTokens';
import { hashPassword } from '../../server/auth/passwords';

function sessionCookie(res: supertest.Response): string | null {
  const raw = res.headers['set-cookie'] as unknown;
  const list: string[] = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  const found = list.find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  return found ? found.split(';')[0]! : null;
}

/** The login page without its per-session token, to compare two answers. */
function withoutToken(html: string): string {
  return html.replace(/name="_csrf" value="[^"]+"/g, 'name="_csrf" value=""');
}

async function attempt(t: TestApp, realm: 'portal' | 'desk', email: string, password: string, forwardedFor?: string) {
  const agent = supertest.agent(t.app);
  const page = await agent.get(`/${realm}/login`);
  const post = agent.post(`/${realm}/login`).type('form');
  if (forwardedFor) void post.set('x-forwarded-for', forwardedFor);
  return post.send({ email, password, _csrf: csrfFrom(page.text) });
}

describe('sign-in and sessions', () => {
  let t: TestApp;
  let requester: PrincipalRow;
  const staff: Record<string, PrincipalRow> = {};

  before(async () => {
    t = await createTestApp();
    requester = await buildRequester(t.db, { company: await buildCompany(t.db) });
    for (const type of ['administrator', 'user', 'observer', 'contributor'] as const) staff[type] = await buildStaff(t.db, type);
  });
  after(() => t.close());

  it('signs a requester in at /portal/login and shows their name', async () => {
    const agent = await signIn(t.app, 'portal', requester.email, PASSWORD);
    const home = await agent.get('/portal').expect(200);
    expect(home.text).to.contain(requester.name);
  });

  for (const type of ['administrator', 'user', 'observer', 'contributor'] as const) {
    it(`signs a staff ${type} in at /desk/login`, async () => {
      const agent = await signIn(t.app, 'desk', staff[type]!.email, PASSWORD);
      const desk = await agent.get('/desk').expect(200);
      expect(desk.text).to.contain(staff[type]!.name);
    });
  }

  it('accepts the email in any letter case', async () => {
    const res = await attempt(t, 'portal', requester.email.toUpperCase(), PASSWORD);
    expect(res.status).to.equal(303);
  });

  it('answers a wrong realm, an unknown email and a wrong password identically', async () => {
    const answers = [
      await attempt(t, 'desk', requester.email, PASSWORD),
      await attempt(t, 'portal', staff.user!.email, PASSWORD),
      await attempt(t, 'portal', 'nobody@nowhere.test', PASSWORD),
      await attempt(t, 'portal', requester.email, 'wrong password!'),
    ];
    for (const res of answers) {
      expect(res.status).to.equal(401);
      expect(res.text).to.contain('Invalid email or password.');
    }
    // Same page apart from the echoed email and the per-session token.
    const normalized = answers.map((r) => withoutToken(r.text).replace(/value="[^"]*@[^"]*"/, 'value=""'));
    const unknownAtDesk = await attempt(t, 'desk', 'nobody@nowhere.test', PASSWORD);
    expect(normalized[0]).to.equal(withoutToken(unknownAtDesk.text).replace(/value="[^"]*@[^"]*"/, 'value=""'));
    expect(new Set(normalized.slice(1)).size).to.equal(1);
  });

  it('issues a new session id at sign-in, and the old id is dead', async () => {
    const agent = supertest.agent(t.app);
    const page = await agent.get('/portal/login');
    const before = sessionCookie(page);
    expect(before, 'the login page starts a session for its CSRF token').to.be.a('string');
    const res = await agent.post('/portal/login').type('form').send({ email: requester.email, password: PASSWORD, _csrf: csrfFrom(page.text) });
    const after = sessionCookie(res);
    expect(after).to.be.a('string').and.not.equal(before);
    // The pre-login cookie does not carry the signed-in session.
    await supertest(t.app).get('/portal').set('Cookie', before!).expect(302);
    await supertest(t.app).get('/portal').set('Cookie', after!).expect(200);
  });

  it("the logo and an error page's way back lead to the viewer's own side: staff to the desk; / stays the portal (PRODUCT.md)", async () => {
    expect((await supertest(t.app).get('/').expect(302)).headers.location).to.equal('/portal');
    const brand = (html: string) => /class="brand" href="([^"]+)"/.exec(html)?.[1];
    const back = (html: string) => /href="([^"]+)">Back to Portico/.exec(html)?.[1];
    const asRequester = await signIn(t.app, 'portal', requester.email, PASSWORD);
    expect(brand((await asRequester.get('/portal').expect(200)).text)).to.equal('/');
    for (const type of ['administrator', 'user', 'observer', 'contributor'] as const) {
      const agent = await signIn(t.app, 'desk', staff[type]!.email, PASSWORD);
      expect((await agent.get('/').expect(302)).headers.location, type).to.equal('/portal');
      expect(brand((await agent.get('/desk').expect(200)).text), type).to.equal('/desk');
      // The portal refuses staff: its page leads back to the desk, not round to itself.
      expect(back((await agent.get('/portal').expect(403)).text), type).to.equal('/desk');
    }
  });

  it('kills the session at sign-out: the old cookie no longer works', async () => {
    const agent = supertest.agent(t.app);
    const page = await agent.get('/desk/login');
    const login = await agent.post('/desk/login').type('form').send({ email: staff.user!.email, password: PASSWORD, _csrf: csrfFrom(page.text) });
    const cookie = sessionCookie(login)!;
    const desk = await agent.get('/desk').expect(200);
    const out = await agent.post('/desk/logout').type('form').send({ _csrf: csrfFrom(desk.text) }).expect(303);
    // The cookie is cleared with the attributes it was set with.
    const cleared = ([] as string[]).concat(out.headers['set-cookie'] ?? []).find((c) => c.startsWith('portico.sid='));
    expect(cleared).to.match(/Expires=Thu, 01 Jan 1970/).and.match(/HttpOnly/).and.match(/SameSite=Lax/).and.match(/Path=\//);
    const reuse = await supertest(t.app).get('/desk').set('Cookie', cookie);
    expect(reuse.status).to.equal(302);
    expect(reuse.headers.location).to.equal('/desk/login?next=%2Fdesk');
  });

  it("the other realm's sign-out is refused and ends nothing; a sign-out with nobody signed in goes to the sign-in page", async () => {
    const sessions = async () => Number((await t.db('sessions').count({ n: '*' }).first())!.n);
    const customer = await signIn(t.app, 'portal', requester.email, PASSWORD);
    const portalPage = await customer.get('/portal').expect(200);
    const agent = await signIn(t.app, 'desk', staff.user!.email, PASSWORD);
    const deskPage = await agent.get('/desk').expect(200);
    const before = await sessions();
    await customer.post('/desk/logout').type('form').send({ _csrf: csrfFrom(portalPage.text) }).expect(403);
    await customer.post('/Desk/Logout/').type('form').send({ _csrf: csrfFrom(portalPage.text) }).expect(403);
    await agent.post('/portal/logout').type('form').send({ _csrf: csrfFrom(deskPage.text) }).expect(403);
    expect(await sessions()).to.equal(before);
    await customer.get('/portal').expect(200);
    await agent.get('/desk').expect(200);

    // Signed out in one tab, the other tab's sign-out form (its token died with the session) just leads to the sign-in page.
    const secondTab = await customer.get('/portal').expect(200);
    await customer.post('/portal/logout').type('form').send({ _csrf: csrfFrom(portalPage.text) }).expect(303);
    const stale = await customer.post('/portal/logout').type('form').send({ _csrf: csrfFrom(secondTab.text) }).expect(303);
    expect(stale.headers.location).to.equal('/portal/login?signedout=1');
    const anonymous = await supertest(t.app).post('/desk/logout').type('form').send({}).expect(303);
    expect(anonymous.headers.location).to.equal('/desk/login?signedout=1');
    // Signed in, the token is still needed: a sign-out without it is refused and ends nothing.
    await agent.post('/desk/logout').type('form').send({}).expect(403);
    await agent.get('/desk').expect(200);
  });

  it("a form sent after its session ended leads to the sign-in page and back to that page; signed in, a bad token is still refused", async () => {
    const customer = await buildRequester(t.db, { company: await buildCompany(t.db) });
    const agent = await signIn(t.app, 'portal', customer.email, PASSWORD);
    const page = await agent.get('/portal/requests/new').expect(200);
    const before = await snapshot(t.db);
    await t.db('sessions').del();
    const stale = await agent
      .post('/portal/requests')
      .set('Host', 'portico.test')
      .set('Referer', 'http://portico.test/portal/requests/new')
      .type('form')
      .send({ title: 'Typed before the session ended', _csrf: csrfFrom(page.text) })
      .expect(303);
    expect(stale.headers.location).to.equal('/portal/login?expired=1&next=%2Fportal%2Frequests%2Fnew');
    expect(await snapshot(t.db)).to.deep.equal(before);
    const login = await agent.get(stale.headers.location!).expect(200);
    expect(login.text).to.contain('You were signed out');
    const back = await agent.post('/portal/login').type('form').send({ email: customer.email, password: PASSWORD, next: '/portal/requests/new', _csrf: csrfFrom(login.text) }).expect(303);
    expect(back.headers.location).to.equal('/portal/requests/new');
    // Without a Referer no next; a foreign one is refused before (cross-site); a JSON caller and a signed-in sender with a bad token get 403 as always.
    const other = supertest.agent(t.app);
    const bare = await other.post('/portal/requests').type('form').send({ _csrf: 'stale' });
    expect([bare.status, bare.headers.location]).to.deep.equal([303, '/portal/login?expired=1']);
    await other.post('/portal/requests').set('Referer', 'https://evil.test/portal/x').type('form').send({ _csrf: 'stale' }).expect(403);
    await other.post('/portal/requests/1/vote').set('Accept', 'application/json').send({}).expect(403);
    await agent.post('/portal/requests').type('form').send({ title: 'x', _csrf: 'forged' }).expect(403);
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('reading pages does not write the session on every request (expiry pushed back at most once a minute)', async () => {
    const agent = await signIn(t.app, 'portal', requester.email, PASSWORD);
    await agent.get('/portal').expect(200);
    const first = JSON.stringify(await t.db('sessions').select('sid', 'expired').orderBy('sid'));
    await agent.get('/portal').expect(200);
    await agent.get('/portal/ideas').expect(200);
    expect(JSON.stringify(await t.db('sessions').select('sid', 'expired').orderBy('sid'))).to.equal(first);
  });

  it('sets the session cookie HttpOnly and SameSite=Lax', async () => {
    const res = await attempt(t, 'portal', requester.email, PASSWORD);
    const raw = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith(SESSION_COOKIE))!;
    expect(raw).to.match(/HttpOnly/i);
    expect(raw).to.match(/SameSite=Lax/i);
  });

  it('ignores an off-site next= and honours a local one', async () => {
    for (const evil of ['https://evil.test', '//evil.test/x', '/\\evil.test', 'javascript:alert(1)', '/\r\nSet-Cookie:x']) {
      const agent = supertest.agent(t.app);
      const page = await agent.get(`/portal/login?next=${encodeURIComponent(evil)}`);
      expect(page.text).not.to.contain('evil.test');
      const res = await agent
        .post('/portal/login')
        .type('form')
        .send({ email: requester.email, password: PASSWORD, next: evil, _csrf: csrfFrom(page.text) });
      expect(res.status).to.equal(303);
      expect(res.headers.location, evil).to.equal('/portal');
    }
    const agent = supertest.agent(t.app);
    const page = await agent.get('/portal/login?next=%2Fportal%3Fq%3Dx');
    const res = await agent.post('/portal/login').type('form').send({ email: requester.email, password: PASSWORD, next: '/portal?q=x', _csrf: csrfFrom(page.text) });
    expect(res.headers.location).to.equal('/portal?q=x');
  });

  it('redirects an anonymous visitor to the realm login with next=', async () => {
    const portal = await supertest(t.app).get('/portal?q=a').expect(302);
    expect(portal.headers.location).to.equal('/portal/login?next=%2Fportal%3Fq%3Da');
    const admin = await supertest(t.app).get('/admin/settings').expect(302);
    expect(admin.headers.location).to.equal('/desk/login?next=%2Fadmin%2Fsettings');
  });

  it('refuses the wrong realm once signed in: requester on /desk and /admin, staff on /portal', async () => {
    const customer = await signIn(t.app, 'portal', requester.email, PASSWORD);
    await customer.get('/desk').expect(403);
    await customer.get('/admin/settings').expect(403);
    const agent = await signIn(t.app, 'desk', staff.user!.email, PASSWORD);
    await agent.get('/portal').expect(403);
    await agent.get('/admin/settings').expect(403);
  });

  it('never writes the password or the session id to the log', async () => {
    const secret = 'a-very-secret-password-42';
    const res = await attempt(t, 'portal', requester.email, secret);
    expect(res.status).to.equal(401);
    const ok = await attempt(t, 'portal', requester.email, PASSWORD);
    const sid = decodeURIComponent(sessionCookie(ok)!.split('=')[1]!);
    const all = t.logs.join('\n');
    expect(all).to.contain('sign-in refused');
    expect(all).not.to.contain(secret);
    expect(all).not.to.contain(PASSWORD);
    expect(all).not.to.contain(sid.slice(2, 30));
  });

  it('ends a disabled account’s session on its next request', async () => {
    const person = await buildRequester(t.db);
    const agent = await signIn(t.app, 'portal', person.email, PASSWORD);
    await agent.get('/portal').expect(200);
    await t.db('principals').where({ id: person.id }).update({ disabled: true });
    await agent.get('/portal').expect(302);
    const again = await attempt(t, 'portal', person.email, PASSWORD);
    expect(again.status).to.equal(401);
  });
});

describe('the session read', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  const statementsOf = (run: () => Promise<unknown>) => statementsDuring(t.db, run);

  it('a signed-in page reads its session and its person in one statement', async () => {
    const person = await buildRequester(t.db, { company: await buildCompany(t.db) });
    const agent = await signIn(t.app, 'portal', person.email, PASSWORD);
    await agent.get('/portal').expect(200);
    const sql = await statementsOf(() => agent.get('/portal').expect(200));
    const reads = sql.filter((q) => /from sessions/.test(q));
    expect(reads, sql.join('\n')).to.have.length(1);
    expect(reads[0]).to.match(/left join principals as p on p\.id = s\.principal_id/);
    expect(sql.filter((q) => /from principals/.test(q)), 'a second read of the person').to.deep.equal([]);
  });

  it('the person read with the session is only a hint: one that names someone else, nobody, or nobody that exists changes nothing', async () => {
    const company = await buildCompany(t.db);
    const alice = await buildRequester(t.db, { company, name: 'Alice Hint' });
    const carol = await buildRequester(t.db, { company, name: 'Carol Other' });
    const agent = await signIn(t.app, 'portal', alice.email, PASSWORD);
    expect(Number((await t.db('sessions').where({ principal_id: alice.id }).count({ n: '*' }).first())?.n)).to.equal(1);
    for (const hint of [carol.id, null, 999_999]) {
      await t.db('sessions').where({ principal_id: alice.id }).orWhere({ principal_id: carol.id }).orWhere({ principal_id: 999_999 }).orWhereNull('principal_id').update({ principal_id: hint });
      const sql = await statementsOf(async () => {
        const home = await agent.get('/portal').expect(200);
        expect(home.text, `hint ${String(hint)}`).to.contain('Alice Hint').and.not.contain('Carol Other');
      });
      expect(sql.filter((q) => /from principals where id = (\?|\$1)/.test(q)), `hint ${String(hint)}: read again by id`).to.have.length(1);
    }
  });
});

describe('sign-in reads the form only', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('an email or password in the query string is refused (400), even when right, and signs nobody in', async () => {
    const person = await buildRequester(t.db);
    for (const [query, body] of [
      [{ email: person.email, password: PASSWORD }, {}],
      [{ password: PASSWORD }, { email: person.email }],
      [{ email: person.email }, { password: PASSWORD }],
    ] as [Record<string, string>, Record<string, string>][]) {
      const agent = supertest.agent(t.app);
      const page = await agent.get('/portal/login');
      const res = await agent.post(`/portal/login?${new URLSearchParams(query)}`).type('form').send({ ...body, _csrf: csrfFrom(page.text) });
      expect(res.status, JSON.stringify(query)).to.equal(400);
      expect(res.text).to.contain('page address is not accepted');
      await agent.get('/portal').expect(302);
    }
    expect((await attempt(t, 'portal', person.email, PASSWORD)).status).to.equal(303);
  });
});

describe('login rate limit', () => {
  let t: TestApp;
  let requester: PrincipalRow;
  before(async () => {
    t = await createTestApp({ LOGIN_RATE_LIMIT: '3' });
    requester = await buildRequester(t.db);
  });
  after(() => t.close());

  it('right sign-ins never count: one person signing in again and again, or many behind one address, is not held up', async () => {
    const regular = await buildRequester(t.db);
    for (let i = 0; i < 4; i += 1) expect((await attempt(t, 'portal', regular.email, PASSWORD)).status, `sign-in ${i + 1}`).to.equal(303);
    // Past 3 × 5 right sign-ins of different people from this one address, still in.
    for (let i = 0; i < 16; i += 1) expect((await attempt(t, 'portal', (await buildRequester(t.db)).email, PASSWORD)).status, `colleague ${i + 1}`).to.equal(303);
    // And the refused ones still count: 3 wrong guesses, then even the right password is refused.
    for (let i = 0; i < 3; i += 1) expect((await attempt(t, 'portal', regular.email, 'wrong password!')).status).to.equal(401);
    expect((await attempt(t, 'portal', regular.email, PASSWORD)).status).to.equal(429);
  });

  it('refuses further attempts with 429, even with the right password', async () => {
    for (let i = 0; i < 3; i += 1) expect((await attempt(t, 'portal', requester.email, 'wrong password!')).status).to.equal(401);
    const limited = await attempt(t, 'portal', requester.email, PASSWORD);
    expect(limited.status).to.equal(429);
    expect(limited.text).to.contain('Too many sign-in attempts');
    await supertest(t.app).get('/portal').expect(302);
  });

  it('limits refused posts of the emailed links: per link (a sign-up password cannot be guessed on), and per address for made-up links; live links of others go through', async () => {
    const post = async (page: string, path: string, form: Record<string, string>) => {
      const agent = supertest.agent(t.app);
      const csrf = csrfFrom((await agent.get(page)).text);
      return (await agent.post(path).type('form').send({ ...form, _csrf: csrf })).status;
    };
    const signup = await createPendingSignup(t.db, { email: 'guessed@signup.test', name: 'Guessed', passwordHash: await hashPassword('the chosen password', TEST_SCRYPT_COST) });
    const guesses = [];
    for (let i = 0; i < 3; i += 1) guesses.push(await post('/portal/signup', '/portal/signup/confirm', { token: signup, password: `a wrong guess ${i}` }));
    guesses.push(await post('/portal/signup', '/portal/signup/confirm', { token: signup, password: 'the chosen password' }));
    expect(guesses).to.deep.equal([422, 422, 422, 429]);
    expect(await t.db('principals').where({ email_normalized: 'guessed@signup.test' }).first()).to.equal(undefined);

    // Made-up reset links from this address: past the per-link limit, somebody else's live link still works (only refusals
    // count, and not against other links); past 3 × 5 refusals from the address, 429.
    const madeUp = async (i: number) => post('/portal/password/forgot', '/portal/password/reset', { token: `madeUpToken${'x'.repeat(20)}${i}`, password: 'a good long password' });
    const first = [];
    for (let i = 0; i < 3; i += 1) first.push(await madeUp(i));
    expect(first).to.deep.equal([410, 410, 410]);
    const other = await buildRequester(t.db);
    expect(await post('/portal/password/forgot', '/portal/password/reset', { token: await createResetToken(t.db, other.id), password: 'a good long password' })).to.equal(303);
    const rest = [];
    for (let i = 3; i < 16; i += 1) rest.push(await madeUp(i));
    expect(rest.slice(0, 12).every((s) => s === 410), JSON.stringify(rest)).to.equal(true);
    expect(rest[12]).to.equal(429);
  });

  it('counts per account: another account from the same address can still sign in', async () => {
    const other = await buildRequester(t.db);
    expect((await attempt(t, 'portal', other.email, PASSWORD)).status).to.equal(303);
  });
});

describe('login rate limit behind a proxy (TRUST_PROXY)', () => {
  let t: TestApp;
  let requester: PrincipalRow;
  before(async () => {
    // true means one proxy: the client is the address it appended, whatever the client wrote before it.
    t = await createTestApp({ LOGIN_RATE_LIMIT: '3', TRUST_PROXY: 'true' });
    requester = await buildRequester(t.db);
  });
  after(() => t.close());

  it('a client cannot pick a new address per attempt by writing X-Forwarded-For itself', async () => {
    for (let i = 0; i < 3; i += 1) expect((await attempt(t, 'portal', requester.email, 'wrong password!', `10.9.${i}.1, 203.0.113.7`)).status).to.equal(401);
    expect((await attempt(t, 'portal', requester.email, PASSWORD, '10.9.99.1, 203.0.113.7')).status).to.equal(429);
    // Another client, behind the same proxy, is counted on its own.
    expect((await attempt(t, 'portal', requester.email, PASSWORD, '203.0.113.8')).status).to.equal(303);
  });

  it('the password-reset form is limited the same way (no mail flood through forged addresses)', async () => {
    const before = Number((await t.db('mail_outbox').count({ n: '*' }).first())?.n);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      const agent = supertest.agent(t.app);
      const page = await agent.get('/portal/password/forgot');
      const res = await agent.post('/portal/password/forgot').type('form').set('x-forwarded-for', `10.8.${i}.1, 203.0.113.9`).send({ email: requester.email, _csrf: csrfFrom(page.text) });
      statuses.push(res.status);
    }
    await t.deps.mailer.drain();
    expect(statuses.slice(0, 3)).to.deep.equal([200, 200, 200]);
    expect(statuses.slice(3).every((s) => s === 429), JSON.stringify(statuses)).to.equal(true);
    expect(Number((await t.db('mail_outbox').count({ n: '*' }).first())?.n) - before).to.equal(3);
  });
});
