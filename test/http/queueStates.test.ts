/**
 * The queue's edges, as an agent meets them: nothing matches (say so, offer to clear the
 * filters), a page past the end (go to the last one), a search too long to run (say so and
 * keep the text to shorten, rather than list everything as if it matched).
 */
import { expect } from 'chai';
import { createTestApp, signIn, type Agent, type TestApp } from '../helpers/app';
import { addMember, buildCompany, buildProject, buildRequest, buildRequester, buildRole, buildStaff, PASSWORD } from '../helpers/factories';

describe('desk queue: empty results, pages past the end, over-long searches', function () {
  this.timeout(30_000);
  let t: TestApp;
  let asAgent: Agent;
  let asNewcomer: Agent;

  before(async () => {
    t = await createTestApp();
    const project = await buildProject(t.db);
    const agent = await buildStaff(t.db, 'user');
    await addMember(t.db, project, agent.id, await buildRole(t.db, { comment: true }));
    const customer = await buildRequester(t.db, { company: await buildCompany(t.db) });
    for (let i = 0; i < 55; i += 1) await buildRequest(t.db, { projectId: project, requester: customer, title: `Toner ${i}` });
    asAgent = await signIn(t.app, 'desk', agent.email, PASSWORD);
    const newcomer = await buildStaff(t.db, 'user');
    await addMember(t.db, await buildProject(t.db), newcomer.id, await buildRole(t.db, { comment: true }));
    asNewcomer = await signIn(t.app, 'desk', newcomer.email, PASSWORD);
  });
  after(() => t.close());

  it('a filter that matches nothing says so and links to the unfiltered queue; an empty desk says it has no requests', async () => {
    const none = await asAgent.get('/desk?q=zzzz-nothing').expect(200);
    expect(none.text).to.contain('No requests match these filters.').and.to.match(/<a href="\/desk">Clear the filters<\/a>/);
    const empty = await asNewcomer.get('/desk').expect(200);
    expect(empty.text).to.contain('No requests yet.');
    expect(empty.text).not.to.contain('Clear the filters');
    const listed = await asAgent.get('/desk').expect(200);
    expect(listed.text).not.to.contain('data-empty-queue');
  });

  it('a page past the end goes to the last page, keeping the filters; past the only page, to the first', async () => {
    const far = await asAgent.get('/desk?q=Toner&page=999').expect(302);
    expect(far.headers.location).to.equal('/desk?q=Toner&page=2');
    const last = await asAgent.get(far.headers.location!).expect(200);
    expect(last.text).to.contain('Page 2 of 2');
    const single = await asAgent.get('/desk?q=Toner+1&page=5').expect(302);
    expect(single.headers.location).to.equal('/desk?q=Toner+1');
    expect((await asNewcomer.get('/desk?page=3').expect(302)).headers.location).to.equal('/desk');
  });

  it('a search over 200 characters is refused with a message, its text kept in the box; one of 200 runs', async () => {
    const long = 'Toner '.repeat(40).trim();
    const res = await asAgent.get(`/desk?q=${encodeURIComponent(long)}`).expect(200);
    expect(res.text).to.contain('A search can be at most 200 characters: shorten it.');
    expect(res.text).to.contain(`value="${long}"`).and.to.contain('aria-invalid="true"');
    const fits = await asAgent.get(`/desk?q=${encodeURIComponent(long.slice(0, 200))}`).expect(200);
    expect(fits.text).not.to.contain('at most 200 characters');
    expect(fits.text).to.contain('No requests match these filters.');
  });
});
