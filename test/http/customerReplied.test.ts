/**
 * A customer's comment waits on the team until staff answer: the queue marks it "Customer
 * replied" (a resolved or closed request too, where a comment otherwise changed only a date)
 * and filters by it; a public reply or a status change answers it, an internal note does not.
 * The customer's status is never changed by their comment (PRODUCT.md section 3).
 */
import { expect } from 'chai';
import { createTestApp, csrfOf, signIn, type Agent, type TestApp } from '../helpers/app';
import { addMember, buildCompany, buildProject, buildRequest, buildRequester, buildRole, buildStaff, PASSWORD } from '../helpers/factories';
import type { PrincipalRow } from '../../server/repositories/principals';

describe('the queue shows which requests wait on the team', function () {
  this.timeout(30_000);
  let t: TestApp;
  let project: number;
  let customer: PrincipalRow;
  let asCustomer: Agent;
  let asAgent: Agent;

  before(async () => {
    t = await createTestApp();
    project = await buildProject(t.db);
    customer = await buildRequester(t.db, { company: await buildCompany(t.db) });
    const agent = await buildStaff(t.db, 'user');
    await addMember(t.db, project, agent.id, await buildRole(t.db, { edit: true, comment: true }));
    asCustomer = await signIn(t.app, 'portal', customer.email, PASSWORD);
    asAgent = await signIn(t.app, 'desk', agent.email, PASSWORD);
  });
  after(() => t.close());

  async function customerWrites(id: number, body: string): Promise<void> {
    const csrf = await csrfOf(asCustomer, `/portal/requests/${id}`);
    await asCustomer.post(`/portal/requests/${id}/comments`).type('form').send({ body, _csrf: csrf }).expect(303);
  }
  async function staffWrites(id: number, body: string, internal = false): Promise<void> {
    const csrf = await csrfOf(asAgent, `/desk/requests/${id}`);
    await asAgent.post(`/desk/requests/${id}/comments`).type('form').send({ body, _csrf: csrf, ...(internal ? { internal: 'true' } : {}) }).expect(303);
  }
  /** The queue row of request `id` (its HTML), from a page listing every request of the project. */
  async function rowOf(id: number, query = ''): Promise<string | null> {
    const page = await asAgent.get(`/desk?project=${project}${query}`).expect(200);
    const row = [...page.text.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => m[1]!).find((r) => r.includes(`href="/desk/requests/${id}"`));
    return row ?? null;
  }

  it('a customer comment on a resolved request marks it, leaves its status, and tells the customer the team will see it', async () => {
    const id = await buildRequest(t.db, { projectId: project, requester: customer, title: 'Still failing', status: 'resolved' });
    expect(await rowOf(id)).not.to.contain('data-customer-replied');
    const page = await asCustomer.get(`/portal/requests/${id}`).expect(200);
    expect(page.text).to.contain('This request is resolved. If it still needs attention, say so here');
    await customerWrites(id, 'It fails again since this morning.');
    expect(await rowOf(id)).to.contain('data-customer-replied').and.to.contain('Customer replied');
    expect((await t.db('requests').where({ id }).first('status')).status).to.equal('resolved');
    expect(await rowOf(id, '&waiting=1')).to.contain('Still failing');
  });

  it('an internal note leaves the mark; a public reply or a status change answers it', async () => {
    const replied = await buildRequest(t.db, { projectId: project, requester: customer, title: 'Answered by reply' });
    await customerWrites(replied, 'Any news?');
    await staffWrites(replied, 'Asked the printer vendor.', true);
    expect(await rowOf(replied)).to.contain('data-customer-replied');
    await staffWrites(replied, 'The vendor sends a part on Monday.');
    expect(await rowOf(replied)).not.to.contain('data-customer-replied');
    expect(await rowOf(replied, '&waiting=1')).to.equal(null);

    const moved = await buildRequest(t.db, { projectId: project, requester: customer, title: 'Answered by status' });
    await customerWrites(moved, 'Please look at this.');
    const csrf = await csrfOf(asAgent, `/desk/requests/${moved}`);
    await asAgent.post(`/desk/requests/${moved}/status`).type('form').send({ status: 'in_progress', _csrf: csrf }).expect(303);
    expect(await rowOf(moved)).not.to.contain('data-customer-replied');
  });

  it('the filter lists only waiting requests, and its tabs count them', async () => {
    const quiet = await buildRequest(t.db, { projectId: project, requester: customer, title: 'Nobody wrote' });
    const waiting = await buildRequest(t.db, { projectId: project, requester: customer, title: 'Customer wrote last' });
    await customerWrites(waiting, 'Hello?');
    const page = await asAgent.get(`/desk?project=${project}&waiting=1`).expect(200);
    expect(page.text).to.contain(`href="/desk/requests/${waiting}"`);
    expect(page.text).not.to.contain(`href="/desk/requests/${quiet}"`);
    expect(page.text).to.contain('name="waiting" value="1" checked');
    const waitingRows = await t.db('requests').where({ project_id: project }).whereNotNull('customer_replied_at').count({ n: '*' }).first();
    expect(page.text).to.contain(`data-count="all">${Number(waitingRows?.n)}<`);
  });
});
