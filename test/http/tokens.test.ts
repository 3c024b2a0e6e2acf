/**
 * Every secret token Portico hands out: API access tokens (ptc_…), dashboard share links, sign-up confirmation and
 * password reset links, and the session and CSRF tokens of the web realms. Each carries at
 * least 128 random bits, no two are alike, the database keeps only a digest of the ones it
 * looks up, and the single-use ones die when used, when superseded and when they expire.
 * Public share links of dashboards (psl_…) likewise.
 *
 * Then enumeration: sign-in, sign-up and the forgotten-password form answer a known and an
 * unknown address alike, and do the same password-hashing work for both. The work is
 * counted, not timed: every scrypt computation is a SCRYPTREQUEST async resource, so an
 * async hook counts the hashes a request ran without touching the server code.
 */
import { createHook } from 'node:async_hooks';
import crypto from 'node:crypto';
import { expect } from 'chai';
import supertest from 'supertest';
import { createTestApp, csrfFrom, signIn, snapshot, TEST_SCRYPT_COST, type TestApp } from '../helpers/app';
import { testEngine } from '../helpers/databases';
import { buildCompany, buildRequester, buildStaff, PASSWORD } from '../helpers/factories';
import { createAccessToken } from '../../server/repositories/accessTokens';
import { createPendingSignup, createResetToken, RESET_TTL_MS, SIGNUP_TTL_MS } from '../../server/repositories/accountTokens';
import { hashPassword, NO_PASSWORD, verifyPassword } from '../../server/auth/passwords';
import { insertPrincipal } from '../../server/repositories/principals';
import { createMailer } from '../../server/mail/mailer';
import { createApp, type AppDeps } from '../../server/app';
import { SESSION_COOKIE } from '../../server/auth/session';
import { nowIso } from '../../server/db';
import { insertDashboard } from '../../server/repositories/dashboards';
import { insertShareLink } from '../../server/repositories/shareLinks';
import { changeSettings } from '../../server/commands/changeSettings';

/** The random bytes of a base64url token (after its prefix); fails unless it is canonical base64url. */
function base64urlBytes(token: string, prefix = ''): Buffer {
  expect(token.startsWith(prefix), token).to.equal(true);
  const body = token.slice(prefix.length);
  expect(body, token).to.match(/^[A-Za-z0-9_-]+$/);
  const bytes = Buffer.from(body, 'base64url');
  expect(bytes.toString('base64url'), `${token} is canonical base64url`).to.equal(body);
  return bytes;
}

function hexBytes(token: string): Buffer {
  expect(token).to.match(/^(?:[0-9a-f]{2})+$/);
  return Buffer.from(token, 'hex');
}

/**
 * At least 128 bits each, all distinct, and no sign of a structure: every character position
 * varies across the sample (a timestamp, counter or id inside the token would not), and the
 * bits are balanced (a biased or mostly constant generator would not be).
 */
function expectRandom(tokens: string[], bytesOf: (t: string) => Buffer, label: string): void {
  expect(new Set(tokens).size, `${label}: all distinct`).to.equal(tokens.length);
  const decoded = tokens.map(bytesOf);
  for (const b of decoded) expect(b.length, `${label}: random bytes`).to.be.at.least(16);
  const width = Math.min(...tokens.map((t) => t.length));
  for (let i = 0; i < width; i += 1) {
    const chars = new Set(tokens.map((t) => t[i]));
    // The fixed prefix (ptc_, psl_) is the only part that may repeat.
    if (!/^(ptc|psl)_/.test(tokens[0]!) || i >= 4) expect(chars.size, `${label}: character ${i} varies`).to.be.greaterThan(1);
  }
  let ones = 0;
  let bits = 0;
  for (const b of decoded) {
    for (const byte of b) {
      for (let k = 0; k < 8; k += 1) ones += (byte >> k) & 1;
      bits += 8;
    }
  }
  expect(ones / bits, `${label}: share of one bits`).to.be.within(0.45, 0.55);
}

