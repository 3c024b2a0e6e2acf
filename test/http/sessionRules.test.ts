/**
 * Rules of sessions and signing in, on the portal and the desk:
 *  - a password change needs the current password and refuses a weak new one;
 *  - sessions end after the idle and the absolute timeouts;
 *  - in production behind a TLS proxy the session cookie is Secure, HttpOnly, SameSite;
 *  - the per-account sign-in limit counts an address in any letter case as one account.
 */
import { expect } from 'chai';
import supertest from 'supertest';
import { dateAsISO } from 'connect-session-knex/dist/utils';
import { changedTables, createTestApp, csrfFrom, csrfOf, fullState, signIn, type Agent, type TestApp } from '../helpers/app';
import { buildRequester, buildStaff, PASSWORD } from '../helpers/factories';
import type { PrincipalRow } from '../../server/repositories/principals';
import { SESSION_COOKIE } from '../../server/auth/session';

type Form = Record<string, string>;


function setCookies(res: supertest.Response): string[] {
  const raw = res.headers['set-cookie'] as unknown;
  return Array.isArray(raw) ? (raw as string[]) : typeof raw === 'string' ? [raw] : [];
}

function sessionSetCookie(res: supertest.Response): string | undefined {
  return setCookies(res).find((c) => c.startsWith(`${SESSION_COOKIE}=`));
}

async function signedIn(agent: Agent, realm: 'portal' | 'desk'): Promise<boolean> {
  const res = await agent.get(`/${realm}`);
  return res.status === 200;
}

