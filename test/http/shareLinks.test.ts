import { expect } from 'chai';
import supertest from 'supertest';
import { createTestApp, csrfFrom, csrfOf, signIn, snapshot, type Agent, type TestApp } from '../helpers/app';
import { addMember, buildCompany, buildProject, buildRequest, buildRequester, buildRole, buildStaff, PASSWORD } from '../helpers/factories';
import type { PrincipalRow } from '../../server/repositories/principals';
import { changeSettings } from '../../server/commands/changeSettings';
import { LINK_STOP_TEXT, SHARE_LINKS_OFF, SHARE_ON_OPEN_REFUSED } from '../../server/permissions';
import { hashToken } from '../../server/repositories/accessTokens';
import { COMPANY_WIDGET_NOTE } from '../../server/routes/share';

/** The figures of one widget kind on a page, in the order shown. */
function figuresOf(html: string, kind: string): number[] {
  const widget = new RegExp(`data-widget-kind="${kind}"[\\s\\S]*?</figure>`).exec(html)?.[0] ?? '';
  return [...widget.matchAll(/data-value="(\d+)"/g)].map((m) => Number(m[1]));
}

function widgetHtml(html: string, kind: string): string {
  return new RegExp(`data-widget-kind="${kind}"[\\s\\S]*?</figure>`).exec(html)?.[0] ?? '';
}