async function allTables(t: TestApp): Promise<string[]> {
  if (testEngine() === 'pg') {
    const rows = (await t.db.raw("select tablename as name from pg_tables where schemaname = current_schema()")) as { rows: { name: string }[] };
    return rows.rows.map((r) => r.name);
  }
  const rows = (await t.db.raw("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")) as { name: string }[];
  return rows.map((r) => r.name);
}

/** The tables (and their columns) whose stored text contains the needle. */
async function whereStored(t: TestApp, needle: string, except: string[] = []): Promise<string[]> {
  const found: string[] = [];
  for (const table of await allTables(t)) {
    if (except.includes(table)) continue;
    const rows: Record<string, unknown>[] = await t.db(table).select('*');
    for (const row of rows) {
      for (const [column, value] of Object.entries(row)) {
        const text = value instanceof Date ? value.toISOString() : Buffer.isBuffer(value) ? value.toString('latin1') : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
        if (text.includes(needle)) found.push(`${table}.${column}`);
      }
    }
  }
  return found;
}

function sha256(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

async function lastMailTo(t: TestApp, email: string): Promise<{ subject: string; text_body: string } | undefined> {
  return t.db('mail_outbox').where({ to_address: email }).orderBy('id', 'desc').first();
}

function tokenInMail(text: string, path: string): string {
  const m = new RegExp(`${path.replace(/\//g, '\\/')}\\?token=([A-Za-z0-9_-]+)`).exec(text);
  if (!m?.[1]) throw new Error(`no ${path} link in mail`);
  return m[1];
}

async function postForm(app: TestApp['app'], page: string, path: string, form: Record<string, string>) {
  const agent = supertest.agent(app);
  const token = csrfFrom((await agent.get(page)).text);
  const res = await agent.post(path).type('form').send({ ...form, _csrf: token });
  // Sign-up and reset requests do their work after the answer (mailer.later): wait for it.
  await (app.locals.deps as AppDeps).mailer.drain();
  return res;
}

function sessionIdOf(res: supertest.Response): string {
  const raw = res.headers['set-cookie'] as unknown;
  const list: string[] = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  const cookie = list.find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (!cookie) throw new Error('no session cookie');
  // s:<id>.<signature>
  const value = decodeURIComponent(cookie.split(';')[0]!.slice(SESSION_COOKIE.length + 1));
  const m = /^s:([^.]+)\./.exec(value);
  if (!m?.[1]) throw new Error(`unexpected session cookie ${value}`);
  return m[1];
}

describe('secret tokens: randomness, storage, lifetime', function () {
  this.timeout(60_000);
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  describe('at least 128 random bits, never two alike', () => {
    it('API access tokens: 200 from the repository and those made in the desk profile', async () => {
      const staff = await buildStaff(t.db, 'user');
      const tokens: string[] = [];
      for (let i = 0; i < 200; i += 1) tokens.push((await createAccessToken(t.db, staff.id, `t${i}`)).token);
      const agent = await signIn(t.app, 'desk', staff.email, PASSWORD);
      const csrf = csrfFrom((await agent.get('/desk/profile')).text);
      for (let i = 0; i < 3; i += 1) {
        const created = await agent.post('/desk/profile/tokens').type('form').send({ name: `desk ${i}`, _csrf: csrf }).expect(201);
        tokens.push(/data-new-token>([^<]+)</.exec(created.text)![1]!);
      }
      expectRandom(tokens, (tk) => base64urlBytes(tk, 'ptc_'), 'API token');
    });

    it('share link keys: 200 from the repository; only their SHA-256 is kept, and a visit leaves them in no table or log', async () => {
      const staff = await buildStaff(t.db, 'administrator');
      const dashboard = await insertDashboard(t.db, 'Shared', staff.id);
      const keys: string[] = [];
      for (let i = 0; i < 200; i += 1) keys.push((await insertShareLink(t.db, { dashboardId: dashboard, label: `l${i}`, createdBy: staff.id, expiresAt: null })).key);
      expectRandom(keys, (k) => base64urlBytes(k, 'psl_'), 'share link key');
      await changeSettings(t.db, staff.id, { 'share_links.enabled': true });
      await supertest(t.app).get(`/share/dashboard?key=${keys[0]!}`).expect(200);
      for (const k of keys.slice(0, 3)) {
        expect(await whereStored(t, k.slice(4)), k).to.deep.equal([]);
        expect((await t.db('share_links').where({ key_hash: sha256(k) }).first()).dashboard_id).to.equal(dashboard);
      }
      expect(t.logs.join('\n')).not.to.contain(keys[0]!.slice(4));
      await changeSettings(t.db, staff.id, { 'share_links.enabled': false });
    });

    it('password reset and sign-up confirmation tokens: 200 of each, and those mailed by the portal', async () => {
      const person = await buildRequester(t.db);
      const resets: string[] = [];
      const signups: string[] = [];
      for (let i = 0; i < 200; i += 1) {
        resets.push(await createResetToken(t.db, person.id));
        signups.push(await createPendingSignup(t.db, { email: `many-${i}@signup.test`, name: 'Many', passwordHash: null }));
      }
      expect((await postForm(t.app, '/portal/password/forgot', '/portal/password/forgot', { email: person.email })).status).to.equal(200);
      resets.push(tokenInMail((await lastMailTo(t, person.email))!.text_body, '/portal/password/reset'));
      expect((await postForm(t.app, '/portal/signup', '/portal/signup', { name: 'Mailed', email: 'mailed@signup.test', password: 'a good long password' })).status).to.equal(200);
      signups.push(tokenInMail((await lastMailTo(t, 'mailed@signup.test'))!.text_body, '/portal/signup/confirm'));
      expectRandom(resets, (tk) => base64urlBytes(tk), 'reset token');
      expectRandom(signups, (tk) => base64urlBytes(tk), 'sign-up token');
      expect(resets.filter((r) => signups.includes(r))).to.deep.equal([]);
    });

    it('session ids and CSRF tokens of the web realms', async () => {
      const sids: string[] = [];
      const csrfs: string[] = [];
      for (let i = 0; i < 100; i += 1) {
        const page = await supertest(t.app).get(i % 2 ? '/portal/login' : '/desk/login').expect(200);
        sids.push(sessionIdOf(page));
        csrfs.push(csrfFrom(page.text));
      }
      expectRandom(sids, (s) => base64urlBytes(s), 'session id');
      expectRandom(csrfs, hexBytes, 'CSRF token');
    });
  });

  describe('stored only as a digest', () => {
    it('an API token is in no column of any table, neither whole nor without its prefix; access_tokens keeps its SHA-256', async () => {
      const staff = await buildStaff(t.db, 'user');
      const { id, token } = await createAccessToken(t.db, staff.id, 'stored');
      const agent = await signIn(t.app, 'desk', staff.email, PASSWORD);
      const created = await agent.post('/desk/profile/tokens').type('form').send({ name: 'from desk', _csrf: csrfFrom((await agent.get('/desk/profile')).text) }).expect(201);
      const fromDesk = /data-new-token>([^<]+)</.exec(created.text)![1]!;
      // Used once, so last_used_at and the audit trail have had their chance to record it.
      await supertest(t.app).get('/api/v1/EntityTypes').set('Authorization', `Bearer ${token}`).expect(200);
      await supertest(t.app).get(`/api/v1/EntityTypes?token=${fromDesk}`).expect(200);
      for (const tk of [token, fromDesk]) {
        expect(await whereStored(t, tk), tk).to.deep.equal([]);
        expect(await whereStored(t, tk.slice(4)), tk).to.deep.equal([]);
        expect(t.logs.join('\n')).not.to.contain(tk.slice(4));
        const row = await t.db('access_tokens').where({ token_hash: sha256(tk) }).first();
        expect(row, 'found by its digest').to.not.equal(undefined);
      }
      expect((await t.db('access_tokens').where({ id }).first()).token_hash).to.equal(sha256(token));
    });

    it('reset and sign-up tokens are in no column of any table but the outbox copy, which exists only while the outbox is the sole delivery', async () => {
      const person = await buildRequester(t.db);
      await postForm(t.app, '/portal/password/forgot', '/portal/password/forgot', { email: person.email });
      const reset = tokenInMail((await lastMailTo(t, person.email))!.text_body, '/portal/password/reset');
      await postForm(t.app, '/portal/signup', '/portal/signup', { name: 'Stored Not', email: 'stored-not@signup.test', password: 'a good long password' });
      const signup = tokenInMail((await lastMailTo(t, 'stored-not@signup.test'))!.text_body, '/portal/signup/confirm');
      // Opened once each (the link's page carries the token in a hidden field), so a session or log could have caught it.
      await supertest(t.app).get(`/portal/password/reset?token=${reset}`).expect(200);
      await supertest(t.app).get(`/portal/signup/confirm?token=${signup}`).expect(200);
      // Tests run without SMTP_URL, so the outbox keeps the link (README, "Security defaults"); nothing else may.
      expect(await whereStored(t, reset)).to.deep.equal(['mail_outbox.text_body']);
      expect(await whereStored(t, signup)).to.deep.equal(['mail_outbox.text_body']);
      expect(t.logs.join('\n')).not.to.contain(reset).and.not.to.contain(signup);
      expect((await t.db('password_reset_tokens').where({ token_hash: sha256(reset) }).first()).principal_id).to.equal(person.id);
      expect((await t.db('pending_signups').where({ token_hash: sha256(signup) }).first()).email).to.equal('stored-not@signup.test');

      // With real delivery the stored copy hides the link: for sign-up as for reset (mail.test.ts).
      const deps = { ...t.deps, mailer: createMailer(t.db, t.deps.log, 'smtp://127.0.0.1:9', 'Portico <p@x.test>', false, { retryDelaysMs: [] }) };
      const delivering = createApp(deps);
      await postForm(delivering, '/portal/signup', '/portal/signup', { name: 'Hidden Link', email: 'hidden-link@signup.test', password: 'a good long password' }).then((res) => expect(res.status).to.equal(200));
      await deps.mailer.drain();
      const row = (await lastMailTo(t, 'hidden-link@signup.test'))!;
      expect(row.subject).to.equal('Confirm your Portico account');
      expect(row.text_body).to.contain('[link hidden').and.not.match(/token=[A-Za-z0-9_-]{20,}/);
      const live = await t.db('pending_signups').where({ email: 'hidden-link@signup.test' }).first();
      expect(live.token_hash).to.match(/^[0-9a-f]{64}$/);
      expect(await whereStored(t, live.token_hash, ['pending_signups'])).to.deep.equal([]);
    });
  });

  describe('single use, superseded, expiring (what accounts.test.ts does not already cover)', () => {
    it('a reset link lives one hour and a sign-up link 24 hours from issue', async () => {
      const person = await buildRequester(t.db);
      const before = Date.now();
      await postForm(t.app, '/portal/password/forgot', '/portal/password/forgot', { email: person.email });
      await postForm(t.app, '/portal/signup', '/portal/signup', { name: 'Ttl', email: 'ttl@signup.test', password: 'a good long password' });
      const after = Date.now();
      const reset = await t.db('password_reset_tokens').where({ principal_id: person.id }).first();
      const signup = await t.db('pending_signups').where({ email: 'ttl@signup.test' }).first();
      const ms = (v: unknown) => new Date(v as string).getTime();
      expect(ms(reset.expires_at)).to.be.within(before + RESET_TTL_MS - 1000, after + RESET_TTL_MS + 1000);
      expect(ms(signup.expires_at)).to.be.within(before + SIGNUP_TTL_MS - 1000, after + SIGNUP_TTL_MS + 1000);
      expect(RESET_TTL_MS).to.equal(3_600_000);
      expect(SIGNUP_TTL_MS).to.equal(24 * 3_600_000);
    });

    it('an expired sign-up link is dead on both the page and the form, and creates no account', async () => {
      await postForm(t.app, '/portal/signup', '/portal/signup', { name: 'Late Comer', email: 'late@signup.test', password: 'a good long password' });
      const token = tokenInMail((await lastMailTo(t, 'late@signup.test'))!.text_body, '/portal/signup/confirm');
      await supertest(t.app).get(`/portal/signup/confirm?token=${token}`).expect(200);
      await t.db('pending_signups').where({ email: 'late@signup.test' }).update({ expires_at: new Date(Date.now() - 1000).toISOString() });
      await supertest(t.app).get(`/portal/signup/confirm?token=${token}`).expect(410);
      const res = await postForm(t.app, '/portal/signup', '/portal/signup/confirm', { token, password: 'a good long password' });
      expect(res.status).to.equal(410);
      expect(await t.db('principals').where({ email_normalized: 'late@signup.test' }).first()).to.equal(undefined);
    });

    it('an expired reset link is refused on the form too, and the password stays', async () => {
      const person = await buildRequester(t.db);
      await postForm(t.app, '/portal/password/forgot', '/portal/password/forgot', { email: person.email });
      const token = tokenInMail((await lastMailTo(t, person.email))!.text_body, '/portal/password/reset');
      await t.db('password_reset_tokens').where({ principal_id: person.id }).update({ expires_at: new Date(Date.now() - 1000).toISOString() });
      const before = (await t.db('principals').where({ id: person.id }).first()).password_hash;
      const res = await postForm(t.app, '/portal/password/forgot', '/portal/password/reset', { token, password: 'a brand new password' });
      expect(res.status).to.equal(410);
      expect((await t.db('principals').where({ id: person.id }).first()).password_hash).to.equal(before);
      await signIn(t.app, 'portal', person.email, PASSWORD);
    });

    it('using one reset link kills the person’s other live reset links', async () => {
      const person = await buildRequester(t.db);
      await postForm(t.app, '/portal/password/forgot', '/portal/password/forgot', { email: person.email });
      const first = tokenInMail((await lastMailTo(t, person.email))!.text_body, '/portal/password/reset');
      await postForm(t.app, '/portal/password/forgot', '/portal/password/forgot', { email: person.email });
      const second = tokenInMail((await lastMailTo(t, person.email))!.text_body, '/portal/password/reset');
      expect(second).to.not.equal(first);
      await supertest(t.app).get(`/portal/password/reset?token=${first}`).expect(200);
      expect((await postForm(t.app, '/portal/password/forgot', '/portal/password/reset', { token: second, password: 'the second new password' })).status).to.equal(303);
      await supertest(t.app).get(`/portal/password/reset?token=${first}`).expect(410);
      expect((await postForm(t.app, '/portal/password/forgot', '/portal/password/reset', { token: first, password: 'the first new password' })).status).to.equal(410);
      await signIn(t.app, 'portal', person.email, 'the second new password');
    });

    it('a second sign-up link for the same address dies once the first is confirmed', async () => {
      await postForm(t.app, '/portal/signup', '/portal/signup', { name: 'Twice', email: 'twice@signup.test', password: 'a good long password' });
      const first = tokenInMail((await lastMailTo(t, 'twice@signup.test'))!.text_body, '/portal/signup/confirm');
      await postForm(t.app, '/portal/signup', '/portal/signup', { name: 'Twice Again', email: 'twice@signup.test', password: 'a good long password' });
      const second = tokenInMail((await lastMailTo(t, 'twice@signup.test'))!.text_body, '/portal/signup/confirm');
      expect(second).to.not.equal(first);
      expect((await postForm(t.app, '/portal/signup', '/portal/signup/confirm', { token: first, password: 'a good long password' })).status).to.equal(303);
      const res = await postForm(t.app, '/portal/signup', '/portal/signup/confirm', { token: second, password: 'another long password' });
      expect(res.status).to.equal(410);
      const accounts = await t.db('principals').where({ email_normalized: 'twice@signup.test' });
      expect(accounts.map((a: { name: string }) => a.name)).to.deep.equal(['Twice']);
    });

    it('a reset token opens no sign-up and a sign-up token resets no password', async () => {
      const person = await buildRequester(t.db);
      const reset = await createResetToken(t.db, person.id);
      const signup = await createPendingSignup(t.db, { email: 'crossed@signup.test', name: 'Crossed', passwordHash: null });
      await supertest(t.app).get(`/portal/signup/confirm?token=${reset}`).expect(410);
      await supertest(t.app).get(`/portal/password/reset?token=${signup}`).expect(410);
      expect((await postForm(t.app, '/portal/signup', '/portal/signup/confirm', { token: reset, password: 'a good long password' })).status).to.equal(410);
      expect((await postForm(t.app, '/portal/password/forgot', '/portal/password/reset', { token: signup, password: 'a good long password' })).status).to.equal(410);
      expect(await t.db('principals').where({ email_normalized: 'crossed@signup.test' }).first()).to.equal(undefined);
      await signIn(t.app, 'portal', person.email, PASSWORD);
    });

    it('an API token past its expires_at is refused at once', async () => {
      const staff = await buildStaff(t.db, 'user');
      const { id, token } = await createAccessToken(t.db, staff.id, 'expiring');
      await supertest(t.app).get('/api/v1/EntityTypes').set('Authorization', `Bearer ${token}`).expect(200);
      await t.db('access_tokens').where({ id }).update({ expires_at: new Date(Date.now() + 60_000).toISOString() });
      await supertest(t.app).get('/api/v1/EntityTypes').set('Authorization', `Bearer ${token}`).expect(200);
      await t.db('access_tokens').where({ id }).update({ expires_at: nowIso() });
      const res = await supertest(t.app).get('/api/v1/EntityTypes').set('Authorization', `Bearer ${token}`).expect(401);
      expect(res.body).to.deep.equal({ Status: 'Unauthorized', Message: 'The token is not valid.' });
      await supertest(t.app).get(`/api/v1/EntityTypes?token=${token}`).expect(401);
    });
  });
});

describe('no enumeration: the same answer and the same hashing work for known and unknown addresses', function () {
  this.timeout(60_000);
  let t: TestApp;

  /** How many scrypt computations `run` caused (each is one SCRYPTREQUEST async resource). */
  async function scryptCalls<T>(run: () => Promise<T>): Promise<{ result: T; calls: number }> {
    let calls = 0;
    const hook = createHook({
      init(_id, type) {
        if (type === 'SCRYPTREQUEST') calls += 1;
      },
    });
    hook.enable();
    try {
      const result = await run();
      return { result, calls };
    } finally {
      hook.disable();
    }
  }

  /** The page without its CSRF token and with the echoed address blanked (no other per-request value exists: the CSP has no nonce). */
  function normalized(res: supertest.Response, email: string): string {
    return res.text.replace(/name="_csrf" value="[^"]+"/g, 'name="_csrf" value=""').split(email).join('E');
  }

  interface Answer {
    label: string;
    status: number;
    type: string | undefined;
    body: string;
    hashes: number;
  }

  async function answer(label: string, page: string, path: string, form: Record<string, string>, email: string): Promise<Answer> {
    const agent = supertest.agent(t.app);
    const csrf = csrfFrom((await agent.get(page)).text);
    const { result: res, calls } = await scryptCalls(() => agent.post(path).type('form').send({ ...form, email, _csrf: csrf }).then((r) => r));
    return { label, status: res.status, type: res.headers['content-type'] as string | undefined, body: normalized(res, email), hashes: calls };
  }

  function expectAlike(answers: Answer[], status: number, hashes: number): void {
    for (const a of answers) {
      expect(a.status, a.label).to.equal(status);
      expect(a.type, a.label).to.equal(answers[0]!.type);
      expect(a.body, `${a.label} vs ${answers[0]!.label}`).to.equal(answers[0]!.body);
      expect(a.hashes, `${a.label}: scrypt computations`).to.equal(hashes);
    }
  }

  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('the counter sees each scrypt computation: one per hash, one per check', async () => {
    const hash = await scryptCalls(() => hashPassword('counting password', TEST_SCRYPT_COST));
    expect(hash.calls).to.equal(1);
    expect((await scryptCalls(() => verifyPassword('counting password', hash.result))).calls).to.equal(1);
    expect((await scryptCalls(() => verifyPassword('wrong password!!', hash.result))).calls).to.equal(1);
  });

  for (const realm of ['portal', 'desk'] as const) {
    it(`POST /${realm}/login: a wrong password, an unknown email, a disabled account, the other realm's account and an account with no password yet get one page and one scrypt check each`, async () => {
      const company = await buildCompany(t.db);
      const known = realm === 'portal' ? await buildRequester(t.db, { company }) : await buildStaff(t.db, 'user');
      const disabled = realm === 'portal' ? await buildRequester(t.db, { company }) : await buildStaff(t.db, 'user');
      await t.db('principals').where({ id: disabled.id }).update({ disabled: true });
      const otherRealm = realm === 'portal' ? await buildStaff(t.db, 'user') : await buildRequester(t.db, { company });
      // Added by an administrator, who has not chosen a password yet (/admin/users/new).
      const invited = await insertPrincipal(t.db, { type: realm === 'portal' ? 'requester' : 'user', name: 'No Password Yet', email: `no-password-${realm}@invited.test`, passwordHash: NO_PASSWORD });
      const login = `/${realm}/login`;
      const answers = [
        await answer('known, wrong password', login, login, { password: 'not the password' }, known.email),
        await answer('unknown email', login, login, { password: 'not the password' }, `nobody-${realm}@nowhere.test`),
        await answer('unknown email, the right password of someone else', login, login, { password: PASSWORD }, `nobody2-${realm}@nowhere.test`),
        await answer('disabled account, right password', login, login, { password: PASSWORD }, disabled.email),
        await answer('other realm, right password', login, login, { password: PASSWORD }, otherRealm.email),
        await answer('no password yet', login, login, { password: 'not the password' }, invited.email),
      ];
      expectAlike(answers, 401, 1);
      expect(answers[0]!.body).to.contain('Invalid email or password.');
      // And the right password costs the same single check.
      const ok = await answer('known, right password', login, login, { password: PASSWORD }, known.email);
      expect([ok.status, ok.hashes]).to.deep.equal([303, 1]);
    });
  }

  it('POST /portal/password/forgot: a known customer, an unknown email, a staff address and a disabled customer get one page and no hashing', async () => {
    const customer = await buildRequester(t.db);
    const disabled = await buildRequester(t.db);
    await t.db('principals').where({ id: disabled.id }).update({ disabled: true });
    const staff = await buildStaff(t.db, 'user');
    const page = '/portal/password/forgot';
    const answers = [
      await answer('known customer', page, page, {}, customer.email),
      await answer('unknown email', page, page, {}, 'nobody-reset@nowhere.test'),
      await answer('staff address', page, page, {}, staff.email),
      await answer('disabled customer', page, page, {}, disabled.email),
    ];
    expectAlike(answers, 200, 0);
    expect(answers[0]!.body).to.contain('Check your email');
    // Only the known, active customer got a link (written after the answer: wait for it).
    await t.deps.mailer.drain();
    expect(await t.db('password_reset_tokens').whereIn('principal_id', [customer.id, disabled.id, staff.id]).pluck('principal_id')).to.deep.equal([customer.id]);
  });

  it('POST /portal/signup: a known customer, a known staff address and a new address get one page and the same hashing', async () => {
    const customer = await buildRequester(t.db);
    const staff = await buildStaff(t.db, 'user');
    const page = '/portal/signup';
    const answers = [
      await answer('known customer', page, page, { name: 'Same Name', password: 'a good long password' }, customer.email),
      await answer('known staff', page, page, { name: 'Same Name', password: 'a good long password' }, staff.email),
      await answer('new address', page, page, { name: 'Same Name', password: 'a good long password' }, 'brand-new@nowhere.test'),
    ];
    // The password is hashed after the answer whatever the address (the test below: none before it); equal work either way.
    expectAlike(answers, 200, answers[0]!.hashes);
    expect(answers[0]!.body).to.contain('Check your email');
    await t.deps.mailer.drain();
    expect(await t.db('pending_signups').whereIn('email', [customer.email, staff.email, 'brand-new@nowhere.test']).pluck('email')).to.deep.equal(['brand-new@nowhere.test']);
  });

  it('a made-up or dead link costs no scrypt on the reset and sign-up confirmation forms (one indexed lookup)', async () => {
    const person = await buildRequester(t.db);
    const used = await createResetToken(t.db, person.id);
    await t.db('password_reset_tokens').where({ principal_id: person.id }).update({ used_at: new Date().toISOString() });
    for (const [page, path, token] of [
      ['/portal/password/forgot', '/portal/password/reset', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
      ['/portal/password/forgot', '/portal/password/reset', used],
      ['/portal/signup', '/portal/signup/confirm', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ] as const) {
      const agent = supertest.agent(t.app);
      const csrf = csrfFrom((await agent.get(page)).text);
      const { result: res, calls } = await scryptCalls(() => agent.post(path).type('form').send({ token, password: 'a good long password', _csrf: csrf }).then((r) => r));
      expect([res.status, calls], `${path} ${token.slice(0, 6)}`).to.deep.equal([410, 0]);
    }
    // A live one still costs its hash, and works.
    const live = await createResetToken(t.db, person.id);
    const agent = supertest.agent(t.app);
    const csrf = csrfFrom((await agent.get('/portal/password/forgot')).text);
    const { result: ok, calls } = await scryptCalls(() => agent.post('/portal/password/reset').type('form').send({ token: live, password: 'a good long password', _csrf: csrf }).then((r) => r));
    expect([ok.status, calls]).to.deep.equal([303, 1]);
  });

  it('sign-up and reset requests answer before any lookup or write: the page never waits on what the address is', async () => {
    // A mailer whose later work waits until the test releases it: the answer must come first.
    const held: (() => Promise<void>)[] = [];
    const mailer = { ...t.deps.mailer, later: (work: () => Promise<void>) => void held.push(work) };
    const app = createApp({ ...t.deps, mailer });
    const customer = await buildRequester(t.db);
    for (const [page, form] of [
      ['/portal/password/forgot', { email: customer.email }],
      ['/portal/password/forgot', { email: 'nobody-held@nowhere.test' }],
      ['/portal/signup', { name: 'Held', email: customer.email, password: 'a good long password' }],
      ['/portal/signup', { name: 'Held', email: 'held-new@nowhere.test', password: 'a good long password' }],
    ] as const) {
      const agent = supertest.agent(app);
      const csrf = csrfFrom((await agent.get(page)).text);
      const before = await snapshot(t.db);
      const { result: res, calls } = await scryptCalls(() => agent.post(page).type('form').send({ ...form, _csrf: csrf }).then((r) => r));
      expect([res.status, res.text.includes('Check your email')], `${page} ${form.email}`).to.deep.equal([200, true]);
      expect(calls, `${page} ${form.email}: no hashing before the answer`).to.equal(0);
      expect(await snapshot(t.db), `${page} ${form.email}: nothing written before the answer`).to.deep.equal(before);
      expect(held, 'one piece of work left for after the answer').to.have.length(1);
      await held.pop()!();
    }
    // Released, the work did what it does: a link for the customer, a pending sign-up for the new address.
    expect(await t.db('password_reset_tokens').where({ principal_id: customer.id }).pluck('principal_id')).to.deep.equal([customer.id]);
    expect(await t.db('pending_signups').where({ email: 'held-new@nowhere.test' }).pluck('email')).to.deep.equal(['held-new@nowhere.test']);
  });
});
