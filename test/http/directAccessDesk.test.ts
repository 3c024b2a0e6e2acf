import { expect } from 'chai';
import { createTestApp, csrfFrom, csrfOf, signIn, snapshot, type TestApp } from '../helpers/app';
import { addMember, buildCompany, buildProject, buildRequest, buildRequester, buildRole, buildStaff, PASSWORD } from '../helpers/factories';
import { changeSettings } from '../../server/commands/changeSettings';
import { insertedId, nowIso } from '../../server/db';

describe('desk: direct access panel', function () {
  this.timeout(30_000);
  let t: TestApp;

  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  async function workItem(project: number, type: string, name: string, parent: number | null, creator: number | null = null): Promise<number> {
    const now = nowIso();
    return insertedId(await t.db('work_items').insert({ project_id: project, type, name, description: '', status: 'open', parent_id: parent, creator_id: creator, created_at: now, updated_at: now }).returning('id'));
  }

  async function grant(principal: number, entityType: string, entityId: number, mode: 'comment' | 'edit' | 'grant'): Promise<void> {
    await t.db('entity_permissions').insert({
      entity_type: entityType, entity_id: entityId, principal_id: principal,
      can_view: true, can_comment: true, can_edit: mode !== 'comment', can_grant: mode === 'grant', created_at: nowIso(),
    });
  }

  /** The text of the parent column on the work-item list, for the row that links to `id`. */
  function parentCell(html: string, id: number): string | undefined {
    const row = new RegExp(`<tr><td><a href="/desk/work-items/${id}">.*?</tr>`).exec(html)?.[0];
    return row ? [...row.matchAll(/<td>(.*?)<\/td>/g)].map((m) => m[1])[3] : undefined;
  }

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

  it('the panel serves requests and work items only: a release or team iteration (no desk page; the API manages them) is 404 on every panel route, nothing written', async () => {
    const admin = await buildStaff(t.db, 'administrator');
    const holder = await buildStaff(t.db, 'user');
    await changeSettings(t.db, admin.id, { 'direct_access.enabled': true });
    const project = await buildProject(t.db);
    const now = nowIso();
    const release = insertedId(await t.db('releases').insert({ project_id: project, name: 'Spring', creator_id: admin.id, created_at: now }).returning('id'));
    // A work item with the release's id exists too: the grant must not land on its page.
    while (Number((await t.db('work_items').max({ m: 'id' }).first())?.m ?? 0) < release) await workItem(project, 'task', 'Same id', null);
    await grant(holder.id, 'release', release, 'comment');
    const releaseGrant = Number((await t.db('entity_permissions').where({ entity_type: 'release', entity_id: release }).first('id')).id);
    const asAdmin = await signIn(t.app, 'desk', admin.email, PASSWORD);
    const csrf = await csrfOf(asAdmin, '/desk');
    const other = await buildStaff(t.db, 'user');
    const before = await snapshot(t.db);
    for (const typeId of ['2', '60']) {
      await asAdmin.post('/desk/direct-access').type('form').send({ entity_type_id: typeId, entity_id: String(release), email: other.email, mode: 'comment', _csrf: csrf }).expect(404);
      await asAdmin.post('/desk/direct-access/nested').type('form').send({ entity_type_id: typeId, entity_id: String(release), _csrf: csrf }).expect(404);
    }
    await asAdmin.post(`/desk/direct-access/${releaseGrant}`).type('form').send({ mode: 'edit', _csrf: csrf }).expect(404);
    await asAdmin.post(`/desk/direct-access/${releaseGrant}/delete`).type('form').send({ _csrf: csrf }).expect(404);
    // To staff who manage nothing there, a release's grant answers as an id no grant has: no map of who has access.
    const asOther = await signIn(t.app, 'desk', other.email, PASSWORD);
    const otherCsrf = await csrfOf(asOther, '/desk');
    const unknown = releaseGrant + 1000;
    for (const suffix of ['', '/delete']) {
      const body = { mode: 'edit', _csrf: otherCsrf };
      const onRelease = await asOther.post(`/desk/direct-access/${releaseGrant}${suffix}`).type('form').send(body).expect(404);
      const onNothing = await asOther.post(`/desk/direct-access/${unknown}${suffix}`).type('form').send(body).expect(404);
      const unnamed = (text: string, id: number) => text.replaceAll(`EntityPermission ${id} `, 'EntityPermission N ');
      expect(unnamed(onRelease.text, releaseGrant)).to.equal(unnamed(onNothing.text, unknown)).and.to.contain('EntityPermission N not found.');
    }
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('each change in the panel says what it did (request and work item); a made-up grant id or a non-manager gets no claim', async () => {
    const admin = await buildStaff(t.db, 'administrator');
    const helper = await buildStaff(t.db, 'user');
    const member = await buildStaff(t.db, 'user');
    const project = await buildProject(t.db);
    await addMember(t.db, project, member.id, await buildRole(t.db, { comment: true }));
    const request = await buildRequest(t.db, { projectId: project, requester: await buildRequester(t.db), title: 'Noticed change' });
    const item = await workItem(project, 'task', 'Noticed task', null);
    await changeSettings(t.db, admin.id, { 'direct_access.enabled': true });
    const asAdmin = await signIn(t.app, 'desk', admin.email, PASSWORD);
    const token = await csrfOf(asAdmin, `/desk/requests/${request}`);
    const notice = async (agent: typeof asAdmin, location: string) => /<p class="notice[^"]*" role="status">([^<]*)<\/p>/.exec((await agent.get(location).expect(200)).text)?.[1] ?? null;

    const added = await asAdmin.post('/desk/direct-access').type('form').send({ entity_type_id: '17', entity_id: String(request), email: helper.email, mode: 'comment', _csrf: token }).expect(303);
    expect(await notice(asAdmin, added.headers.location!)).to.equal(`${helper.name} now has direct access: Can comment.`);
    const grant = await t.db('entity_permissions').where({ principal_id: helper.id, entity_type: 'request' }).first();
    const changed = await asAdmin.post(`/desk/direct-access/${grant.id}`).type('form').send({ mode: 'edit', _csrf: token }).expect(303);
    expect(await notice(asAdmin, changed.headers.location!)).to.equal(`${helper.name} now has direct access: Can edit.`);
    // Someone who does not manage access is told nothing about grants, even from the same link.
    const asMember = await signIn(t.app, 'desk', member.email, PASSWORD);
    expect(await notice(asMember, changed.headers.location!)).to.equal(null);
    // A refusal does not depend on the input: a bad mode from a non-manager is the same 404 as a good one.
    const memberToken = await csrfOf(asMember, `/desk/requests/${request}`);
    const unchanged = await snapshot(t.db);
    for (const mode of ['bogus', 'view']) await asMember.post(`/desk/direct-access/${grant.id}`).type('form').send({ mode, _csrf: memberToken }).expect(404);
    expect(await snapshot(t.db)).to.deep.equal(unchanged);
    const badMode = await asAdmin.post(`/desk/direct-access/${grant.id}`).type('form').send({ mode: 'bogus', _csrf: token }).expect(422);
    expect(badMode.text).to.contain('Choose an access mode.');
    const removed = await asAdmin.post(`/desk/direct-access/${grant.id}/delete`).type('form').send({ _csrf: token }).expect(303);
    expect(await notice(asAdmin, removed.headers.location!)).to.equal('Direct access removed.');
    expect(await notice(asAdmin, `/desk/requests/${request}?granted=${grant.id}`), 'the grant is gone: no claim about it').to.equal(null);

    const onItem = await asAdmin.post('/desk/direct-access').type('form').send({ entity_type_id: '5', entity_id: String(item), email: helper.email, mode: 'grant', _csrf: token }).expect(303);
    expect(onItem.headers.location).to.match(new RegExp(`^/desk/work-items/${item}\\?granted=\\d+$`));
    expect(await notice(asAdmin, onItem.headers.location!)).to.equal(`${helper.name} now has direct access: Can grant access.`);
  });

  it('a grant on a child reveals neither its hidden parent nor counts of hidden items; emails are not probed before authorization', async () => {
    const admin = await buildStaff(t.db, 'administrator');
    await changeSettings(t.db, admin.id, { 'direct_access.enabled': true });
    const outsider = await buildStaff(t.db, 'user');
    const observer = await buildStaff(t.db, 'observer');
    const project = await buildProject(t.db, { isPrivate: true, portalEnabled: false });
    const now = nowIso();
    const epic = await workItem(project, 'epic', 'Project Nightingale acquisition', null);
    const story = await workItem(project, 'user_story', 'Draft the letter', epic);
    await workItem(project, 'task', 'Hidden task', story);
    const customer = await buildRequester(t.db);
    const request = await buildRequest(t.db, { projectId: project, requester: customer, title: 'Hidden request' });
    await t.db('request_work_items').insert({ request_id: request, work_item_id: story, created_at: now });
    await t.db('entity_permissions').insert({ entity_type: 'user_story', entity_id: story, principal_id: outsider.id, can_view: true, can_comment: true, can_edit: true, can_grant: true, created_at: now });
    const asOutsider = await signIn(t.app, 'desk', outsider.email, PASSWORD);
    const page = await asOutsider.get(`/desk/work-items/${story}`).expect(200);
    expect(page.text).not.to.contain('Nightingale');
    expect(page.text).to.contain('0 linked requests').and.not.contain('Hidden request');
    expect(page.text).not.to.contain('Also grant on the');
    const asObserver = await signIn(t.app, 'desk', observer.email, PASSWORD);
    const token = await csrfOf(asObserver, '/desk');
    const unknown = await asObserver.post('/desk/direct-access').type('form').send({ entity_type_id: '17', entity_id: '999999', email: 'nobody@x.test', mode: 'comment', _csrf: token });
    const known = await asObserver.post('/desk/direct-access').type('form').send({ entity_type_id: '17', entity_id: '999999', email: customer.email, mode: 'comment', _csrf: token });
    expect([unknown.status, known.status]).to.deep.equal([404, 404]);
  });

  it('the work-item list names a parent only to those who may see it, like the item page; a request page lists only linked items the viewer sees', async () => {
    const admin = await buildStaff(t.db, 'administrator');
    await changeSettings(t.db, admin.id, { 'direct_access.enabled': true });
    const granted = await buildStaff(t.db, 'user');
    const member = await buildStaff(t.db, 'user');
    const project = await buildProject(t.db, { isPrivate: true, portalEnabled: false });
    await addMember(t.db, project, member.id, await buildRole(t.db, { comment: true }));
    const feature = await workItem(project, 'feature', 'Hidden feature codename ZEBRA', null);
    const story = await workItem(project, 'user_story', 'Granted story', feature);
    await grant(granted.id, 'user_story', story, 'edit');
    const request = await buildRequest(t.db, { projectId: project, requester: await buildRequester(t.db), title: 'Granted request' });
    await t.db('request_work_items').insert([{ request_id: request, work_item_id: feature, created_at: nowIso() }, { request_id: request, work_item_id: story, created_at: nowIso() }]);
    await grant(granted.id, 'request', request, 'comment');

    const asGranted = await signIn(t.app, 'desk', granted.email, PASSWORD);
    const list = await asGranted.get('/desk/work-items').expect(200);
    expect(parentCell(list.text, story)).to.equal('—');
    expect(list.text).not.to.contain('ZEBRA');
    expect((await asGranted.get(`/desk/work-items/${story}`).expect(200)).text).not.to.contain('ZEBRA');
    await asGranted.get(`/desk/work-items/${feature}`).expect(404);
    const requestPage = await asGranted.get(`/desk/requests/${request}`).expect(200);
    expect(requestPage.text).to.contain('Granted story').and.not.to.contain('ZEBRA');

    // Those who see the parent read its name in the list and on the page.
    for (const viewer of [member, admin]) {
      const agent = await signIn(t.app, 'desk', viewer.email, PASSWORD);
      expect(parentCell((await agent.get('/desk/work-items').expect(200)).text, story)).to.equal('Hidden feature codename ZEBRA');
      expect((await agent.get(`/desk/work-items/${story}`).expect(200)).text).to.contain(`href="/desk/work-items/${feature}">Hidden feature codename ZEBRA<`);
    }
    // A grant on the parent too: now it is named, in the list as on the page.
    await grant(granted.id, 'feature', feature, 'comment');
    expect(parentCell((await asGranted.get('/desk/work-items').expect(200)).text, story)).to.equal('Hidden feature codename ZEBRA');
    expect((await asGranted.get(`/desk/work-items/${story}`).expect(200)).text).to.contain('Hidden feature codename ZEBRA');
  });

  it('an editor who cannot see the parent keeps it when saving the form; a parent they cannot see is refused (422, nothing written)', async () => {
    const admin = await buildStaff(t.db, 'administrator');
    await changeSettings(t.db, admin.id, { 'direct_access.enabled': true });
    const editor = await buildStaff(t.db, 'user');
    const member = await buildStaff(t.db, 'user');
    const project = await buildProject(t.db, { isPrivate: true, portalEnabled: false });
    await addMember(t.db, project, member.id, await buildRole(t.db, { edit: true, comment: true }));
    const feature = await workItem(project, 'feature', 'Hidden feature codename ZEBRA', null);
    const otherHidden = await workItem(project, 'epic', 'Hidden epic codename OKAPI', null);
    const story = await workItem(project, 'user_story', 'Granted story', feature);
    const visible = await workItem(project, 'feature', 'Visible feature', null);
    await grant(editor.id, 'user_story', story, 'edit');
    await grant(editor.id, 'feature', visible, 'comment');
    const parentOf = async () => (await t.db('work_items').where({ id: story }).first('parent_id')).parent_id;

    const asEditor = await signIn(t.app, 'desk', editor.email, PASSWORD);
    const form = await asEditor.get(`/desk/work-items/${story}/edit`).expect(200);
    expect(form.text).not.to.contain('ZEBRA').and.not.to.contain('OKAPI');
    const selected = /<select id="parent_id"[^>]*>.*?<option value="([^"]*)" selected>/.exec(form.text)?.[1];
    expect(selected, 'the parent the form shows as chosen').to.equal('keep');
    const token = csrfFrom(form.text);
    const save = (parent: string) => asEditor.post(`/desk/work-items/${story}`).type('form').send({ name: 'Granted story', description: 'Edited', status: 'open', parent_id: parent, owner_id: '', _csrf: token });

    await save('keep').expect(303);
    expect(await parentOf()).to.equal(feature);
    expect((await t.db('work_items').where({ id: story }).first('description')).description).to.equal('Edited');

    // A parent the editor cannot see, even the current one named by id, answers as an unknown id.
    const before = await snapshot(t.db);
    const refused = [];
    for (const parent of [String(otherHidden), String(feature), '999999']) {
      const res = await save(parent).expect(422);
      refused.push(/<p class="error"[^>]*>([^<]*)</.exec(res.text)?.[1]);
      expect(res.text).not.to.contain('ZEBRA').and.not.to.contain('OKAPI');
    }
    expect(new Set(refused).size, 'one message for hidden and unknown parents').to.equal(1);
    // "Keep" means nothing on a new item, even to someone who may add one.
    const asAdmin = await signIn(t.app, 'desk', admin.email, PASSWORD);
    const adminToken = await csrfOf(asAdmin, '/desk/work-items/new');
    await asAdmin.post('/desk/work-items').type('form').send({ project_id: String(project), type: 'task', name: 'Kept nowhere', status: 'open', parent_id: 'keep', _csrf: adminToken }).expect(422);
    expect(await snapshot(t.db)).to.deep.equal(before);

    // Someone who sees the parent gets it chosen, and no "keep" choice.
    const asMember = await signIn(t.app, 'desk', member.email, PASSWORD);
    const memberForm = await asMember.get(`/desk/work-items/${story}/edit`).expect(200);
    expect(memberForm.text).to.contain(`<option value="${feature}" selected>Hidden feature codename ZEBRA`).and.not.to.contain('value="keep"');

    // The editor may still move the item under a parent they see, or under none.
    await save(String(visible)).expect(303);
    expect(await parentOf()).to.equal(visible);
    await save('').expect(303);
    expect(await parentOf()).to.equal(null);
  });

  it("copying to nested items skips the actor's own grant and disabled accounts, copies the others and says so; refusals write nothing", async () => {
    const admin = await buildStaff(t.db, 'administrator');
    await changeSettings(t.db, admin.id, { 'direct_access.enabled': true });
    const lead = await buildStaff(t.db, 'user');
    const other = await buildStaff(t.db, 'user');
    const gone = await buildStaff(t.db, 'user');
    const bystander = await buildStaff(t.db, 'user');
    const outsider = await buildStaff(t.db, 'user');
    const project = await buildProject(t.db, { isPrivate: true, portalEnabled: false });
    await addMember(t.db, project, lead.id, await buildRole(t.db, { add: true, edit: true, comment: true }));
    await addMember(t.db, project, bystander.id, await buildRole(t.db, { edit: true, comment: true }));
    const epic = await workItem(project, 'epic', 'Epic', null, admin.id);
    const feature = await workItem(project, 'feature', 'Feature by lead', epic, lead.id);
    await grant(lead.id, 'epic', epic, 'grant');
    await grant(other.id, 'epic', epic, 'edit');
    await grant(gone.id, 'epic', epic, 'comment');
    await t.db('principals').where({ id: gone.id }).update({ disabled: true });
    const onFeature = async () =>
      (await t.db('entity_permissions').where({ entity_type: 'feature', entity_id: feature }).orderBy('principal_id'))
        .map((g: Record<string, unknown>) => ({ principal: Number(g.principal_id), comment: Boolean(g.can_comment), edit: Boolean(g.can_edit), grant: Boolean(g.can_grant) }));
    const body = (token: string) => ({ entity_type_id: '27', entity_id: String(epic), _csrf: token });

    // Neither a member who cannot manage the epic nor someone who cannot see it: 403 and 404, nothing written.
    const before = await snapshot(t.db);
    const asBystander = await signIn(t.app, 'desk', bystander.email, PASSWORD);
    await asBystander.post('/desk/direct-access/nested').type('form').send(body(await csrfOf(asBystander, `/desk/work-items/${epic}`))).expect(403);
    const asOutsider = await signIn(t.app, 'desk', outsider.email, PASSWORD);
    await asOutsider.post('/desk/direct-access/nested').type('form').send(body(await csrfOf(asOutsider, '/desk'))).expect(404);
    expect(await snapshot(t.db)).to.deep.equal(before);

    const asLead = await signIn(t.app, 'desk', lead.email, PASSWORD);
    // The panel offers the lead no change of their own grant (it would be refused), only the others'.
    const panel = (await asLead.get(`/desk/work-items/${epic}`).expect(200)).text;
    const ownGrant = (await t.db('entity_permissions').where({ principal_id: lead.id, entity_id: epic }).first()).id;
    const otherGrant = (await t.db('entity_permissions').where({ principal_id: other.id, entity_id: epic }).first()).id;
    expect(panel).to.contain('data-own-grant').and.contain('Give up your own direct access');
    expect(panel).not.to.contain(`action="/desk/direct-access/${ownGrant}"`);
    expect(panel).to.contain(`action="/desk/direct-access/${otherGrant}"`).and.contain(`action="/desk/direct-access/${ownGrant}/delete"`);
    const token = await csrfOf(asLead, `/desk/work-items/${epic}`);
    const copy = await asLead.post('/desk/direct-access/nested').type('form').send(body(token)).expect(303);
    expect(await onFeature()).to.deep.equal([{ principal: other.id, comment: true, edit: true, grant: false }]);
    const page = await asLead.get(copy.headers.location!).expect(200);
    expect(page.text).to.contain('1 grant copied to nested items. Skipped 2 people you cannot give access to');
    await (await signIn(t.app, 'desk', other.email, PASSWORD)).get(`/desk/work-items/${feature}`).expect(200);

    // Again: nothing new, and the page says the grant was already there.
    const afterCopy = await snapshot(t.db);
    const again = await asLead.post('/desk/direct-access/nested').type('form').send(body(token)).expect(303);
    expect((await asLead.get(again.headers.location!).expect(200)).text).to.contain('0 grants copied to nested items. 1 was already there.');
    expect(await snapshot(t.db)).to.deep.equal(afterCopy);
  });
});

