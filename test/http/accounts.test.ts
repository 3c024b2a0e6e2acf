import { expect } from 'chai';
import { publicBaseUrl } from '../../server/routes/locals';
import supertest from 'supertest';
import { createTestApp, csrfFrom, csrfOf, signIn, snapshot, type TestApp } from '../helpers/app';
import { buildRequester, buildStaff, PASSWORD } from '../helpers/factories';
import { changeSettings } from '../../server/commands/changeSettings';
import { createPendingSignup } from '../../server/repositories/accountTokens';
import { changePrincipal } from '../../server/commands/administerPeople';
import { toActor } from '../../server/repositories/principals';

async function lastMailTo(t: TestApp, email: string): Promise<{ subject: string; text_body: string } | undefined> {
  return t.db('mail_outbox').where({ to_address: email }).orderBy('id', 'desc').first();
}

function linkIn(text: string, path: string): string {
  const m = new RegExp(`https?://[^\\s]+(${path.replace(/\//g, '\\/')}\\?token=[A-Za-z0-9_-]+)`).exec(text);
  if (!m?.[1]) throw new Error(`no ${path} link in mail`);
  return m[1];
}

function withoutToken(html: string): string {
  return html.replace(/name="_csrf" value="[^"]+"/g, '');
}

describe('customer accounts: sign-up, password reset, profile', function () {
  this.timeout(30_000);
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  async function post(path: string, form: Record<string, string>, page = path) {
    const agent = supertest.agent(t.app);
    const token = csrfFrom((await agent.get(page)).text);
    const res = await agent.post(path).type('form').send({ ...form, _csrf: token });
    // Sign-up and reset requests do their work after the answer (mailer.later): wait for it.
    await t.deps.mailer.drain();
    return { agent, res };
  }

  it('signs up with name, email and password, confirmed from the mailed link with that same password; the link works once', async () => {
    const weak = await post('/portal/signup', { name: 'Dana New', email: 'dana@new.test', password: 'password' });
    expect(weak.res.status).to.equal(422);
    expect(weak.res.text).to.contain('too common').and.contain('value="Dana New"').and.not.contain('value="password"');
    expect(await lastMailTo(t, 'dana@new.test')).to.equal(undefined);
    expect(await t.db('pending_signups').where({ email_normalized: 'dana@new.test' }).first()).to.equal(undefined);

    const { res } = await post('/portal/signup', { name: 'Dana New', email: 'dana@new.test', password: 'a good long password' });
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('Check your email');
    expect(await t.db('principals').where({ email_normalized: 'dana@new.test' }).first()).to.equal(undefined);
    const pending = await t.db('pending_signups').where({ email_normalized: 'dana@new.test' }).first();
    expect(pending.password_hash).to.match(/^scrypt\$/).and.not.contain('a good long password');
    const early = supertest.agent(t.app);
    const loginPage = await early.get('/portal/login');
    await early.post('/portal/login').type('form').send({ email: 'dana@new.test', password: 'a good long password', _csrf: csrfFrom(loginPage.text) }).expect(401);

    const link = linkIn((await lastMailTo(t, 'dana@new.test'))!.text_body, '/portal/signup/confirm');
    const agent = supertest.agent(t.app);
    const confirmPage = await agent.get(link).expect(200);
    expect(confirmPage.text).to.contain('the password you chose').and.contain('autocomplete="current-password"');
    const token = /name="token" value="([^"]+)"/.exec(confirmPage.text)![1]!;
    // Whoever opens the link without the password (the owner of an address someone else signed up with) creates nothing.
    const before = await snapshot(t.db);
    const wrong = await agent.post('/portal/signup/confirm').type('form').send({ token, password: 'another good password', _csrf: csrfFrom(confirmPage.text) }).expect(422);
    expect(wrong.text).to.contain('not the password chosen when signing up').and.contain(`value="${token}"`);
    expect(await snapshot(t.db)).to.deep.equal(before);
    await agent.post('/portal/signup/confirm').type('form').send({ token, password: 'a good long password', _csrf: csrfFrom(confirmPage.text) }).expect(303);
    const home = await agent.get('/portal').expect(200);
    expect(home.text).to.contain('Dana New');
    const row = await t.db('principals').where({ email_normalized: 'dana@new.test' }).first();
    expect(row.type).to.equal('requester');
    expect((await t.db('pending_signups').where({ id: pending.id }).first()).password_hash).to.equal(null);
    await signIn(t.app, 'portal', 'dana@new.test', 'a good long password');
    await supertest(t.app).get(link).expect(410);
    const again = supertest.agent(t.app);
    const page2 = await again.get('/portal/signup');
    await again.post('/portal/signup/confirm').type('form').send({ token, password: 'a good long password', _csrf: csrfFrom(page2.text) }).expect(410);
  });

  it("an expired sign-up's copy of the password hash is dropped (at the next sign-up); live ones keep theirs", async () => {
    await post('/portal/signup', { name: 'Late', email: 'expired-hash@new.test', password: 'a good long password' });
    await post('/portal/signup', { name: 'Live', email: 'live-hash@new.test', password: 'a good long password' });
    await t.db('pending_signups').where({ email_normalized: 'expired-hash@new.test' }).update({ expires_at: new Date(Date.now() - 1000).toISOString() });
    await post('/portal/signup', { name: 'Next', email: 'next-hash@new.test', password: 'a good long password' });
    const hashOf = async (email: string) => (await t.db('pending_signups').where({ email_normalized: email }).first()).password_hash;
    expect(await hashOf('expired-hash@new.test')).to.equal(null);
    expect(await hashOf('live-hash@new.test')).to.match(/^scrypt\$/);
    expect(await hashOf('next-hash@new.test')).to.match(/^scrypt\$/);
  });

  it('a sign-up mailed before the form asked for a password is confirmed by choosing one, checked as any new password', async () => {
    const token = await createPendingSignup(t.db, { email: 'older@new.test', name: 'Older Signup', passwordHash: null });
    const agent = supertest.agent(t.app);
    const page = await agent.get(`/portal/signup/confirm?token=${token}`).expect(200);
    expect(page.text).to.contain('Choose your password').and.contain('autocomplete="new-password"');
    const weak = await agent.post('/portal/signup/confirm').type('form').send({ token, password: 'password', _csrf: csrfFrom(page.text) }).expect(422);
    expect(weak.text).to.contain('too common');
    expect(await t.db('principals').where({ email_normalized: 'older@new.test' }).first()).to.equal(undefined);
    await agent.post('/portal/signup/confirm').type('form').send({ token, password: 'my own good password', _csrf: csrfFrom(page.text) }).expect(303);
    await signIn(t.app, 'portal', 'older@new.test', 'my own good password');
  });

  it('answers sign-up identically for a known and an unknown email (no enumeration)', async () => {
    await buildRequester(t.db, { email: 'known@customer.test' });
    const known = await post('/portal/signup', { name: 'X', email: 'known@customer.test', password: 'a good long password' });
    const unknown = await post('/portal/signup', { name: 'X', email: 'unknown@customer.test', password: 'a good long password' });
    expect(known.res.status).to.equal(unknown.res.status);
    expect(withoutToken(known.res.text).replace('known@customer.test', 'E')).to.equal(withoutToken(unknown.res.text).replace('unknown@customer.test', 'E'));
    expect((await lastMailTo(t, 'known@customer.test'))!.subject).to.equal('You already have a Portico account');
    const customerMail = (await lastMailTo(t, 'known@customer.test'))!.text_body;
    expect(customerMail).to.contain('/portal/login').and.contain('/portal/password/forgot').and.not.contain('/desk/login');
    // A staff address is pointed at the desk, whose sign-in it can use, not at the portal's, which refuses it.
    const staff = await buildStaff(t.db, 'user');
    await post('/portal/signup', { name: 'X', email: staff.email, password: 'a good long password' });
    const staffMail = (await lastMailTo(t, staff.email))!;
    expect(staffMail.subject).to.equal('You already have a Portico account');
    expect(staffMail.text_body).to.contain('/desk/login').and.not.contain('/portal/login').and.not.contain('/portal/password/forgot');
  });

  it('refuses a bad address with a message, keeping the name', async () => {
    const before = await snapshot(t.db);
    const { res } = await post('/portal/signup', { name: 'Weak', email: 'not-an-email', password: 'a good long password' });
    expect(res.status).to.equal(422);
    expect(res.text).to.contain('valid email address').and.contain('value="Weak"');
    // Forms that mail software delivers to x@evil.test, so one mailbox could hold many accounts.
    for (const email of ['grp:x@evil.test;', '"x"@evil.test', 'x@evil.test,y@evil.test', '<x@evil.test>', 'x@evil.test.', 'x y@evil.test', 'x@localhost']) {
      const refused = await post('/portal/signup', { name: 'Weak', email, password: 'a good long password' });
      expect(refused.res.status, email).to.equal(422);
    }
    expect(await snapshot(t.db)).to.deep.equal(before);
    expect(await t.db('mail_outbox').where('to_address', 'like', '%evil.test%').first()).to.equal(undefined);
  });

  it('is 404 while portal.signup is off', async () => {
    const admin = await buildStaff(t.db, 'administrator');
    await changeSettings(t.db, admin.id, { 'portal.signup': false });
    await supertest(t.app).get('/portal/signup').expect(404);
    const login = await supertest(t.app).get('/portal/login').expect(200);
    expect(login.text).not.to.contain('Create an account');
    await changeSettings(t.db, admin.id, { 'portal.signup': true });
  });

  it('a confirmation link mailed before portal.signup was turned off creates no account while it is off', async () => {
    const admin = await buildStaff(t.db, 'administrator');
    await post('/portal/signup', { name: 'Late Comer', email: 'late@new.test', password: 'a good long password' });
    const link = linkIn((await lastMailTo(t, 'late@new.test'))!.text_body, '/portal/signup/confirm');
    const agent = supertest.agent(t.app);
    const page = await agent.get(link).expect(200);
    const token = /name="token" value="([^"]+)"/.exec(page.text)![1]!;
    await changeSettings(t.db, admin.id, { 'portal.signup': false });
    try {
      await agent.get(link).expect(404);
      const before = await snapshot(t.db);
      await agent.post('/portal/signup/confirm').type('form').send({ token, password: 'a good long password', _csrf: csrfFrom(page.text) }).expect(404);
      expect(await snapshot(t.db)).to.deep.equal(before);
      expect(await t.db('principals').where({ email_normalized: 'late@new.test' }).first()).to.equal(undefined);
    } finally {
      await changeSettings(t.db, admin.id, { 'portal.signup': true });
    }
    // Turned on again within the link's day, the link works.
    await agent.post('/portal/signup/confirm').type('form').send({ token, password: 'a good long password', _csrf: csrfFrom(page.text) }).expect(303);
  });

  it('resets a password with a single-use expiring link, and ends older sessions; same answer for unknown emails', async () => {
    const person = await buildRequester(t.db, { email: 'forgetful@customer.test' });
    const old = await signIn(t.app, 'portal', person.email, PASSWORD);
    const known = await post('/portal/password/forgot', { email: person.email });
    const unknown = await post('/portal/password/forgot', { email: 'nobody@customer.test' });
    expect(known.res.status).to.equal(200);
    expect(withoutToken(known.res.text).replace(person.email, 'E')).to.equal(withoutToken(unknown.res.text).replace('nobody@customer.test', 'E'));
    expect(await lastMailTo(t, 'nobody@customer.test')).to.equal(undefined);
    const link = linkIn((await lastMailTo(t, person.email))!.text_body, '/portal/password/reset');
    const agent = supertest.agent(t.app);
    const page = await agent.get(link).expect(200);
    const token = /name="token" value="([^"]+)"/.exec(page.text)![1]!;
    await agent.post('/portal/password/reset').type('form').send({ token, password: 'short', _csrf: csrfFrom(page.text) }).expect(422);
    await agent.post('/portal/password/reset').type('form').send({ token, password: 'a brand new password', _csrf: csrfFrom(page.text) }).expect(303);
    await agent.post('/portal/password/reset').type('form').send({ token, password: 'another new password', _csrf: csrfFrom(page.text) }).expect(410);
    // A used link says so whatever is typed, not that the new password is too short or too long.
    for (const password of ['short', 'p'.repeat(5000)]) {
      const dead = await agent.post('/portal/password/reset').type('form').send({ token, password, _csrf: csrfFrom(page.text) }).expect(410);
      expect(dead.text).to.contain('This link has expired or was already used.');
    }
    await old.get('/portal').expect(302);
    await signIn(t.app, 'portal', person.email, 'a brand new password');
    await supertest(t.app).get(link).expect(410);
  });

  it('builds mail links from the configuration, never from a Host header the client chose', async () => {
    const person = await buildRequester(t.db);
    const agent = supertest.agent(t.app);
    const page = await agent.get('/portal/password/forgot').set('Host', 'evil.test');
    await agent.post('/portal/password/forgot').set('Host', 'evil.test').type('form').send({ email: person.email, _csrf: csrfFrom(page.text) }).expect(200);
    await t.deps.mailer.drain();
    const mail = (await lastMailTo(t, person.email))!.text_body;
    expect(mail).not.to.contain('evil.test');
    expect(mail).to.contain('http://127.0.0.1:3000/portal/password/reset?token=');
  });

  it('a reset link mailed before the account was disabled sets nothing, and enabling the account again does not revive it', async () => {
    const admin = await buildStaff(t.db, 'administrator');
    for (const how of ['disabled by an administrator', 'disabled in the database'] as const) {
      const person = await buildRequester(t.db);
      await post('/portal/password/forgot', { email: person.email });
      const link = linkIn((await lastMailTo(t, person.email))!.text_body, '/portal/password/reset');
      const agent = supertest.agent(t.app);
      const page = await agent.get(link).expect(200);
      const token = /name="token" value="([^"]+)"/.exec(page.text)![1]!;
      if (how === 'disabled by an administrator') {
        await changePrincipal(t.db, toActor(admin), person.id, { disabled: true });
        await changePrincipal(t.db, toActor(admin), person.id, { disabled: false });
      } else await t.db('principals').where({ id: person.id }).update({ disabled: true });
      const hash = (await t.db('principals').where({ id: person.id }).first('password_hash')).password_hash;
      await agent.post('/portal/password/reset').type('form').send({ token, password: 'a brand new password', _csrf: csrfFrom(page.text) }).expect(410);
      expect((await t.db('principals').where({ id: person.id }).first('password_hash')).password_hash, how).to.equal(hash);
    }
  });

  it('a reset link mailed before the customer changed their password in the profile is dead', async () => {
    const person = await buildRequester(t.db);
    await post('/portal/password/forgot', { email: person.email });
    const link = linkIn((await lastMailTo(t, person.email))!.text_body, '/portal/password/reset');
    const own = await signIn(t.app, 'portal', person.email, PASSWORD);
    const csrf = await csrfOf(own, '/portal/profile');
    await own.post('/portal/profile/password').type('form').send({ current_password: PASSWORD, password: 'changed it myself', _csrf: csrf }).expect(303);
    await supertest(t.app).get(link).expect(410);
  });

  it('expired reset links are dead', async () => {
    const person = await buildRequester(t.db);
    await post('/portal/password/forgot', { email: person.email });
    const link = linkIn((await lastMailTo(t, person.email))!.text_body, '/portal/password/reset');
    await t.db('password_reset_tokens').where({ principal_id: person.id }).update({ expires_at: new Date(Date.now() - 1000).toISOString() });
    await supertest(t.app).get(link).expect(410);
  });

  it('changes the name, and the password only with the current one; other sessions end, this one stays', async () => {
    const person = await buildRequester(t.db);
    const agent = await signIn(t.app, 'portal', person.email, PASSWORD);
    const other = await signIn(t.app, 'portal', person.email, PASSWORD);
    const token = await csrfOf(agent, '/portal/profile');
    await agent.post('/portal/profile').type('form').send({ name: 'Renamed Person', _csrf: token }).expect(303);
    expect((await agent.get('/portal')).text).to.contain('Renamed Person');
    const before = await snapshot(t.db);
    const wrong = await agent.post('/portal/profile/password').type('form').send({ current_password: 'not it at all', password: 'fresh new password', _csrf: token }).expect(422);
    expect(wrong.text).to.contain('current password is not right');
    expect(await snapshot(t.db)).to.deep.equal(before);
    const sessionCookie = (res: { headers: Record<string, unknown> }) => ([] as string[]).concat((res.headers['set-cookie'] as string[] | undefined) ?? []).map((c) => c.split(';')[0]!).find((c) => c.startsWith('portico.sid='));
    const oldCookie = sessionCookie(await agent.get('/portal').expect(200));
    expect(oldCookie).to.be.a('string');
    const changed = await agent.post('/portal/profile/password').type('form').send({ current_password: PASSWORD, password: 'fresh new password', _csrf: token }).expect(303);
    const newCookie = sessionCookie(changed);
    expect(newCookie, 'a new session id after the change').to.be.a('string').and.not.equal(oldCookie);
    await agent.get('/portal').expect(200);
    await other.get('/portal').expect(302);
    // The old session id is gone with the others: a copy of the old cookie is signed out.
    await supertest(t.app).get('/portal').set('cookie', oldCookie!).expect(302);
  });
});

