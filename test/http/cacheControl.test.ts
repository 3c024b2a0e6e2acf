/**
 * Every signed-in page and API answer carries Cache-Control: no-store, on one site with
 * something of every kind: the portal, desk and admin pages, the posts that answer with
 * something personal, and the REST API.
 */
import { expect } from 'chai';
import supertest from 'supertest';
import { createTestApp, csrfOf, signIn, type Agent, type TestApp } from '../helpers/app';
import { PASSWORD } from '../helpers/factories';
import { buildSiteOfEveryKind, type SiteOfEveryKind as World } from '../helpers/siteOfEveryKind';

describe('Cache-Control: no-store on every signed-in answer', function () {
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
  });
  after(() => t.close());

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
