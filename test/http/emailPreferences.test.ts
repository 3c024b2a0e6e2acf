/**
 * Choosing what Portico mails: a customer stops (and restarts) email about one request they
 * raised; anyone turns off email about requests in their profile. Account mail is sent
 * whatever they chose. Refusals write nothing.
 */
import { expect } from 'chai';
import supertest from 'supertest';
import { createTestApp, csrfFrom, csrfOf, signIn, snapshot, type Agent, type TestApp } from '../helpers/app';
import { addMember, buildCompany, buildProject, buildRequest, buildRequester, buildRole, buildStaff, PASSWORD } from '../helpers/factories';
import type { PrincipalRow } from '../../server/repositories/principals';

describe('email preferences', function () {
  this.timeout(30_000);
  let t: TestApp;
  let project: number;
  let company: number;
  let staff: PrincipalRow;
  let asStaff: Agent;

  before(async () => {
    t = await createTestApp();
    project = await buildProject(t.db);
    company = await buildCompany(t.db);
    staff = await buildStaff(t.db, 'user');
    await addMember(t.db, project, staff.id, await buildRole(t.db, { edit: true, comment: true }));
    asStaff = await signIn(t.app, 'desk', staff.email, PASSWORD);
  });
  after(() => t.close());

  const mailTo = async (email: string): Promise<{ subject: string; text_body: string }[]> => {
    await t.deps.mailer.drain();
    return t.db('mail_outbox').where({ to_address: email }).orderBy('id').select('subject', 'text_body');
  };

  /** A staff reply and a status change on the request: what reaches its customer. */
  async function replyAndResolve(id: number, reply: string): Promise<void> {
    const csrf = await csrfOf(asStaff, `/desk/requests/${id}`);
    await asStaff.post(`/desk/requests/${id}/comments`).type('form').send({ body: reply, _csrf: csrf }).expect(303);
    await asStaff.post(`/desk/requests/${id}/status`).type('form').send({ status: 'resolved', _csrf: csrf }).expect(303);
    await asStaff.post(`/desk/requests/${id}/status`).type('form').send({ status: 'open', _csrf: csrf }).expect(303);
  }

  it('a customer stops email about one request and starts it again; their other requests keep mailing; every mail says how to stop it', async () => {
    const customer = await buildRequester(t.db, { company });
    const quiet = await buildRequest(t.db, { projectId: project, requester: customer, title: 'Quiet one' });
    const loud = await buildRequest(t.db, { projectId: project, requester: customer, title: 'Loud one' });
    const asCustomer = await signIn(t.app, 'portal', customer.email, PASSWORD);
    const page = await asCustomer.get(`/portal/requests/${quiet}`).expect(200);
    expect(page.text).to.contain('data-email="on"').and.to.contain('Stop email about this request');
    const stopped = await asCustomer.post(`/portal/requests/${quiet}/notifications`).type('form').send({ notify: 'off', _csrf: csrfFrom(page.text) }).expect(303);
    expect(stopped.headers.location).to.equal(`/portal/requests/${quiet}?notifications=off#email`);
    const after = await asCustomer.get(stopped.headers.location!).expect(200);
    expect(after.text).to.contain('You will get no more email about this request.');
    expect(after.text).to.contain('data-email="muted"').and.to.contain('Email me about it again');
    expect(await t.db('request_mutes').where({ request_id: quiet, principal_id: customer.id })).to.have.length(1);
    // The desk says so beside the reply form; a request that mails its customer says nothing.
    expect((await asStaff.get(`/desk/requests/${quiet}`).expect(200)).text).to.contain('data-customer-email="muted"');
    expect((await asStaff.get(`/desk/requests/${loud}`).expect(200)).text).not.to.contain('data-customer-email');

    await replyAndResolve(quiet, 'A reply nobody is mailed');
    await replyAndResolve(loud, 'A reply that is mailed');
    const mails = await mailTo(customer.email);
    expect(mails.map((m) => m.subject)).to.deep.equal([`New comment on request #${loud}`, `Request #${loud} is now resolved`, `Request #${loud} is now open`]);
    for (const m of mails) {
      expect(m.text_body).to.contain(`/portal/requests/${loud}`);
      expect(m.text_body).to.contain('Stop email about this request').and.to.contain('/portal/profile');
    }
    // The reply and the status changes happened all the same.
    expect(await t.db('comments').where({ request_id: quiet, body: 'A reply nobody is mailed' })).to.have.length(1);

    // Sent twice, still one mute; then back on.
    await asCustomer.post(`/portal/requests/${quiet}/notifications`).type('form').send({ notify: 'off', _csrf: csrfFrom(after.text) }).expect(303);
    expect(await t.db('request_mutes').where({ request_id: quiet })).to.have.length(1);
    await asCustomer.post(`/portal/requests/${quiet}/notifications`).type('form').send({ notify: 'on', _csrf: csrfFrom(after.text) }).expect(303);
    expect(await t.db('request_mutes').where({ request_id: quiet })).to.have.length(0);
    await replyAndResolve(quiet, 'Mailed again');
    expect((await mailTo(customer.email)).map((m) => m.subject)).to.include(`New comment on request #${quiet}`);
  });

  it('only the customer who raised a request chooses its email: a colleague who sees it gets 403, a stranger 404, staff 403; nothing written', async () => {
    const owner = await buildRequester(t.db, { company });
    const colleague = await buildRequester(t.db, { company });
    const stranger = await buildRequester(t.db, { company: await buildCompany(t.db) });
    const shared = await buildRequest(t.db, { projectId: project, requester: owner, visibility: 'company' });
    const asColleague = await signIn(t.app, 'portal', colleague.email, PASSWORD);
    const seen = await asColleague.get(`/portal/requests/${shared}`).expect(200);
    expect(seen.text).not.to.contain('data-email=');
    const asStranger = await signIn(t.app, 'portal', stranger.email, PASSWORD);
    const strangerCsrf = await csrfOf(asStranger, '/portal');
    const staffCsrf = await csrfOf(asStaff, '/desk');
    const before = await snapshot(t.db);
    for (const notify of ['off', 'on', 'nonsense']) {
      await asColleague.post(`/portal/requests/${shared}/notifications`).type('form').send({ notify, _csrf: csrfFrom(seen.text) }).expect(403);
      await asStranger.post(`/portal/requests/${shared}/notifications`).type('form').send({ notify, _csrf: strangerCsrf }).expect(404);
      await asStaff.post(`/portal/requests/${shared}/notifications`).type('form').send({ notify, _csrf: staffCsrf }).expect(403);
    }
    await asStranger.post('/portal/requests/999999/notifications').type('form').send({ notify: 'off', _csrf: strangerCsrf }).expect(404);
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('a choice that is neither on nor off re-renders the request with a message and writes nothing', async () => {
    const customer = await buildRequester(t.db, { company });
    const id = await buildRequest(t.db, { projectId: project, requester: customer });
    const asCustomer = await signIn(t.app, 'portal', customer.email, PASSWORD);
    const csrf = await csrfOf(asCustomer, `/portal/requests/${id}`);
    const before = await snapshot(t.db);
    for (const body of [{}, { notify: 'maybe' }, { notify: ['off', 'on'] }]) {
      const res = await asCustomer.post(`/portal/requests/${id}/notifications`).type('form').send({ ...body, _csrf: csrf }).expect(422);
      expect(res.text).to.contain('Choose whether to get email about this request.');
    }
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('a customer who turns email off in the profile gets none about any request, and the request page says where to turn it on; account mail still comes', async () => {
    const customer = await buildRequester(t.db, { company });
    const id = await buildRequest(t.db, { projectId: project, requester: customer });
    const asCustomer = await signIn(t.app, 'portal', customer.email, PASSWORD);
    const profile = await asCustomer.get('/portal/profile').expect(200);
    expect(profile.text).to.match(/name="email_notifications" value="on" checked/);
    await asCustomer.post('/portal/profile/email').type('form').send({ _csrf: csrfFrom(profile.text) }).expect(303);
    expect((await t.db('principals').where({ id: customer.id }).first('email_notifications')).email_notifications).to.be.oneOf([false, 0]);
    expect((await asCustomer.get('/portal/profile').expect(200)).text).not.to.match(/value="on" checked/);
    const page = await asCustomer.get(`/portal/requests/${id}`).expect(200);
    expect(page.text).to.contain('data-email="off"').and.to.contain('change this in your profile');
    expect((await asStaff.get(`/desk/requests/${id}`).expect(200)).text).to.contain('data-customer-email="off"');
    await replyAndResolve(id, 'Unmailed reply');
    expect(await mailTo(customer.email)).to.deep.equal([]);
    // A password reset is account mail: it is sent whatever the choice.
    const anonymous = supertest.agent(t.app);
    const forgot = await anonymous.get('/portal/password/forgot');
    await anonymous.post('/portal/password/forgot').type('form').send({ email: customer.email, _csrf: csrfFrom(forgot.text) }).expect(200);
    expect((await mailTo(customer.email)).map((m) => m.subject).join(' ')).to.match(/password/i);
    // Ticking the box again brings the mail back.
    await asCustomer.post('/portal/profile/email').type('form').send({ email_notifications: 'on', _csrf: csrfFrom(profile.text) }).expect(303);
    await replyAndResolve(id, 'Mailed reply');
    expect((await mailTo(customer.email)).map((m) => m.subject)).to.include(`New comment on request #${id}`);
  });

  it("a project member who turns email off gets no new-request or customer-comment mail; the other members still do", async () => {
    const own = await buildProject(t.db);
    const role = await buildRole(t.db, { comment: true });
    const quietMember = await buildStaff(t.db, 'user');
    const loudMember = await buildStaff(t.db, 'user');
    await addMember(t.db, own, quietMember.id, role);
    await addMember(t.db, own, loudMember.id, role);
    const asQuiet = await signIn(t.app, 'desk', quietMember.email, PASSWORD);
    const profile = await asQuiet.get('/desk/profile').expect(200);
    expect(profile.text).to.contain('Email me about new requests in my projects, requests assigned to me and customer comments');
    await asQuiet.post('/desk/profile/email').type('form').send({ _csrf: csrfFrom(profile.text) }).expect(303);
    const customer = await buildRequester(t.db, { company });
    const asCustomer = await signIn(t.app, 'portal', customer.email, PASSWORD);
    const form = await asCustomer.get('/portal/requests/new').expect(200);
    const created = await asCustomer.post('/portal/requests').type('form').send({ project_id: String(own), type: 'issue', title: 'Printer on fire', _csrf: csrfFrom(form.text) }).expect(303);
    const id = Number(/requests\/(\d+)/.exec(created.headers.location ?? '')?.[1]);
    await asCustomer.post(`/portal/requests/${id}/comments`).type('form').send({ body: 'Still burning', _csrf: csrfFrom(form.text) }).expect(303);
    expect(await mailTo(quietMember.email)).to.deep.equal([]);
    const loud = await mailTo(loudMember.email);
    expect(loud.map((m) => m.subject)).to.deep.equal([`New request #${id}: Printer on fire`, `New comment on request #${id}`]);
    for (const m of loud) expect(m.text_body).to.contain('/desk/profile');
  });

  it('the profile email form refuses a value it does not offer (422, nothing written)', async () => {
    const customer = await buildRequester(t.db, { company });
    const asCustomer = await signIn(t.app, 'portal', customer.email, PASSWORD);
    const csrf = await csrfOf(asCustomer, '/portal/profile');
    const before = await snapshot(t.db);
    const res = await asCustomer.post('/portal/profile/email').type('form').send({ email_notifications: 'sometimes', _csrf: csrf }).expect(422);
    expect(res.text).to.contain('Tick the box or leave it empty.');
    expect(await snapshot(t.db)).to.deep.equal(before);
  });
});