describe('desk: a refused direct-access change shows the page again', function () {
  this.timeout(30_000);
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('with the panel saying why and keeping what was typed (request and work item), nothing written; non-managers learn nothing more', async () => {
    const admin = await buildStaff(t.db, 'administrator');
    const observer = await buildStaff(t.db, 'observer');
    const outsider = await buildStaff(t.db, 'user');
    const project = await buildProject(t.db, { isPrivate: true });
    const customer = await buildRequester(t.db);
    const request = await buildRequest(t.db, { projectId: project, requester: customer, title: 'Panel page' });
    const item = insertedId(await t.db('work_items').insert({ project_id: project, type: 'feature', name: 'Panel feature', description: '', status: 'open', created_at: nowIso(), updated_at: nowIso() }).returning('id'));
    await changeSettings(t.db, admin.id, { 'direct_access.enabled': true });
    const asAdmin = await signIn(t.app, 'desk', admin.email, PASSWORD);
    const token = await csrfOf(asAdmin, `/desk/requests/${request}`);
    const add = (entityType: string, entityId: number, email: string, mode: string) =>
      asAdmin.post('/desk/direct-access').type('form').send({ entity_type_id: entityType, entity_id: String(entityId), email, mode, _csrf: token });
    const errorOf = (html: string) => /data-direct-access-error>([^<]*)</.exec(html)?.[1];

    const before = await snapshot(t.db);
    const unknown = await add('17', request, 'nobody@example.test', 'edit').expect(422);
    expect(unknown.text).to.contain('Panel page');
    expect(errorOf(unknown.text)).to.equal('No staff member has that email address.');
    expect(unknown.text).to.contain('value="nobody@example.test"').and.match(/<option value="edit" selected>/);
    // The form offers Can view, the only mode an observer can hold.
    expect(unknown.text).to.match(/<option value="view"[^>]*>Can view</);
    const tooMuch = await add('9', item, observer.email, 'edit').expect(422);
    expect(tooMuch.text).to.contain('Panel feature');
    expect(errorOf(tooMuch.text)).to.be.a('string').and.not.equal('');
    expect(tooMuch.text).to.contain(`value="${observer.email}"`);
    expect(await snapshot(t.db)).to.deep.equal(before);

    await add('17', request, outsider.email, 'comment').expect(303);
    await add('9', item, observer.email, 'view').expect(303);
    const again = await add('17', request, outsider.email, 'edit').expect(409);
    expect(again.text).to.contain('Panel page');
    expect(errorOf(again.text)).to.equal(`${outsider.name} already has direct access here; change it in the list above.`);
    const grant = await t.db('entity_permissions').where({ principal_id: outsider.id }).first();
    const badMode = await asAdmin.post(`/desk/direct-access/${grant.id}`).type('form').send({ mode: 'owner', _csrf: token }).expect(422);
    expect(errorOf(badMode.text)).to.equal('Choose an access mode.');

    // Someone who does not manage access there gets no page, and the same refusal whatever they send
    // (their own grant: 403, since they know it exists).
    const asOutsider = await signIn(t.app, 'desk', outsider.email, PASSWORD);
    const outsiderToken = await csrfOf(asOutsider, '/desk');
    for (const mode of ['owner', 'edit']) {
      const stranger = await asOutsider.post(`/desk/direct-access/${grant.id}`).type('form').send({ mode, _csrf: outsiderToken });
      expect(stranger.status, mode).to.equal(403);
      expect(stranger.text).not.to.contain('Panel page');
    }
  });
});