describe('public share links of dashboards', function () {
  this.timeout(60_000);
  let t: TestApp;
  let admin: PrincipalRow;
  let owner: PrincipalRow;
  let editor: PrincipalRow;
  let viewerStaff: PrincipalRow;
  let observer: PrincipalRow;
  let alice: PrincipalRow;
  let asOwner: Agent;
  let asEditor: Agent;
  let asViewerStaff: Agent;
  let asObserver: Agent;
  let asAlice: Agent;
  let ownerToken: string;
  let board: number;

  const setShareLinks = (on: boolean) => changeSettings(t.db, admin.id, { 'share_links.enabled': on });
  const anonymous = () => supertest(t.app);
  const permissionsPage = (agent: Agent = asOwner) => agent.get(`/desk/dashboards/${board}/permissions`);
  const nonceOf = (html: string) => /name="nonce" value="([^"]+)"/.exec(html)?.[1] ?? '';

  /** Makes a link through the page's own form, as its maker would; returns the key shown once. */
  async function makeLink(agent: Agent, fields: Record<string, string> = {}): Promise<string> {
    const page = await permissionsPage(agent).expect(200);
    const res = await agent
      .post(`/desk/dashboards/${board}/share-links`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), nonce: nonceOf(page.text), ...fields });
    expect(res.status, res.text.slice(0, 400)).to.equal(201);
    const key = /id="new-share-link"[^>]*value="[^"]*\/share\/dashboard\?key=(psl_[A-Za-z0-9_-]{43})"/.exec(res.text)?.[1];
    expect(key, 'the new link is on the page').to.be.a('string');
    return key!;
  }

  const visit = (key: string) => anonymous().get(`/share/dashboard?key=${encodeURIComponent(key)}`);

  before(async () => {
    t = await createTestApp();
    const acme = await buildCompany(t.db, 'Acme');
    const globex = await buildCompany(t.db, 'Globex');
    const support = await buildProject(t.db, { name: 'Support' });
    const hiddenFromOwner = await buildProject(t.db, { name: 'Billing', isPrivate: true });
    const internal = await buildProject(t.db, { name: 'Internal', portalEnabled: false });
    admin = await buildStaff(t.db, 'administrator');
    owner = await buildStaff(t.db, 'user');
    editor = await buildStaff(t.db, 'user');
    viewerStaff = await buildStaff(t.db, 'user');
    observer = await buildStaff(t.db, 'observer');
    const role = await buildRole(t.db, { add: true, edit: true, comment: true });
    await addMember(t.db, support, owner.id, role);
    await addMember(t.db, internal, owner.id, role);
    await addMember(t.db, support, editor.id, role);
    alice = await buildRequester(t.db, { company: acme });
    const carol = await buildRequester(t.db, { company: globex });
    await buildRequest(t.db, { projectId: support, requester: alice, title: 'Acme private trouble', status: 'open' });
    await buildRequest(t.db, { projectId: support, requester: alice, title: 'Acme company matter', status: 'open', visibility: 'company' });
    await buildRequest(t.db, { projectId: support, requester: carol, title: 'Globex public idea', type: 'idea', visibility: 'public', status: 'open' });
    await buildRequest(t.db, { projectId: hiddenFromOwner, requester: carol, title: 'Billing public idea', type: 'idea', visibility: 'public', status: 'open' });
    await buildRequest(t.db, { projectId: internal, requester: carol, title: 'Internal public idea', type: 'idea', visibility: 'public', status: 'open' });
    asOwner = await signIn(t.app, 'desk', owner.email, PASSWORD);
    asEditor = await signIn(t.app, 'desk', editor.email, PASSWORD);
    asViewerStaff = await signIn(t.app, 'desk', viewerStaff.email, PASSWORD);
    asObserver = await signIn(t.app, 'desk', observer.email, PASSWORD);
    asAlice = await signIn(t.app, 'portal', alice.email, PASSWORD);
    ownerToken = await csrfOf(asOwner, '/desk');
    const created = await asOwner.post('/desk/dashboards').type('form').send({ name: 'Public health', _csrf: ownerToken }).expect(303);
    board = Number(/dashboards\/(\d+)\/edit/.exec(created.headers.location!)![1]);
    for (const kind of ['requests_by_status', 'oldest_open', 'top_ideas']) {
      await asOwner.post(`/desk/dashboards/${board}/widgets`).type('form').send({ kind, data_scope: 'all', _csrf: ownerToken }).expect(303);
    }
    await asOwner.post(`/desk/dashboards/${board}/widgets`).type('form').send({ kind: 'requests_by_type', title: 'Company types', _csrf: ownerToken }).expect(303);
    await asOwner.post(`/desk/dashboards/${board}/grants`).type('form').send({ email: editor.email, level: 'edit', _csrf: ownerToken }).expect(303);
    await asOwner.post(`/desk/dashboards/${board}/grants`).type('form').send({ email: viewerStaff.email, level: 'view', _csrf: ownerToken }).expect(303);
    await asOwner.post(`/desk/dashboards/${board}/permissions`).type('form').send({ restriction: 'view_open', _csrf: ownerToken }).expect(303);
  });
  after(() => t.close());

  it('is off by default: the page offers no form, and a post is refused with the reason and writes nothing', async () => {
    const page = await permissionsPage().expect(200);
    expect(page.text).to.contain('data-share-links-off').and.not.contain('Make a link');
    // One of the four widgets is scoped to the viewer's company: the page says it shows nothing on a link.
    expect(page.text).to.contain('data-company-widgets="1"');
    const before = await snapshot(t.db);
    const res = await asOwner.post(`/desk/dashboards/${board}/share-links`).type('form').send({ _csrf: ownerToken, label: 'x' }).expect(422);
    expect(res.text).to.contain(SHARE_LINKS_OFF);
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('made by a manager of the dashboard: shown once, stored as a digest, audited; a reload makes no second link', async () => {
    await setShareLinks(true);
    const page = await permissionsPage().expect(200);
    const nonce = nonceOf(page.text);
    const res = await asOwner.post(`/desk/dashboards/${board}/share-links`).type('form').send({ _csrf: ownerToken, nonce, label: 'Status page', expires_days: '30' }).expect(201);
    const key = /share\/dashboard\?key=(psl_[A-Za-z0-9_-]{43})/.exec(res.text)![1]!;
    expect(res.text).to.contain('it will not be shown again').and.contain('&lt;iframe src=');
    const rows = await t.db('share_links').where({ dashboard_id: board });
    expect(rows).to.have.length(1);
    expect(rows[0].key_hash).to.equal(hashToken(key));
    expect(JSON.stringify(rows)).not.to.contain(key);
    const expires = new Date(rows[0].expires_at).getTime();
    expect(expires - Date.now()).to.be.within(29.9 * 86_400_000, 30 * 86_400_000);
    const audit = await t.db('audit_events').where({ action: 'dashboard.share_link_created', target_id: board });
    expect(audit).to.have.length(1);
    expect(audit[0].actor_id).to.equal(owner.id);
    expect(String(audit[0].after)).to.contain('Status page').and.not.contain(key);
    // The same form sent again (a reload of the answer): nothing more is made.
    const before = await snapshot(t.db);
    const again = await asOwner.post(`/desk/dashboards/${board}/share-links`).type('form').send({ _csrf: ownerToken, nonce, label: 'Status page', expires_days: '30' }).expect(303);
    expect(again.headers.location).to.contain('link_already=1');
    expect(await snapshot(t.db)).to.deep.equal(before);
    // The list shows the link by name, never its key.
    const list = await permissionsPage().expect(200);
    expect(list.text).to.contain('Status page').and.not.contain(key);
    await asOwner.post(`/desk/dashboards/${board}/share-links/${rows[0].id}/revoke`).type('form').send({ _csrf: ownerToken }).expect(303);
  });

  it('opens without signing in: what a customer of no company would see, within what its maker sees; embeddable, never cached, no cookie', async () => {
    const key = await makeLink(asOwner, { label: 'Public' });
    const res = await visit(key).expect(200);
    expect(res.text).to.contain('Public health');
    // Requests by status, all companies: the portal projects the maker sees (Support), not
    // Billing (hidden from the maker) nor Internal (not open to the portal).
    expect(figuresOf(res.text, 'requests_by_status')).to.deep.equal([0, 3, 0, 0, 0]);
    // Lists name only public requests.
    const oldest = widgetHtml(res.text, 'oldest_open');
    expect(oldest).to.contain('Globex public idea').and.not.contain('Acme private trouble').and.not.contain('Acme company matter');
    expect(res.text).not.to.contain('Billing public idea').and.not.contain('Internal public idea');
    // A widget scoped to the viewer's company says why it is empty, and shows no figure.
    const company = widgetHtml(res.text, 'requests_by_type');
    expect(company).to.contain(COMPANY_WIDGET_NOTE).and.not.contain('data-value');
    // Nobody's name, email or any control; no link into the portal or desk.
    for (const p of [owner, editor, viewerStaff, alice]) expect(res.text).not.to.contain(p.email).and.not.contain(p.name);
    expect(res.text).not.to.contain('<form').and.not.contain('href="/desk').and.not.contain('href="/portal');
    expect(res.headers['content-security-policy']).to.contain('frame-ancestors *').and.contain("script-src 'self'");
    expect(res.headers['x-frame-options']).to.equal(undefined);
    expect(res.headers['referrer-policy']).to.equal('no-referrer');
    expect(res.headers['cache-control']).to.equal('no-store');
    expect(res.headers['set-cookie']).to.equal(undefined);
    // Every other page still refuses to be framed.
    const login = await anonymous().get('/portal/login').expect(200);
    expect(login.headers['content-security-policy']).to.contain("frame-ancestors 'none'");
  });

  it('records its last opening at most once a minute, and its key never reaches the log', async () => {
    const key = await makeLink(asOwner, { label: 'Counted' });
    const row = () => t.db('share_links').where({ key_hash: hashToken(key) }).first();
    expect((await row()).last_used_at).to.equal(null);
    await visit(key).expect(200);
    const first = (await row()).last_used_at;
    expect(first).not.to.equal(null);
    await visit(key).expect(200);
    expect(String((await row()).last_used_at)).to.equal(String(first));
    expect(t.logs.join('')).to.contain('/share/dashboard').and.not.contain(key);
  });

  it('every refusal is the same 404: unknown, malformed, revoked, expired, links off, dashboard open, maker disabled or no longer managing it', async () => {
    const notFound = (await visit(`psl_${'A'.repeat(43)}`).expect(404)).text;
    await anonymous().get('/share/dashboard').expect(404);
    await anonymous().get('/share/dashboard?key=psl_short').expect(404);
    const odd = await anonymous().get(`/share/dashboard?key=${hashToken('x')}`).expect(404);
    expect(odd.headers['referrer-policy'], 'not even the 404 sends the key on').to.equal('no-referrer');
    expect((await anonymous().get('/portal/login')).headers['referrer-policy']).to.equal('same-origin');
    const same = async (key: string) => expect((await visit(key).expect(404)).text).to.equal(notFound);

    // Revoked: by another manager of the dashboard, at once.
    const revoked = await makeLink(asOwner, { label: 'To revoke' });
    await visit(revoked).expect(200);
    const id = (await t.db('share_links').where({ key_hash: hashToken(revoked) }).first()).id;
    const editorToken = await csrfOf(asEditor, '/desk');
    await asEditor.post(`/desk/dashboards/${board}/share-links/${id}/revoke`).type('form').send({ _csrf: editorToken }).expect(303);
    await same(revoked);
    expect(await t.db('audit_events').where({ action: 'dashboard.share_link_revoked', actor_id: editor.id })).to.have.length(1);
    // Revoked once is revoked: a second revoke is 404 and changes nothing.
    const before = await snapshot(t.db);
    await asEditor.post(`/desk/dashboards/${board}/share-links/${id}/revoke`).type('form').send({ _csrf: editorToken }).expect(404);
    expect(await snapshot(t.db)).to.deep.equal(before);

    // Expired.
    const expiring = await makeLink(asOwner, { label: 'Short', expires_days: '1' });
    await visit(expiring).expect(200);
    await t.db('share_links').where({ key_hash: hashToken(expiring) }).update({ expires_at: new Date(Date.now() - 1000).toISOString() });
    await same(expiring);
    const page = await permissionsPage().expect(200);
    expect(page.text).to.contain(LINK_STOP_TEXT.expired);

    // Links switched off, then on again.
    const key = await makeLink(asOwner, { label: 'Toggle' });
    await setShareLinks(false);
    await same(key);
    await setShareLinks(true);
    await visit(key).expect(200);

    // The dashboard made "Anyone can view and edit": dead meanwhile, and no new link.
    await asOwner.post(`/desk/dashboards/${board}/permissions`).type('form').send({ restriction: 'open', _csrf: ownerToken }).expect(303);
    await same(key);
    const open = await snapshot(t.db);
    const refused = await asOwner.post(`/desk/dashboards/${board}/share-links`).type('form').send({ _csrf: ownerToken }).expect(422);
    expect(refused.text).to.contain(SHARE_ON_OPEN_REFUSED);
    expect(await snapshot(t.db)).to.deep.equal(open);
    await asOwner.post(`/desk/dashboards/${board}/permissions`).type('form').send({ restriction: 'view_open', _csrf: ownerToken }).expect(303);
    await visit(key).expect(200);

    // A maker who no longer manages the dashboard's access (edit grant taken down to view).
    const editorsLink = await makeLink(asEditor, { label: 'By the editor' });
    await visit(editorsLink).expect(200);
    await asOwner.post(`/desk/dashboards/${board}/grants`).type('form').send({ email: editor.email, level: 'view', _csrf: ownerToken }).expect(303);
    await same(editorsLink);
    // The sharing page tells its managers which links do not work now, and why.
    const states = [...(await permissionsPage().expect(200)).text.matchAll(/<tr data-share-link="\d+"[^>]*>\s*<td>([^<]*)<\/td>[\s\S]*?<td data-link-state[^>]*>([^<]*)<\/td>/g)].map((m) => [m[1], m[2]]);
    expect(states).to.deep.include(['By the editor', LINK_STOP_TEXT.maker]);
    expect(states).to.deep.include(['Toggle', 'Works']);
    await asOwner.post(`/desk/dashboards/${board}/grants`).type('form').send({ email: editor.email, level: 'edit', _csrf: ownerToken }).expect(303);
    await visit(editorsLink).expect(200);

    // A disabled maker.
    await t.db('principals').where({ id: editor.id }).update({ disabled: true });
    await same(editorsLink);
    await t.db('principals').where({ id: editor.id }).update({ disabled: false });
  });

  it('only those who manage the dashboard’s access make or revoke links: each refusal writes nothing', async () => {
    const key = await makeLink(asOwner, { label: 'Kept' });
    const id = (await t.db('share_links').where({ key_hash: hashToken(key) }).first()).id;
    const refusals: { agent: Agent; page: string; status: number }[] = [
      { agent: asViewerStaff, page: '/desk', status: 403 }, // may view the dashboard, not manage it
      { agent: asObserver, page: '/desk', status: 403 }, // views every view_open dashboard, never changes one
      { agent: asAlice, page: '/portal', status: 403 }, // a customer never reaches the desk
    ];
    for (const { agent, page, status } of refusals) {
      const token = await csrfOf(agent, page);
      const before = await snapshot(t.db);
      await agent.post(`/desk/dashboards/${board}/share-links`).type('form').send({ _csrf: token, label: 'mine' }).expect(status);
      await agent.post(`/desk/dashboards/${board}/share-links/${id}/revoke`).type('form').send({ _csrf: token }).expect(status);
      expect(await snapshot(t.db)).to.deep.equal(before);
    }
    // A restricted dashboard is not even seen by staff without a grant: 404.
    const stranger = await buildStaff(t.db, 'user');
    const asStranger = await signIn(t.app, 'desk', stranger.email, PASSWORD);
    await asOwner.post(`/desk/dashboards/${board}/permissions`).type('form').send({ restriction: 'restricted', _csrf: ownerToken }).expect(303);
    const token = await csrfOf(asStranger, '/desk');
    const before = await snapshot(t.db);
    await asStranger.post(`/desk/dashboards/${board}/share-links`).type('form').send({ _csrf: token }).expect(404);
    await asStranger.post(`/desk/dashboards/${board}/share-links/${id}/revoke`).type('form').send({ _csrf: token }).expect(404);
    // Not signed in, or without the CSRF token: nothing either.
    await anonymous().post(`/desk/dashboards/${board}/share-links`).type('form').send({ label: 'x' }).expect((r) => expect(r.status).to.be.oneOf([302, 303, 403]));
    await asOwner.post(`/desk/dashboards/${board}/share-links`).type('form').send({ label: 'x' }).expect(403);
    expect(await snapshot(t.db)).to.deep.equal(before);
    // A link of another dashboard is not this one's to revoke.
    const other = Number(/dashboards\/(\d+)\/edit/.exec((await asOwner.post('/desk/dashboards').type('form').send({ name: 'Other', _csrf: ownerToken })).headers.location!)![1]);
    const afterOther = await snapshot(t.db);
    await asOwner.post(`/desk/dashboards/${other}/share-links/${id}/revoke`).type('form').send({ _csrf: ownerToken }).expect(404);
    expect(await snapshot(t.db)).to.deep.equal(afterOther);
    await t.db('dashboards').where({ id: other }).del();
    await asOwner.post(`/desk/dashboards/${board}/permissions`).type('form').send({ restriction: 'view_open', _csrf: ownerToken }).expect(303);
    await visit(key).expect(200);
  });

  it('bad input re-renders the form with a message and what was typed, writing nothing', async () => {
    for (const [fields, message] of [
      [{ label: 'x'.repeat(201) }, 'at most 200 characters'],
      [{ label: 'Week', expires_days: '2' }, 'Choose how long the link works'],
    ] as const) {
      const before = await snapshot(t.db);
      const res = await asOwner.post(`/desk/dashboards/${board}/share-links`).type('form').send({ _csrf: ownerToken, ...fields }).expect(422);
      expect(res.text).to.contain(message);
      expect(res.text).to.contain(`value="${fields.label}"`);
      expect(await snapshot(t.db)).to.deep.equal(before);
    }
  });

  it('deleting the dashboard ends its links', async () => {
    const key = await makeLink(asOwner, { label: 'Last' });
    await visit(key).expect(200);
    await asOwner.post(`/desk/dashboards/${board}/delete`).type('form').send({ _csrf: ownerToken, confirm: 'yes' }).expect(303);
    await visit(key).expect(404);
    expect(await t.db('share_links').where({ key_hash: hashToken(key) })).to.have.length(0);
  });
});
