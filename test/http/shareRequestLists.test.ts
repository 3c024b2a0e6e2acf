import { expect } from 'chai';
import supertest from 'supertest';
import { createTestApp, csrfFrom, csrfOf, signIn, snapshot, type Agent, type TestApp } from '../helpers/app';
import { addMember, buildCompany, buildProject, buildRequest, buildRequester, buildRole, buildStaff, PASSWORD } from '../helpers/factories';
import type { PrincipalRow } from '../../server/repositories/principals';
import { changeSettings } from '../../server/commands/changeSettings';
import { LIST_PROJECT_UNKNOWN } from '../../server/commands/shareLinks';
import { LISTS_NOTHING } from '../../server/routes/desk/shareLinks';
import { LINK_STOP_TEXT, OBSERVER_SHARE_REFUSED, SHARE_LINKS_OFF } from '../../server/permissions';
import { hashToken } from '../../server/repositories/accessTokens';
import { insertShareLink } from '../../server/repositories/shareLinks';
import { insertDashboard } from '../../server/repositories/dashboards';

/** The request titles a shared list shows, in order. */
function titles(html: string): string[] {
  return [...html.matchAll(/<tr data-request="\d+">\s*<td>([^<]*)<\/td>/g)].map((m) => m[1]!);
}

describe('public links to lists of requests', function () {
  this.timeout(60_000);
  let t: TestApp;
  let admin: PrincipalRow;
  let maker: PrincipalRow;
  let colleague: PrincipalRow;
  let observer: PrincipalRow;
  let alice: PrincipalRow;
  let asMaker: Agent;
  let asColleague: Agent;
  let asAdmin: Agent;
  let asObserver: Agent;
  let asAlice: Agent;
  let support: number;
  let billing: number;
  let internal: number;
  let companyRequest: number;

  const setShareLinks = (on: boolean) => changeSettings(t.db, admin.id, { 'share_links.enabled': on });
  const anonymous = () => supertest(t.app);
  const visit = (key: string) => anonymous().get(`/share/requests?key=${encodeURIComponent(key)}`);
  const nonceOf = (html: string) => /name="nonce" value="([^"]+)"/.exec(html)?.[1] ?? '';

  /** Makes a link through the page's form; returns its key, read from the page that shows it once. */
  async function makeLink(agent: Agent, fields: Record<string, string> = {}): Promise<string> {
    const page = await agent.get('/desk/share-links').expect(200);
    const res = await agent.post('/desk/share-links').type('form').send({ _csrf: csrfFrom(page.text), nonce: nonceOf(page.text), ...fields });
    expect(res.status, res.text.slice(0, 300)).to.equal(201);
    const key = /id="new-share-link"[^>]*value="[^"]*\/share\/requests\?key=(psl_[A-Za-z0-9_-]{43})"/.exec(res.text)?.[1];
    expect(key, 'the new link on the page').to.be.a('string');
    return key!;
  }

  const post = async (agent: Agent, page: string, path: string, fields: Record<string, string> = {}) => agent.post(path).type('form').send({ _csrf: await csrfOf(agent, page), ...fields });

  before(async () => {
    t = await createTestApp();
    const acme = await buildCompany(t.db, 'Acme');
    support = await buildProject(t.db, { name: 'Support' });
    billing = await buildProject(t.db, { name: 'Billing', isPrivate: true });
    internal = await buildProject(t.db, { name: 'Internal', portalEnabled: false });
    admin = await buildStaff(t.db, 'administrator');
    maker = await buildStaff(t.db, 'user');
    colleague = await buildStaff(t.db, 'user');
    observer = await buildStaff(t.db, 'observer');
    const role = await buildRole(t.db, { add: true, edit: true, comment: true });
    await addMember(t.db, support, maker.id, role);
    await addMember(t.db, internal, maker.id, role);
    await addMember(t.db, support, colleague.id, role);
    alice = await buildRequester(t.db, { company: acme, name: 'Alice Acme' });
    const day = (n: number) => new Date(Date.UTC(2026, 10, n)).toISOString();
    const popular = await buildRequest(t.db, { projectId: support, requester: alice, title: 'Popular idea', type: 'idea', visibility: 'public', status: 'open', createdAt: day(1) });
    await t.db('requests').where({ id: popular }).update({ vote_count: 5 });
    await buildRequest(t.db, { projectId: support, requester: alice, title: 'Newer idea', type: 'idea', visibility: 'public', status: 'new', createdAt: day(3) });
    await buildRequest(t.db, { projectId: support, requester: alice, title: 'Fixed public issue', type: 'issue', visibility: 'public', status: 'resolved', createdAt: day(2) });
    companyRequest = await buildRequest(t.db, { projectId: support, requester: alice, title: 'Acme company matter', visibility: 'company', status: 'open', createdAt: day(4) });
    await buildRequest(t.db, { projectId: support, requester: alice, title: 'Alice private matter', status: 'open', createdAt: day(5) });
    await buildRequest(t.db, { projectId: billing, requester: alice, title: 'Billing public idea', type: 'idea', visibility: 'public', status: 'open', createdAt: day(6) });
    await buildRequest(t.db, { projectId: internal, requester: alice, title: 'Internal public idea', type: 'idea', visibility: 'public', status: 'open', createdAt: day(7) });
    asMaker = await signIn(t.app, 'desk', maker.email, PASSWORD);
    asColleague = await signIn(t.app, 'desk', colleague.email, PASSWORD);
    asAdmin = await signIn(t.app, 'desk', admin.email, PASSWORD);
    asObserver = await signIn(t.app, 'desk', observer.email, PASSWORD);
    asAlice = await signIn(t.app, 'portal', alice.email, PASSWORD);
  });
  after(() => t.close());

  it('is off by default: no form, and a post is refused with the reason, writing nothing', async () => {
    const page = await asMaker.get('/desk/share-links').expect(200);
    expect(page.text).to.contain('data-share-links-off').and.not.contain('Make a link</button>');
    const before = await snapshot(t.db);
    const res = await post(asMaker, '/desk/share-links', '/desk/share-links', { label: 'x' });
    expect(res.status).to.equal(422);
    expect(res.text).to.contain(SHARE_LINKS_OFF);
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('made by a staff member: shown once, stored as a digest, audited; a reload makes no second link', async () => {
    await setShareLinks(true);
    const page = await asMaker.get('/desk/share-links').expect(200);
    // The project choices: what the maker sees that is open to the portal (not Internal, not Billing).
    const projectSelect = /<select id="project_id"[\s\S]*?<\/select>/.exec(page.text)![0];
    const options = [...projectSelect.matchAll(/<option value="(\d+)"/g)].map((m) => Number(m[1]));
    expect(options).to.deep.equal([support]);
    const fields = { _csrf: csrfFrom(page.text), nonce: nonceOf(page.text), label: 'Roadmap' };
    const res = await asMaker.post('/desk/share-links').type('form').send(fields).expect(201);
    const key = /share\/requests\?key=(psl_[A-Za-z0-9_-]{43})/.exec(res.text)![1]!;
    const row = await t.db('share_links').where({ kind: 'requests', created_by: maker.id }).first();
    expect(row.key_hash).to.equal(hashToken(key));
    expect(JSON.stringify(row)).not.to.contain(key);
    const audit = await t.db('audit_events').where({ action: 'share_link.requests_created', target_id: row.id });
    expect(audit).to.have.length(1);
    expect(String(audit[0].after)).to.contain('Roadmap').and.not.contain(key);
    const before = await snapshot(t.db);
    const again = await asMaker.post('/desk/share-links').type('form').send(fields).expect(303);
    expect(again.headers.location).to.contain('already=1');
    expect(await snapshot(t.db)).to.deep.equal(before);
    const list = await asMaker.get('/desk/share-links').expect(200);
    expect(list.text).to.contain('Roadmap').and.not.contain(key);
  });

  it('opens without signing in: public requests of portal projects the maker sees, open ones by votes by default; nobody named; embeddable, no cookie', async () => {
    const key = await makeLink(asMaker, { label: 'What we work on' });
    const res = await visit(key).expect(200);
    expect(res.text).to.contain('<h1>What we work on</h1>');
    expect(titles(res.text)).to.deep.equal(['Popular idea', 'Newer idea']);
    expect(res.text).to.contain('data-votes="5"');
    for (const hidden of ['Fixed public issue', 'Acme company matter', 'Alice private matter', 'Billing public idea', 'Internal public idea', alice.name, alice.email, maker.name]) {
      expect(res.text).not.to.contain(hidden);
    }
    expect(res.headers['content-security-policy']).to.contain('frame-ancestors *');
    expect(res.headers['x-frame-options']).to.equal(undefined);
    expect(res.headers['set-cookie']).to.equal(undefined);
    expect(res.headers['cache-control']).to.equal('no-store');
    expect(t.logs.join('')).not.to.contain(key);
  });

  it('forms open in several tabs (and on a dashboard’s sharing page) each make one link; each sent twice makes no second', async () => {
    const first = await asMaker.get('/desk/share-links').expect(200);
    const second = await asMaker.get('/desk/share-links').expect(200);
    const board = await insertDashboard(t.db, 'Tabs board', maker.id);
    await asMaker.get(`/desk/dashboards/${board}/permissions`).expect(200);
    const send = (page: string, label: string) => asMaker.post('/desk/share-links').type('form').send({ _csrf: csrfFrom(page), nonce: nonceOf(page), label });
    const count = async () => Number((await t.db('share_links').where({ created_by: maker.id, kind: 'requests' }).count({ n: '*' }).first())!.n);
    const before = await count();
    expect((await send(first.text, 'First tab')).status).to.equal(201);
    expect((await send(second.text, 'Second tab')).status).to.equal(201);
    expect((await send(first.text, 'First tab')).status).to.equal(303);
    expect(await count()).to.equal(before + 2);
    await t.db('dashboards').where({ id: board }).del();
  });

  it('keeps to its filter: project, type, statuses and order', async () => {
    const newest = await makeLink(asMaker, { project_id: String(support), type: 'idea', statuses: 'all', sort: 'newest' });
    const page = (await visit(newest).expect(200)).text;
    expect(titles(page)).to.deep.equal(['Newer idea', 'Popular idea']);
    expect(page).to.contain('Public ideas of Support, in every status, newest first');
    const done = await makeLink(asMaker, { statuses: 'done' });
    expect(titles((await visit(done).expect(200)).text)).to.deep.equal(['Fixed public issue']);
    const questions = await makeLink(asMaker, { type: 'question', statuses: 'all' });
    expect((await visit(questions).expect(200)).text).to.contain('Nothing to show.');
  });

  it('refuses a project the maker does not see or that is not open to the portal, and any odd field, writing nothing', async () => {
    for (const [fields, message] of [
      [{ project_id: String(billing) }, LIST_PROJECT_UNKNOWN],
      [{ project_id: String(internal) }, LIST_PROJECT_UNKNOWN],
      [{ project_id: '99999' }, LIST_PROJECT_UNKNOWN],
      [{ project_id: 'x' }, 'Choose a project from the list.'],
      [{ type: 'epic' }, 'Choose a type from the list.'],
      [{ statuses: 'some' }, 'Choose which statuses'],
      [{ sort: 'random' }, 'Choose an order'],
      [{ label: 'y'.repeat(201) }, 'at most 200 characters'],
    ] as const) {
      const before = await snapshot(t.db);
      const res = await post(asMaker, '/desk/share-links', '/desk/share-links', fields);
      expect(res.status, JSON.stringify(fields)).to.equal(422);
      expect(res.text).to.contain(message);
      expect(await snapshot(t.db)).to.deep.equal(before);
    }
    // What was typed comes back.
    const res = await post(asMaker, '/desk/share-links', '/desk/share-links', { label: 'Kept name', sort: 'random' });
    expect(res.text).to.contain('value="Kept name"');
  });

  it('observers, customers, visitors and posts without the CSRF token make and revoke nothing', async () => {
    const key = await makeLink(asMaker, { label: 'Not theirs' });
    const id = (await t.db('share_links').where({ key_hash: hashToken(key) }).first()).id;
    const before = await snapshot(t.db);
    const observerPage = await asObserver.get('/desk/share-links').expect(200);
    expect(observerPage.text).to.contain(OBSERVER_SHARE_REFUSED).and.not.contain('Not theirs');
    const refused = await post(asObserver, '/desk', '/desk/share-links', { label: 'mine' });
    expect(refused.status).to.equal(403);
    expect(refused.text).to.contain(OBSERVER_SHARE_REFUSED);
    expect((await post(asObserver, '/desk', `/desk/share-links/${id}/revoke`)).status).to.equal(404);
    expect((await post(asAlice, '/portal', '/desk/share-links', { label: 'mine' })).status).to.equal(403);
    expect((await post(asAlice, '/portal', `/desk/share-links/${id}/revoke`)).status).to.equal(403);
    const visitor = supertest.agent(t.app);
    const visitorToken = csrfFrom((await visitor.get('/desk/login')).text);
    expect((await visitor.post('/desk/share-links').type('form').send({ _csrf: visitorToken })).status).to.equal(302);
    expect((await asMaker.post('/desk/share-links').type('form').send({ label: 'no token' })).status).to.equal(403);
    expect((await asMaker.post(`/desk/share-links/${id}/revoke`).type('form').send({})).status).to.equal(403);
    // A colleague neither sees another's link nor revokes it.
    const colleaguePage = await asColleague.get('/desk/share-links').expect(200);
    expect(colleaguePage.text).not.to.contain('Not theirs');
    expect((await post(asColleague, '/desk', `/desk/share-links/${id}/revoke`)).status).to.equal(404);
    // A dashboard's link is not revoked through this page, nor opened as a list (and the other way round).
    const board = await insertDashboard(t.db, 'Board', maker.id);
    const boardLink = await insertShareLink(t.db, { dashboardId: board, label: 'Board link', createdBy: maker.id, expiresAt: null });
    const withBoard = await snapshot(t.db);
    expect((await post(asMaker, '/desk', `/desk/share-links/${boardLink.id}/revoke`)).status).to.equal(404);
    await visit(boardLink.key).expect(404);
    await anonymous().get(`/share/dashboard?key=${key}`).expect(404);
    expect(await snapshot(t.db)).to.deep.equal(withBoard);
    await t.db('dashboards').where({ id: board }).del();
    expect(await snapshot(t.db)).to.deep.equal(before);
    await visit(key).expect(200);
  });

  it('an administrator sees and revokes everyone’s links; the maker revokes their own; a revoked link is 404 at once', async () => {
    const mine = await makeLink(asMaker, { label: 'Made by the maker' });
    const colleagues = await makeLink(asColleague, { label: 'Made by the colleague' });
    const page = await asAdmin.get('/desk/share-links').expect(200);
    expect(page.text).to.contain('Made by the maker').and.contain('Made by the colleague').and.contain(colleague.name);
    const idOf = async (key: string) => (await t.db('share_links').where({ key_hash: hashToken(key) }).first()).id as number;
    const notFound = (await visit(`psl_${'B'.repeat(43)}`).expect(404)).text;
    expect((await post(asAdmin, '/desk', `/desk/share-links/${await idOf(colleagues)}/revoke`)).status).to.equal(303);
    expect((await visit(colleagues).expect(404)).text).to.equal(notFound);
    expect((await post(asMaker, '/desk', `/desk/share-links/${await idOf(mine)}/revoke`)).status).to.equal(303);
    expect((await visit(mine).expect(404)).text).to.equal(notFound);
    expect(await t.db('audit_events').where({ action: 'share_link.requests_revoked' })).to.have.length(2);
    const before = await snapshot(t.db);
    expect((await post(asMaker, '/desk', `/desk/share-links/${await idOf(mine)}/revoke`)).status).to.equal(404);
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('stops on expiry, with links off, when its maker is disabled or made an observer; shrinks with what the maker and the public may see', async () => {
    const key = await makeLink(asMaker, { statuses: 'all' });
    const notFound = (await visit(`psl_${'C'.repeat(43)}`).expect(404)).text;
    const same = async () => expect((await visit(key).expect(404)).text).to.equal(notFound);
    const row = () => t.db('share_links').where({ key_hash: hashToken(key) });

    await row().update({ expires_at: new Date(Date.now() - 1000).toISOString() });
    await same();
    await row().update({ expires_at: null });
    await visit(key).expect(200);

    await setShareLinks(false);
    await same();
    await setShareLinks(true);

    await t.db('principals').where({ id: maker.id }).update({ disabled: true });
    await same();
    await t.db('principals').where({ id: maker.id }).update({ disabled: false });

    await t.db('principals').where({ id: maker.id }).update({ type: 'observer' });
    await same();
    expect((await asAdmin.get('/desk/share-links').expect(200)).text).to.contain(LINK_STOP_TEXT.maker);
    await t.db('principals').where({ id: maker.id }).update({ type: 'user' });
    await visit(key).expect(200);

    // A request made public shows up; the maker's membership gone, Support's requests go (a private project would; Support is public, so a user must be a member).
    await t.db('requests').where({ id: companyRequest }).update({ visibility: 'public' });
    expect(titles((await visit(key).expect(200)).text)).to.include('Acme company matter');
    await t.db('requests').where({ id: companyRequest }).update({ visibility: 'company' });
    const ofSupport = await makeLink(asMaker, { project_id: String(support), statuses: 'all' });
    await t.db('project_members').where({ project_id: support, principal_id: maker.id }).del();
    expect((await visit(key).expect(200)).text).to.contain('Nothing to show.');
    // Its page no longer names the project, and the maker's list says the project-bound link lists nothing.
    const hidden = (await visit(ofSupport).expect(200)).text;
    expect(hidden).to.contain('Nothing to show.').and.not.contain('Support');
    expect((await asMaker.get('/desk/share-links').expect(200)).text).to.contain(LISTS_NOTHING);
    await t.db('project_members').insert({ project_id: support, principal_id: maker.id, role_id: (await t.db('project_members').where({ principal_id: colleague.id }).first()).role_id });
    // Support closed to the portal: nothing of it on a link.
    await t.db('projects').where({ id: support }).update({ portal_enabled: false });
    expect((await visit(key).expect(200)).text).to.contain('Nothing to show.');
    await t.db('projects').where({ id: support }).update({ portal_enabled: true });
    expect(titles((await visit(key).expect(200)).text)).to.have.length(3);
  });

  it('disabling an account revokes every link it made, for good: enabling it again revives none', async () => {
    const leaver = await buildStaff(t.db, 'user');
    const asLeaver = await signIn(t.app, 'desk', leaver.email, PASSWORD);
    const list = await makeLink(asLeaver, { label: 'Leaver list' });
    const board = await insertDashboard(t.db, 'Leaver board', leaver.id);
    const boardLink = await insertShareLink(t.db, { dashboardId: board, label: 'Leaver board link', createdBy: leaver.id, expiresAt: null });
    const others = await makeLink(asMaker, { label: 'Stays' });
    await visit(list).expect(200);
    await anonymous().get(`/share/dashboard?key=${boardLink.key}`).expect(200);
    const csrf = await csrfOf(asAdmin, `/admin/users/${leaver.id}`);
    await asAdmin.post(`/admin/users/${leaver.id}`).type('form').send({ disabled: 'true', _csrf: csrf }).expect(303);
    const audit = await t.db('audit_events').where({ action: 'principal.disabled', target_id: leaver.id }).first('after');
    expect(JSON.parse(String(audit.after))).to.deep.equal({ disabled: true, tokensRevoked: 0, shareLinksRevoked: 2 });
    await asAdmin.post(`/admin/users/${leaver.id}`).type('form').send({ disabled: 'false', _csrf: csrf }).expect(303);
    await visit(list).expect(404);
    await anonymous().get(`/share/dashboard?key=${boardLink.key}`).expect(404);
    await visit(others).expect(200);
  });
});
