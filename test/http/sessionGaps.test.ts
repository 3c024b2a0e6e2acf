/**
 * Gaps a mutation review found in the suite, one describe block each:
 *  1. desk routes outside the refusal matrix (direct access, preview, widgets, tokens…) answer
 *     exactly what the staff-area gate answers, to a customer and to an anonymous visitor;
 *  2. with Direct Access off, EntityPermissions is 404 under every spelling of its path;
 *  3. no GET or HEAD changes state, on any state-changing route, for a principal allowed to POST it;
 *  4. the vote answer as JSON is exactly its documented shape (nobody else's name or address);
 *  5. the vote form's `next=` never leads off the site;
 *  6. a password change needs the current password and refuses a weak new one (portal and desk);
 *  7. sessions end after the idle and the absolute timeouts;
 *  8. in production behind a TLS proxy the session cookie is Secure, HttpOnly, SameSite;
 *  9. every signed-in page and API answer carries Cache-Control: no-store;
 * 10. the per-account sign-in limit counts an address in any letter case as one account;
 * 11. reset, sign-up, API tokens and session ids are the CSPRNG's bytes, encoded.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import supertest from 'supertest';
import { dateAsISO } from 'connect-session-knex/dist/utils';
import { createTestApp, csrfFrom, csrfOf, signIn, snapshot, TEST_SCRYPT_COST, type Agent, type TestApp } from '../helpers/app';
import { addMember, buildCompany, buildProject, buildRequest, buildRequester, buildRole, buildStaff, PASSWORD } from '../helpers/factories';
import type { PrincipalRow } from '../../server/repositories/principals';
import { createAccessToken } from '../../server/repositories/accessTokens';
import { createPendingSignup, createResetToken } from '../../server/repositories/accountTokens';
import { changeSettings } from '../../server/commands/changeSettings';
import { SESSION_COOKIE } from '../../server/auth/session';
import { hashPassword } from '../../server/auth/passwords';
import { insertedId, nowIso } from '../../server/db';

type Form = Record<string, string>;

/** Every domain table, plus the account-token tables that `snapshot` leaves out. */
async function state(t: TestApp): Promise<Record<string, unknown>> {
  await t.deps.mailer.drain();
  const out = await snapshot(t.db);
  for (const table of ['pending_signups', 'password_reset_tokens']) out[table] = JSON.stringify(await t.db(table).select('*').orderBy('id'));
  return out;
}

/** The tables whose rows differ between two `state` results. */
function changedTables(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return Object.keys(before).filter((k) => before[k] !== after[k]);
}

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

async function signedIn(agent: Agent, realm: 'portal' | 'desk'): Promise<boolean> {
  const res = await agent.get(`/${realm}`);
  return res.status === 200;
}

async function insertWorkItem(t: TestApp, project: number, type: string, name: string, parent: number | null = null): Promise<number> {
  const now = nowIso();
  return insertedId(await t.db('work_items').insert({ project_id: project, type, name, description: '', status: 'open', parent_id: parent, created_at: now, updated_at: now }).returning('id'));
}

/** One site with something of every kind, for the route lists of sections 1, 3 and 9. */
interface World {
  company: number;
  project: number;
  otherRole: number;
  alice: PrincipalRow;
  admin: PrincipalRow;
  /** A staff member of the project (assignable), granted nothing yet on the dashboard. */
  staffUser: PrincipalRow;
  /** A staff user whose type an administrator may change. */
  promotee: PrincipalRow;
  /** A staff user with a project membership to remove. */
  member: PrincipalRow;
  /** A public idea Alice has voted on, with a linked work item. */
  voted: number;
  /** A public idea nobody has voted on. */
  fresh: number;
  /** Another one, for section 9's vote. */
  spare: number;
  workItem: number;
  linkedItem: number;
  epic: number;
  dashboard: number;
  widgets: [number, number];
  dashboardGrant: number;
  adminToken: { id: number; token: string };
  entityGrant: number;
  resetToken: string;
  signupToken: string;
}

