import { expect } from 'chai';
import supertest from 'supertest';
import { createTestApp, csrfOf, signIn, snapshot, type Agent, type TestApp } from '../helpers/app';
import { addMember, buildCompany, buildProject, buildRequest, buildRequester, buildRole, buildStaff, PASSWORD } from '../helpers/factories';
import type { PrincipalRow } from '../../server/repositories/principals';
import { changeSettings } from '../../server/commands/changeSettings';
import { CUSTOMER_EDIT_REFUSED, OBSERVER_EDIT_REFUSED } from '../../server/permissions';
import { visibleDashboards } from '../../server/permissions/scopes';
import { loadScopeSettings } from '../../server/repositories/accessFacts';
import { toActor } from '../../server/repositories/principals';

describe('dashboards shared one customer at a time', function () {
  this.timeout(60_000);
  let t: TestApp;
  let admin: PrincipalRow;
  let owner: PrincipalRow;
  let alice: PrincipalRow;
  let bob: PrincipalRow;
  let carol: PrincipalRow;
  let asOwner: Agent;
  let asAlice: Agent;
  let asCarol: Agent;
  let ownerToken: string;
  let acme: number;
  let board: number;

  async function setToggle(on: boolean) {
    await changeSettings(t.db, admin.id, { 'portal.dashboards': on });
  }

  before(async () => {
    t = await createTestApp();
    acme = await buildCompany(t.db, 'Acme');
    const globex = await buildCompany(t.db, 'Globex');
    const project = await buildProject(t.db, { name: 'Support' });
    admin = await buildStaff(t.db, 'administrator');
    owner = await buildStaff(t.db, 'user');
    await addMember(t.db, project, owner.id, await buildRole(t.db, { add: true, edit: true, comment: true }));
    alice = await buildRequester(t.db, { company: acme });
    bob = await buildRequester(t.db, { company: acme });
    carol = await buildRequester(t.db, { company: globex });
    await buildRequest(t.db, { projectId: project, requester: alice, title: 'Acme private trouble', status: 'open' });
    await buildRequest(t.db, { projectId: project, requester: bob, title: 'Acme second', status: 'new', visibility: 'company' });
    await buildRequest(t.db, { projectId: project, requester: bob, title: 'Bob private matter', status: 'in_progress' });
    await buildRequest(t.db, { projectId: project, requester: carol, title: 'Globex secret trouble', status: 'open' });
    await buildRequest(t.db, { projectId: project, requester: carol, title: 'Globex idea', type: 'idea', visibility: 'public' });
    asOwner = await signIn(t.app, 'desk', owner.email, PASSWORD);
    asAlice = await signIn(t.app, 'portal', alice.email, PASSWORD);
    asCarol = await signIn(t.app, 'portal', carol.email, PASSWORD);
    ownerToken = await csrfOf(asOwner, '/desk');
    await setToggle(true);
    const created = await asOwner.post('/desk/dashboards').type('form').send({ name: 'Service health', _csrf: ownerToken }).expect(303);
    board = Number(/dashboards\/(\d+)\/edit/.exec(created.headers.location!)![1]);
    for (const kind of ['requests_by_status', 'requests_by_type', 'created_per_week', 'oldest_open', 'top_ideas']) {
      await asOwner.post(`/desk/dashboards/${board}/widgets`).type('form').send({ kind, project_id: String(project), _csrf: ownerToken }).expect(303);
    }
  });
  after(() => t.close());

  const grant = (email: string, level: string) => asOwner.post(`/desk/dashboards/${board}/grants`).type('form').send({ email, level, _csrf: ownerToken });
  const restrict = (restriction: string, confirm?: string) =>
    asOwner.post(`/desk/dashboards/${board}/permissions`).type('form').send({ restriction, ...(confirm ? { confirm } : {}), _csrf: ownerToken });

  it('starts restricted; a customer without a grant gets 404 and an empty hub', async () => {
    await asAlice.get(`/portal/dashboards/${board}`).expect(404);
    const hub = await asAlice.get('/portal/dashboards').expect(200);
    expect(hub.text).not.to.contain('Service health');
  });

  it('refuses to give a customer edit, with a clear message and nothing written', async () => {
    const before = await snapshot(t.db);
    const res = await grant(alice.email, 'edit').expect(422);
    expect(res.text).to.contain(CUSTOMER_EDIT_REFUSED);
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('refuses to give an observer edit (it would be listed, yet give nothing); view is theirs to have', async () => {
    const observer = await buildStaff(t.db, 'observer');
    const before = await snapshot(t.db);
    const res = await grant(observer.email, 'edit').expect(422);
    expect(res.text).to.contain(OBSERVER_EDIT_REFUSED);
    expect(await snapshot(t.db)).to.deep.equal(before);
    await grant(observer.email, 'view').expect(303);
    const row = await t.db('dashboard_grants').where({ dashboard_id: board, principal_id: observer.id }).first();
    expect(row.level).to.equal('view');
    // Nor can an existing view grant be raised to edit.
    const again = await snapshot(t.db);
    await grant(observer.email, 'edit').expect(422);
    expect(await snapshot(t.db)).to.deep.equal(again);
    await t.db('dashboard_grants').where({ id: row.id }).del();
  });

  it('a view grant shows the dashboard in the hub and on its page, read-only, without other grantees', async () => {
    await grant(alice.email, 'view').expect(303);
    await grant(bob.email, 'view').expect(303);
    const hub = await asAlice.get('/portal/dashboards').expect(200);
    expect(hub.text).to.contain('Service health');
    expect(hub.text).to.contain('href="/portal/dashboards"');
    const page = await asAlice.get(`/portal/dashboards/${board}`).expect(200);
    expect(page.text).to.contain('Requests by status').and.contain('Oldest open requests');
    expect(page.text).not.to.contain(bob.email).and.not.to.contain(bob.name).and.not.to.contain(owner.email);
    expect(page.text).not.to.contain('/edit').and.not.to.contain('/permissions').and.not.to.contain('Share');
  });

  it('widgets scoped to the viewer’s company show no other company’s figures or titles', async () => {
    const page = await asAlice.get(`/portal/dashboards/${board}`).expect(200);
    expect(page.text).not.to.contain('Globex secret trouble');
    // Acme: one new, one open, one in progress; Globex's open request is not counted.
    const status = /data-widget-kind="requests_by_status"[\s\S]*?<\/figure>/.exec(page.text)![0];
    const values = [...status.matchAll(/data-value="(\d+)"/g)].map((m) => Number(m[1]));
    expect(values).to.deep.equal([1, 1, 1, 0, 0]);
    // Bob's private request counts for Acme but Alice may not open it, so its title is not listed.
    const oldest = /data-widget-kind="oldest_open"[\s\S]*?<\/figure>/.exec(page.text)![0];
    expect(oldest).to.contain('Acme private trouble').and.contain('Acme second').and.not.contain('Bob private matter');
  });

  it('the toggle off hides the menu item, the hub and every dashboard URL, and on brings them back', async () => {
    await setToggle(false);
    const home = await asAlice.get('/portal').expect(200);
    expect(home.text).not.to.contain('href="/portal/dashboards"');
    await asAlice.get('/portal/dashboards').expect(404);
    await asAlice.get(`/portal/dashboards/${board}`).expect(404);
    // Meanwhile the sharing page tells staff that the customers they add see nothing yet.
    const off = await asOwner.get(`/desk/dashboards/${board}/permissions`).expect(200);
    expect(off.text).to.contain('data-customer-access-off').and.to.contain('see no dashboards until it is turned on');
    await setToggle(true);
    await asAlice.get(`/portal/dashboards/${board}`).expect(200);
    expect((await asOwner.get(`/desk/dashboards/${board}/permissions`).expect(200)).text).not.to.contain('data-customer-access-off');
  });

  it('switching to "Anyone can view and edit" warns first, then silences customer grants, which come back when restricted again', async () => {
    const warning = await restrict('open').expect(200);
    expect(warning.text).to.contain('2 customers will lose access');
    expect((await t.db('dashboards').where({ id: board }).first()).restriction).to.equal('restricted');
    await restrict('open', 'yes').expect(303);
    expect((await t.db('dashboard_grants').where({ dashboard_id: board })).length).to.equal(2);
    await asAlice.get(`/portal/dashboards/${board}`).expect(404);
    expect((await asAlice.get('/portal/dashboards')).text).not.to.contain('Service health');
    const before = await snapshot(t.db);
    const refused = await grant(carol.email, 'view').expect(422);
    expect(refused.text).to.contain('cannot be added while the dashboard is');
    expect(await snapshot(t.db)).to.deep.equal(before);
    await restrict('view_open').expect(303);
    await asAlice.get(`/portal/dashboards/${board}`).expect(200);
  });

  it('each change to access says what it did on the page it returns to; a made-up grant id says nothing', async () => {
    const notice = async (location: string | undefined) => /<p class="notice" role="status">([^<]*)<\/p>/.exec((await asOwner.get(location!).expect(200)).text)?.[1] ?? null;
    const added = await grant(carol.email, 'view').expect(303);
    expect(added.headers.location).to.match(/\?granted=\d+$/);
    expect(await notice(added.headers.location)).to.equal(`${carol.name} can now view this dashboard.`);
    const row = await t.db('dashboard_grants').where({ dashboard_id: board, principal_id: carol.id }).first();
    const removed = await asOwner.post(`/desk/dashboards/${board}/grants/${row.id}/delete`).type('form').send({ _csrf: ownerToken }).expect(303);
    expect(await notice(removed.headers.location)).to.equal('Access removed.');
    expect(await notice(`/desk/dashboards/${board}/permissions?granted=${row.id}`), 'the grant is gone: no claim about it').to.equal(null);
    expect(await notice(`/desk/dashboards/${board}/permissions?granted=abc`)).to.equal(null);
    const { restriction } = await t.db('dashboards').where({ id: board }).first('restriction');
    const saved = await asOwner.post(`/desk/dashboards/${board}/permissions`).type('form').send({ restriction, _csrf: ownerToken }).expect(303);
    expect(await notice(saved.headers.location)).to.equal('Access level saved.');
  });

  it('revoking takes effect on the very next request', async () => {
    const row = await t.db('dashboard_grants').where({ dashboard_id: board, principal_id: bob.id }).first();
    const asBob = await signIn(t.app, 'portal', bob.email, PASSWORD);
    await asBob.get(`/portal/dashboards/${board}`).expect(200);
    await asOwner.post(`/desk/dashboards/${board}/grants/${row.id}/delete`).type('form').send({ _csrf: ownerToken }).expect(303);
    await asBob.get(`/portal/dashboards/${board}`).expect(404);
  });

  it('adds every current member of a company as individual view grants', async () => {
    const globexBoard = Number(/(\d+)\/edit/.exec((await asOwner.post('/desk/dashboards').type('form').send({ name: 'Globex board', _csrf: ownerToken })).headers.location!)![1]);
    const globex = (await t.db('companies').where({ name: 'Globex' }).first()).id;
    const added = await asOwner.post(`/desk/dashboards/${globexBoard}/grants/company`).type('form').send({ company_id: String(globex), _csrf: ownerToken }).expect(303);
    expect((await asOwner.get(added.headers.location!).expect(200)).text).to.match(/\d+ customers? added\./).and.not.contain('customer(s)');
    const grants = await t.db('dashboard_grants').where({ dashboard_id: globexBoard });
    expect(grants.map((g: { principal_id: number; level: string }) => [g.principal_id, g.level])).to.deep.equal([[carol.id, 'view']]);
    const newcomer = await buildRequester(t.db, { company: globex });
    const asNewcomer = await signIn(t.app, 'portal', newcomer.email, PASSWORD);
    await asNewcomer.get(`/portal/dashboards/${globexBoard}`).expect(404);
    await asCarol.get(`/portal/dashboards/${globexBoard}`).expect(200);
    // Adding the company again adds the newcomer and says the others had access already.
    const again = await asOwner.post(`/desk/dashboards/${globexBoard}/grants/company`).type('form').send({ company_id: String(globex), _csrf: ownerToken }).expect(303);
    expect((await asOwner.get(again.headers.location!).expect(200)).text).to.contain('1 customer added. 1 already had access.');
  });

  it('each customer on the sharing page has a Preview link that names them by grant, not by an email the viewer may not see', async () => {
    const page = await asOwner.get(`/desk/dashboards/${board}/permissions`).expect(200);
    const grant = (await t.db('dashboard_grants').where({ dashboard_id: board, principal_id: alice.id }).first('id')).id as number;
    expect(page.text).to.contain(`href="/desk/dashboards/${board}/preview?grant=${grant}"`);
    const preview = await asOwner.get(`/desk/dashboards/${board}/preview?grant=${grant}`).expect(200);
    expect(preview.text).to.contain(`This is what ${alice.name} sees`);
    expect(preview.text).not.to.contain(alice.email);
    // A grant this dashboard does not hold previews nobody.
    expect((await asOwner.get(`/desk/dashboards/${board}/preview?grant=${grant + 100_000}`).expect(200)).text).not.to.contain('This is');
  });

  it('a staff user cannot chart a project hidden from them, nor see it through a preview', async () => {
    const secret = await buildProject(t.db, { name: 'Secret HR', isPrivate: true, portalEnabled: true });
    await buildRequest(t.db, { projectId: secret, requester: alice, title: 'Harassment complaint', status: 'open' });
    const outsider = await buildStaff(t.db, 'user');
    const asOutsider = await signIn(t.app, 'desk', outsider.email, PASSWORD);
    const token = await csrfOf(asOutsider, '/desk');
    const created = await asOutsider.post('/desk/dashboards').type('form').send({ name: 'Probe', _csrf: token }).expect(303);
    const probe = Number(/dashboards\/(\d+)\/edit/.exec(created.headers.location!)![1]);
    const edit = await asOutsider.get(`/desk/dashboards/${probe}/edit`).expect(200);
    expect(edit.text).not.to.contain('Secret HR');
    const before = await snapshot(t.db);
    await asOutsider.post(`/desk/dashboards/${probe}/widgets`).type('form').send({ kind: 'oldest_open', project_id: String(secret), _csrf: token }).expect(422);
    expect(await snapshot(t.db)).to.deep.equal(before);
    await asOutsider.post(`/desk/dashboards/${probe}/widgets`).type('form').send({ kind: 'oldest_open', _csrf: token }).expect(303);
    await asOutsider.post(`/desk/dashboards/${probe}/grants`).type('form').send({ email: alice.email, level: 'view', _csrf: token }).expect(303);
    const preview = await asOutsider.get(`/desk/dashboards/${probe}/preview?customer=${encodeURIComponent(alice.email)}`).expect(200);
    // It says so: the preview of someone who does not see every request is not "exactly" the customer's page.
    expect(preview.text).to.contain('except any requests you cannot open yourself').and.not.contain('This is exactly what').and.not.contain('Harassment complaint');
    const asAdmin = await signIn(t.app, 'desk', admin.email, PASSWORD);
    const whole = await asAdmin.get(`/desk/dashboards/${probe}/preview?customer=${encodeURIComponent(alice.email)}`).expect(200);
    expect(whole.text).to.contain('This is exactly what').and.contain('Harassment complaint');
  });

  it('a widget on a project hidden from its reader is not named: not on the edit page, the dashboard, nor in a preview', async () => {
    const falcon = await buildProject(t.db, { name: 'Codename Falcon', isPrivate: true, portalEnabled: true });
    const outsider = await buildStaff(t.db, 'user');
    const asOutsider = await signIn(t.app, 'desk', outsider.email, PASSWORD);
    const token = await csrfOf(asOutsider, '/desk');
    const created = await asOutsider.post('/desk/dashboards').type('form').send({ name: 'Falcon probe', _csrf: token }).expect(303);
    const probe = Number(/dashboards\/(\d+)\/edit/.exec(created.headers.location!)![1]);
    await asOutsider.post(`/desk/dashboards/${probe}/grants`).type('form').send({ email: alice.email, level: 'view', _csrf: token }).expect(303);
    // Charted by someone who may see the project (the outsider cannot add it: tested above).
    await t.db('dashboard_widgets').insert({ dashboard_id: probe, kind: 'requests_by_status', title: 'Falcon status', position: 9, project_id: falcon, data_scope: 'all' });

    const edit = await asOutsider.get(`/desk/dashboards/${probe}/edit`).expect(200);
    expect(edit.text).to.contain('Falcon status').and.contain('a project you cannot see').and.not.contain('Codename Falcon');
    const view = await asOutsider.get(`/desk/dashboards/${probe}`).expect(200);
    expect(view.text).to.contain('Falcon status').and.not.contain('Codename Falcon');
    // Alice may see the portal project, the outsider previewing her may not: the preview does not name it.
    const preview = await asOutsider.get(`/desk/dashboards/${probe}/preview?customer=${encodeURIComponent(alice.email)}`).expect(200);
    expect(preview.text).to.contain('except any requests you cannot open yourself').and.contain('Falcon status').and.not.contain('Codename Falcon');
    expect((await asAlice.get(`/portal/dashboards/${probe}`).expect(200)).text).to.contain('Codename Falcon');

    // An administrator sees every project: named on the edit page and in the preview.
    const asAdmin = await signIn(t.app, 'desk', admin.email, PASSWORD);
    expect((await asAdmin.get(`/desk/dashboards/${probe}/edit`).expect(200)).text).to.contain('Codename Falcon').and.not.contain('a project you cannot see');
    expect((await asAdmin.get(`/desk/dashboards/${probe}/preview?customer=${encodeURIComponent(alice.email)}`).expect(200)).text).to.contain('Codename Falcon');
  });

  it('preview as customer shows what the customer sees, or why not', async () => {
    const ok = await asOwner.get(`/desk/dashboards/${board}/preview?customer=${encodeURIComponent(alice.email)}`).expect(200);
    expect(ok.text).to.contain(`This is what ${alice.name} sees`).and.not.contain('Globex secret trouble');
    const none = await asOwner.get(`/desk/dashboards/${board}/preview?customer=${encodeURIComponent(carol.email)}`).expect(200);
    expect(none.text).to.contain('has not been added');
    const staff = await asOwner.get(`/desk/dashboards/${board}/preview?customer=${encodeURIComponent(owner.email)}`).expect(200);
    expect(staff.text).to.contain('No active customer has that email address.');
  });

  it('a customer posting to every dashboard, widget, permission and grant route gets 403/404 and nothing changes', async () => {
    const token = await csrfOf(asAlice, '/portal');
    const widget = (await t.db('dashboard_widgets').where({ dashboard_id: board }).first()).id;
    const aGrant = (await t.db('dashboard_grants').where({ dashboard_id: board }).first()).id;
    const before = await snapshot(t.db);
    const posts: [string, Record<string, string>][] = [
      ['/desk/dashboards', { name: 'Mine' }],
      [`/desk/dashboards/${board}`, { name: 'Renamed' }],
      [`/desk/dashboards/${board}/delete`, {}],
      [`/desk/dashboards/${board}/widgets`, { kind: 'requests_by_status' }],
      [`/desk/dashboards/${board}/widgets/${widget}/delete`, {}],
      [`/desk/dashboards/${board}/widgets/${widget}/move`, { direction: 'down' }],
      [`/desk/dashboards/${board}/permissions`, { restriction: 'open', confirm: 'yes' }],
      [`/desk/dashboards/${board}/grants`, { email: alice.email, level: 'edit' }],
      [`/desk/dashboards/${board}/grants/company`, { company_id: String(acme) }],
      [`/desk/dashboards/${board}/grants/${aGrant}/delete`, {}],
      [`/portal/dashboards/${board}`, {}],
      [`/portal/dashboards/${board}/edit`, {}],
    ];
    for (const [path, body] of posts) {
      const res = await asAlice.post(path).type('form').send({ ...body, _csrf: token });
      expect([403, 404], `${path} → ${res.status}`).to.include(res.status);
    }
    for (const path of ['/desk/dashboards', `/desk/dashboards/${board}`, `/desk/dashboards/${board}/edit`, `/desk/dashboards/${board}/permissions`, `/desk/dashboards/${board}/people?q=ac`, `/desk/dashboards/${board}/preview`]) {
      const res = await asAlice.get(path);
      expect([403, 404], `${path} → ${res.status}`).to.include(res.status);
    }
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('the hub list equals the scope: only effective grants', async () => {
    const hub = await asAlice.get('/portal/dashboards').expect(200);
    const listed = [...hub.text.matchAll(/href="\/portal\/dashboards\/(\d+)"/g)].map((m) => Number(m[1])).sort((a, b) => a - b);
    const scope = visibleDashboards(toActor(alice), await loadScopeSettings(t.db));
    const expected = (await t.db('dashboards').modify(scope).pluck('dashboards.id')).map(Number).sort((a, b) => a - b);
    expect(listed).to.deep.equal(expected);
    expect(listed).to.include(board);
    // Every listed dashboard opens, and a dashboard not listed does not.
    for (const id of listed) await asAlice.get(`/portal/dashboards/${id}`).expect(200);
    const unlisted = (await t.db('dashboards').whereNotIn('id', listed).pluck('id')).map(Number);
    for (const id of unlisted) await asAlice.get(`/portal/dashboards/${id}`).expect(404);
  });

  it('deleting a dashboard takes its grants with it, and the audit says who lost access', async () => {
    const created = await asOwner.post('/desk/dashboards').type('form').send({ name: 'Short-lived', _csrf: ownerToken }).expect(303);
    const id = Number(/dashboards\/(\d+)\/edit/.exec(created.headers.location!)![1]);
    const widget = await asOwner.post(`/desk/dashboards/${id}/widgets`).type('form').send({ kind: 'requests_by_status', _csrf: ownerToken }).expect(303);
    expect((await asOwner.get(widget.headers.location!).expect(200)).text).to.contain('Saved.');
    await asOwner.post(`/desk/dashboards/${id}/grants`).type('form').send({ email: alice.email, level: 'view', _csrf: ownerToken }).expect(303);
    // Without the box ticked nothing goes: the edit page again, saying what to do.
    const before = await snapshot(t.db);
    const unconfirmed = await asOwner.post(`/desk/dashboards/${id}/delete`).type('form').send({ _csrf: ownerToken }).expect(422);
    expect(unconfirmed.text).to.contain('Short-lived').and.contain('Yes, delete');
    expect(await snapshot(t.db)).to.deep.equal(before);
    const deleted = await asOwner.post(`/desk/dashboards/${id}/delete`).type('form').send({ confirm: 'yes', _csrf: ownerToken }).expect(303);
    expect((await asOwner.get(deleted.headers.location!).expect(200)).text).to.contain('Dashboard deleted.');
    expect(await t.db('dashboard_grants').where({ dashboard_id: id })).to.deep.equal([]);
    const event = await t.db('audit_events').where({ action: 'dashboard.deleted', target_id: id }).first();
    expect(JSON.parse(String(event.before))).to.deep.equal({ restriction: 'restricted', grants: [{ principalId: alice.id, level: 'view' }] });
    expect(Number(event.actor_id)).to.equal(owner.id);
  });

  it('staff: observers view but cannot edit; creation follows dashboards.creators', async () => {
    const observer = await buildStaff(t.db, 'observer');
    const asObserver = await signIn(t.app, 'desk', observer.email, PASSWORD);
    await asObserver.get(`/desk/dashboards/${board}`).expect(200);
    await asObserver.get(`/desk/dashboards/${board}/edit`).expect(403);
    const token = await csrfOf(asObserver, '/desk');
    const before = await snapshot(t.db);
    await asObserver.post(`/desk/dashboards/${board}`).type('form').send({ name: 'x', _csrf: token }).expect(403);
    await asObserver.post('/desk/dashboards').type('form').send({ name: 'x', _csrf: token }).expect(403);
    expect(await snapshot(t.db)).to.deep.equal(before);
    await changeSettings(t.db, admin.id, { 'dashboards.creators': 'administrators' });
    await asOwner.get('/desk/dashboards/new').expect(403);
    await asOwner.post('/desk/dashboards').type('form').send({ name: 'Too many boards', _csrf: ownerToken }).expect(403);
    await changeSettings(t.db, admin.id, { 'dashboards.creators': 'all_staff' });
  });

  it('a restricted dashboard is 404 for a staff user without a grant', async () => {
    const other = await buildStaff(t.db, 'user');
    const asOther = await signIn(t.app, 'desk', other.email, PASSWORD);
    await restrict('restricted').expect(303);
    await asOther.get(`/desk/dashboards/${board}`).expect(404);
    const list = await asOther.get('/desk/dashboards').expect(200);
    expect(list.text).not.to.contain('Service health');
    await supertest(t.app).get(`/portal/dashboards/${board}`).expect(302);
  });
});
