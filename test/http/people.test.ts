/**
 * Administrators add people (/admin/users/new) and mail links to set a password
 * (/admin/users/:id/password-link); the person chooses it at /<realm>/password/set and then
 * signs in at their realm only. Refusals for everyone else are in refusals.test.ts.
 */
import crypto from 'node:crypto';
import { expect } from 'chai';
import supertest from 'supertest';
import { createTestApp, csrfFrom, csrfOf, signIn, snapshot, type Agent, type TestApp } from '../helpers/app';
import { buildCompany, buildRequester, buildRole, buildStaff, PASSWORD } from '../helpers/factories';
import type { PrincipalRow } from '../../server/repositories/principals';
import { PASSWORD_LINK_TTL_MS } from '../../server/repositories/passwordLinks';
import { EMAIL_IN_USE, NO_COMPANY_FOR_STAFF, NO_ROLE_FOR_CUSTOMERS } from '../../server/commands/passwordLinks';
import { PRINCIPAL_TYPES, realmOf } from '../../server/permissions';

const NEW_PASSWORD = 'a chosen long password';

function sha256(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

async function lastMailTo(t: TestApp, email: string): Promise<{ subject: string; text_body: string } | undefined> {
  await t.deps.mailer.drain();
  return t.db('mail_outbox').where({ to_address: email }).orderBy('id', 'desc').first();
}

/** The path and token of the set-a-password link in the last mail to `email`. */
async function linkTo(t: TestApp, email: string): Promise<{ path: string; token: string; realm: string }> {
  const mail = await lastMailTo(t, email);
  const m = /https?:\/\/[^\s]+?(\/(desk|portal)\/password\/set)\?token=([A-Za-z0-9_-]+)/.exec(mail?.text_body ?? '');
  if (!m?.[1] || !m[2] || !m[3]) throw new Error(`no password link in the mail to ${email}`);
  return { path: m[1], realm: m[2], token: m[3] };
}

/** Opens the link and posts a password on its page, as a browser would; the final answer. */
async function useLink(t: TestApp, link: { path: string; token: string }, password = NEW_PASSWORD): Promise<supertest.Response> {
  const agent = supertest.agent(t.app);
  const page = await agent.get(`${link.path}?token=${link.token}`);
  // A dead link's page has no form: take a token from the sign-in page of the same realm.
  const csrf = csrfFrom(page.status === 200 ? page.text : (await agent.get(link.path.replace(/\/password\/.*$/, '/login'))).text);
  return agent.post(link.path).type('form').send({ token: link.token, password, _csrf: csrf });
}

async function signInAnswer(t: TestApp, realm: 'desk' | 'portal', email: string, password: string): Promise<number> {
  const agent = supertest.agent(t.app);
  const page = await agent.get(`/${realm}/login`);
  return (await agent.post(`/${realm}/login`).type('form').send({ email, password, _csrf: csrfFrom(page.text) })).status;
}

describe('administrators add people and send links to set a password', function () {
  this.timeout(30_000);
  let t: TestApp;
  let admin: PrincipalRow;
  let agent: Agent;
  let token: string;

  before(async () => {
    t = await createTestApp();
    admin = await buildStaff(t.db, 'administrator');
    agent = await signIn(t.app, 'desk', admin.email, PASSWORD);
    token = await csrfOf(agent, '/admin/users/new');
  });
  after(() => t.close());

  const add = (form: Record<string, string>) => agent.post('/admin/users').type('form').send({ ...form, _csrf: token });

  it('the people page links to the form, which offers every type, the companies and the roles', async () => {
    const company = await buildCompany(t.db, 'Formco Ltd');
    const role = await buildRole(t.db);
    expect((await agent.get('/admin/users').expect(200)).text).to.contain('href="/admin/users/new"').and.contain('Add a person');
    const form = await agent.get('/admin/users/new').expect(200);
    for (const type of PRINCIPAL_TYPES) expect(form.text).to.contain(`<option value="${type}"`);
    expect(form.text).to.contain(`<option value="${company}" >Formco Ltd</option>`);
    expect(form.text).to.contain(`<option value="${role}" `);
  });

  for (const type of PRINCIPAL_TYPES) {
    it(`adds a ${type} with no password, audited, mailed an invitation whose link sets the password once; then they sign in at ${realmOf(type)} only`, async () => {
      const company = type === 'requester' ? await buildCompany(t.db) : null;
      const role = type === 'requester' ? null : await buildRole(t.db, { comment: true });
      const email = `New.${type}@People.test`;
      const res = await add({ name: `New ${type}`, email, type, company_id: company ? String(company) : '', default_role_id: role ? String(role) : '' });
      expect(res.status).to.equal(303);
      const row = await t.db('principals').where({ email_normalized: email.toLowerCase() }).first();
      expect(res.headers.location).to.equal(`/admin/users/${row.id}?invited=1`);
      expect(row).to.include({ type, name: `New ${type}`, email, password_hash: '' });
      expect(row.company_id == null ? null : Number(row.company_id)).to.equal(company);
      expect(row.default_role_id == null ? null : Number(row.default_role_id)).to.equal(role);
      const page = await agent.get(res.headers.location as string).expect(200);
      expect(page.text).to.contain(`An invitation to choose a password was mailed to ${email}`).and.contain('No password yet');

      const events = await t.db('audit_events').where({ target_type: 'principal', target_id: row.id }).orderBy('id');
      expect(events.map((e: { action: string }) => e.action)).to.deep.equal(['principal.created', 'principal.password_link_sent']);
      expect(events.map((e: { actor_id: number }) => Number(e.actor_id))).to.deep.equal([admin.id, admin.id]);
      expect(JSON.parse(events[0].after)).to.deep.equal({ type, email, companyId: company, defaultRoleId: role });

      // No password before the link is used: not the empty one, not any other, at either realm.
      for (const realm of ['desk', 'portal'] as const) for (const guess of ['', NEW_PASSWORD, PASSWORD]) expect(await signInAnswer(t, realm, email, guess)).to.equal(401);

      const link = await linkTo(t, email);
      const realm = realmOf(type);
      const other = realm === 'desk' ? 'portal' : 'desk';
      expect(link.realm).to.equal(realm);
      expect((await lastMailTo(t, email))!.text_body).to.contain(`/${realm}/login`).and.contain('7 days');
      // Only at its realm: the other realm's page knows no such link.
      await supertest(t.app).get(`/${other}/password/set?token=${link.token}`).expect(410);
      const used = await useLink(t, link);
      expect(used.status).to.equal(303);
      expect(used.headers.location).to.equal(`/${realm}/login?set=1`);
      expect((await supertest(t.app).get(`/${realm}/login?set=1`)).text).to.contain('Your password is set');
      // Used once: the page and the form are dead now, and the password stays the first one.
      await supertest(t.app).get(`${link.path}?token=${link.token}`).expect(410);
      expect((await useLink(t, link, 'a second new password')).status).to.equal(410);
      expect(await signInAnswer(t, realm, email, 'a second new password')).to.equal(401);
      expect(await signInAnswer(t, realm, email.toUpperCase(), NEW_PASSWORD)).to.equal(303);
      expect(await signInAnswer(t, other, email, NEW_PASSWORD)).to.equal(401);
    });
  }

  it('choosing the password follows the password rules and does not sign in; the link survives a refused password', async () => {
    await add({ name: 'Rules Person', email: 'rules@people.test', type: 'user' }).expect(303);
    const link = await linkTo(t, 'rules@people.test');
    const short = await useLink(t, link, 'short');
    expect(short.status).to.equal(422);
    expect(short.text).to.contain('at least 8 characters');
    const common = await useLink(t, link, 'password123');
    expect(common.status).to.equal(422);
    expect(common.text).to.contain('too common');
    const browser = supertest.agent(t.app);
    const page = await browser.get(`${link.path}?token=${link.token}`).expect(200);
    expect(page.text).to.contain('Choose your password').and.contain('autocomplete="new-password"');
    await browser.post(link.path).type('form').send({ token: link.token, password: NEW_PASSWORD, _csrf: csrfFrom(page.text) }).expect(303);
    // The same browser is not signed in by it.
    expect((await browser.get('/desk')).status).to.equal(302);
  });

  it('a taken email (any case, any kind of principal) re-renders the form with what was typed, and writes nothing', async () => {
    const customer = await buildRequester(t.db, { email: 'taken@people.test' });
    const role = await buildRole(t.db);
    const before = await snapshot(t.db);
    const res = await add({ name: 'Second Taken', email: ' TAKEN@People.test ', type: 'observer', default_role_id: String(role) });
    expect(res.status).to.equal(422);
    expect(res.text).to.contain(EMAIL_IN_USE).and.contain('value="Second Taken"').and.contain('value=" TAKEN@People.test "');
    expect(res.text).to.match(new RegExp(`<option value="observer" selected>`)).and.match(new RegExp(`<option value="${role}" selected>`));
    expect(await snapshot(t.db)).to.deep.equal(before);
    expect(customer.email).to.equal('taken@people.test');
  });

  describe('bad input re-renders the form with a message and writes nothing', () => {
    const cases: { label: string; form: () => Promise<Record<string, string>>; says: string }[] = [
      { label: 'an empty name', form: async () => ({ name: '  ', email: 'empty-name@people.test', type: 'user' }), says: 'Enter a name.' },
      { label: 'a bad email', form: async () => ({ name: 'Bad Email', email: 'not-an-address', type: 'user' }), says: 'Enter a valid email address.' },
      { label: 'a mailbox group as email', form: async () => ({ name: 'Bad Email', email: 'group:x@evil.test;', type: 'user' }), says: 'Enter a valid email address.' },
      { label: 'an unknown type', form: async () => ({ name: 'Bad Type', email: 'bad-type@people.test', type: 'superuser' }), says: 'Choose a type from the list.' },
      { label: 'no type', form: async () => ({ name: 'No Type', email: 'no-type@people.test' }), says: 'Choose a type from the list.' },
      { label: 'an unknown company', form: async () => ({ name: 'Lost Co', email: 'lost-co@people.test', type: 'requester', company_id: '999999' }), says: 'That company does not exist.' },
      { label: 'a company id that is no id', form: async () => ({ name: 'Word Co', email: 'word-co@people.test', type: 'requester', company_id: 'acme' }), says: 'Choose a company from the list.' },
      { label: 'a company id past the columns', form: async () => ({ name: 'Huge Co', email: 'huge-co@people.test', type: 'requester', company_id: '99999999999' }), says: 'Choose a company from the list.' },
      { label: 'an unknown role', form: async () => ({ name: 'Lost Role', email: 'lost-role@people.test', type: 'contributor', default_role_id: '999999' }), says: 'That role does not exist.' },
      { label: 'a requester with a default role', form: async () => ({ name: 'Role Customer', email: 'role-customer@people.test', type: 'requester', default_role_id: String(await buildRole(t.db)) }), says: NO_ROLE_FOR_CUSTOMERS },
      { label: 'staff with a company', form: async () => ({ name: 'Company Staff', email: 'company-staff@people.test', type: 'user', company_id: String(await buildCompany(t.db)) }), says: NO_COMPANY_FOR_STAFF },
      { label: 'a name sent twice', form: async () => ({ name: ['One', 'Two'] as unknown as string, email: 'twice@people.test', type: 'user' }), says: 'sent more than once' },
    ];
    for (const c of cases) {
      it(c.label, async () => {
        const form = await c.form();
        const before = await snapshot(t.db);
        const res = await add(form);
        expect(res.status).to.equal(422);
        expect(res.text).to.contain(c.says.replace(/"/g, '&#34;'));
        if (typeof form.name === 'string' && form.name.trim()) expect(res.text).to.contain(`value="${form.name}"`);
        expect(res.text).to.contain(`value="${form.email}"`);
        expect(await snapshot(t.db)).to.deep.equal(before);
      });
    }
  });

  it('the link lives 7 days, its token is a 256-bit CSPRNG value stored only as its digest and never logged', async () => {
    const started = Date.now();
    await add({ name: 'Digest Person', email: 'digest@people.test', type: 'requester' }).expect(303);
    const link = await linkTo(t, 'digest@people.test');
    expect(Buffer.from(link.token, 'base64url')).to.have.length(32);
    const row = await t.db('password_links').where({ token_hash: sha256(link.token) }).first();
    expect(row, 'found by its digest').to.not.equal(undefined);
    const week = 7 * 86_400_000;
    expect(PASSWORD_LINK_TTL_MS).to.equal(week);
    expect(new Date(row.expires_at).getTime()).to.be.within(started + week - 1000, Date.now() + week + 1000);
    await supertest(t.app).get(`${link.path}?token=${link.token}`).expect(200);
    expect(await useLink(t, link)).to.have.property('status', 303);
    // Tests run without SMTP, so the outbox keeps the link (README, "Security defaults"); nothing else may.
    const stored: string[] = [];
    for (const table of ['principals', 'password_links', 'audit_events', 'sessions', 'password_reset_tokens', 'rate_limits']) {
      if (!(await t.db.schema.hasTable(table))) continue;
      for (const r of await t.db(table).select('*')) if (JSON.stringify(r).includes(link.token)) stored.push(table);
    }
    expect(stored).to.deep.equal([]);
    expect(t.logs.join('\n')).not.to.contain(link.token);
    expect(t.logs.join('\n')).to.contain('/portal/password/set');
  });

  it('an expired link fails on its page and its form, and the person still has no password', async () => {
    await add({ name: 'Late Person', email: 'late@people.test', type: 'user' }).expect(303);
    const link = await linkTo(t, 'late@people.test');
    await t.db('password_links').where({ token_hash: sha256(link.token) }).update({ expires_at: new Date(Date.now() - 1000).toISOString() });
    await supertest(t.app).get(`${link.path}?token=${link.token}`).expect(410);
    expect((await useLink(t, link)).status).to.equal(410);
    expect((await t.db('principals').where({ email_normalized: 'late@people.test' }).first()).password_hash).to.equal('');
    expect(await signInAnswer(t, 'desk', 'late@people.test', NEW_PASSWORD)).to.equal(401);
  });

  it('"Send a link to set a password": a fresh link for an active person, audited; earlier links stop working; the old password works until it is used', async () => {
    const person = await buildStaff(t.db, 'observer');
    await add({ name: 'Twice Invited', email: 'twice-invited@people.test', type: 'contributor' }).expect(303);
    const first = await linkTo(t, 'twice-invited@people.test');
    const invited = await t.db('principals').where({ email_normalized: 'twice-invited@people.test' }).first();
    const res = await agent.post(`/admin/users/${invited.id}/password-link`).type('form').send({ _csrf: token }).expect(303);
    expect(res.headers.location).to.equal(`/admin/users/${invited.id}?linksent=1`);
    expect((await agent.get(res.headers.location as string)).text).to.contain('A link to set a password was mailed to twice-invited@people.test');
    const second = await linkTo(t, 'twice-invited@people.test');
    expect(second.token).to.not.equal(first.token);
    expect((await lastMailTo(t, 'twice-invited@people.test'))!.subject).to.equal('Set your Portico password');
    await supertest(t.app).get(`${first.path}?token=${first.token}`).expect(410);
    expect((await useLink(t, first)).status).to.equal(410);
    expect((await useLink(t, second)).status).to.equal(303);
    expect(await signInAnswer(t, 'desk', 'twice-invited@people.test', NEW_PASSWORD)).to.equal(303);

    // For someone who has a password: it keeps working until the link is used, then the new one does.
    await agent.post(`/admin/users/${person.id}/password-link`).type('form').send({ _csrf: token }).expect(303);
    const events = await t.db('audit_events').where({ target_type: 'principal', target_id: person.id }).orderBy('id');
    expect(events.map((e: { action: string; actor_id: number }) => [e.action, Number(e.actor_id)])).to.deep.equal([['principal.password_link_sent', admin.id]]);
    const theirs = await linkTo(t, person.email);
    expect(theirs.realm).to.equal('desk');
    const session = await signIn(t.app, 'desk', person.email, PASSWORD);
    expect((await useLink(t, theirs)).status).to.equal(303);
    expect(await signInAnswer(t, 'desk', person.email, PASSWORD)).to.equal(401);
    expect(await signInAnswer(t, 'desk', person.email, NEW_PASSWORD)).to.equal(303);
    // As a reset does, it ends the sessions from before.
    expect((await session.get('/desk')).status).to.equal(302);
  });

  it('a link to a customer goes to the portal page, and sending one to an unknown person is a 404 that writes nothing', async () => {
    const customer = await buildRequester(t.db);
    await agent.post(`/admin/users/${customer.id}/password-link`).type('form').send({ _csrf: token }).expect(303);
    expect((await linkTo(t, customer.email)).realm).to.equal('portal');
    const before = await snapshot(t.db);
    await agent.post('/admin/users/999999/password-link').type('form').send({ _csrf: token }).expect(404);
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  describe('disabled people', () => {
    it('cannot be sent a link: the page offers none, and a post is refused with a message and nothing written', async () => {
      const person = await buildStaff(t.db, 'user');
      await agent.post(`/admin/users/${person.id}`).type('form').send({ disabled: 'true', _csrf: token }).expect(303);
      const page = await agent.get(`/admin/users/${person.id}`).expect(200);
      expect(page.text).to.contain('no link to set a password can be sent').and.not.contain(`/admin/users/${person.id}/password-link`);
      const before = await snapshot(t.db);
      const res = await agent.post(`/admin/users/${person.id}/password-link`).type('form').send({ _csrf: token });
      expect(res.status).to.equal(422);
      expect(res.text).to.contain('This account is disabled');
      expect(await snapshot(t.db)).to.deep.equal(before);
      expect(await t.db('password_links').where({ principal_id: person.id })).to.deep.equal([]);
    });

    it('a link sent before the account was disabled fails, and does not come back when it is enabled again', async () => {
      await add({ name: 'Soon Disabled', email: 'soon-disabled@people.test', type: 'user' }).expect(303);
      const link = await linkTo(t, 'soon-disabled@people.test');
      const person = await t.db('principals').where({ email_normalized: 'soon-disabled@people.test' }).first();
      await agent.post(`/admin/users/${person.id}`).type('form').send({ disabled: 'true', _csrf: token }).expect(303);
      await supertest(t.app).get(`${link.path}?token=${link.token}`).expect(410);
      expect((await useLink(t, link)).status).to.equal(410);
      await agent.post(`/admin/users/${person.id}`).type('form').send({ disabled: 'false', _csrf: token }).expect(303);
      expect((await useLink(t, link)).status).to.equal(410);
      expect((await t.db('principals').where({ id: person.id }).first()).password_hash).to.equal('');
    });

    it('a link fails while its account is disabled however the account came to be disabled', async () => {
      await add({ name: 'Row Disabled', email: 'row-disabled@people.test', type: 'requester' }).expect(303);
      const link = await linkTo(t, 'row-disabled@people.test');
      await t.db('principals').where({ email_normalized: 'row-disabled@people.test' }).update({ disabled: true });
      await supertest(t.app).get(`${link.path}?token=${link.token}`).expect(410);
      expect((await useLink(t, link)).status).to.equal(410);
      expect((await t.db('principals').where({ email_normalized: 'row-disabled@people.test' }).first()).password_hash).to.equal('');
    });
  });

  it('a customer who resets their password ends the links an administrator mailed them, and the other way round', async () => {
    await add({ name: 'Both Ways', email: 'both-ways@people.test', type: 'requester' }).expect(303);
    const link = await linkTo(t, 'both-ways@people.test');
    const forgot = async () => {
      const anon = supertest.agent(t.app);
      const csrf = csrfFrom((await anon.get('/portal/password/forgot')).text);
      await anon.post('/portal/password/forgot').type('form').send({ email: 'both-ways@people.test', _csrf: csrf }).expect(200);
    };
    await forgot();
    const reset = /\/portal\/password\/reset\?token=([A-Za-z0-9_-]+)/.exec((await lastMailTo(t, 'both-ways@people.test'))!.text_body)![1]!;
    expect((await useLink(t, { path: '/portal/password/reset', token: reset })).status).to.equal(303);
    expect((await useLink(t, link)).status).to.equal(410);

    await agent.post(`/admin/users/${(await t.db('principals').where({ email_normalized: 'both-ways@people.test' }).first()).id}/password-link`).type('form').send({ _csrf: token }).expect(303);
    const fresh = await linkTo(t, 'both-ways@people.test');
    await forgot();
    const reset2 = /\/portal\/password\/reset\?token=([A-Za-z0-9_-]+)/.exec((await lastMailTo(t, 'both-ways@people.test'))!.text_body)![1]!;
    expect((await useLink(t, fresh, 'a third long password')).status).to.equal(303);
    expect((await useLink(t, { path: '/portal/password/reset', token: reset2 })).status).to.equal(410);
  });

  it('the desk sign-in page tells staff to ask an administrator, and has no forgot-password form', async () => {
    const page = await supertest(t.app).get('/desk/login').expect(200);
    expect(page.text).to.contain('Forgot your password? Ask an administrator');
    await supertest(t.app).get('/desk/password/forgot').expect(302);
  });

  it('a link mailed before the person changed their own password is dead: it cannot replace the new one (found by review)', async () => {
    const person = await buildStaff(t.db, 'user');
    const csrf = await csrfOf(agent, `/admin/users/${person.id}`);
    await agent.post(`/admin/users/${person.id}/password-link`).type('form').send({ _csrf: csrf }).expect(303);
    const link = await linkTo(t, person.email);
    const own = await signIn(t.app, 'desk', person.email, PASSWORD);
    const profile = await csrfOf(own, '/desk/profile');
    await own.post('/desk/profile/password').type('form').send({ current_password: PASSWORD, password: 'my own new password', _csrf: profile }).expect(303);
    await supertest(t.app).get(`${link.path}?token=${link.token}`).expect(410);
    expect((await useLink(t, link)).status).to.equal(410);
    expect(await signInAnswer(t, 'desk', person.email, 'my own new password')).to.equal(303);
  });

  it('a link from before the person\'s last cut-off is dead even if nothing ended it (a disable written beside it)', async () => {
    const person = await buildStaff(t.db, 'user');
    const csrf = await csrfOf(agent, `/admin/users/${person.id}`);
    await agent.post(`/admin/users/${person.id}/password-link`).type('form').send({ _csrf: csrf }).expect(303);
    const link = await linkTo(t, person.email);
    // As a disable committed just after the link was written, then undone by an enable.
    await t.db('principals').where({ id: person.id }).update({ sessions_valid_after: Date.now() + 1000 });
    await supertest(t.app).get(`${link.path}?token=${link.token}`).expect(410);
    expect((await useLink(t, link)).status).to.equal(410);
  });
});
