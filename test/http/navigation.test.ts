/**
 * Finding one's way: the header and the admin menu mark the section a page belongs to
 * (aria-current, for screen readers too); the queue offers its everyday views (assigned to
 * me, unassigned, customer replied) and names its sort orders in words; the work-item picker
 * starts on no choice, so "Link" never links the first item by accident.
 */
import { expect } from 'chai';
import { createTestApp, signIn, type Agent, type TestApp } from '../helpers/app';
import { addMember, buildCompany, buildProject, buildRequest, buildRequester, buildRole, buildStaff, PASSWORD } from '../helpers/factories';
import { insertedId, nowIso } from '../../server/db';
import type { PrincipalRow } from '../../server/repositories/principals';

/** The link texts of a page's links marked as the current page. */
function currentLinks(html: string): string[] {
  return [...html.matchAll(/<a [^>]*aria-current="?page"?[^>]*>([^<]*)</g)].map((m) => m[1]!.trim());
}

describe('navigation marks where one is', function () {
  this.timeout(30_000);
  let t: TestApp;
  let agent: PrincipalRow;
  let asAgent: Agent;
  let asAdmin: Agent;
  let asCustomer: Agent;
  let request: number;

  before(async () => {
    t = await createTestApp();
    const project = await buildProject(t.db);
    agent = await buildStaff(t.db, 'user');
    await addMember(t.db, project, agent.id, await buildRole(t.db, { edit: true, comment: true }));
    const customer = await buildRequester(t.db, { company: await buildCompany(t.db) });
    request = await buildRequest(t.db, { projectId: project, requester: customer, title: 'Scanner offline' });
    const now = nowIso();
    await t.db('work_items').insert({ project_id: project, type: 'bug', name: 'Scanner driver crash', description: '', status: 'open', created_at: now, updated_at: now }).returning('id').then(insertedId);
    asAgent = await signIn(t.app, 'desk', agent.email, PASSWORD);
    asAdmin = await signIn(t.app, 'desk', (await buildStaff(t.db, 'administrator')).email, PASSWORD);
    asCustomer = await signIn(t.app, 'portal', customer.email, PASSWORD);
  });
  after(() => t.close());

  it('the header marks the section of each portal, desk and admin page, and only that one', async () => {
    const cases: [Agent, string, string[]][] = [
      [asCustomer, '/portal', ['My requests']],
      [asCustomer, '/portal/ideas', ['Ideas']],
      [asCustomer, '/portal/requests/new', ['New request']],
      [asCustomer, `/portal/requests/${request}`, []],
      [asAgent, `/desk/requests/${request}`, ['Queue']],
      [asAgent, '/desk/work-items', ['Work items']],
      [asAgent, '/desk/dashboards', ['Dashboards']],
      [asAdmin, '/admin/users', ['Admin', 'People']],
      [asAdmin, '/admin/audit', ['Admin', 'Audit log']],
    ];
    for (const [as, path, expected] of cases) {
      expect(currentLinks((await as.get(path).expect(200)).text), path).to.deep.equal(expected);
    }
  });

  it('the queue offers its everyday views, marks the one shown, and names its sort orders in words', async () => {
    const plain = await asAgent.get('/desk').expect(200);
    expect(plain.text).to.contain(`href="?assignee=${agent.id}"`).and.to.contain('href="?assignee=none"').and.to.contain('href="?waiting=1"');
    expect(currentLinks(plain.text)).to.include('Queue').and.not.include('Assigned to me');
    expect(currentLinks((await asAgent.get(`/desk?assignee=${agent.id}`).expect(200)).text)).to.include('Assigned to me');
    expect(currentLinks((await asAgent.get('/desk?assignee=none').expect(200)).text)).to.include('Unassigned');
    expect(plain.text).to.contain('<option value="activity" selected>Latest activity</option>').and.to.contain('<option value="votes" >Most votes</option>');
  });

  it('the work-item picker starts on no choice and requires one', async () => {
    const page = await asAgent.get(`/desk/requests/${request}`).expect(200);
    expect(page.text).to.contain('<select id="work_item_id" name="work_item_id" required><option value="">Choose a work item…</option>');
  });
});
