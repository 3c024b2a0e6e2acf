/**
 * /admin/companies and a customer's company on their person page: create, rename, move, each
 * audited; bad input re-renders with a message and writes nothing; a moved customer sees with
 * their new company from their very next request, while their requests keep the old one.
 */
import { expect } from 'chai';
import { createTestApp, csrfOf, signIn, snapshot, type Agent, type TestApp } from '../helpers/app';
import { buildCompany, buildProject, buildRequest, buildRequester, buildStaff, PASSWORD } from '../helpers/factories';
import type { PrincipalRow } from '../../server/repositories/principals';
import { STAFF_HAVE_NO_COMPANY } from '../../server/commands/administerCompanies';
import { changeSettings } from '../../server/commands/changeSettings';
import { insertWidget } from '../../server/repositories/widgets';
import { insertedId, nowIso } from '../../server/db';

const auditOf = (t: TestApp, targetType: string, targetId: number) => t.db('audit_events').where({ target_type: targetType, target_id: targetId }).orderBy('id');

describe('/admin/companies and moving a customer between companies', () => {
  let t: TestApp;
  let admin: PrincipalRow;
  let asAdmin: Agent;
  let token: string;

  before(async () => {
    t = await createTestApp();
    admin = await buildStaff(t.db, 'administrator');
    asAdmin = await signIn(t.app, 'desk', admin.email, PASSWORD);
    token = await csrfOf(asAdmin, '/admin/companies');
  });
  after(() => t.close());

  const post = (path: string, form: Record<string, string>) => asAdmin.post(path).type('form').send({ ...form, _csrf: token });

  it('lists companies with their number of customers, each linked to its page', async () => {
    const initrode = await buildCompany(t.db, 'Initrode');
    await buildRequester(t.db, { company: initrode });
    await buildRequester(t.db, { company: initrode });
    await buildStaff(t.db, 'user');
    const page = await asAdmin.get('/admin/companies').expect(200);
    expect(page.text).to.match(new RegExp(`<a href="/admin/companies/${initrode}">Initrode</a></td>\\s*<td data-customers="2">`));
    expect(page.text).to.contain('href="/admin/companies"').and.contain('href="/admin/projects"');
    const one = await asAdmin.get(`/admin/companies/${initrode}`).expect(200);
    expect(one.text).to.contain('value="Initrode"');
  });

  it('creates a company (trimmed), audited with its name', async () => {
    await post('/admin/companies', { name: '  Umbrella Corp  ' }).expect(303).expect('location', '/admin/companies?created=1');
    const row = await t.db('companies').where({ name: 'Umbrella Corp' }).first();
    expect(row, 'created').to.exist;
    const events = await auditOf(t, 'company', Number(row.id));
    expect(events.map((e: { action: string }) => e.action)).to.deep.equal(['company.created']);
    expect(JSON.parse(events[0].before)).to.equal(null);
    expect(JSON.parse(events[0].after)).to.deep.equal({ name: 'Umbrella Corp' });
    expect(Number(events[0].actor_id)).to.equal(admin.id);
    const log = await asAdmin.get('/admin/audit?target_type=company').expect(200);
    expect(log.text).to.contain(`<a href="/admin/companies/${row.id}">Umbrella Corp</a>`).and.contain('name: Umbrella Corp');
  });

  it('renames a company, audited with the old and new names; its customers stay in it', async () => {
    const id = await buildCompany(t.db, 'Vandelay');
    const customer = await buildRequester(t.db, { company: id });
    await post(`/admin/companies/${id}`, { name: 'Vandelay Industries' }).expect(303).expect('location', `/admin/companies/${id}?saved=1`);
    expect((await t.db('companies').where({ id }).first()).name).to.equal('Vandelay Industries');
    expect(Number((await t.db('principals').where({ id: customer.id }).first()).company_id)).to.equal(id);
    const events = await auditOf(t, 'company', id);
    expect(events.map((e: { action: string }) => e.action)).to.deep.equal(['company.renamed']);
    expect(JSON.parse(events[0].before)).to.deep.equal({ name: 'Vandelay' });
    expect(JSON.parse(events[0].after)).to.deep.equal({ name: 'Vandelay Industries' });
    // Only its case changed: still the same company, renamed.
    await post(`/admin/companies/${id}`, { name: 'VANDELAY INDUSTRIES' }).expect(303);
    expect((await t.db('companies').where({ id }).first()).name).to.equal('VANDELAY INDUSTRIES');
    // The same name again: nothing to record.
    await post(`/admin/companies/${id}`, { name: 'VANDELAY INDUSTRIES' }).expect(303);
    expect(await auditOf(t, 'company', id)).to.have.length(2);
  });

  it('refuses empty, over-long and duplicate names (in any case), re-rendering with a message and writing nothing', async () => {
    const acme = await buildCompany(t.db, 'Acme');
    const other = await buildCompany(t.db, 'Globex');
    const before = await snapshot(t.db);
    const cases: [string, Record<string, string>, string][] = [
      ['/admin/companies', { name: '' }, 'Give the company a name.'],
      ['/admin/companies', { name: '   ' }, 'Give the company a name.'],
      ['/admin/companies', { name: 'x'.repeat(201) }, 'at most 200 characters'],
      ['/admin/companies', {}, 'Name is missing.'],
      ['/admin/companies', { name: 'aCME' }, 'There is already a company named &#34;Acme&#34;'],
      ['/admin/companies', { name: ' ACME ' }, 'There is already a company named &#34;Acme&#34;'],
      [`/admin/companies/${other}`, { name: '' }, 'Give the company a name.'],
      [`/admin/companies/${other}`, { name: 'y'.repeat(201) }, 'at most 200 characters'],
      [`/admin/companies/${other}`, { name: 'acme' }, 'There is already a company named &#34;Acme&#34;'],
    ];
    for (const [path, form, message] of cases) {
      const res = await post(path, form).expect(422);
      expect(res.text, `${path} ${JSON.stringify(form)}`).to.contain(message);
    }
    // What was typed is shown again.
    expect((await post('/admin/companies', { name: 'acme' }).expect(422)).text).to.contain('value="acme"');
    expect((await post(`/admin/companies/${other}`, { name: 'ACME' }).expect(422)).text).to.contain('value="ACME"');
    // Unknown or malformed ids are simply not found.
    await asAdmin.get('/admin/companies/999999').expect(404);
    await asAdmin.get('/admin/companies/abc').expect(404);
    await post('/admin/companies/999999', { name: 'Nobody' }).expect(404);
    await post('/admin/companies/999999', { name: '' }).expect(404);
    expect(await snapshot(t.db)).to.deep.equal(before);
    expect((await t.db('companies').where({ id: acme }).first()).name).to.equal('Acme');
  });

  it('a 200-character name is taken whole', async () => {
    const name = `${'z'.repeat(199)}é`;
    await post('/admin/companies', { name }).expect(303);
    expect(await t.db('companies').where({ name }).first()).to.exist;
  });

  it('a name that lower-cases past 200 characters ("İ" is two) is refused with a message, not a 500 (found by review)', async () => {
    const before = await snapshot(t.db);
    const res = await post('/admin/companies', { name: 'İ'.repeat(200) }).expect(422);
    expect(res.text).to.contain('at most 200 characters');
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  describe("a customer's company, on their person page", () => {
    it('offers the companies and "No company" to a customer, and nothing of the kind for staff', async () => {
      const acme = await buildCompany(t.db);
      const customer = await buildRequester(t.db, { company: acme });
      const page = await asAdmin.get(`/admin/users/${customer.id}`).expect(200);
      expect(page.text).to.contain(`action="/admin/users/${customer.id}/company"`).and.contain('<option value="">No company</option>');
      expect(page.text).to.match(new RegExp(`<option value="${acme}" selected>`));
      const staff = await buildStaff(t.db, 'user');
      expect((await asAdmin.get(`/admin/users/${staff.id}`).expect(200)).text).not.to.contain('/company"');
    });

    it('moves a customer to another company and to none, each audited with before and after', async () => {
      const from = await buildCompany(t.db, 'Moving From');
      const to = await buildCompany(t.db, 'Moving To');
      const customer = await buildRequester(t.db, { company: from });
      await post(`/admin/users/${customer.id}/company`, { company_id: String(to) }).expect(303).expect('location', `/admin/users/${customer.id}?saved=1`);
      expect(Number((await t.db('principals').where({ id: customer.id }).first()).company_id)).to.equal(to);
      await post(`/admin/users/${customer.id}/company`, { company_id: '' }).expect(303);
      expect((await t.db('principals').where({ id: customer.id }).first()).company_id).to.equal(null);
      // The same choice again records nothing.
      await post(`/admin/users/${customer.id}/company`, { company_id: '' }).expect(303);
      const events = await auditOf(t, 'principal', customer.id);
      expect(events.map((e: { action: string }) => e.action)).to.deep.equal(['principal.company_changed', 'principal.company_changed']);
      expect(events.map((e: { before: string; after: string }) => [JSON.parse(e.before), JSON.parse(e.after)])).to.deep.equal([
        [{ companyId: from }, { companyId: to }],
        [{ companyId: to }, { companyId: null }],
      ]);
      const log = await asAdmin.get('/admin/audit?action=principal.company_changed').expect(200);
      expect(log.text).to.contain(`company: Moving From (#${from})`).and.contain(`company: Moving To (#${to})`).and.contain('company: none');
    });

    it('refuses a company for a staff member, an unknown company and a malformed choice, with a message and nothing written', async () => {
      const acme = await buildCompany(t.db);
      const customer = await buildRequester(t.db, { company: acme });
      const staff = await buildStaff(t.db, 'contributor');
      const before = await snapshot(t.db);
      const asStaff = await post(`/admin/users/${staff.id}/company`, { company_id: String(acme) }).expect(422);
      expect(asStaff.text).to.contain(STAFF_HAVE_NO_COMPANY.slice(0, 40));
      await post(`/admin/users/${staff.id}/company`, { company_id: '' }).expect(422);
      const unknown = await post(`/admin/users/${customer.id}/company`, { company_id: '999999' }).expect(422);
      expect(unknown.text).to.contain('That company does not exist.');
      expect((await post(`/admin/users/${customer.id}/company`, { company_id: 'abc' }).expect(422)).text).to.contain('Choose a company from the list, or none.');
      await post(`/admin/users/${customer.id}/company`, {}).expect(422);
      await post('/admin/users/999999/company', { company_id: String(acme) }).expect(404);
      expect(await snapshot(t.db)).to.deep.equal(before);
    });

    it("the moved customer's very next request sees the new company's shared requests and no longer the old one's; their requests keep their company", async () => {
      const project = await buildProject(t.db, { portalEnabled: true });
      const oldCompany = await buildCompany(t.db);
      const newCompany = await buildCompany(t.db);
      const mover = await buildRequester(t.db, { company: oldCompany });
      const oldColleague = await buildRequester(t.db, { company: oldCompany });
      const newColleague = await buildRequester(t.db, { company: newCompany });
      const oldShared = await buildRequest(t.db, { projectId: project, requester: oldColleague, visibility: 'company', title: 'Old company shared' });
      const newShared = await buildRequest(t.db, { projectId: project, requester: newColleague, visibility: 'company', title: 'New company shared' });
      const ownShared = await buildRequest(t.db, { projectId: project, requester: mover, visibility: 'company', title: 'Mover raised this' });
      const asMover = await signIn(t.app, 'portal', mover.email, PASSWORD);
      const asOldColleague = await signIn(t.app, 'portal', oldColleague.email, PASSWORD);
      const home = await asMover.get('/portal').expect(200);
      expect(home.text).to.contain('Old company shared').and.not.contain('New company shared');
      await asMover.get(`/portal/requests/${newShared}`).expect(404);
      const tallies = JSON.stringify(await t.db('request_tallies').orderBy(['project_id', 'company_key', 'status', 'type']));

      await post(`/admin/users/${mover.id}/company`, { company_id: String(newCompany) }).expect(303);

      // The same session, its very next request.
      const after = await asMover.get('/portal').expect(200);
      expect(after.text).to.contain('New company shared').and.not.contain('Old company shared');
      expect(after.text, 'their own request stays theirs').to.contain('Mover raised this');
      await asMover.get(`/portal/requests/${oldShared}`).expect(404);
      await asMover.get(`/portal/requests/${newShared}`).expect(200);
      await asMover.get(`/portal/requests/${ownShared}`).expect(200);
      // The request keeps the company it was raised under: the old colleagues still share it, and
      // the tallies, which count by that company, are exactly as they were.
      expect(Number((await t.db('requests').where({ id: ownShared }).first()).company_id)).to.equal(oldCompany);
      await asOldColleague.get(`/portal/requests/${ownShared}`).expect(200);
      expect(JSON.stringify(await t.db('request_tallies').orderBy(['project_id', 'company_key', 'status', 'type']))).to.equal(tallies);
      // A request raised from now on is the new company's.
      const tok = await csrfOf(asMover, '/portal/requests/new');
      const raised = await asMover.post('/portal/requests').type('form').send({ project_id: String(project), type: 'issue', title: 'Raised after the move', _csrf: tok }).expect(303);
      const raisedId = Number(/requests\/(\d+)/.exec(raised.headers.location!)![1]);
      expect(Number((await t.db('requests').where({ id: raisedId }).first()).company_id)).to.equal(newCompany);
    });

    it("the moved customer's dashboard widgets scoped to their company count the new company's requests at once", async () => {
      await changeSettings(t.db, admin.id, { 'portal.dashboards': true });
      const project = await buildProject(t.db, { portalEnabled: true });
      const oldCompany = await buildCompany(t.db);
      const newCompany = await buildCompany(t.db);
      const mover = await buildRequester(t.db, { company: oldCompany });
      const oldColleague = await buildRequester(t.db, { company: oldCompany });
      const newColleague = await buildRequester(t.db, { company: newCompany });
      await buildRequest(t.db, { projectId: project, requester: oldColleague, status: 'open', title: 'Old company open' });
      await buildRequest(t.db, { projectId: project, requester: newColleague, status: 'resolved', title: 'New company resolved' });
      await buildRequest(t.db, { projectId: project, requester: newColleague, status: 'resolved', type: 'idea', title: 'New company idea' });
      const now = nowIso();
      const board = insertedId(await t.db('dashboards').insert({ name: 'Company health', owner_id: admin.id, restriction: 'restricted', created_at: now, updated_at: now }).returning('id'));
      await insertWidget(t.db, { dashboardId: board, kind: 'requests_by_status', title: 'By status', projectId: project, dataScope: 'viewer_company' });
      await insertWidget(t.db, { dashboardId: board, kind: 'oldest_open', title: 'Oldest', projectId: project, dataScope: 'viewer_company' });
      await t.db('dashboard_grants').insert({ dashboard_id: board, principal_id: mover.id, level: 'view', created_at: now });
      const asMover = await signIn(t.app, 'portal', mover.email, PASSWORD);
      const figures = (html: string) => [.../data-widget-kind="requests_by_status"[\s\S]*?<\/figure>/.exec(html)![0].matchAll(/data-value="(\d+)"/g)].map((m) => Number(m[1]));
      // new, open, in progress, resolved, closed
      const before = await asMover.get(`/portal/dashboards/${board}`).expect(200);
      expect(figures(before.text)).to.deep.equal([0, 1, 0, 0, 0]);

      await post(`/admin/users/${mover.id}/company`, { company_id: String(newCompany) }).expect(303);

      const after = await asMover.get(`/portal/dashboards/${board}`).expect(200);
      expect(figures(after.text)).to.deep.equal([0, 0, 0, 2, 0]);
      await post(`/admin/users/${mover.id}/company`, { company_id: '' }).expect(303);
      const none = await asMover.get(`/portal/dashboards/${board}`).expect(200);
      expect(none.text).not.to.contain('data-value="2"').and.not.contain('data-value="1"');
    });
  });
});
