/**
 * /admin/projects: create and edit name, "private" and "open to the portal", each audited;
 * bad input re-renders with a message and writes nothing; a change of either flag changes who
 * sees what on the very next request.
 */
import { expect } from 'chai';
import { createTestApp, csrfOf, signIn, snapshot, type Agent, type TestApp } from '../helpers/app';
import { addMember, buildCompany, buildProject, buildRequest, buildRequester, buildRole, buildStaff, PASSWORD } from '../helpers/factories';
import type { PrincipalRow } from '../../server/repositories/principals';
import { toBool } from '../../server/db';

const auditOf = (t: TestApp, id: number) => t.db('audit_events').where({ target_type: 'project', target_id: id }).orderBy('id');
const flags = async (t: TestApp, id: number) => {
  const row = await t.db('projects').where({ id }).first();
  return { name: String(row.name), isPrivate: toBool(row.is_private), portalEnabled: toBool(row.portal_enabled) };
};

describe('/admin/projects', () => {
  let t: TestApp;
  let admin: PrincipalRow;
  let asAdmin: Agent;
  let token: string;

  before(async () => {
    t = await createTestApp();
    admin = await buildStaff(t.db, 'administrator');
    asAdmin = await signIn(t.app, 'desk', admin.email, PASSWORD);
    token = await csrfOf(asAdmin, '/admin/projects');
  });
  after(() => t.close());

  const post = (path: string, form: Record<string, string> | string) =>
    typeof form === 'string' ? asAdmin.post(path).type('form').send(`${form}&_csrf=${encodeURIComponent(token)}`) : asAdmin.post(path).type('form').send({ ...form, _csrf: token });
  /** The project form as a browser sends it: a hidden "false", then the box when ticked. */
  const browserForm = (name: string, isPrivate: boolean, portal: boolean) =>
    `name=${encodeURIComponent(name)}&is_private=false${isPrivate ? '&is_private=true' : ''}&portal_enabled=false${portal ? '&portal_enabled=true' : ''}`;

  it('lists projects with private, open to the portal and their number of members', async () => {
    const project = await buildProject(t.db, { name: 'Listed vault', isPrivate: true, portalEnabled: false });
    const role = await buildRole(t.db);
    for (let i = 0; i < 3; i += 1) await addMember(t.db, project, (await buildStaff(t.db, 'user')).id, role);
    const page = await asAdmin.get('/admin/projects').expect(200);
    const row = new RegExp(`<tr data-project="${project}">[\\s\\S]*?</tr>`).exec(page.text)![0];
    expect(row).to.contain(`<a href="/admin/projects/${project}">Listed vault</a>`).and.contain('data-private="true"').and.contain('data-portal="false"').and.contain('data-members="3"');
    const one = await asAdmin.get(`/admin/projects/${project}`).expect(200);
    expect(one.text).to.contain('value="Listed vault"').and.match(/id="is_private" name="is_private" value="true" checked/).and.not.match(/id="portal_enabled" name="portal_enabled" value="true" checked/);
  });

  it('creates a project with its flags as the browser sends them, audited', async () => {
    await post('/admin/projects', browserForm('  Field service ', true, true)).expect(303).expect('location', '/admin/projects?created=1');
    const row = await t.db('projects').where({ name: 'Field service' }).first();
    expect(await flags(t, Number(row.id))).to.deep.equal({ name: 'Field service', isPrivate: true, portalEnabled: true });
    await post('/admin/projects', browserForm('Back office', false, false)).expect(303);
    const back = Number((await t.db('projects').where({ name: 'Back office' }).first()).id);
    expect(await flags(t, back)).to.deep.equal({ name: 'Back office', isPrivate: false, portalEnabled: false });
    const events = await auditOf(t, Number(row.id));
    expect(events.map((e: { action: string }) => e.action)).to.deep.equal(['project.created']);
    expect(JSON.parse(events[0].after)).to.deep.equal({ name: 'Field service', isPrivate: true, portalEnabled: true });
    const log = await asAdmin.get('/admin/audit?target_type=project').expect(200);
    expect(log.text).to.contain(`<a href="/admin/projects/${row.id}">Field service</a>`);
  });

  it('edits name, private and open to the portal, one audit event per changed value', async () => {
    const id = await buildProject(t.db, { name: 'Edited', isPrivate: false, portalEnabled: true });
    await post(`/admin/projects/${id}`, browserForm('Edited again', true, false)).expect(303).expect('location', `/admin/projects/${id}?saved=1`);
    expect(await flags(t, id)).to.deep.equal({ name: 'Edited again', isPrivate: true, portalEnabled: false });
    const events = await auditOf(t, id);
    expect(events.map((e: { action: string; before: string; after: string }) => [e.action, JSON.parse(e.before), JSON.parse(e.after)])).to.deep.equal([
      ['project.renamed', { name: 'Edited' }, { name: 'Edited again' }],
      ['project.privacy_changed', { isPrivate: false }, { isPrivate: true }],
      ['project.portal_changed', { portalEnabled: true }, { portalEnabled: false }],
    ]);
    // Unchanged values record nothing; a field not sent is left as it is.
    await post(`/admin/projects/${id}`, browserForm('Edited again', true, false)).expect(303);
    await post(`/admin/projects/${id}`, { portal_enabled: 'true' }).expect(303);
    expect(await flags(t, id)).to.deep.equal({ name: 'Edited again', isPrivate: true, portalEnabled: true });
    expect((await auditOf(t, id)).map((e: { action: string }) => e.action)).to.deep.equal(['project.renamed', 'project.privacy_changed', 'project.portal_changed', 'project.portal_changed']);
    const log = await asAdmin.get('/admin/audit?action=project.privacy_changed').expect(200);
    expect(log.text).to.contain('isPrivate: false').and.contain('isPrivate: true');
  });

  it('refuses empty, over-long and duplicate names (in any case), bad flags and unknown ids, writing nothing', async () => {
    await buildProject(t.db, { name: 'Support desk' });
    const other = await buildProject(t.db, { name: 'Other desk', isPrivate: false, portalEnabled: true });
    const before = await snapshot(t.db);
    const cases: [string, Record<string, string> | string, string][] = [
      ['/admin/projects', browserForm('', false, false), 'Give the project a name.'],
      ['/admin/projects', browserForm('   ', true, false), 'Give the project a name.'],
      ['/admin/projects', browserForm('p'.repeat(201), false, false), 'at most 200 characters'],
      ['/admin/projects', browserForm('SUPPORT DESK', false, true), 'There is already a project named &#34;Support desk&#34;'],
      ['/admin/projects', { name: 'Flags', is_private: 'maybe' }, 'Tick the box or leave it empty.'],
      [`/admin/projects/${other}`, browserForm('', false, true), 'Give the project a name.'],
      [`/admin/projects/${other}`, browserForm('q'.repeat(201), false, true), 'at most 200 characters'],
      [`/admin/projects/${other}`, browserForm('support Desk', false, true), 'There is already a project named &#34;Support desk&#34;'],
      [`/admin/projects/${other}`, { portal_enabled: 'yes' }, 'Tick the box or leave it empty.'],
    ];
    for (const [path, form, message] of cases) {
      const res = await post(path, form).expect(422);
      expect(res.text, `${path} ${JSON.stringify(form)}`).to.contain(message);
    }
    // Shown again as filled in, not as stored.
    const refused = await post(`/admin/projects/${other}`, browserForm('support Desk', true, false)).expect(422);
    expect(refused.text).to.contain('value="support Desk"').and.match(/id="is_private" name="is_private" value="true" checked/).and.not.match(/id="portal_enabled" name="portal_enabled" value="true" checked/);
    await asAdmin.get('/admin/projects/999999').expect(404);
    await asAdmin.get('/admin/projects/abc').expect(404);
    await post('/admin/projects/999999', browserForm('Nowhere', false, false)).expect(404);
    await post('/admin/projects/999999', browserForm('', false, false)).expect(404);
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('a project made private disappears at once for an observer and a contributor who is not a member, not for a member', async () => {
    const project = await buildProject(t.db, { name: 'Going private', isPrivate: false, portalEnabled: true });
    const customer = await buildRequester(t.db, { company: await buildCompany(t.db) });
    const request = await buildRequest(t.db, { projectId: project, requester: customer, title: 'Soon behind closed doors' });
    const role = await buildRole(t.db, { comment: true });
    const observer = await buildStaff(t.db, 'observer');
    const outsider = await buildStaff(t.db, 'contributor', { defaultRoleId: role });
    const member = await buildStaff(t.db, 'contributor', { defaultRoleId: role });
    await addMember(t.db, project, member.id, role);
    const agents = {
      observer: await signIn(t.app, 'desk', observer.email, PASSWORD),
      outsider: await signIn(t.app, 'desk', outsider.email, PASSWORD),
      member: await signIn(t.app, 'desk', member.email, PASSWORD),
    };
    for (const a of Object.values(agents)) {
      await a.get(`/desk/requests/${request}`).expect(200);
      expect((await a.get('/desk?status=new').expect(200)).text).to.contain('Soon behind closed doors');
    }

    await post(`/admin/projects/${project}`, browserForm('Going private', true, true)).expect(303);

    for (const a of [agents.observer, agents.outsider]) {
      await a.get(`/desk/requests/${request}`).expect(404);
      expect((await a.get('/desk?status=new').expect(200)).text).not.to.contain('Soon behind closed doors');
    }
    await agents.member.get(`/desk/requests/${request}`).expect(200);
    expect((await agents.member.get('/desk?status=new').expect(200)).text).to.contain('Soon behind closed doors');
  });

  it('a project closed to the portal takes no more customer requests, and its public requests leave the ideas board at once', async () => {
    const project = await buildProject(t.db, { name: 'Closing portal', isPrivate: false, portalEnabled: true });
    const author = await buildRequester(t.db);
    const reader = await buildRequester(t.db);
    const idea = await buildRequest(t.db, { projectId: project, requester: author, type: 'idea', visibility: 'public', title: 'An idea about to vanish' });
    const asReader = await signIn(t.app, 'portal', reader.email, PASSWORD);
    const readerToken = await csrfOf(asReader, '/portal/requests/new');
    expect((await asReader.get('/portal/requests/new').expect(200)).text).to.contain(`<option value="${project}"`);
    expect((await asReader.get('/portal/ideas').expect(200)).text).to.contain('An idea about to vanish');
    await asReader.get(`/portal/requests/${idea}`).expect(200);

    await post(`/admin/projects/${project}`, browserForm('Closing portal', false, false)).expect(303);

    expect((await asReader.get('/portal/ideas').expect(200)).text).not.to.contain('An idea about to vanish');
    await asReader.get(`/portal/requests/${idea}`).expect(404);
    expect((await asReader.get('/portal/requests/new').expect(200)).text).not.to.contain(`<option value="${project}"`);
    const before = await snapshot(t.db);
    const refused = await asReader.post('/portal/requests').type('form').send({ project_id: String(project), type: 'issue', title: 'Into a closed project', _csrf: readerToken }).expect(422);
    expect(refused.text).to.contain('Choose one of the listed projects.');
    expect(await snapshot(t.db)).to.deep.equal(before);
  });
});
