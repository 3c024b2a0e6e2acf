/**
 * Searches ignore the case of every letter, not only of ASCII ones: SQLite's own lower()
 * leaves "Ü" and "É" as they are, so "überweisung" missed "ÜBERWEISUNG" there while
 * PostgreSQL found it. Desk queue, company filter, portal, people list and sharing picker.
 */
import { expect } from 'chai';
import { createTestApp, csrfOf, signIn, type Agent, type TestApp } from '../helpers/app';
import { buildProject, buildRequest, buildRequester, buildStaff, PASSWORD } from '../helpers/factories';
import { insertedId, nowIso } from '../../server/db';

describe('searches fold the case of every letter', function () {
  this.timeout(30_000);
  let t: TestApp;
  let asAdmin: Agent;
  let asCustomer: Agent;
  let transfer: number;
  let failure: number;
  let dashboard: number;

  before(async () => {
    t = await createTestApp();
    const company = insertedId(await t.db('companies').insert({ name: 'SOCIÉTÉ Générale', created_at: nowIso() }).returning('id'));
    const customer = await buildRequester(t.db, { company, name: 'ÉMILE Zola' });
    const project = await buildProject(t.db);
    transfer = await buildRequest(t.db, { projectId: project, requester: customer, title: 'ÜBERWEISUNG fehlgeschlagen' });
    failure = await buildRequest(t.db, { projectId: project, requester: customer, title: 'Échec de paiement' });
    await buildRequest(t.db, { projectId: project, requester: customer, title: 'Printer jammed' });
    const admin = await buildStaff(t.db, 'administrator');
    asAdmin = await signIn(t.app, 'desk', admin.email, PASSWORD);
    asCustomer = await signIn(t.app, 'portal', customer.email, PASSWORD);
    const csrf = await csrfOf(asAdmin, '/desk/dashboards/new');
    const made = await asAdmin.post('/desk/dashboards').type('form').send({ name: 'Payments', _csrf: csrf }).expect(303);
    dashboard = Number(/dashboards\/(\d+)/.exec(made.headers.location ?? '')?.[1]);
  });
  after(() => t.close());

  const requestIds = (html: string, prefix: string) => [...new Set([...html.matchAll(new RegExp(`href="${prefix}(\\d+)"`, 'g'))].map((m) => Number(m[1])))].sort((a, b) => a - b);

  it('the desk queue finds a title by any case of its accented letters, and ASCII searches still work', async () => {
    for (const [q, expected] of [
      ['überweisung', [transfer]],
      ['ÜBERWEISUNG', [transfer]],
      ['Überweisung FEHL', [transfer]],
      ['échec', [failure]],
      ['ÉCHEC', [failure]],
      ['fehl', [transfer]],
      ['PAIEMENT', [failure]],
    ] as [string, number[]][]) {
      const page = await asAdmin.get(`/desk?q=${encodeURIComponent(q)}`).expect(200);
      expect(requestIds(page.text, '/desk/requests/'), q).to.deep.equal(expected);
    }
  });

  it('the company filter, the portal search, the people list and the sharing picker do too', async () => {
    const byCompany = await asAdmin.get(`/desk?company_name=${encodeURIComponent('société')}`).expect(200);
    expect(requestIds(byCompany.text, '/desk/requests/')).to.have.length(3);
    const portal = await asCustomer.get(`/portal?q=${encodeURIComponent('überweisung')}`).expect(200);
    expect(requestIds(portal.text, '/portal/requests/')).to.deep.equal([transfer]);
    const people = await asAdmin.get(`/admin/users?q=${encodeURIComponent('émile')}`).expect(200);
    expect(people.text).to.contain('ÉMILE Zola');
    const picker = await asAdmin.get(`/desk/dashboards/${dashboard}/people?q=${encodeURIComponent('émile')}`).expect(200);
    expect((picker.body as { name: string }[]).map((p) => p.name)).to.deep.equal(['ÉMILE Zola']);
  });
});