async function buildWorld(t: TestApp): Promise<World> {
  const company = await buildCompany(t.db);
  const project = await buildProject(t.db);
  const fullRole = await buildRole(t.db, { add: true, edit: true, delete: true, comment: true });
  const otherRole = await buildRole(t.db, { comment: true });
  const alice = await buildRequester(t.db, { company, name: 'Alice Gaps' });
  await buildRequester(t.db, { company, name: 'Bob Gaps' });
  const admin = await buildStaff(t.db, 'administrator');
  const staffUser = await buildStaff(t.db, 'user');
  await addMember(t.db, project, staffUser.id, fullRole);
  const promotee = await buildStaff(t.db, 'user');
  const member = await buildStaff(t.db, 'user');
  await addMember(t.db, project, member.id, fullRole);
  const grantee = await buildStaff(t.db, 'user');
  const voted = await buildRequest(t.db, { projectId: project, requester: alice, type: 'idea', visibility: 'public', title: 'Voted idea' });
  const fresh = await buildRequest(t.db, { projectId: project, requester: alice, type: 'idea', visibility: 'public', title: 'Fresh idea' });
  const spare = await buildRequest(t.db, { projectId: project, requester: alice, type: 'idea', visibility: 'public', title: 'Spare idea' });
  const now = nowIso();
  await t.db('votes').insert({ request_id: voted, requester_id: alice.id, created_at: now });
  await t.db('requests').where({ id: voted }).update({ vote_count: 1 });
  const workItem = await insertWorkItem(t, project, 'bug', 'Unlinked bug');
  const linkedItem = await insertWorkItem(t, project, 'task', 'Linked task');
  await t.db('request_work_items').insert({ request_id: voted, work_item_id: linkedItem, created_at: now });
  const epic = await insertWorkItem(t, project, 'epic', 'Gaps epic');
  await insertWorkItem(t, project, 'feature', 'Gaps feature', epic);
  const dashboard = insertedId(await t.db('dashboards').insert({ name: 'Gaps board', owner_id: staffUser.id, restriction: 'restricted', created_at: now, updated_at: now }).returning('id'));
  const widgets: [number, number] = [0, 0];
  for (const [i, kind] of (['requests_by_status', 'requests_by_type'] as const).entries()) {
    widgets[i] = insertedId(await t.db('dashboard_widgets').insert({ dashboard_id: dashboard, kind, title: kind, position: i }).returning('id'));
  }
  await t.db('dashboard_grants').insert({ dashboard_id: dashboard, principal_id: alice.id, level: 'view', created_at: now });
  const dashboardGrant = insertedId(await t.db('dashboard_grants').insert({ dashboard_id: dashboard, principal_id: grantee.id, level: 'view', created_at: now }).returning('id'));
  const adminToken = await createAccessToken(t.db, admin.id, 'gaps');
  const entityGrant = insertedId(
    await t.db('entity_permissions').insert({ entity_type: 'request', entity_id: voted, principal_id: grantee.id, can_view: true, can_comment: true, can_edit: false, can_grant: false, created_at: now }).returning('id'),
  );
  await t.db('entity_permissions').insert({ entity_type: 'epic', entity_id: epic, principal_id: grantee.id, can_view: true, can_comment: true, can_edit: false, can_grant: false, created_at: now });
  await changeSettings(t.db, admin.id, { 'portal.dashboards': true, 'direct_access.enabled': true });
  const resetToken = await createResetToken(t.db, alice.id);
  const signupToken = await createPendingSignup(t.db, { email: 'gaps-signup@new.test', name: 'Gaps Signup', passwordHash: null });
  return { company, project, otherRole, alice, admin, staffUser, promotee, member, voted, fresh, spare, workItem, linkedItem, epic, dashboard, widgets, dashboardGrant, adminToken, entityGrant, resetToken, signupToken };
}

