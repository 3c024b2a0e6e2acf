/**
 * Comments on work items (PRODUCT.md section 2: a comment is on a request or a work item):
 * staff whose project role allows commenting, or who hold Direct Access "Can comment" on
 * that very item, write them; everyone else is refused and nothing is written. Customers
 * never see them: a requester sees a linked item's name and status alone.
 */
import { expect } from 'chai';
import { createTestApp, csrfOf, signIn, snapshot, type Agent, type TestApp } from '../helpers/app';
import { addMember, buildCompany, buildProject, buildRequest, buildRequester, buildRole, buildStaff, PASSWORD } from '../helpers/factories';
import { insertedId, nowIso } from '../../server/db';
import { changeSettings } from '../../server/commands/changeSettings';

describe('comments on work items', function () {
  this.timeout(30_000);
  let t: TestApp;
  let project: number;
  let hidden: number;
  let epic: number;
  let story: number;
  let secretItem: number;

  const workItem = async (projectId: number, type: string, name: string, parent: number | null = null) => {
    const now = nowIso();
    return insertedId(await t.db('work_items').insert({ project_id: projectId, type, name, description: '', status: 'open', parent_id: parent, created_at: now, updated_at: now }).returning('id'));
  };
  const commentsOn = (id: number) => t.db('comments').where({ work_item_id: id }).orderBy('id').select('body', 'author_id', 'request_id', 'internal');

  async function comment(as: Agent, id: number, body: string, status: number) {
    const csrf = await csrfOf(as, '/desk');
    return as.post(`/desk/work-items/${id}/comments`).type('form').send({ body, _csrf: csrf }).expect(status);
  }

  before(async () => {
    t = await createTestApp();
    project = await buildProject(t.db);
    hidden = await buildProject(t.db, { isPrivate: true });
    epic = await workItem(project, 'epic', 'Self-service portal');
    story = await workItem(project, 'user_story', 'Reset password myself', epic);
    secretItem = await workItem(hidden, 'task', 'Rotate the vault keys');
  });
  after(() => t.close());

  it('a member whose role comments writes one; the page shows it with its author, escaped, after the older ones', async () => {
    const member = await buildStaff(t.db, 'user');
    await addMember(t.db, project, member.id, await buildRole(t.db, { comment: true }));
    const asMember = await signIn(t.app, 'desk', member.email, PASSWORD);
    const sent = await comment(asMember, story, 'Blocked by <b>SSO</b> work', 303);
    expect(sent.headers.location).to.equal(`/desk/work-items/${story}#comments`);
    await comment(asMember, story, 'Unblocked now', 303);
    const rows = await commentsOn(story);
    expect(rows.map((r) => ({ body: r.body, author_id: r.author_id, request_id: r.request_id }))).to.deep.equal([
      { body: 'Blocked by <b>SSO</b> work', author_id: member.id, request_id: null },
      { body: 'Unblocked now', author_id: member.id, request_id: null },
    ]);
    expect(rows.every((r) => !r.internal)).to.equal(true);
    const page = await asMember.get(`/desk/work-items/${story}`).expect(200);
    expect(page.text).to.contain('Blocked by &lt;b&gt;SSO&lt;/b&gt; work').and.to.contain(member.name);
    expect(page.text.indexOf('Blocked by')).to.be.lessThan(page.text.indexOf('Unblocked now'));
    expect(page.text).to.contain('Add a comment');
  });

  it('refused, with nothing written: a role without comment (403), an observer (403), a non-member of a private project (404), a customer (403)', async () => {
    const quiet = await buildStaff(t.db, 'user');
    await addMember(t.db, project, quiet.id, await buildRole(t.db, { comment: false }));
    const asQuiet = await signIn(t.app, 'desk', quiet.email, PASSWORD);
    const observer = await buildStaff(t.db, 'observer');
    const asObserver = await signIn(t.app, 'desk', observer.email, PASSWORD);
    const outsider = await buildStaff(t.db, 'user');
    await addMember(t.db, project, outsider.id, await buildRole(t.db, { comment: true }));
    const asOutsider = await signIn(t.app, 'desk', outsider.email, PASSWORD);
    const customer = await buildRequester(t.db, { company: await buildCompany(t.db) });
    const asCustomer = await signIn(t.app, 'portal', customer.email, PASSWORD);
    const csrf = await csrfOf(asCustomer, '/portal');
    const before = await snapshot(t.db);
    await comment(asQuiet, story, 'no role', 403);
    expect((await asQuiet.get(`/desk/work-items/${story}`).expect(200)).text).not.to.contain('Add a comment');
    await comment(asObserver, story, 'observer', 403);
    await comment(asOutsider, secretItem, 'not mine', 404);
    await asCustomer.post(`/desk/work-items/${story}/comments`).type('form').send({ body: 'customer', _csrf: csrf }).expect(403);
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('Direct Access "Can comment" on the item lets a non-member comment there, and not on its children', async () => {
    const admin = await buildStaff(t.db, 'administrator');
    await changeSettings(t.db, admin.id, { 'direct_access.enabled': true });
    const contractor = await buildStaff(t.db, 'user');
    await t.db('entity_permissions').insert({ entity_type: 'epic', entity_id: epic, principal_id: contractor.id, can_view: true, can_comment: true, can_edit: false, can_grant: false, created_at: nowIso() });
    const asContractor = await signIn(t.app, 'desk', contractor.email, PASSWORD);
    await comment(asContractor, epic, 'From the contractor', 303);
    expect((await commentsOn(epic)).map((c) => c.body)).to.deep.equal(['From the contractor']);
    const before = await snapshot(t.db);
    await comment(asContractor, story, 'Not granted here', 404);
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('an empty comment shows the page again with a message; an over-long one keeps its text; nothing written', async () => {
    const member = await buildStaff(t.db, 'user');
    await addMember(t.db, project, member.id, await buildRole(t.db, { comment: true }));
    const asMember = await signIn(t.app, 'desk', member.email, PASSWORD);
    const before = await snapshot(t.db);
    expect((await comment(asMember, epic, '   ', 422)).text).to.contain('Write something first.');
    const long = `Long ${'x'.repeat(20_000)}`;
    const tooLong = await comment(asMember, epic, long, 422);
    expect(tooLong.text).to.contain('At most 20,000 characters.').and.to.contain(long);
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('customers never see a work item comment: the portal shows a linked item by name and status alone', async () => {
    const customer = await buildRequester(t.db, { company: await buildCompany(t.db) });
    const request = await buildRequest(t.db, { projectId: project, requester: customer, title: 'Password reset please' });
    await t.db('request_work_items').insert({ request_id: request, work_item_id: story, created_at: nowIso() });
    const asCustomer = await signIn(t.app, 'portal', customer.email, PASSWORD);
    const page = await asCustomer.get(`/portal/requests/${request}`).expect(200);
    expect(page.text).to.contain('Reset password myself');
    expect(page.text).not.to.contain('SSO').and.not.to.contain('Unblocked now');
  });
});