describe('session and sign-in rules', function () {
  this.timeout(60_000);

  describe('a password change needs the current password and a strong new one', () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp();
    });
    after(() => t.close());

    for (const realm of ['portal', 'desk'] as const) {
      it(`POST /${realm}/profile/password: no or empty current password, a common or a 7-character new one → 422, nothing changed`, async () => {
        const person = realm === 'portal' ? await buildRequester(t.db) : await buildStaff(t.db, 'user');
        const agent = await signIn(t.app, realm, person.email, PASSWORD);
        const token = await csrfOf(agent, `/${realm}/profile`);
        const cases: [string, Form, string][] = [
          ['no current password', { password: 'a brand new password' }, 'current password is not right'],
          ['an empty current password', { current_password: '', password: 'a brand new password' }, 'current password is not right'],
          ['a common new password', { current_password: PASSWORD, password: 'password' }, 'too common'],
          ['a common new password in capitals', { current_password: PASSWORD, password: 'PASSWORD1' }, 'too common'],
          ['a 7-character new password', { current_password: PASSWORD, password: 'abc4567' }, 'at least 8 characters'],
        ];
        for (const [label, form, message] of cases) {
          const before = await fullState(t);
          const res = await agent.post(`/${realm}/profile/password`).type('form').send({ ...form, _csrf: token });
          expect(res.status, label).to.equal(422);
          expect(res.text, label).to.contain(message);
          expect(changedTables(before, await fullState(t)), label).to.deep.equal([]);
          expect(await signedIn(agent, realm), `${label}: still signed in`).to.equal(true);
        }
        // The old password still opens the account.
        await signIn(t.app, realm, person.email, PASSWORD);
      });
    }
  });

  describe('session idle and absolute timeouts (SESSION_IDLE_MINUTES=1, SESSION_ABSOLUTE_HOURS=1)', () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp({ SESSION_IDLE_MINUTES: '1', SESSION_ABSOLUTE_HOURS: '1' });
    });
    after(() => t.close());

    /**
     * Moves the person's one session `ms` into the past, as if that much time had gone by:
     * its expiry, its cookie's expiry and (with `signIn`) its sign-in time.
     */
    async function age(person: PrincipalRow, ms: number, parts: { expiry: boolean; signIn: boolean }): Promise<void> {
      const rows: { sid: string; sess: unknown; expired: unknown }[] = await t.db('sessions').where({ principal_id: person.id }).select('sid', 'sess', 'expired');
      expect(rows, 'one session').to.have.length(1);
      const row = rows[0]!;
      const sess = (typeof row.sess === 'string' ? JSON.parse(row.sess) : row.sess) as { cookie: { expires: string }; authenticatedAt: number };
      const update: Record<string, unknown> = {};
      if (parts.expiry) {
        sess.cookie.expires = new Date(new Date(sess.cookie.expires).getTime() - ms).toISOString();
        update.expired = dateAsISO(t.db, new Date(row.expired as string | Date).getTime() - ms);
      }
      if (parts.signIn) sess.authenticatedAt -= ms;
      update.sess = JSON.stringify(sess);
      await t.db('sessions').where({ sid: row.sid }).update(update);
    }

    for (const realm of ['portal', 'desk'] as const) {
      const build = () => (realm === 'portal' ? buildRequester(t.db) : buildStaff(t.db, 'user'));

      it(`${realm}: a session idle past a minute is sent to the login; one idle 30 seconds is not`, async () => {
        const kept = await build();
        const keptAgent = await signIn(t.app, realm, kept.email, PASSWORD);
        await age(kept, 30_000, { expiry: true, signIn: true });
        expect((await keptAgent.get(`/${realm}`)).status, 'idle 30 s').to.equal(200);

        const idle = await build();
        const agent = await signIn(t.app, realm, idle.email, PASSWORD);
        await agent.get(`/${realm}`).expect(200);
        await age(idle, 61_000, { expiry: true, signIn: true });
        const res = await agent.get(`/${realm}`);
        expect(res.status, 'idle 61 s').to.equal(302);
        expect(res.headers.location).to.equal(`/${realm}/login?next=${encodeURIComponent(`/${realm}`)}`);
      });

      it(`${realm}: an active session signed in more than an hour ago is sent to the login; one signed in 59 minutes ago is not`, async () => {
        const kept = await build();
        const keptAgent = await signIn(t.app, realm, kept.email, PASSWORD);
        await age(kept, 59 * 60_000, { expiry: false, signIn: true });
        expect((await keptAgent.get(`/${realm}`)).status, 'signed in 59 min ago').to.equal(200);

        const old = await build();
        const agent = await signIn(t.app, realm, old.email, PASSWORD);
        await agent.get(`/${realm}`).expect(200);
        // Active: its idle expiry stays ahead; only the sign-in lies 61 minutes back.
        await age(old, 61 * 60_000, { expiry: false, signIn: true });
        const res = await agent.get(`/${realm}`);
        expect(res.status, 'signed in 61 min ago').to.equal(302);
        expect(res.headers.location).to.equal(`/${realm}/login?next=${encodeURIComponent(`/${realm}`)}`);
      });
    }
  });

  describe('the session cookie in production behind a TLS proxy', () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp({ NODE_ENV: 'production', PUBLIC_URL: 'https://support.example.test', TRUST_PROXY: 'true' });
    });
    after(() => t.close());

    for (const realm of ['portal', 'desk'] as const) {
      it(`${realm}: the cookie of the login page and of the signed-in session is Secure, HttpOnly and SameSite=Lax`, async () => {
        const person = realm === 'portal' ? await buildRequester(t.db) : await buildStaff(t.db, 'user');
        const page = await supertest(t.app).get(`/${realm}/login`).set('X-Forwarded-Proto', 'https').expect(200);
        const first = sessionSetCookie(page);
        expect(first, 'the login page starts a session').to.be.a('string');
        const res = await supertest(t.app)
          .post(`/${realm}/login`)
          .set('X-Forwarded-Proto', 'https')
          .set('Cookie', first!.split(';')[0]!)
          .type('form')
          .send({ email: person.email, password: PASSWORD, _csrf: csrfFrom(page.text) });
        expect(res.status).to.equal(303);
        const signedInCookie = sessionSetCookie(res);
        expect(signedInCookie, 'a new session at sign-in').to.be.a('string');
        for (const cookie of [first!, signedInCookie!]) {
          const attributes = cookie.split(';').slice(1).map((a) => a.trim().toLowerCase());
          expect(attributes, cookie).to.include('secure').and.include('httponly').and.include('samesite=lax');
        }
        await supertest(t.app).get(`/${realm}`).set('X-Forwarded-Proto', 'https').set('Cookie', signedInCookie!.split(';')[0]!).expect(200);
      });
    }
  });

  describe('the per-account sign-in limit ignores letter case (LOGIN_RATE_LIMIT=3)', () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp({ LOGIN_RATE_LIMIT: '3' });
    });
    after(() => t.close());

    async function attempt(realm: 'portal' | 'desk', email: string, password: string): Promise<number> {
      const agent = supertest.agent(t.app);
      const page = await agent.get(`/${realm}/login`);
      return (await agent.post(`/${realm}/login`).type('form').send({ email, password, _csrf: csrfFrom(page.text) })).status;
    }

    for (const realm of ['portal', 'desk'] as const) {
      it(`${realm}: after three wrong passwords for one address, every letter case of it is refused with 429, even with the right password`, async () => {
        const email = `case-${realm}@limit.test`;
        if (realm === 'portal') await buildRequester(t.db, { email });
        else await buildStaff(t.db, 'user', { email });
        for (let i = 0; i < 3; i += 1) expect(await attempt(realm, email, `wrong password ${i}`)).to.equal(401);
        for (const variant of [email.toUpperCase(), 'Case-' + email.slice(5), `CASE-${realm.toUpperCase()}@Limit.Test`, email]) {
          expect(await attempt(realm, variant, PASSWORD), variant).to.equal(429);
        }
        // The limit is the account's, not the address's: another account still signs in.
        const other = realm === 'portal' ? await buildRequester(t.db) : await buildStaff(t.db, 'user');
        expect(await attempt(realm, other.email, PASSWORD)).to.equal(303);
      });
    }
  });
});