/** A request over a raw socket, so that the path reaches the server byte for byte. */
function rawRequest(server: http.Server, method: string, path: string, token: string, body?: unknown): Promise<{ status: number; text: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string | number> = { connection: 'close', authorization: `Bearer ${token}` };
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = Buffer.byteLength(payload);
  }
  return new Promise((resolve, reject) => {
    const { port } = server.address() as AddressInfo;
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

describe('session, cache and state gaps', function () {
  this.timeout(60_000);

  describe('on one site with something of every kind', () => {
    let t: TestApp;
    let w: World;
    let asAlice: Agent;
    let asAdmin: Agent;

    before(async () => {
      t = await createTestApp();
      w = await buildWorld(t);
      asAlice = await signIn(t.app, 'portal', w.alice.email, PASSWORD);
      asAdmin = await signIn(t.app, 'desk', w.admin.email, PASSWORD);
    });
    after(() => t.close());

    describe('1. desk routes outside the refusal matrix answer what the staff-area gate answers', () => {
      const GATED: { method: 'GET' | 'POST'; path: (w: World) => string; body?: (w: World) => Form }[] = [
        { method: 'GET', path: () => '/desk/direct-access' },
        { method: 'POST', path: () => '/desk/direct-access', body: (x) => ({ entity_type_id: '17', entity_id: String(x.fresh), email: x.staffUser.email, mode: 'grant' }) },
        { method: 'POST', path: () => '/desk/direct-access/nested', body: (x) => ({ entity_type_id: '27', entity_id: String(x.epic) }) },
        { method: 'POST', path: (x) => `/desk/direct-access/${x.entityGrant}`, body: () => ({ mode: 'grant' }) },
        { method: 'POST', path: (x) => `/desk/direct-access/${x.entityGrant}/delete` },
        { method: 'GET', path: () => '/desk/dashboards/new' },
        { method: 'GET', path: (x) => `/desk/dashboards/${x.dashboard}/preview?customer=${encodeURIComponent(x.alice.email)}` },
        { method: 'POST', path: (x) => `/desk/dashboards/${x.dashboard}/delete`, body: () => ({ confirm: 'yes' }) },
        { method: 'POST', path: (x) => `/desk/dashboards/${x.dashboard}/grants/company`, body: (x) => ({ company_id: String(x.company) }) },
        { method: 'POST', path: (x) => `/desk/dashboards/${x.dashboard}/grants/${x.dashboardGrant}/delete` },
        { method: 'POST', path: (x) => `/desk/dashboards/${x.dashboard}/widgets/${x.widgets[0]}/delete` },
        { method: 'POST', path: (x) => `/desk/dashboards/${x.dashboard}/widgets/${x.widgets[1]}/move`, body: () => ({ direction: 'up' }) },
        { method: 'GET', path: () => '/desk/work-items/new' },
        { method: 'GET', path: (x) => `/desk/work-items/${x.workItem}/edit` },
        { method: 'POST', path: () => '/desk/profile', body: () => ({ name: 'Renamed through the gate' }) },
        { method: 'POST', path: () => '/desk/profile/password', body: () => ({ current_password: PASSWORD, password: 'a brand new password' }) },
        { method: 'POST', path: (x) => `/desk/profile/tokens/${x.adminToken.id}/delete` },
      ];

      for (const directAccess of [true, false]) {
        it(`a customer gets 403 and an anonymous visitor the desk login, nothing written (direct_access.enabled ${directAccess ? 'on' : 'off'})`, async () => {
          await changeSettings(t.db, w.admin.id, { 'direct_access.enabled': directAccess });
          const anonymous = supertest.agent(t.app);
          const anonymousToken = csrfFrom((await anonymous.get('/desk/login').expect(200)).text);
          const aliceToken = await csrfOf(asAlice, '/portal');
          const wrong: string[] = [];
          for (const route of GATED) {
            const path = route.path(w);
            for (const [who, agent, token, expected] of [
              ['customer', asAlice, aliceToken, 403],
              ['anonymous', anonymous, anonymousToken, 302],
            ] as const) {
              const before = await state(t);
              const res = route.method === 'GET' ? await agent.get(path) : await agent.post(path).type('form').send({ ...(route.body?.(w) ?? {}), _csrf: token });
              const label = `${route.method} ${path} as ${who}`;
              if (res.status !== expected) wrong.push(`${label}: ${res.status}, expected ${expected}`);
              if (expected === 302 && res.headers.location !== `/desk/login?next=${encodeURIComponent(path)}`) wrong.push(`${label}: Location ${String(res.headers.location)}`);
              const changed = changedTables(before, await state(t));
              if (changed.length) wrong.push(`${label}: wrote ${changed.join(', ')}`);
            }
          }
          await changeSettings(t.db, w.admin.id, { 'direct_access.enabled': true });
          expect(wrong).to.deep.equal([]);
        });
      }
    });

    describe('9. Cache-Control: no-store on every signed-in answer', () => {
      const PORTAL_PAGES = (x: World) => ['/portal', '/portal/requests/new', `/portal/requests/${x.voted}`, '/portal/ideas', '/portal/dashboards', `/portal/dashboards/${x.dashboard}`, '/portal/profile'];
      const DESK_PAGES = (x: World) => [
        '/desk',
        `/desk/requests/${x.voted}`,
        '/desk/work-items',
        '/desk/work-items/new',
        `/desk/work-items/${x.workItem}`,
        `/desk/work-items/${x.workItem}/edit`,
        '/desk/dashboards',
        '/desk/dashboards/new',
        `/desk/dashboards/${x.dashboard}`,
        `/desk/dashboards/${x.dashboard}/edit`,
        `/desk/dashboards/${x.dashboard}/permissions`,
        `/desk/dashboards/${x.dashboard}/people?q=gaps`,
        `/desk/dashboards/${x.dashboard}/preview?customer=${encodeURIComponent(x.alice.email)}`,
        '/desk/profile',
        '/admin/settings',
        '/admin/users',
        `/admin/users/${x.promotee.id}`,
        '/admin/audit',
        '/admin/mail',
      ];
      const API = (x: World) => ['/api/v1/EntityTypes', `/api/v1/Users?where=${encodeURIComponent(`Email eq "${x.admin.email}"`)}`, '/api/v1/Requests?where=Status%20eq%20%22new%22', '/api/v1/EntityPermissions', '/api/v1/EntityPermissions/meta', `/api/v1/EntityPermissions/${x.entityGrant}`];

      it('on every portal, desk and admin page of the refusal matrix (and the others), each answering 200', async () => {
        const wrong: string[] = [];
        for (const [agent, pages] of [
          [asAlice, PORTAL_PAGES(w)],
          [asAdmin, DESK_PAGES(w)],
        ] as const) {
          for (const page of pages) {
            const res = await agent.get(page);
            if (res.status !== 200) wrong.push(`${page}: ${res.status}`);
            if (res.headers['cache-control'] !== 'no-store') wrong.push(`${page}: Cache-Control ${String(res.headers['cache-control'])}`);
          }
        }
        expect(wrong).to.deep.equal([]);
      });

      it('on the answers of posts that show something personal: a new API token, a vote as JSON', async () => {
        const created = await asAdmin.post('/desk/profile/tokens').type('form').send({ name: 'cache check', _csrf: await csrfOf(asAdmin, '/desk/profile') });
        expect(created.status).to.equal(201);
        expect(created.headers['cache-control']).to.equal('no-store');
        const vote = await asAlice.post(`/portal/requests/${w.spare}/vote`).set('Accept', 'application/json').type('form').send({ _csrf: await csrfOf(asAlice, '/portal') });
        expect(vote.status).to.equal(200);
        expect(vote.headers['cache-control']).to.equal('no-store');
      });

      it('on every API answer, each 200', async () => {
        const wrong: string[] = [];
        for (const path of API(w)) {
          const res = await supertest(t.app).get(path).set('Authorization', `Bearer ${w.adminToken.token}`);
          if (res.status !== 200) wrong.push(`${path}: ${res.status}`);
          if (res.headers['cache-control'] !== 'no-store') wrong.push(`${path}: Cache-Control ${String(res.headers['cache-control'])}`);
        }
        expect(wrong).to.deep.equal([]);
      });
    });

    describe('3. no GET or HEAD changes state', () => {
      type Who = 'customer' | 'staff' | 'anonymous';
      interface Change {
        who: Who;
        path: (w: World) => string;
        form: (w: World) => Form;
        /** The path is also a page: a GET may answer 200, it just changes nothing. */
        page?: boolean;
        /** What the POST changes is the session: signed in (a login) or out (a logout). */
        session?: 'signs-in' | 'signs-out';
      }
      const CHANGES: Change[] = [
        // Customer portal, as the customer who may post there.
        { who: 'customer', path: () => '/portal/requests', form: (x) => ({ project_id: String(x.project), type: 'issue', title: 'Submitted by a GET' }) },
        { who: 'customer', path: (x) => `/portal/requests/${x.fresh}/vote`, form: () => ({ next: '/portal/ideas' }) },
        { who: 'customer', path: (x) => `/portal/requests/${x.voted}/unvote`, form: () => ({}) },
        { who: 'customer', path: (x) => `/portal/requests/${x.voted}/comments`, form: () => ({ body: 'A comment by a GET' }) },
        { who: 'customer', path: () => '/portal/profile', form: () => ({ name: 'Renamed by a GET' }), page: true },
        // Staff desk, as an administrator (allowed everything there).
        { who: 'staff', path: (x) => `/desk/requests/${x.voted}/comments`, form: () => ({ body: 'A reply by a GET' }) },
        { who: 'staff', path: (x) => `/desk/requests/${x.voted}/comments`, form: () => ({ body: 'A note by a GET', internal: 'true' }) },
        { who: 'staff', path: (x) => `/desk/requests/${x.voted}/status`, form: () => ({ status: 'in_progress' }) },
        { who: 'staff', path: (x) => `/desk/requests/${x.voted}/assign`, form: (x) => ({ assignee_id: String(x.staffUser.id) }) },
        { who: 'staff', path: (x) => `/desk/requests/${x.voted}/links`, form: (x) => ({ work_item_id: String(x.workItem) }) },
        { who: 'staff', path: (x) => `/desk/requests/${x.voted}/links/${x.linkedItem}/delete`, form: () => ({}) },
        { who: 'staff', path: () => '/desk/work-items', form: (x) => ({ project_id: String(x.project), type: 'task', name: 'Task by a GET', status: 'open' }), page: true },
        { who: 'staff', path: (x) => `/desk/work-items/${x.workItem}`, form: () => ({ name: 'Renamed by a GET', status: 'planned' }), page: true },
        { who: 'staff', path: () => '/desk/dashboards', form: () => ({ name: 'Board by a GET' }), page: true },
        { who: 'staff', path: (x) => `/desk/dashboards/${x.dashboard}`, form: () => ({ name: 'Board renamed by a GET' }), page: true },
        { who: 'staff', path: (x) => `/desk/dashboards/${x.dashboard}/widgets`, form: () => ({ kind: 'requests_by_status' }) },
        { who: 'staff', path: (x) => `/desk/dashboards/${x.dashboard}/widgets/${x.widgets[1]}/move`, form: () => ({ direction: 'up' }) },
        { who: 'staff', path: (x) => `/desk/dashboards/${x.dashboard}/widgets/${x.widgets[0]}/delete`, form: () => ({}) },
        { who: 'staff', path: (x) => `/desk/dashboards/${x.dashboard}/grants`, form: (x) => ({ email: x.staffUser.email, level: 'edit' }) },
        { who: 'staff', path: (x) => `/desk/dashboards/${x.dashboard}/grants/company`, form: (x) => ({ company_id: String(x.company) }) },
        { who: 'staff', path: (x) => `/desk/dashboards/${x.dashboard}/grants/${x.dashboardGrant}/delete`, form: () => ({}) },
        { who: 'staff', path: (x) => `/desk/dashboards/${x.dashboard}/permissions`, form: () => ({ restriction: 'open', confirm: 'yes' }), page: true },
        { who: 'staff', path: () => '/desk/direct-access', form: (x) => ({ entity_type_id: '17', entity_id: String(x.fresh), email: x.staffUser.email, mode: 'comment' }) },
        { who: 'staff', path: () => '/desk/direct-access/nested', form: (x) => ({ entity_type_id: '27', entity_id: String(x.epic) }) },
        { who: 'staff', path: (x) => `/desk/direct-access/${x.entityGrant}`, form: () => ({ mode: 'edit' }) },
        { who: 'staff', path: (x) => `/desk/direct-access/${x.entityGrant}/delete`, form: () => ({}) },
        { who: 'staff', path: () => '/desk/profile/tokens', form: () => ({ name: 'Token by a GET' }) },
        { who: 'staff', path: (x) => `/desk/profile/tokens/${x.adminToken.id}/delete`, form: () => ({}) },
        { who: 'staff', path: () => '/desk/profile', form: () => ({ name: 'Staff renamed by a GET' }), page: true },
        // Administration.
        { who: 'staff', path: (x) => `/admin/users/${x.promotee.id}`, form: () => ({ type: 'administrator' }), page: true },
        { who: 'staff', path: (x) => `/admin/users/${x.staffUser.id}/memberships`, form: (x) => ({ project_id: String(x.project), role_id: String(x.otherRole) }) },
        { who: 'staff', path: (x) => `/admin/users/${x.member.id}/memberships/${x.project}/delete`, form: () => ({}) },
        // Accounts: sign-up, reset, password changes, sign-in and sign-out.
        { who: 'anonymous', path: () => '/portal/signup', form: () => ({ name: 'Signed Up By Get', email: 'get-signup@new.test', password: 'a good long password' }), page: true },
        { who: 'anonymous', path: () => '/portal/signup/confirm', form: (x) => ({ token: x.signupToken, password: 'a good long password' }), page: true },
        { who: 'anonymous', path: () => '/portal/password/forgot', form: (x) => ({ email: x.alice.email }), page: true },
        { who: 'anonymous', path: () => '/portal/login', form: (x) => ({ email: x.alice.email, password: PASSWORD }), page: true, session: 'signs-in' },
        { who: 'anonymous', path: () => '/desk/login', form: (x) => ({ email: x.admin.email, password: PASSWORD }), page: true, session: 'signs-in' },
        { who: 'customer', path: () => '/portal/profile/password', form: () => ({ current_password: PASSWORD, password: 'a brand new password' }) },
        { who: 'staff', path: () => '/desk/profile/password', form: () => ({ current_password: PASSWORD, password: 'a brand new password' }) },
        { who: 'customer', path: () => '/portal/logout', form: () => ({}), session: 'signs-out' },
        { who: 'staff', path: () => '/desk/logout', form: () => ({}), session: 'signs-out' },
        // Near the end: it ends Alice's sessions.
        { who: 'anonymous', path: () => '/portal/password/reset', form: (x) => ({ token: x.resetToken, password: 'a reset new password' }), page: true },
        // Last: it turns sign-up and Direct Access off.
        { who: 'staff', path: () => '/admin/settings', form: () => ({ 'portal.signup': 'false', 'direct_access.enabled': 'false', 'dashboards.creators': 'administrators' }), page: true },
      ];

      const realmOf = (change: Change): 'portal' | 'desk' => (change.path(w).startsWith('/portal') ? 'portal' : 'desk');
      const agentFor = (who: Who): Agent => (who === 'customer' ? asAlice : who === 'staff' ? asAdmin : supertest.agent(t.app));

      for (const method of ['GET', 'HEAD'] as const) {
        it(`${method} with a POST route's fields in the query string changes nothing, and only a page answers 2xx/3xx`, async () => {
          const wrong: string[] = [];
          for (const change of CHANGES) {
            const agent = agentFor(change.who);
            const url = `${change.path(w)}?${new URLSearchParams(change.form(w))}`;
            const wasSignedIn = await signedIn(agent, realmOf(change));
            const before = await state(t);
            const res = method === 'GET' ? await agent.get(url) : await agent.head(url);
            const label = `${method} ${url} as ${change.who}`;
            if (!change.page && res.status < 400) wrong.push(`${label}: answered ${res.status}`);
            if (res.status >= 500) wrong.push(`${label}: answered ${res.status}`);
            const changed = changedTables(before, await state(t));
            if (changed.length) wrong.push(`${label}: wrote ${changed.join(', ')}`);
            if ((await signedIn(agent, realmOf(change))) !== wasSignedIn) wrong.push(`${label}: ${wasSignedIn ? 'signed out' : 'signed in'}`);
          }
          expect(wrong).to.deep.equal([]);
        });
      }

      // Proves the list above means something: the same fields, posted, do change what they change.
      it('the same fields sent as a POST form by the same principal do change something (the list is live)', async () => {
        const lazy: string[] = [];
        for (const change of CHANGES) {
          const agent = agentFor(change.who);
          const realm = realmOf(change);
          const page = change.who === 'anonymous' ? `/${realm}/login` : `/${realm}/profile`;
          const token = await csrfOf(agent, page);
          const wasSignedIn = await signedIn(agent, realm);
          const before = await state(t);
          const res = await agent.post(change.path(w)).type('form').send({ ...change.form(w), _csrf: token });
          const label = `POST ${change.path(w)} as ${change.who}`;
          if (res.status >= 400) lazy.push(`${label}: answered ${res.status}`);
          if (change.session) {
            if ((await signedIn(agent, realm)) === wasSignedIn) lazy.push(`${label}: did not ${change.session === 'signs-in' ? 'sign in' : 'sign out'}`);
          } else if (changedTables(before, await state(t)).length === 0) lazy.push(`${label}: wrote nothing`);
          // A sign-out is undone so that later rows still have their principal.
          if (change.session === 'signs-out') {
            if (change.who === 'customer') asAlice = await signIn(t.app, 'portal', w.alice.email, 'a brand new password');
            else asAdmin = await signIn(t.app, 'desk', w.admin.email, 'a brand new password');
          }
        }
        expect(lazy).to.deep.equal([]);
      });
    });
  });

  describe('2. with Direct Access off, EntityPermissions under any spelling is 404', () => {
    let t: TestApp;
    let server: http.Server;
    let adminToken: string;
    let grant: number;
    let request: number;
    const GRANTEE = 'Grantee Of Gaps 7f3a';

    before(async () => {
      t = await createTestApp();
      server = http.createServer(t.app);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const admin = await buildStaff(t.db, 'administrator');
      const grantee = await buildStaff(t.db, 'user');
      await t.db('principals').where({ id: grantee.id }).update({ name: GRANTEE });
      const customer = await buildRequester(t.db, { company: await buildCompany(t.db) });
      request = await buildRequest(t.db, { projectId: await buildProject(t.db), requester: customer });
      adminToken = (await createAccessToken(t.db, admin.id, 'gaps')).token;
      grant = insertedId(
        await t.db('entity_permissions').insert({ entity_type: 'request', entity_id: request, principal_id: grantee.id, can_view: true, can_comment: true, can_edit: false, can_grant: false, created_at: nowIso() }).returning('id'),
      );
      await changeSettings(t.db, admin.id, { 'direct_access.enabled': false });
    });
    after(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await t.close();
    });

    /** Spellings of one EntityPermissions path (`rest` after the resource name, e.g. `/meta`). */
    function spellings(rest: string): string[] {
      const out: string[] = [];
      for (const name of ['EntityPermissions', 'entitypermissions', 'ENTITYPERMISSIONS', 'entityPermissions', 'Entitypermissions']) {
        out.push(
          `/api/v1/${name}${rest}`,
          `/api/v1/${name}${rest}/`,
          `/api/v1//${name}${rest}`,
          `//api/v1/${name}${rest}`,
          `/api/v1/${name};x=1${rest}`,
          `/api/v1/${name}${rest};x=1`,
          `/api/v1/%2e/${name}${rest}`,
          `/api/v1/EntityTypes/%2e%2e/${name}${rest}`,
          `/api/v1/%2e%2e/v1/${name}${rest}`,
          `/api/v1/./${name}${rest}`,
          `/api/v1/x/../${name}${rest}`,
          `/API/V1/${name}${rest}`,
          `/api/v1/${name}%2f${rest.slice(1)}`,
          `/api/v1/${name.replace(/^./, (c) => `%${c.charCodeAt(0).toString(16)}`)}${rest}`,
        );
      }
      return out;
    }

    it('with a valid administrator token, on every route, method and spelling; nothing written', async () => {
      const body = { EntityID: request, EntityType: { Id: 17 }, User: { Id: 1 }, View: true };
      const routes: [string, string, unknown][] = [
        ['GET', '', undefined],
        ['GET', '/meta', undefined],
        ['GET', `/${grant}`, undefined],
        ['POST', '', body],
        ['POST', '/bulk', [body]],
        ['POST', `/${grant}`, { View: true, Comment: true, Edit: true }],
        ['DELETE', `/${grant}`, undefined],
      ];
      const before = await snapshot(t.db, ['access_tokens']);
      const wrong: string[] = [];
      for (const [method, rest, payload] of routes) {
        for (const path of spellings(rest)) {
          const res = await rawRequest(server, method, path, adminToken, payload);
          // `//api/...` is not the API's mount: the web stack refuses its posts (no CSRF token, 403).
          const refusals = path.startsWith('//') && method !== 'GET' ? [403, 404] : [404];
          if (!refusals.includes(res.status)) wrong.push(`${method} ${path}: ${res.status}`);
          if (res.text.includes(GRANTEE) || new RegExp(`"(Id|EntityId)":\\s*(${grant}|${request})\\b`).test(res.text)) wrong.push(`${method} ${path}: shows the grant`);
        }
      }
      expect(wrong).to.deep.equal([]);
      expect(await snapshot(t.db, ['access_tokens'])).to.deep.equal(before);
    });
  });

  describe('4, 5. the vote answers', () => {
    let t: TestApp;
    let idea: number;
    let asAlice: Agent;
    let aliceToken: string;
    const others = { bob: 'Bob Othervoter', carol: 'Carol Othervoter' };
    let otherEmails: string[] = [];

    before(async () => {
      t = await createTestApp();
      const acme = await buildCompany(t.db);
      const project = await buildProject(t.db);
      const alice = await buildRequester(t.db, { company: acme, name: 'Alice Voter' });
      const bob = await buildRequester(t.db, { company: acme, name: others.bob });
      const carol = await buildRequester(t.db, { company: await buildCompany(t.db), name: others.carol });
      otherEmails = [bob.email, carol.email];
      idea = await buildRequest(t.db, { projectId: project, requester: bob, type: 'idea', visibility: 'public', title: 'Idea everyone votes on' });
      for (const person of [bob, carol]) {
        const agent = await signIn(t.app, 'portal', person.email, PASSWORD);
        await agent.post(`/portal/requests/${idea}/vote`).type('form').send({ _csrf: await csrfOf(agent, '/portal') }).expect(303);
      }
      asAlice = await signIn(t.app, 'portal', alice.email, PASSWORD);
      aliceToken = await csrfOf(asAlice, '/portal');
    });
    after(() => t.close());

    it('4. as JSON (Accept: application/json) vote and unvote answer exactly {id, voted, votes}, naming nobody', async () => {
      for (const [action, voted, votes] of [
        ['vote', true, 3],
        ['vote', true, 3],
        ['unvote', false, 2],
      ] as const) {
        const res = await asAlice.post(`/portal/requests/${idea}/${action}`).set('Accept', 'application/json').type('form').send({ _csrf: aliceToken });
        expect(res.status, action).to.equal(200);
        expect(res.headers['content-type']).to.match(/^application\/json/);
        expect(res.body, action).to.deep.equal({ id: idea, voted, votes });
        expect(res.text).not.to.contain('@');
        for (const name of [...Object.values(others), ...otherEmails]) expect(res.text).not.to.contain(name);
      }
    });

    it('5. next= is honoured when it is a path on this site, and never leads anywhere else', async () => {
      const local = await asAlice.post(`/portal/requests/${idea}/vote`).type('form').send({ next: '/portal/ideas', _csrf: aliceToken });
      expect(local.status).to.equal(303);
      expect(local.headers.location).to.equal('/portal/ideas');
      const wrong: string[] = [];
      for (const action of ['vote', 'unvote']) {
        for (const next of ['//evil.test', '//evil.test/x', 'https://evil.test', 'https:evil.test', '/\\evil.test', '\\\\evil.test', '/%2F%2Fevil.test', '/%5Cevil.test', '/%2F/evil.test', '/./\\evil.test', '/.//evil.test', ' //evil.test', '/\t/evil.test']) {
          const res = await asAlice.post(`/portal/requests/${idea}/${action}`).type('form').send({ next, _csrf: aliceToken });
          const location = String(res.headers.location);
          // Where a browser goes: the Location resolved against the page it came from.
          const target = new URL(location, 'https://portico.test/portal/requests/1');
          if (res.status !== 303 || !location.startsWith('/') || target.origin !== 'https://portico.test') wrong.push(`${action} next=${JSON.stringify(next)}: ${res.status} ${location}`);
        }
      }
      expect(wrong).to.deep.equal([]);
    });
  });

  describe('6. a password change needs the current password and a strong new one', () => {
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
          const before = await state(t);
          const res = await agent.post(`/${realm}/profile/password`).type('form').send({ ...form, _csrf: token });
          expect(res.status, label).to.equal(422);
          expect(res.text, label).to.contain(message);
          expect(changedTables(before, await state(t)), label).to.deep.equal([]);
          expect(await signedIn(agent, realm), `${label}: still signed in`).to.equal(true);
        }
        // The old password still opens the account.
        await signIn(t.app, realm, person.email, PASSWORD);
      });
    }
  });

  describe('7. session idle and absolute timeouts (SESSION_IDLE_MINUTES=1, SESSION_ABSOLUTE_HOURS=1)', () => {
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

  describe('8. the session cookie in production behind a TLS proxy', () => {
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

  describe('10. the per-account sign-in limit ignores letter case (LOGIN_RATE_LIMIT=3)', () => {
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

  describe('11. secret tokens are the CSPRNG’s bytes', () => {
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

    it('a session id issued at sign-in is 24 bytes of crypto.randomBytes, base64url', async () => {
      const person = await buildRequester(t.db);
      const agent = supertest.agent(t.app);
      const page = await agent.get('/portal/login');
      const { value: res, bytes } = await withStub(() => agent.post('/portal/login').type('form').send({ email: person.email, password: PASSWORD, _csrf: csrfFrom(page.text) }));
      expect(res.status).to.equal(303);
      expect(bytes.filter((b) => b.length === 24).map((b) => b.toString('base64url'))).to.include(sessionIdOf(res));
    });
  });
});
