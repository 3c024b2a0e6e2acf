/**
 * Secret tokens are the CSPRNG's bytes, encoded: password salts, reset and sign-up tokens, API
 * tokens (from the repository and from the desk profile page) and session ids. crypto.randomBytes
 * is replaced by a recording stub, and each token must be one of the buffers it handed out.
 */
import crypto from 'node:crypto';
import { expect } from 'chai';
import supertest from 'supertest';
import { createTestApp, csrfFrom, csrfOf, signIn, TEST_SCRYPT_COST, type TestApp } from '../helpers/app';
import { buildRequester, buildStaff, PASSWORD } from '../helpers/factories';
import { createAccessToken } from '../../server/repositories/accessTokens';
import { createPendingSignup, createResetToken } from '../../server/repositories/accountTokens';
import { SESSION_COOKIE } from '../../server/auth/session';
import { hashPassword } from '../../server/auth/passwords';
import { insertDashboard } from '../../server/repositories/dashboards';
import { insertShareLink } from '../../server/repositories/shareLinks';

function setCookies(res: supertest.Response): string[] {
  const raw = res.headers['set-cookie'] as unknown;
  return Array.isArray(raw) ? (raw as string[]) : typeof raw === 'string' ? [raw] : [];
}

function sessionSetCookie(res: supertest.Response): string | undefined {
  return setCookies(res).find((c) => c.startsWith(`${SESSION_COOKIE}=`));
}

/** The session id inside a `portico.sid=s:<id>.<signature>` cookie. */
function sessionIdOf(res: supertest.Response): string {
  const cookie = sessionSetCookie(res);
  if (!cookie) throw new Error('no session cookie');
  const value = decodeURIComponent(cookie.split(';')[0]!.slice(SESSION_COOKIE.length + 1));
  const m = /^s:([^.]+)\./.exec(value);
  if (!m?.[1]) throw new Error(`unexpected session cookie ${value}`);
  return m[1];
}

describe('secret tokens are the CSPRNG’s bytes', function () {
  this.timeout(60_000);
  let t: TestApp;
  const mutableCrypto = crypto as unknown as { randomBytes: typeof crypto.randomBytes };
  const realRandomBytes = crypto.randomBytes;
  let handedOut: Buffer[] = [];
  let calls = 0;

  /**
   * Replaces crypto.randomBytes (the object every module's `crypto` import reads it from at
   * call time) with bytes no clock or counter could give: each call's buffer is recorded.
   */
  function stubRandomBytes(): void {
    const stub = (size: number, callback?: (err: Error | null, buf: Buffer) => void): Buffer | undefined => {
      calls += 1;
      const buf = Buffer.alloc(size);
      for (let i = 0; i < size; i += 1) buf[i] = (calls * 151 + i * 97 + 0x5a) & 0xff;
      handedOut.push(buf);
      if (callback) {
        process.nextTick(callback, null, buf);
        return undefined;
      }
      return buf;
    };
    mutableCrypto.randomBytes = stub as unknown as typeof crypto.randomBytes;
  }

  async function withStub<T>(run: () => Promise<T>): Promise<{ value: T; bytes: Buffer[] }> {
    handedOut = [];
    stubRandomBytes();
    try {
      const value = await run();
      return { value, bytes: handedOut };
    } finally {
      mutableCrypto.randomBytes = realRandomBytes;
    }
  }

  before(async () => {
    t = await createTestApp();
  });
  after(() => {
    mutableCrypto.randomBytes = realRandomBytes;
    return t.close();
  });

  it('a password hash’s salt is 16 bytes of crypto.randomBytes (the stub reaches server code)', async () => {
    const { value: hash, bytes } = await withStub(() => hashPassword('a salted password', TEST_SCRYPT_COST));
    expect(bytes.filter((b) => b.length === 16).map((b) => b.toString('base64'))).to.include(hash.split('$')[4]);
  });

  it('a password reset token is 32 bytes of crypto.randomBytes, base64url', async () => {
    const person = await buildRequester(t.db);
    const { value: token, bytes } = await withStub(() => createResetToken(t.db, person.id));
    expect(bytes.filter((b) => b.length === 32).map((b) => b.toString('base64url'))).to.include(token);
  });

  it('a sign-up confirmation token is 32 bytes of crypto.randomBytes, base64url', async () => {
    const { value: token, bytes } = await withStub(() => createPendingSignup(t.db, { email: 'csprng@new.test', name: 'C S', passwordHash: null }));
    expect(bytes.filter((b) => b.length === 32).map((b) => b.toString('base64url'))).to.include(token);
  });

  it('an API token is ptc_ and 32 bytes of crypto.randomBytes, base64url (repository and desk profile)', async () => {
    const staff = await buildStaff(t.db, 'user');
    const direct = await withStub(() => createAccessToken(t.db, staff.id, 'csprng'));
    expect(direct.bytes.filter((b) => b.length === 32).map((b) => `ptc_${b.toString('base64url')}`)).to.include(direct.value.token);

    const agent = await signIn(t.app, 'desk', staff.email, PASSWORD);
    const csrfToken = await csrfOf(agent, '/desk/profile');
    const page = await withStub(() => agent.post('/desk/profile/tokens').type('form').send({ name: 'from the page', _csrf: csrfToken }));
    expect(page.value.status).to.equal(201);
    const shown = /ptc_[A-Za-z0-9_-]+/.exec(page.value.text)?.[0];
    expect(shown, 'the new token on the page').to.be.a('string');
    expect(page.bytes.filter((b) => b.length === 32).map((b) => `ptc_${b.toString('base64url')}`)).to.include(shown);
  });

  it('a share link key is psl_ and 32 bytes of crypto.randomBytes, base64url', async () => {
    const staff = await buildStaff(t.db, 'administrator');
    const dashboard = await insertDashboard(t.db, 'Random', staff.id);
    const { value, bytes } = await withStub(() => insertShareLink(t.db, { dashboardId: dashboard, label: 'csprng', createdBy: staff.id, expiresAt: null }));
    expect(bytes.filter((b) => b.length === 32).map((b) => `psl_${b.toString('base64url')}`)).to.include(value.key);
  });

  it('a session id issued at sign-in is 24 bytes of crypto.randomBytes, base64url', async () => {
    const person = await buildRequester(t.db);
    const agent = supertest.agent(t.app);
    const page = await agent.get('/portal/login');
    const { value: res, bytes } = await withStub(() => agent.post('/portal/login').type('form').send({ email: person.email, password: PASSWORD, _csrf: csrfFrom(page.text) }));
    expect(res.status).to.equal(303);
    expect(bytes.filter((b) => b.length === 24).map((b) => b.toString('base64url'))).to.include(sessionIdOf(res));
  });
});
