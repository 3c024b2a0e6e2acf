import { expect } from 'chai';
import { createTestApp, csrfOf, signIn, snapshot, type TestApp } from '../helpers/app';
import { addMember, buildCompany, buildProject, buildRequest, buildRequester, buildRole, buildStaff, PASSWORD } from '../helpers/factories';
import { changeSettings } from '../../server/commands/changeSettings';
import { nowIso } from '../../server/db';

describe('desk: direct access panel', function () {
  this.timeout(30_000);
  let t: TestApp;

  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('lets managers grant, change, revoke and copy to nested items; a grant gives access on the next request', async () => {
    const admin = await buildStaff(t.db, 'administrator');
    const contractor = await buildStaff(t.db, 'user');
    const member = await buildStaff(t.db, 'user');
    const project = await buildProject(t.db, { isPrivate: true, portalEnabled: false });
    await addMember(t.db, project, member.id, await buildRole(t.db, { comment: true }));
    const customer = await buildRequester(t.db, { company: await buildCompany(t.db) });
    const request = await buildRequest(t.db, { projectId: project, requester: customer, title: 'Legal matter' });
    const now = nowIso();
    const [e] = await t.db('work_items').insert({ project_id: project, type: 'epic', name: 'HR epic', description: '', status: 'open', created_at: now, updated_at: now }).returning('id');
    const epic = Number(typeof e === 'object' ? e.id : e);
    const [f] = await t.db('work_items').insert({ project_id: project, type: 'feature', name: 'HR feature', description: '', status: 'open', parent_id: epic, created_at: now, updated_at: now }).returning('id');
    const feature = Number(typeof f === 'object' ? f.id : f);
    await changeSettings(t.db, admin.id, { 'direct_access.enabled': true });

    const asAdmin = await signIn(t.app, 'desk', admin.email, PASSWORD);
    const asContractor = await signIn(t.app, 'desk', contractor.email, PASSWORD);
    const asMember = await signIn(t.app, 'desk', member.email, PASSWORD);
    const token = await csrfOf(asAdmin, `/desk/requests/${request}`);

    await asContractor.get(`/desk/requests/${request}`).expect(404);
    const page = await asAdmin.get(`/desk/requests/${request}`).expect(200);
    expect(page.text).to.contain('People with direct access');
    await asAdmin.post('/desk/direct-access').type('form').send({ entity_type_id: '17', entity_id: String(request), email: contractor.email, mode: 'comment', _csrf: token }).expect(303);
    await asContractor.get(`/desk/requests/${request}`).expect(200);
    const grant = await t.db('entity_permissions').where({ principal_id: contractor.id }).first();
    await asAdmin.post(`/desk/direct-access/${grant.id}`).type('form').send({ mode: 'edit', _csrf: token }).expect(303);
    expect(Boolean((await t.db('entity_permissions').where({ id: grant.id }).first()).can_edit)).to.equal(true);

    // A member who may only comment sees neither the panel nor who has access.
    const memberPage = await asMember.get(`/desk/requests/${request}`).expect(200);
    expect(memberPage.text).not.to.contain('People with direct access').and.not.to.contain(contractor.name);
    const memberToken = await csrfOf(asMember, `/desk/requests/${request}`);
    const before = await snapshot(t.db);
    await asMember.post(`/desk/direct-access/${grant.id}/delete`).type('form').send({ _csrf: memberToken }).expect(404);
    await asMember.post('/desk/direct-access').type('form').send({ entity_type_id: '17', entity_id: String(request), email: member.email, mode: 'grant', _csrf: memberToken }).expect(403);
    expect(await snapshot(t.db)).to.deep.equal(before);

    await asAdmin.post(`/desk/direct-access/${grant.id}/delete`).type('form').send({ _csrf: token }).expect(303);
    await asContractor.get(`/desk/requests/${request}`).expect(404);

    // Epic grant: nothing on the feature until the explicit "nested" action.
    await asAdmin.post('/desk/direct-access').type('form').send({ entity_type_id: '27', entity_id: String(epic), email: contractor.email, mode: 'comment', _csrf: token }).expect(303);
    await asContractor.get(`/desk/work-items/${epic}`).expect(200);
    await asContractor.get(`/desk/work-items/${feature}`).expect(404);
    const epicPage = await asAdmin.get(`/desk/work-items/${epic}`).expect(200);
    expect(epicPage.text).to.contain('Also grant on the 1 nested item');
    await asAdmin.post('/desk/direct-access/nested').type('form').send({ entity_type_id: '27', entity_id: String(epic), _csrf: token }).expect(303);
    await asContractor.get(`/desk/work-items/${feature}`).expect(200);

    // Feature off: the grants stay but give nothing, and the panel routes are gone.
    await changeSettings(t.db, admin.id, { 'direct_access.enabled': false });
    await asContractor.get(`/desk/work-items/${epic}`).expect(404);
    await asAdmin.post('/desk/direct-access').type('form').send({ entity_type_id: '17', entity_id: String(request), email: contractor.email, mode: 'comment', _csrf: token }).expect(404);
    expect((await asAdmin.get(`/desk/requests/${request}`)).text).not.to.contain('People with direct access');
  });

  it('a grant on a child reveals neither its hidden parent nor counts of hidden items; emails are not probed before authorization', async () => {
    const admin = await buildStaff(t.db, 'administrator');
    await changeSettings(t.db, admin.id, { 'direct_access.enabled': true });
    const outsider = await buildStaff(t.db, 'user');
    const observer = await buildStaff(t.db, 'observer');
    const project = await buildProject(t.db, { isPrivate: true, portalEnabled: false });
    const now = nowIso();
    const insert = async (type: string, name: string, parent: number | null) => {
      const [r] = await t.db('work_items').insert({ project_id: project, type, name, description: '', status: 'open', parent_id: parent, created_at: now, updated_at: now }).returning('id');
      return Number(typeof r === 'object' ? r.id : r);
    };
    const epic = await insert('epic', 'Project Nightingale acquisition', null);
    const story = await insert('user_story', 'Draft the letter', epic);
    await insert('task', 'Hidden task', story);
    const customer = await buildRequester(t.db);
    const request = await buildRequest(t.db, { projectId: project, requester: customer, title: 'Hidden request' });
    await t.db('request_work_items').insert({ request_id: request, work_item_id: story, created_at: now });
    await t.db('entity_permissions').insert({ entity_type: 'user_story', entity_id: story, principal_id: outsider.id, can_view: true, can_comment: true, can_edit: true, can_grant: true, created_at: now });
    const asOutsider = await signIn(t.app, 'desk', outsider.email, PASSWORD);
    const page = await asOutsider.get(`/desk/work-items/${story}`).expect(200);
    expect(page.text).not.to.contain('Nightingale');
    expect(page.text).to.contain('0 linked requests');
    expect(page.text).not.to.contain('Also grant on the');
    const asObserver = await signIn(t.app, 'desk', observer.email, PASSWORD);
    const token = await csrfOf(asObserver, '/desk');
    const unknown = await asObserver.post('/desk/direct-access').type('form').send({ entity_type_id: '17', entity_id: '999999', email: 'nobody@x.test', mode: 'comment', _csrf: token });
    const known = await asObserver.post('/desk/direct-access').type('form').send({ entity_type_id: '17', entity_id: '999999', email: customer.email, mode: 'comment', _csrf: token });
    expect([unknown.status, known.status]).to.deep.equal([404, 404]);
  });
});