describe('password change: wrong current passwords are limited per account', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ LOGIN_RATE_LIMIT: '3' });
  });
  after(() => t.close());

  it('after the limit even the right password is refused (429) and nothing changes; other accounts and right guesses do not count', async () => {
    const person = await buildRequester(t.db);
    const agent = await signIn(t.app, 'portal', person.email, PASSWORD);
    const token = await csrfOf(agent, '/portal/profile');
    const change = (current: string) => agent.post('/portal/profile/password').type('form').send({ current_password: current, password: 'fresh new password', _csrf: token });
    for (let i = 0; i < 3; i += 1) expect((await change(`guess number ${i}`)).status).to.equal(422);
    const before = await snapshot(t.db, ['rate_limits']);
    const limited = await change(PASSWORD);
    expect(limited.status).to.equal(429);
    expect(limited.text).to.contain('Too many wrong passwords');
    expect(await snapshot(t.db, ['rate_limits'])).to.deep.equal(before);
    await signIn(t.app, 'portal', person.email, PASSWORD);

    // Someone else is not affected, and right answers are not counted against them.
    const other = await buildRequester(t.db);
    const asOther = await signIn(t.app, 'portal', other.email, PASSWORD);
    // Four changes in a row (each renews the session, so each needs its page's token again).
    let current = PASSWORD;
    for (const next of ['first new password', 'second new password', 'third new password', 'fourth new password']) {
      const otherToken = await csrfOf(asOther, '/portal/profile');
      await asOther.post('/portal/profile/password').type('form').send({ current_password: current, password: next, _csrf: otherToken }).expect(303);
      current = next;
    }
  });
});

