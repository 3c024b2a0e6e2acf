/**
 * Access at the edges (found in review): a session that outlives a disable, a creator's
 * self-grant, a link to an item the editor cannot see, a project's name on a widget, and
 * the dashboard sharing picker's people search.
 */
import { expect } from 'chai';
import supertest from 'supertest';
import { createTestApp, csrfOf, signIn, snapshot, type TestApp } from '../helpers/app';
import { addMember, buildCompany, buildProject, buildRequest, buildRequester, buildRole, buildStaff, PASSWORD } from '../helpers/factories';
import { createAccessToken } from '../../server/repositories/accessTokens';
import { changeSettings } from '../../server/commands/changeSettings';
import { insertedId, nowIso } from '../../server/db';

describe('access at the edges', function () {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  async function workItem(project: number, type: string, name: string, creator: number): Promise<number> {
    const now = nowIso();
    return insertedId(await t.db('work_items').insert({ project_id: project, type, name, description: '', status: 'open', parent_id: null, creator_id: creator, created_at: now, updated_at: now }).returning('id'));
  }

  async function dashboardOf(agent: supertest.Agent, name: string): Promise<{ id: number; csrf: string }> {
    const csrf = await csrfOf(agent, '/desk/dashboards/new');
    const created = await agent.post('/desk/dashboards').type('form').send({ name, _csrf: csrf }).expect(303);
    return { id: Number(/dashboards\/(\d+)/.exec(created.headers.location ?? '')?.[1]), csrf };
  }

  it('a session from before an account was disabled stays dead after it is enabled again', async () => {
    const admin = await buildStaff(t.db, 'administrator');
    const person = await buildStaff(t.db, 'user');
    const old = await signIn(t.app, 'desk', person.email, PASSWORD);
    await old.get('/desk').expect(200);
    const asAdmin = await signIn(t.app, 'desk', admin.email, PASSWORD);
    const csrf = await csrfOf(asAdmin, `/admin/users/${person.id}`);
    await asAdmin.post(`/admin/users/${person.id}`).type('form').send({ disabled: 'true', _csrf: csrf }).expect(303);
    await asAdmin.post(`/admin/users/${person.id}`).type('form').send({ disabled: 'false', _csrf: csrf }).expect(303);
    const res = await old.get('/desk');
    expect(res.status).to.equal(302);
    expect(res.headers.location).to.match(/^\/desk\/login/);
    // A fresh sign-in works: the account itself is back.
    await (await signIn(t.app, 'desk', person.email, PASSWORD)).get('/desk').expect(200);
  });

  it("disabling an account revokes its API tokens for good: refused while disabled and after it is enabled again", async () => {
    const admin = await buildStaff(t.db, 'administrator');
    const person = await buildStaff(t.db, 'user');
    const bystander = await buildStaff(t.db, 'user');
    const { token } = await createAccessToken(t.db, person.id, 'laptop');
    const kept = await createAccessToken(t.db, bystander.id, 'other');
    const api = (tok: string) => supertest(t.app).get('/api/v1/EntityTypes').set('Authorization', `Bearer ${tok}`);
    await api(token).expect(200);
    const asAdmin = await signIn(t.app, 'desk', admin.email, PASSWORD);
    const csrf = await csrfOf(asAdmin, `/admin/users/${person.id}`);
    await asAdmin.post(`/admin/users/${person.id}`).type('form').send({ disabled: 'true', _csrf: csrf }).expect(303);
    await api(token).expect(401);
    const revoked = await t.db('access_tokens').where({ principal_id: person.id }).first('revoked_at');
    expect(revoked?.revoked_at, 'the token row is marked revoked').to.not.equal(null);
    const audit = await t.db('audit_events').where({ action: 'principal.disabled', target_id: person.id }).first('after');
    expect(typeof audit?.after === 'string' ? JSON.parse(audit.after) : audit?.after).to.deep.equal({ disabled: true, tokensRevoked: 1, shareLinksRevoked: 0 });
    await asAdmin.post(`/admin/users/${person.id}`).type('form').send({ disabled: 'false', _csrf: csrf }).expect(303);
    await api(token).expect(401);
    // Nobody else's token was touched, and the owner can make a new one.
    await api(kept.token).expect(200);
    await api((await createAccessToken(t.db, person.id, 'new laptop')).token).expect(200);
  });

  it('nobody grants themselves direct access: a comment-only creator stays unable to edit (422, nothing written)', async () => {
    const admin = await buildStaff(t.db, 'administrator');
    await changeSettings(t.db, admin.id, { 'direct_access.enabled': true });
    const creator = await buildStaff(t.db, 'user');
    const colleague = await buildStaff(t.db, 'user');
    const project = await buildProject(t.db);
    await addMember(t.db, project, creator.id, await buildRole(t.db, { comment: true }));
    const bug = await workItem(project, 'bug', 'Made earlier', creator.id);
    const { token } = await createAccessToken(t.db, creator.id, 'x');
    const api = () => supertest(t.app);
    const before = await snapshot(t.db, ['access_tokens']);
    const self = await api().post('/api/v1/EntityPermissions').set('Authorization', `Bearer ${token}`).send({ EntityID: bug, EntityType: { Id: 8 }, User: { Id: creator.id }, GrantAccess: true });
    expect(self.status).to.equal(422);
    expect(self.body.Message).to.match(/yourself/);
    expect(await snapshot(t.db, ['access_tokens'])).to.deep.equal(before);
    const agent = await signIn(t.app, 'desk', creator.email, PASSWORD);
    const csrf = await csrfOf(agent, '/desk');
    await agent.post(`/desk/work-items/${bug}`).type('form').send({ name: 'Renamed', status: 'open', _csrf: csrf }).expect(403);
    // The creator still manages access for others, and cannot raise their own grant either.
    const granted = await api().post('/api/v1/EntityPermissions').set('Authorization', `Bearer ${token}`).send({ EntityID: bug, EntityType: { Id: 8 }, User: { Id: colleague.id }, Comment: true }).expect(201);
    const { token: adminToken } = await createAccessToken(t.db, admin.id, 'x');
    const own = await api().post('/api/v1/EntityPermissions').set('Authorization', `Bearer ${adminToken}`).send({ EntityID: bug, EntityType: { Id: 8 }, User: { Id: creator.id }, Comment: true }).expect(201);
    const beforeRaise = await snapshot(t.db, ['access_tokens']);
    await api().post(`/api/v1/EntityPermissions/${own.body.Id}`).set('Authorization', `Bearer ${token}`).send({ Edit: true }).expect(422);
    expect(await snapshot(t.db, ['access_tokens'])).to.deep.equal(beforeRaise);
    expect(granted.body.User.Id).to.equal(colleague.id);
  });

  it('the same grant sent five times at once is one 201 and four 409s, never a 500; a customer email answers as an unknown one', async () => {
    const admin = await buildStaff(t.db, 'administrator');
    await changeSettings(t.db, admin.id, { 'direct_access.enabled': true });
    const project = await buildProject(t.db);
    const request = await buildRequest(t.db, { projectId: project, requester: await buildRequester(t.db, { company: await buildCompany(t.db) }) });
    const grantee = await buildStaff(t.db, 'user');
    const { token } = await createAccessToken(t.db, admin.id, 'x');
    const send = () => supertest(t.app).post('/api/v1/EntityPermissions').set('Authorization', `Bearer ${token}`).send({ EntityID: request, EntityType: { Id: 17 }, User: { Id: grantee.id }, Comment: true });
    const statuses = (await Promise.all(Array.from({ length: 5 }, send))).map((r) => r.status).sort();
    expect(statuses).to.deep.equal([201, 409, 409, 409, 409]);
    expect(await t.db('entity_permissions').where({ principal_id: grantee.id })).to.have.length(1);

    const customer = await buildRequester(t.db, { company: await buildCompany(t.db) });
    const asAdmin = await signIn(t.app, 'desk', admin.email, PASSWORD);
    const csrf = await csrfOf(asAdmin, '/desk');
    const answer = async (email: string) => {
      const res = await asAdmin.post('/desk/direct-access').type('form').send({ entity_type_id: '17', entity_id: String(request), email, mode: 'comment', _csrf: csrf });
      return [res.status, /<p class="error"[^>]*>([^<]*)</.exec(res.text)?.[1]];
    };
    expect(await answer(customer.email)).to.deep.equal(await answer('nobody-at-all@example.test'));
  });

  it("a request editor cannot remove (or detect) a link to a work item they cannot see: 404, the link stays", async () => {
    const admin = await buildStaff(t.db, 'administrator');
    const customer = await buildRequester(t.db, { company: await buildCompany(t.db) });
    const open = await buildProject(t.db);
    const secret = await buildProject(t.db, { isPrivate: true });
    const editor = await buildStaff(t.db, 'user');
    await addMember(t.db, open, editor.id, await buildRole(t.db, { edit: true, comment: true }));
    const request = await buildRequest(t.db, { projectId: open, requester: customer });
    const hidden = await workItem(secret, 'epic', 'Secret epic', admin.id);
    await t.db('request_work_items').insert({ request_id: request, work_item_id: hidden, created_at: nowIso() });
    const agent = await signIn(t.app, 'desk', editor.email, PASSWORD);
    const csrf = await csrfOf(agent, '/desk');
    const before = await snapshot(t.db);
    const hit = await agent.post(`/desk/requests/${request}/links/${hidden}/delete`).type('form').send({ _csrf: csrf });
    const miss = await agent.post(`/desk/requests/${request}/links/${hidden + 1000}/delete`).type('form').send({ _csrf: csrf });
    expect([hit.status, miss.status]).to.deep.equal([404, 404]);
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it("a widget names its project only to viewers who may see the project (customer, non-member staff)", async () => {
    const admin = await buildStaff(t.db, 'administrator');
    await changeSettings(t.db, admin.id, { 'portal.dashboards': true });
    const alice = await buildRequester(t.db, { company: await buildCompany(t.db) });
    const secret = await buildProject(t.db, { isPrivate: true, portalEnabled: false, name: 'Project Nightingale' });
    const portal = await buildProject(t.db, { name: 'Portal Desk Alpha' });
    const asAdmin = await signIn(t.app, 'desk', admin.email, PASSWORD);
    const { id, csrf } = await dashboardOf(asAdmin, 'Customer board');
    for (const project of [secret, portal]) {
      await asAdmin.post(`/desk/dashboards/${id}/widgets`).type('form').send({ kind: 'requests_by_status', title: 'Status', project_id: String(project), _csrf: csrf }).expect(303);
    }
    await asAdmin.post(`/desk/dashboards/${id}/grants`).type('form').send({ email: alice.email, level: 'view', _csrf: csrf }).expect(303);
    await asAdmin.post(`/desk/dashboards/${id}/permissions`).type('form').send({ restriction: 'view_open', _csrf: csrf }).expect(303);
    expect((await asAdmin.get(`/desk/dashboards/${id}`).expect(200)).text).to.contain('Project Nightingale');
    const customerPage = await (await signIn(t.app, 'portal', alice.email, PASSWORD)).get(`/portal/dashboards/${id}`).expect(200);
    expect(customerPage.text).not.to.contain('Project Nightingale');
    expect(customerPage.text).to.contain('Portal Desk Alpha');
    // A staff user in the portal project only: its name, not the private one's.
    const outsider = await buildStaff(t.db, 'user');
    await addMember(t.db, portal, outsider.id, await buildRole(t.db, { comment: true }));
    const staffPage = await (await signIn(t.app, 'desk', outsider.email, PASSWORD)).get(`/desk/dashboards/${id}`).expect(200);
    expect(staffPage.text).not.to.contain('Project Nightingale');
    expect(staffPage.text).to.contain('Portal Desk Alpha');
  });

  it('the sharing picker finds staff by a fragment, customers only by their whole email (administrators: by fragment)', async () => {
    const customer = await buildRequester(t.db, { company: await buildCompany(t.db), email: 'ceo@globex-picker.test' });
    const colleague = await buildStaff(t.db, 'user', { email: 'pat@globex-picker.test' });
    const user = await buildStaff(t.db, 'user');
    const asUser = await signIn(t.app, 'desk', user.email, PASSWORD);
    const { id } = await dashboardOf(asUser, 'Mine');
    const emails = async (agent: supertest.Agent, q: string) => ((await agent.get(`/desk/dashboards/${id}/people?q=${encodeURIComponent(q)}`).expect(200)).body as { email: string }[]).map((p) => p.email);
    expect(await emails(asUser, 'globex-picker')).to.deep.equal([colleague.email]);
    expect(await emails(asUser, ' CEO@globex-picker.test ')).to.deep.equal([customer.email]);
    const admin = await buildStaff(t.db, 'administrator');
    const asAdmin = await signIn(t.app, 'desk', admin.email, PASSWORD);
    const adminBoard = await dashboardOf(asAdmin, 'Admin board');
    const found = ((await asAdmin.get(`/desk/dashboards/${adminBoard.id}/people?q=globex-picker`).expect(200)).body as { email: string }[]).map((p) => p.email);
    expect(found).to.have.members([customer.email, colleague.email]);
  });

  it("the sharing page offers, and accepts, only companies the staff user serves (administrators: every company)", async () => {
    const served = await buildCompany(t.db, 'Served Widgets Ltd');
    const stranger = await buildCompany(t.db, 'Unserved Gadgets Ltd');
    const ours = await buildProject(t.db, { isPrivate: true });
    const theirs = await buildProject(t.db, { isPrivate: true });
    const servedCustomer = await buildRequester(t.db, { company: served });
    const strangerCustomer = await buildRequester(t.db, { company: stranger });
    await buildRequest(t.db, { projectId: ours, requester: servedCustomer });
    await buildRequest(t.db, { projectId: theirs, requester: strangerCustomer });
    const user = await buildStaff(t.db, 'user');
    await addMember(t.db, ours, user.id, await buildRole(t.db, { comment: true }));
    const asUser = await signIn(t.app, 'desk', user.email, PASSWORD);
    const { id, csrf } = await dashboardOf(asUser, 'Served only');
    const page = await asUser.get(`/desk/dashboards/${id}/permissions`).expect(200);
    expect(page.text).to.contain('Served Widgets Ltd');
    expect(page.text).not.to.contain('Unserved Gadgets Ltd');
    const before = await snapshot(t.db);
    const refused = await asUser.post(`/desk/dashboards/${id}/grants/company`).type('form').send({ company_id: String(stranger), _csrf: csrf }).expect(422);
    expect(refused.text).to.contain('That company has no active customers.');
    expect(await snapshot(t.db)).to.deep.equal(before);
    await asUser.post(`/desk/dashboards/${id}/grants/company`).type('form').send({ company_id: String(served), _csrf: csrf }).expect(303);
    expect(await t.db('dashboard_grants').where({ dashboard_id: id }).pluck('principal_id')).to.deep.equal([servedCustomer.id]);
    const admin = await buildStaff(t.db, 'administrator');
    const asAdmin = await signIn(t.app, 'desk', admin.email, PASSWORD);
    const adminBoard = await dashboardOf(asAdmin, 'Every company');
    const adminPage = await asAdmin.get(`/desk/dashboards/${adminBoard.id}/permissions`).expect(200);
    expect(adminPage.text).to.contain('Unserved Gadgets Ltd').and.to.contain('Served Widgets Ltd');
    await asAdmin.post(`/desk/dashboards/${adminBoard.id}/grants/company`).type('form').send({ company_id: String(stranger), _csrf: adminBoard.csrf }).expect(303);
    expect(await t.db('dashboard_grants').where({ dashboard_id: adminBoard.id }).pluck('principal_id')).to.deep.equal([strangerCustomer.id]);
  });

  it("the sharing page shows a customer's email only to administrators: adding a whole company hands nobody its customers' addresses", async () => {
    const company = await buildCompany(t.db, 'Quiet Customers Ltd');
    const project = await buildProject(t.db, { isPrivate: true });
    const served = await buildRequester(t.db, { company, name: 'Served Sam', email: 'sam.served@quiet-customers.test' });
    const silent = await buildRequester(t.db, { company, name: 'Silent Dana', email: 'dana.silent@quiet-customers.test' });
    await buildRequest(t.db, { projectId: project, requester: served });
    const user = await buildStaff(t.db, 'user');
    const colleague = await buildStaff(t.db, 'user', { email: 'colleague@quiet-staff.test' });
    await addMember(t.db, project, user.id, await buildRole(t.db, { comment: true }));
    const asUser = await signIn(t.app, 'desk', user.email, PASSWORD);
    const { id, csrf } = await dashboardOf(asUser, 'Company board');
    await asUser.post(`/desk/dashboards/${id}/grants/company`).type('form').send({ company_id: String(company), _csrf: csrf }).expect(303);
    await asUser.post(`/desk/dashboards/${id}/grants`).type('form').send({ email: colleague.email, level: 'edit', _csrf: csrf }).expect(303);
    expect(await t.db('dashboard_grants').where({ dashboard_id: id }).pluck('principal_id')).to.have.members([served.id, silent.id, colleague.id]);
    const page = (await asUser.get(`/desk/dashboards/${id}/permissions`).expect(200)).text;
    expect(page).to.contain('Served Sam').and.to.contain('Silent Dana');
    expect(page).not.to.contain('quiet-customers.test');
    expect(page).to.contain(colleague.email);
    expect(page.match(/data-email-hidden/g)).to.have.length(2);
    // The same page as an administrator names every address.
    const admin = await buildStaff(t.db, 'administrator');
    const adminPage = (await (await signIn(t.app, 'desk', admin.email, PASSWORD)).get(`/desk/dashboards/${id}/permissions`).expect(200)).text;
    expect(adminPage).to.contain(served.email);
    expect(adminPage).to.contain(silent.email);
    expect(adminPage).not.to.contain('data-email-hidden');
  });
});
