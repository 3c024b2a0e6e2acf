/**
 * The customer who raised a request marks it resolved, or reopens it while it is resolved:
 * the status changes, the history says who, the staff who hear of that customer's comments
 * hear of it, and a reopened request waits on the team in the queue. Nobody else may, and a
 * closed request stays closed.
 */
import { expect } from 'chai';
import supertest from 'supertest';
import { changedTables, createTestApp, csrfOf, fullState, signIn, type Agent, type TestApp } from '../helpers/app';
import { addMember, buildCompany, buildProject, buildRequest, buildRequester, buildRole, buildStaff, PASSWORD } from '../helpers/factories';
import type { PrincipalRow } from '../../server/repositories/principals';

describe('customers resolve and reopen their own requests', function () {
  this.timeout(60_000);
  let t: TestApp;
  let project: number;
  let alice: PrincipalRow;
  let member: PrincipalRow;
  let owner: PrincipalRow;
  let asAlice: Agent;
  let asColleague: Agent;
  let asStranger: Agent;
  let asMember: Agent;

  before(async () => {
    t = await createTestApp();
    project = await buildProject(t.db, { name: 'Support' });
    const acme = await buildCompany(t.db, 'Acme');
    alice = await buildRequester(t.db, { company: acme });
    const colleague = await buildRequester(t.db, { company: acme });
    const stranger = await buildRequester(t.db, { company: await buildCompany(t.db, 'Globex') });
    const role = await buildRole(t.db, { edit: true, comment: true });
    member = await buildStaff(t.db, 'user');
    owner = await buildStaff(t.db, 'user');
    await addMember(t.db, project, member.id, role);
    await addMember(t.db, project, owner.id, role);
    asAlice = await signIn(t.app, 'portal', alice.email, PASSWORD);
    asColleague = await signIn(t.app, 'portal', colleague.email, PASSWORD);
    asStranger = await signIn(t.app, 'portal', stranger.email, PASSWORD);
    asMember = await signIn(t.app, 'desk', member.email, PASSWORD);
  });
  after(() => t.close());

  const statusOf = async (id: number) => ((await t.db('requests').where({ id }).first('status')) as { status: string }).status;
  const subjectsTo = async (email: string) => {
    await t.deps.mailer.drain();
    return (await t.db('mail_outbox').where({ to_address: email }).orderBy('id').select('subject')).map((m: { subject: string }) => m.subject);
  };
  const post = async (as: Agent, id: number, change: 'resolve' | 'reopen') => as.post(`/portal/requests/${id}/${change}`).type('form').send({ _csrf: await csrfOf(as, '/portal') });

  it('marks it resolved: the status, the history under the customer\'s name, the project\'s members told', async () => {
    const id = await buildRequest(t.db, { projectId: project, requester: alice, title: 'VPN drops', status: 'in_progress' });
    const page = await asAlice.get(`/portal/requests/${id}`).expect(200);
    expect(page.text).to.contain('Mark as resolved').and.not.contain('Reopen this request');
    const res = await post(asAlice, id, 'resolve');
    expect(res.status).to.equal(303);
    expect(res.headers.location).to.equal(`/portal/requests/${id}?status=resolved#status`);
    expect(await statusOf(id)).to.equal('resolved');
    const after = await asAlice.get(res.headers.location!).expect(200);
    expect(after.text).to.contain('Marked as resolved, and the team told.').and.contain('Reopen this request');
    for (const staff of [member, owner]) expect(await subjectsTo(staff.email)).to.include(`Request #${id} was marked resolved by its customer`);
    const desk = await asMember.get(`/desk/requests/${id}`).expect(200);
    expect(desk.text).to.match(new RegExp(`· ${alice.name}\\s+changed the status from in progress to resolved`));
  });

  it('reopens a resolved one: open again, waiting on the team in the queue, its assignee told', async () => {
    const id = await buildRequest(t.db, { projectId: project, requester: alice, title: 'Printer offline', status: 'resolved' });
    await t.db('requests').where({ id }).update({ assignee_id: owner.id });
    const res = await post(asAlice, id, 'reopen');
    expect(res.headers.location).to.equal(`/portal/requests/${id}?status=reopened#status`);
    expect(await statusOf(id)).to.equal('open');
    expect(await subjectsTo(owner.email)).to.include(`Request #${id} was reopened by its customer`);
    expect(await subjectsTo(member.email)).not.to.include(`Request #${id} was reopened by its customer`);
    const waiting = await asMember.get('/desk?waiting=1').expect(200);
    expect(waiting.text).to.contain('Printer offline');
  });

  it('already so (resolved, or open) is "nothing changed"; a closed request stays closed and one in progress has nothing to reopen (422, nothing written)', async () => {
    const resolved = await buildRequest(t.db, { projectId: project, requester: alice, status: 'resolved' });
    const closed = await buildRequest(t.db, { projectId: project, requester: alice, status: 'closed' });
    const open = await buildRequest(t.db, { projectId: project, requester: alice, status: 'open' });
    const working = await buildRequest(t.db, { projectId: project, requester: alice, status: 'in_progress' });
    const before = await fullState(t);
    expect((await post(asAlice, resolved, 'resolve')).headers.location).to.equal(`/portal/requests/${resolved}?status=unchanged#status`);
    const onClosed = await post(asAlice, closed, 'resolve');
    expect(onClosed.status).to.equal(422);
    expect(onClosed.text).to.contain('This request is closed: to ask about it again, submit a new request.');
    const reopenClosed = await post(asAlice, closed, 'reopen');
    expect(reopenClosed.status).to.equal(422);
    expect((await post(asAlice, open, 'reopen')).headers.location).to.equal(`/portal/requests/${open}?status=unchanged#status`);
    const reopenWorking = await post(asAlice, working, 'reopen');
    expect(reopenWorking.status).to.equal(422);
    expect(reopenWorking.text).to.contain('This request is not resolved, so there is nothing to reopen.');
    expect(changedTables(before, await fullState(t))).to.deep.equal([]);
  });

  it('nobody but its customer: a colleague who sees it 403, a stranger 404, staff 403, nobody signed in to the sign-in page; nothing written', async () => {
    const shared = await buildRequest(t.db, { projectId: project, requester: alice, visibility: 'company', status: 'open' });
    const before = await fullState(t);
    for (const change of ['resolve', 'reopen'] as const) {
      expect((await post(asColleague, shared, change)).status).to.equal(403);
      expect((await post(asStranger, shared, change)).status).to.equal(404);
      expect((await post(asStranger, 999_999, change)).status).to.equal(404);
      expect((await asMember.post(`/portal/requests/${shared}/${change}`).type('form').send({ _csrf: await csrfOf(asMember, '/desk') })).status).to.equal(403);
      const anonymous = await supertest(t.app).post(`/portal/requests/${shared}/${change}`).type('form').send({});
      expect(anonymous.status).to.equal(303);
      expect(anonymous.headers.location).to.match(/^\/portal\/login/);
    }
    expect(changedTables(before, await fullState(t))).to.deep.equal([]);
    const colleaguePage = await asColleague.get(`/portal/requests/${shared}`).expect(200);
    expect(colleaguePage.text).not.to.contain('Mark as resolved');
  });
});
