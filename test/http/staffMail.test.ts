/**
 * Which staff are mailed about a request: a customer's comment reaches the request's
 * assignee alone, or every project member while nobody is assigned (or while the assignee
 * can no longer open it); being assigned by someone else is mailed to the assignee.
 * Everyone's own "no email" choice holds throughout.
 */
import { expect } from 'chai';
import { createTestApp, csrfOf, signIn, type Agent, type TestApp } from '../helpers/app';
import { addMember, buildCompany, buildProject, buildRequest, buildRequester, buildRole, buildStaff, PASSWORD } from '../helpers/factories';
import type { PrincipalRow } from '../../server/repositories/principals';

describe('staff mail follows the assignee', function () {
  this.timeout(30_000);
  let t: TestApp;
  let project: number;
  let company: number;
  let lead: PrincipalRow;
  let asLead: Agent;
  let owner: PrincipalRow;
  let teammate: PrincipalRow;

  before(async () => {
    t = await createTestApp();
    project = await buildProject(t.db);
    company = await buildCompany(t.db);
    const role = await buildRole(t.db, { edit: true, comment: true });
    [lead, owner, teammate] = [await buildStaff(t.db, 'user'), await buildStaff(t.db, 'user'), await buildStaff(t.db, 'user')];
    for (const p of [lead, owner, teammate]) await addMember(t.db, project, p.id, role);
    asLead = await signIn(t.app, 'desk', lead.email, PASSWORD);
  });
  after(() => t.close());

  const subjectsTo = async (email: string): Promise<string[]> => {
    await t.deps.mailer.drain();
    return (await t.db('mail_outbox').where({ to_address: email }).orderBy('id').select('subject')).map((m: { subject: string }) => m.subject);
  };
  const bodiesTo = async (email: string): Promise<string[]> => {
    await t.deps.mailer.drain();
    return (await t.db('mail_outbox').where({ to_address: email }).orderBy('id').select('text_body')).map((m: { text_body: string }) => m.text_body);
  };

  async function assign(as: Agent, id: number, assignee: number | ''): Promise<void> {
    const csrf = await csrfOf(as, `/desk/requests/${id}`);
    await as.post(`/desk/requests/${id}/assign`).type('form').send({ assignee_id: String(assignee), _csrf: csrf }).expect(303);
  }

  /** A customer's new request and their comment on it after `between` ran. */
  async function customerComments(between: (id: number) => Promise<void>): Promise<number> {
    const customer = await buildRequester(t.db, { company });
    const id = await buildRequest(t.db, { projectId: project, requester: customer, title: 'Label printer jams' });
    await between(id);
    const asCustomer = await signIn(t.app, 'portal', customer.email, PASSWORD);
    const csrf = await csrfOf(asCustomer, `/portal/requests/${id}`);
    await asCustomer.post(`/portal/requests/${id}/comments`).type('form').send({ body: 'It jammed again', _csrf: csrf }).expect(303);
    return id;
  }

  it('a customer comment on an assigned request mails its assignee alone, saying why; unassigned, every member', async () => {
    const assigned = await customerComments((id) => assign(asLead, id, owner.id));
    const subject = `New comment on request #${assigned}`;
    expect(await subjectsTo(owner.email)).to.include(subject);
    expect(await subjectsTo(teammate.email)).not.to.include(subject);
    expect(await subjectsTo(lead.email)).not.to.include(subject);
    const ownersMail = (await bodiesTo(owner.email)).find((b) => b.includes('It jammed again'));
    expect(ownersMail).to.contain('as the person the request is assigned to').and.to.contain('/desk/profile');

    const unassigned = await customerComments(async (id) => {
      await assign(asLead, id, owner.id);
      await assign(asLead, id, '');
    });
    for (const p of [lead, owner, teammate]) expect(await subjectsTo(p.email)).to.include(`New comment on request #${unassigned}`);
    expect((await bodiesTo(teammate.email)).find((b) => b.includes(`/desk/requests/${unassigned}`) && b.includes('It jammed again'))).to.contain("as a member of the request's project");
  });

  it('an assignee who can no longer open the request is passed over for the members; one who turned email off is not mailed', async () => {
    const leaver = await buildStaff(t.db, 'user');
    await addMember(t.db, project, leaver.id, await buildRole(t.db, { comment: true }));
    const left = await customerComments(async (id) => {
      await assign(asLead, id, leaver.id);
      await t.db('project_members').where({ project_id: project, principal_id: leaver.id }).delete();
    });
    expect(await subjectsTo(leaver.email)).not.to.include(`New comment on request #${left}`);
    expect(await subjectsTo(teammate.email)).to.include(`New comment on request #${left}`);

    const disabled = await buildStaff(t.db, 'user');
    await addMember(t.db, project, disabled.id, await buildRole(t.db, { comment: true }));
    const gone = await customerComments(async (id) => {
      await assign(asLead, id, disabled.id);
      await t.db('principals').where({ id: disabled.id }).update({ disabled: true });
    });
    expect(await subjectsTo(disabled.email)).not.to.include(`New comment on request #${gone}`);
    expect(await subjectsTo(teammate.email)).to.include(`New comment on request #${gone}`);

    const quiet = await buildStaff(t.db, 'user');
    await addMember(t.db, project, quiet.id, await buildRole(t.db, { comment: true }));
    await t.db('principals').where({ id: quiet.id }).update({ email_notifications: false });
    const muted = await customerComments((id) => assign(asLead, id, quiet.id));
    expect(await subjectsTo(quiet.email)).to.deep.equal([]);
    expect(await subjectsTo(teammate.email)).not.to.include(`New comment on request #${muted}`);
  });

  it('being assigned by someone else is mailed; assigning oneself, unassigning or assigning the same person again is not', async () => {
    const customer = await buildRequester(t.db, { company });
    const id = await buildRequest(t.db, { projectId: project, requester: customer, title: 'Badge reader offline' });
    const before = (await subjectsTo(owner.email)).length;
    await assign(asLead, id, owner.id);
    await assign(asLead, id, owner.id);
    const subject = `Request #${id} is assigned to you`;
    expect((await subjectsTo(owner.email)).slice(before)).to.deep.equal([subject]);
    const mail = (await bodiesTo(owner.email)).at(-1);
    expect(mail).to.contain(`${lead.name} assigned you request #${id}.`).and.to.contain('Badge reader offline').and.to.contain(`/desk/requests/${id}`);

    await assign(asLead, id, lead.id);
    await assign(asLead, id, '');
    expect(await subjectsTo(lead.email)).not.to.include(subject);
    expect((await subjectsTo(owner.email)).slice(before)).to.deep.equal([subject]);
    expect(await subjectsTo(customer.email)).to.deep.equal([]);
  });
});
