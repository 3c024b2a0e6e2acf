/**
 * Rules every route keeps, checked on one site with something of every kind:
 *  - desk routes outside the refusal matrix (direct access, preview, widgets, tokens…) answer
 *    exactly what the staff-area gate answers, to a customer and to an anonymous visitor;
 *  - no GET or HEAD changes state, on any state-changing route, for a principal allowed to POST it.
 */
import { expect } from 'chai';
import supertest from 'supertest';
import { changedTables, createTestApp, csrfFrom, csrfOf, fullState, signIn, type Agent, type TestApp } from '../helpers/app';
import { PASSWORD } from '../helpers/factories';
import { buildSiteOfEveryKind, type SiteOfEveryKind as World } from '../helpers/siteOfEveryKind';
import { changeSettings } from '../../server/commands/changeSettings';

type Form = Record<string, string>;


async function signedIn(agent: Agent, realm: 'portal' | 'desk'): Promise<boolean> {
  const res = await agent.get(`/${realm}`);
  return res.status === 200;
}

describe('site-wide route rules, on one site with something of every kind', function () {
  this.timeout(60_000);
  let t: TestApp;
  let w: World;
  let asAlice: Agent;
  let asAdmin: Agent;

  before(async () => {
    t = await createTestApp();
    w = await buildSiteOfEveryKind(t);
    asAlice = await signIn(t.app, 'portal', w.alice.email, PASSWORD);
    asAdmin = await signIn(t.app, 'desk', w.admin.email, PASSWORD);
    await changeSettings(t.db, w.admin.id, { 'share_links.enabled': true });
  });
  after(() => t.close());

  describe('desk routes outside the refusal matrix answer what the staff-area gate answers', () => {
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
      { method: 'POST', path: (x) => `/desk/dashboards/${x.dashboard}/widgets/${x.widgets[1]}`, body: () => ({ title: 'Renamed widget' }) },
      { method: 'GET', path: () => '/desk/work-items/new' },
      { method: 'GET', path: (x) => `/desk/work-items/${x.workItem}/edit` },
      { method: 'POST', path: () => '/desk/profile', body: () => ({ name: 'Renamed through the gate' }) },
      { method: 'POST', path: () => '/desk/profile/email', body: () => ({}) },
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
            const before = await fullState(t);
            const res = route.method === 'GET' ? await agent.get(path) : await agent.post(path).type('form').send({ ...(route.body?.(w) ?? {}), _csrf: token });
            const label = `${route.method} ${path} as ${who}`;
            if (res.status !== expected) wrong.push(`${label}: ${res.status}, expected ${expected}`);
            if (expected === 302 && res.headers.location !== `/desk/login?next=${encodeURIComponent(path)}`) wrong.push(`${label}: Location ${String(res.headers.location)}`);
            const changed = changedTables(before, await fullState(t));
            if (changed.length) wrong.push(`${label}: wrote ${changed.join(', ')}`);
          }
        }
        await changeSettings(t.db, w.admin.id, { 'direct_access.enabled': true });
        expect(wrong).to.deep.equal([]);
      });
    }
  });

  describe('no GET or HEAD changes state', () => {
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
      { who: 'customer', path: (x) => `/portal/requests/${x.voted}/notifications`, form: () => ({ notify: 'off' }) },
      { who: 'customer', path: () => '/portal/profile/email', form: () => ({}) },
      // Staff desk, as an administrator (allowed everything there).
      { who: 'staff', path: (x) => `/desk/requests/${x.voted}/comments`, form: () => ({ body: 'A reply by a GET' }) },
      { who: 'staff', path: (x) => `/desk/requests/${x.voted}/comments`, form: () => ({ body: 'A note by a GET', internal: 'true' }) },
      { who: 'staff', path: (x) => `/desk/requests/${x.voted}/status`, form: () => ({ status: 'in_progress' }) },
      { who: 'staff', path: (x) => `/desk/requests/${x.voted}/details`, form: () => ({ title: 'Retitled by a GET', type: 'question', visibility: 'public' }) },
      { who: 'staff', path: (x) => `/desk/requests/${x.voted}/assign`, form: (x) => ({ assignee_id: String(x.staffUser.id) }) },
      { who: 'staff', path: () => '/desk/requests/bulk', form: (x) => ({ ids: String(x.voted), status: 'resolved' }) },
      { who: 'staff', path: (x) => `/desk/requests/${x.voted}/links`, form: (x) => ({ work_item_id: String(x.workItem) }) },
      { who: 'staff', path: (x) => `/desk/requests/${x.voted}/links/${x.linkedItem}/delete`, form: () => ({}) },
      { who: 'staff', path: () => '/desk/work-items', form: (x) => ({ project_id: String(x.project), type: 'task', name: 'Task by a GET', status: 'open' }), page: true },
      { who: 'staff', path: (x) => `/desk/work-items/${x.workItem}`, form: () => ({ name: 'Renamed by a GET', status: 'planned' }), page: true },
      { who: 'staff', path: (x) => `/desk/work-items/${x.workItem}/comments`, form: () => ({ body: 'Comment by a GET' }) },
      { who: 'staff', path: () => '/desk/dashboards', form: () => ({ name: 'Board by a GET' }), page: true },
      { who: 'staff', path: (x) => `/desk/dashboards/${x.dashboard}`, form: () => ({ name: 'Board renamed by a GET' }), page: true },
      { who: 'staff', path: (x) => `/desk/dashboards/${x.dashboard}/widgets`, form: () => ({ kind: 'requests_by_status' }) },
      { who: 'staff', path: (x) => `/desk/dashboards/${x.dashboard}/widgets/${x.widgets[1]}/move`, form: () => ({ direction: 'up' }) },
      { who: 'staff', path: (x) => `/desk/dashboards/${x.dashboard}/widgets/${x.widgets[1]}`, form: () => ({ title: 'Widget renamed by a GET' }) },
      { who: 'staff', path: (x) => `/desk/dashboards/${x.dashboard}/widgets/${x.widgets[0]}/delete`, form: () => ({}) },
      { who: 'staff', path: (x) => `/desk/dashboards/${x.dashboard}/grants`, form: (x) => ({ email: x.staffUser.email, level: 'edit' }) },
      { who: 'staff', path: (x) => `/desk/dashboards/${x.dashboard}/grants/company`, form: (x) => ({ company_id: String(x.company) }) },
      { who: 'staff', path: (x) => `/desk/dashboards/${x.dashboard}/grants/${x.dashboardGrant}/delete`, form: () => ({}) },
      { who: 'staff', path: (x) => `/desk/dashboards/${x.dashboard}/share-links`, form: () => ({ label: 'Link by a GET' }) },
      { who: 'staff', path: () => '/desk/share-links', form: () => ({ label: 'List by a GET' }), page: true },
      { who: 'staff', path: (x) => `/desk/dashboards/${x.dashboard}/permissions`, form: () => ({ restriction: 'open', confirm: 'yes' }), page: true },
      { who: 'staff', path: () => '/desk/direct-access', form: (x) => ({ entity_type_id: '17', entity_id: String(x.fresh), email: x.staffUser.email, mode: 'comment' }) },
      { who: 'staff', path: () => '/desk/direct-access/nested', form: (x) => ({ entity_type_id: '27', entity_id: String(x.epic) }) },
      { who: 'staff', path: (x) => `/desk/direct-access/${x.entityGrant}`, form: () => ({ mode: 'edit' }) },
      { who: 'staff', path: (x) => `/desk/direct-access/${x.entityGrant}/delete`, form: () => ({}) },
      { who: 'staff', path: () => '/desk/profile/tokens', form: () => ({ name: 'Token by a GET' }) },
      { who: 'staff', path: (x) => `/desk/profile/tokens/${x.adminToken.id}/delete`, form: () => ({}) },
      { who: 'staff', path: () => '/desk/profile', form: () => ({ name: 'Staff renamed by a GET' }), page: true },
      { who: 'staff', path: () => '/desk/profile/email', form: () => ({}) },
      // Administration.
      { who: 'staff', path: (x) => `/admin/users/${x.promotee.id}`, form: () => ({ type: 'administrator' }), page: true },
      { who: 'staff', path: (x) => `/admin/users/${x.staffUser.id}/memberships`, form: (x) => ({ project_id: String(x.project), role_id: String(x.otherRole) }) },
      { who: 'staff', path: (x) => `/admin/users/${x.member.id}/memberships/${x.project}/delete`, form: () => ({}) },
      { who: 'staff', path: () => '/admin/users', form: () => ({ name: 'Added By A Get', email: 'added-by-get@gaps.test', type: 'user' }), page: true },
      { who: 'staff', path: (x) => `/admin/users/${x.promotee.id}/password-link`, form: () => ({}) },
      { who: 'staff', path: () => '/admin/companies', form: () => ({ name: 'Company by a GET' }), page: true },
      { who: 'staff', path: (x) => `/admin/companies/${x.company}`, form: () => ({ name: 'Company renamed by a GET' }), page: true },
      { who: 'staff', path: (x) => `/admin/users/${x.alice.id}/company`, form: () => ({ company_id: '' }) },
      { who: 'staff', path: () => '/admin/projects', form: () => ({ name: 'Project by a GET', is_private: 'true' }), page: true },
      { who: 'staff', path: (x) => `/admin/projects/${x.project}`, form: () => ({ name: 'Project renamed by a GET' }), page: true },
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
      { who: 'anonymous', path: () => '/desk/password/set', form: (x) => ({ token: x.deskPasswordLink, password: 'a set new password' }), page: true },
      { who: 'anonymous', path: () => '/portal/password/set', form: (x) => ({ token: x.portalPasswordLink, password: 'a set new password' }), page: true },
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
          const before = await fullState(t);
          const res = method === 'GET' ? await agent.get(url) : await agent.head(url);
          const label = `${method} ${url} as ${change.who}`;
          if (!change.page && res.status < 400) wrong.push(`${label}: answered ${res.status}`);
          if (res.status >= 500) wrong.push(`${label}: answered ${res.status}`);
          const changed = changedTables(before, await fullState(t));
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
        const before = await fullState(t);
        const res = await agent.post(change.path(w)).type('form').send({ ...change.form(w), _csrf: token });
        const label = `POST ${change.path(w)} as ${change.who}`;
        if (res.status >= 400) lazy.push(`${label}: answered ${res.status}`);
        if (change.session) {
          if ((await signedIn(agent, realm)) === wasSignedIn) lazy.push(`${label}: did not ${change.session === 'signs-in' ? 'sign in' : 'sign out'}`);
        } else if (changedTables(before, await fullState(t)).length === 0) lazy.push(`${label}: wrote nothing`);
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
