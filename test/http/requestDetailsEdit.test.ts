/**
 * Staff correct what a request is (POST /desk/requests/:id/details): its title, its type
 * (a question that is really an idea) and who may see it (an issue to share with the
 * company, an idea to make public). Each change is in the history; the type moves the
 * dashboards' tallies along; visibility decides which customers see it at once. Refusals
 * and bad input write nothing.
 */
import { expect } from 'chai';
import { createTestApp, csrfOf, signIn, snapshot, type Agent, type TestApp } from '../helpers/app';
import { addMember, buildCompany, buildProject, buildRequest, buildRequester, buildRole, buildStaff, PASSWORD } from '../helpers/factories';
import type { PrincipalRow } from '../../server/repositories/principals';
import { ALL_COMPANIES } from '../../server/repositories/requestTallies';

describe('staff edit a request’s title, type and visibility', function () {
  this.timeout(30_000);
  let t: TestApp;
  let project: number;
  let company: number;
  let customer: PrincipalRow;
  let asEditor: Agent;
  let asColleague: Agent;
  let asStranger: Agent;

  before(async () => {
    t = await createTestApp();
    project = await buildProject(t.db);
    company = await buildCompany(t.db);
    customer = await buildRequester(t.db, { company });
    const editor = await buildStaff(t.db, 'user');
    await addMember(t.db, project, editor.id, await buildRole(t.db, { edit: true, comment: true }));
    asEditor = await signIn(t.app, 'desk', editor.email, PASSWORD);
    asColleague = await signIn(t.app, 'portal', (await buildRequester(t.db, { company })).email, PASSWORD);
    asStranger = await signIn(t.app, 'portal', (await buildRequester(t.db, { company: await buildCompany(t.db) })).email, PASSWORD);
  });
  after(() => t.close());

  const save = async (as: Agent, id: number, fields: Record<string, string>, status: number) => {
    const csrf = await csrfOf(as, '/desk');
    return as.post(`/desk/requests/${id}/details`).type('form').send({ ...fields, _csrf: csrf }).expect(status);
  };
  /** The project's all-companies tally of new requests of a type, and the rows it stands for. */
  const tallyOf = async (type: string) => Number((await t.db('request_tallies').where({ project_id: project, company_key: ALL_COMPANIES, type, status: 'new' }).first('n'))?.n ?? 0);
  const rowsOf = async (type: string) => Number((await t.db('requests').where({ project_id: project, type, status: 'new' }).count({ n: '*' }).first())?.n ?? 0);

  it('saves the three fields, records each in the history, and keeps the tallies equal to the rows', async () => {
    const id = await buildRequest(t.db, { projectId: project, requester: customer, type: 'question', title: 'Dark mod?' });
    const [questions, ideas] = [await tallyOf('question'), await tallyOf('idea')];
    const res = await save(asEditor, id, { title: 'Dark mode for the portal', type: 'idea', visibility: 'public' }, 303);
    expect(res.headers.location).to.equal(`/desk/requests/${id}?done=details`);
    expect(await t.db('requests').where({ id }).first('title', 'type', 'visibility')).to.deep.equal({ title: 'Dark mode for the portal', type: 'idea', visibility: 'public' });
    expect([await tallyOf('question'), await tallyOf('idea')]).to.deep.equal([questions - 1, ideas + 1]);
    expect([await tallyOf('question'), await tallyOf('idea')]).to.deep.equal([await rowsOf('question'), await rowsOf('idea')]);
    const page = await asEditor.get(res.headers.location!).expect(200);
    expect(page.text).to.contain('Details saved.');
    expect(page.text).to.contain('changed the title').and.to.contain('changed the type from question to idea').and.to.contain('changed who may see it from private to public');
    const again = await save(asEditor, id, { title: 'Dark mode for the portal', type: 'idea', visibility: 'public' }, 303);
    expect(again.headers.location).to.equal(`/desk/requests/${id}?done=unchanged`);
  });

  it('visibility decides which customers see it on their very next page', async () => {
    const id = await buildRequest(t.db, { projectId: project, requester: customer, title: 'Printer queue stuck' });
    await asColleague.get(`/portal/requests/${id}`).expect(404);
    await save(asEditor, id, { title: 'Printer queue stuck', type: 'issue', visibility: 'company' }, 303);
    await asColleague.get(`/portal/requests/${id}`).expect(200);
    await asStranger.get(`/portal/requests/${id}`).expect(404);
    await save(asEditor, id, { title: 'Printer queue stuck', type: 'issue', visibility: 'public' }, 303);
    await asStranger.get(`/portal/requests/${id}`).expect(200);
    await save(asEditor, id, { title: 'Printer queue stuck', type: 'issue', visibility: 'private' }, 303);
    await asColleague.get(`/portal/requests/${id}`).expect(404);
    await asStranger.get(`/portal/requests/${id}`).expect(404);
  });

  it('bad input shows the page again with a message and what was typed; a company-less customer’s request cannot be shared with a company; nothing written', async () => {
    const id = await buildRequest(t.db, { projectId: project, requester: customer, title: 'Keep me' });
    const loner = await buildRequester(t.db);
    const lonely = await buildRequest(t.db, { projectId: project, requester: loner, title: 'No company here' });
    const before = await snapshot(t.db);
    expect((await save(asEditor, id, { title: 'ab', type: 'issue', visibility: 'private' }, 422)).text).to.contain('The title needs at least 3 characters.').and.to.contain('value="ab"');
    expect((await save(asEditor, id, { title: 'Keep me', type: 'bug', visibility: 'private' }, 422)).text).to.contain('Choose a type from the list.');
    expect((await save(asEditor, id, { title: 'Keep me', type: 'issue', visibility: 'everyone' }, 422)).text).to.contain('Choose who may see it from the list.');
    expect((await save(asEditor, lonely, { title: 'No company here', type: 'issue', visibility: 'company' }, 422)).text).to.contain('is not in the company it was raised under');
    expect(await snapshot(t.db)).to.deep.equal(before);
    // A customer who left the company the request was raised under: not shared with their former colleagues (found by review).
    const mover = await buildRequester(t.db, { company });
    const left = await buildRequest(t.db, { projectId: project, requester: mover, title: 'Raised before moving' });
    await t.db('principals').where({ id: mover.id }).update({ company_id: await buildCompany(t.db) });
    const beforeMove = await snapshot(t.db);
    expect((await save(asEditor, left, { title: 'Raised before moving', type: 'issue', visibility: 'company' }, 422)).text).to.contain('is not in the company it was raised under');
    expect(await snapshot(t.db)).to.deep.equal(beforeMove);
    await asColleague.get(`/portal/requests/${left}`).expect(404);
  });

  it('refused with nothing written: a member without edit (403), an observer (403), a non-member of a private project (404), a customer (403)', async () => {
    const hiddenProject = await buildProject(t.db, { isPrivate: true });
    const hidden = await buildRequest(t.db, { projectId: hiddenProject, requester: customer, title: 'Hidden one' });
    const id = await buildRequest(t.db, { projectId: project, requester: customer, title: 'Leave as is' });
    const reader = await buildStaff(t.db, 'user');
    await addMember(t.db, project, reader.id, await buildRole(t.db, { comment: true }));
    const asReader = await signIn(t.app, 'desk', reader.email, PASSWORD);
    const asObserver = await signIn(t.app, 'desk', (await buildStaff(t.db, 'observer')).email, PASSWORD);
    const asCustomer = await signIn(t.app, 'portal', customer.email, PASSWORD);
    const csrf = await csrfOf(asCustomer, '/portal');
    const fields = { title: 'Changed by someone who may not', type: 'idea', visibility: 'public' };
    const before = await snapshot(t.db);
    await save(asReader, id, fields, 403);
    expect((await asReader.get(`/desk/requests/${id}`).expect(200)).text).not.to.contain('Save details');
    await save(asObserver, id, fields, 403);
    await save(asEditor, hidden, fields, 404);
    await asCustomer.post(`/desk/requests/${id}/details`).type('form').send({ ...fields, _csrf: csrf }).expect(403);
    expect(await snapshot(t.db)).to.deep.equal(before);
  });
});