describe('staff profile: personal access tokens', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('creates a token shown once and stored hashed, lists it, and revokes it', async () => {
    const staff = await buildStaff(t.db, 'user');
    const agent = await signIn(t.app, 'desk', staff.email, PASSWORD);
    const token = await csrfOf(agent, '/desk/profile');
    const created = await agent.post('/desk/profile/tokens').type('form').send({ name: 'reports', _csrf: token }).expect(201);
    const value = /data-new-token>([^<]+)</.exec(created.text)![1]!;
    expect(value).to.match(/^ptc_/);
    expect(JSON.stringify(await t.db('access_tokens').select('*'))).not.to.contain(value);
    const page = await agent.get('/desk/profile').expect(200);
    expect(page.text).to.contain('reports').and.not.contain(value);
    const id = (await t.db('access_tokens').where({ principal_id: staff.id }).first()).id;
    const other = await buildStaff(t.db, 'user');
    const otherAgent = await signIn(t.app, 'desk', other.email, PASSWORD);
    const beforeRefusal = await snapshot(t.db);
    await otherAgent.post(`/desk/profile/tokens/${id}/delete`).type('form').send({ _csrf: await csrfOf(otherAgent, '/desk/profile') }).expect(404);
    expect(await snapshot(t.db)).to.deep.equal(beforeRefusal);
    await agent.post(`/desk/profile/tokens/${id}/delete`).type('form').send({ _csrf: token }).expect(303);
    expect((await t.db('access_tokens').where({ id }).first()).revoked_at).not.to.equal(null);
    // Both are audited, by the token's owner, naming the token but never its value.
    const events = await t.db('audit_events').where({ target_type: 'access_token', target_id: id }).orderBy('id');
    expect(events.map((e: { action: string; actor_id: number }) => [e.action, Number(e.actor_id)])).to.deep.equal([
      ['token.created', staff.id],
      ['token.revoked', staff.id],
    ]);
    expect(JSON.parse(String(events[0].after))).to.deep.equal({ principalId: staff.id, name: 'reports' });
    expect(JSON.stringify(events)).not.to.contain(value);
  });

  it('sending the token form again (a reload of its answer) creates no second token; revoking says so', async () => {
    const staff = await buildStaff(t.db, 'user');
    const agent = await signIn(t.app, 'desk', staff.email, PASSWORD);
    const page = await agent.get('/desk/profile').expect(200);
    const nonce = /name="nonce" value="([^"]+)"/.exec(page.text)![1]!;
    const body = { name: 'once', nonce, _csrf: csrfFrom(page.text) };
    await agent.post('/desk/profile/tokens').type('form').send(body).expect(201);
    const again = await agent.post('/desk/profile/tokens').type('form').send(body).expect(303);
    expect(again.headers.location).to.contain('already=1');
    expect(await t.db('access_tokens').where({ principal_id: staff.id })).to.have.length(1);
    expect((await agent.get('/desk/profile?already=1').expect(200)).text).to.contain('No token was made');
    const id = (await t.db('access_tokens').where({ principal_id: staff.id }).first()).id;
    const revoked = await agent.post(`/desk/profile/tokens/${id}/delete`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
    expect((await agent.get(revoked.headers.location!).expect(200)).text).to.contain('Token revoked');
  });

  it('refuses a token name that is too long, keeping what was typed; an empty name is "personal token"', async () => {
    const staff = await buildStaff(t.db, 'user');
    const agent = await signIn(t.app, 'desk', staff.email, PASSWORD);
    const token = await csrfOf(agent, '/desk/profile');
    const before = await snapshot(t.db);
    const long = 'n'.repeat(101);
    const refused = await agent.post('/desk/profile/tokens').type('form').send({ name: long, _csrf: token }).expect(422);
    expect(refused.text).to.contain('at most 100 characters').and.contain(`value="${long}"`).and.not.contain('data-new-token');
    expect(await snapshot(t.db)).to.deep.equal(before);
    await agent.post('/desk/profile/tokens').type('form').send({ name: '  ', _csrf: token }).expect(201);
    expect((await t.db('access_tokens').where({ principal_id: staff.id }).first()).name).to.equal('personal token');
  });

  it('administrators read the mail outbox; others cannot', async () => {
    const admin = await buildStaff(t.db, 'administrator');
    await t.db('mail_outbox').insert({ to_address: 'x@y.test', subject: 'Hello <b>there</b>', text_body: 'Body', created_at: new Date().toISOString() });
    const asAdmin = await signIn(t.app, 'desk', admin.email, PASSWORD);
    const page = await asAdmin.get('/admin/mail').expect(200);
    expect(page.text).to.contain('Hello &lt;b&gt;there&lt;/b&gt;');
    const user = await buildStaff(t.db, 'user');
    await (await signIn(t.app, 'desk', user.email, PASSWORD)).get('/admin/mail').expect(403);
  });

  it('in the outbox, links into Portico can be followed; any other address stays text', async () => {
    const admin = await buildStaff(t.db, 'administrator');
    const base = publicBaseUrl(null as never, t.deps.config);
    const body = `Set your password: ${base}/portal/password/reset?token=abc123.\nOur partner: https://evil.example/${base}/x and ${base}.evil.example/y`;
    await t.db('mail_outbox').insert({ to_address: 'links@y.test', subject: 'Links', text_body: body, created_at: new Date(Date.now() + 60_000).toISOString() });
    const html = (await (await signIn(t.app, 'desk', admin.email, PASSWORD)).get('/admin/mail').expect(200)).text;
    const hrefs = [...html.matchAll(/<div class="text">[\s\S]*?<\/div>/g)].flatMap((m) => [...m[0].matchAll(/href="([^"]*)"/g)].map((h) => h[1]));
    expect(hrefs).to.deep.equal([`${base}/portal/password/reset?token=abc123`]);
    expect(html).to.contain('Our partner: https://evil.example/');
  });
});
