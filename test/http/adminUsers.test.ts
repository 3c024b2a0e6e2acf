import { expect } from 'chai';
import { toBool } from '../../server/db';
import { createTestApp, csrfOf, signIn, snapshot, type Agent, type TestApp } from '../helpers/app';
import { buildProject, buildRequester, buildRole, buildStaff, PASSWORD } from '../helpers/factories';
import type { PrincipalRow } from '../../server/repositories/principals';
import { LAST_ADMIN } from '../../server/commands/administerPeople';

describe('/admin/users and /admin/audit', () => {
  let t: TestApp;
  let admin: PrincipalRow;
  let agent: Agent;
  let token: string;

  before(async () => {
    t = await createTestApp();
    admin = await buildStaff(t.db, 'administrator');
    agent = await signIn(t.app, 'desk', admin.email, PASSWORD);
    token = await csrfOf(agent, '/admin/users');
  });
  after(() => t.close());

  it('lists people with search and type filter', async () => {
    const customer = await buildRequester(t.db, { email: 'findme@customer.test' });
    const all = await agent.get('/admin/users').expect(200);
    expect(all.text).to.contain(admin.email).and.contain(customer.email);
    const found = await agent.get('/admin/users?q=FINDME').expect(200);
    expect(found.text).to.contain(customer.email).and.not.contain(admin.email);
    const staffOnly = await agent.get('/admin/users?type=administrator').expect(200);
    expect(staffOnly.text).to.contain(admin.email).and.not.contain(customer.email);
  });

  it('changes a user type and default role, audited with before and after', async () => {
    const person = await buildStaff(t.db, 'user');
    const role = await buildRole(t.db, { comment: true });
    await agent.post(`/admin/users/${person.id}`).type('form').send({ type: 'contributor', default_role_id: String(role), _csrf: token }).expect(303);
    const row = await t.db('principals').where({ id: person.id }).first();
    expect(row.type).to.equal('contributor');
    expect(Number(row.default_role_id)).to.equal(role);
    const events = await t.db('audit_events').where({ target_type: 'principal', target_id: person.id }).orderBy('id');
    expect(events.map((e: { action: string }) => e.action)).to.deep.equal(['principal.type_changed', 'principal.default_role_changed']);
    expect(JSON.parse(events[0].before)).to.deep.equal({ type: 'user' });
    expect(JSON.parse(events[0].after)).to.deep.equal({ type: 'contributor' });
    const log = await agent.get('/admin/audit?action=principal.type_changed').expect(200);
    // The target by name, linked to its page; the change as words, not JSON.
    expect(log.text).to.contain('principal.type_changed').and.contain(`<a href="/admin/users/${person.id}">${person.name}</a>`);
    expect(log.text).to.contain('type: user').and.contain('type: contributor').and.not.contain('{&#34;type');
    expect(log.text).not.to.contain('data-action="principal.default_role_changed"');
  });

  it('adds, changes and removes a project membership, each audited', async () => {
    const person = await buildStaff(t.db, 'user');
    const project = await buildProject(t.db);
    const r1 = await buildRole(t.db, { comment: true });
    const r2 = await buildRole(t.db, { edit: true });
    await agent.post(`/admin/users/${person.id}/memberships`).type('form').send({ project_id: String(project), role_id: String(r1), _csrf: token }).expect(303);
    await agent.post(`/admin/users/${person.id}/memberships`).type('form').send({ project_id: String(project), role_id: String(r2), _csrf: token }).expect(303);
    const m = await t.db('project_members').where({ principal_id: person.id });
    expect(m).to.have.length(1);
    expect(Number(m[0].role_id)).to.equal(r2);
    await agent.post(`/admin/users/${person.id}/memberships/${project}/delete`).type('form').send({ _csrf: token }).expect(303);
    expect(await t.db('project_members').where({ principal_id: person.id })).to.deep.equal([]);
    const actions = (await t.db('audit_events').where({ target_id: person.id, target_type: 'principal' }).orderBy('id')).map((e: { action: string }) => e.action);
    expect(actions).to.deep.equal(['membership.added', 'membership.changed', 'membership.removed']);
    // Ids in the changes are named: the project and the roles.
    const log = await agent.get('/admin/audit?action=membership.changed').expect(200);
    const projectName = (await t.db('projects').where({ id: project }).first()).name;
    const roleNames = (await t.db('roles').whereIn('id', [r1, r2]).orderBy('id').pluck('name')).map(String);
    expect(log.text).to.contain(`${projectName} (#${project})`).and.contain(`${roleNames[0]} (#${r1})`).and.contain(`${roleNames[1]} (#${r2})`);
  });

  it('refuses to demote or disable the last administrator, with a message and nothing written', async () => {
    const before = await snapshot(t.db);
    const demote = await agent.post(`/admin/users/${admin.id}`).type('form').send({ type: 'user', _csrf: token }).expect(422);
    expect(demote.text).to.contain(LAST_ADMIN.slice(0, 40));
    await agent.post(`/admin/users/${admin.id}`).type('form').send({ disabled: 'true', _csrf: token }).expect(422);
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('allows demoting an administrator when another remains', async () => {
    const second = await buildStaff(t.db, 'administrator');
    await agent.post(`/admin/users/${second.id}`).type('form').send({ type: 'observer', _csrf: token }).expect(303);
    expect((await t.db('principals').where({ id: second.id }).first()).type).to.equal('observer');
  });

  it('keeps customers customers and out of projects; unknown ids are 404 or a message', async () => {
    const customer = await buildRequester(t.db);
    const project = await buildProject(t.db);
    const role = await buildRole(t.db);
    const before = await snapshot(t.db);
    await agent.post(`/admin/users/${customer.id}`).type('form').send({ type: 'administrator', _csrf: token }).expect(422);
    await agent.post(`/admin/users/${customer.id}/memberships`).type('form').send({ project_id: String(project), role_id: String(role), _csrf: token }).expect(422);
    await agent.post('/admin/users/999999').type('form').send({ type: 'user', _csrf: token }).expect(404);
    await agent.post(`/admin/users/${admin.id}/memberships`).type('form').send({ project_id: '999999', role_id: String(role), _csrf: token }).expect(422);
    await agent.post(`/admin/users/${admin.id}/memberships`).type('form').send({ project_id: String(project), role_id: '999999', _csrf: token }).expect(422);
    await agent.get('/admin/users/abc').expect(404);
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('a refused change shows the form again as it was filled in, not as stored', async () => {
    const person = await buildStaff(t.db, 'user');
    const project = await buildProject(t.db, { name: 'Second choice' });
    const before = await snapshot(t.db);
    const refused = await agent.post(`/admin/users/${person.id}`).type('form').send(`type=contributor&default_role_id=999999&disabled=false&disabled=true&_csrf=${encodeURIComponent(token)}`).expect(422);
    expect(refused.text).to.match(/<option value="contributor" selected>/).and.match(/id="disabled" name="disabled" value="true" checked/);
    const membership = await agent.post(`/admin/users/${person.id}/memberships`).type('form').send({ project_id: String(project), role_id: '999999', _csrf: token }).expect(422);
    expect(membership.text).to.match(new RegExp(`<option value="${project}" selected>Second choice`));
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('the disabled checkbox works as the browser sends it (a hidden false, then the ticked box), both ways', async () => {
    const person = await buildStaff(t.db, 'user');
    const theirs = await signIn(t.app, 'desk', person.email, PASSWORD);
    const page = await agent.get(`/admin/users/${person.id}`).expect(200);
    // The page's own fields: the hidden "false" comes before the checkbox of the same name.
    expect(page.text.indexOf('name="disabled" value="false"')).to.be.greaterThan(-1).and.lessThan(page.text.indexOf('name="disabled" value="true"'));
    await agent.post(`/admin/users/${person.id}`).type('form').send(`type=user&default_role_id=&disabled=false&disabled=true&_csrf=${encodeURIComponent(token)}`).expect(303);
    expect(toBool((await t.db('principals').where({ id: person.id }).first()).disabled)).to.equal(true);
    expect((await agent.get(`/admin/users/${person.id}?saved=1`).expect(200)).text).to.contain('Saved.');
    await theirs.get('/desk').expect(302);
    await agent.post(`/admin/users/${person.id}`).type('form').send(`type=user&default_role_id=&disabled=false&_csrf=${encodeURIComponent(token)}`).expect(303);
    expect(toBool((await t.db('principals').where({ id: person.id }).first()).disabled)).to.equal(false);
  });

  it('ends a disabled person’s session', async () => {
    const person = await buildStaff(t.db, 'user');
    const theirs = await signIn(t.app, 'desk', person.email, PASSWORD);
    await theirs.get('/desk').expect(200);
    await agent.post(`/admin/users/${person.id}`).type('form').send({ disabled: 'true', _csrf: token }).expect(303);
    await theirs.get('/desk').expect(302);
  });

  for (const type of ['user', 'observer', 'contributor', 'requester'] as const) {
    it(`refuses a ${type} on every admin route with 403 and writes nothing`, async () => {
      const person = type === 'requester' ? await buildRequester(t.db) : await buildStaff(t.db, type);
      const victim = await buildStaff(t.db, 'user');
      const project = await buildProject(t.db);
      const role = await buildRole(t.db);
      const a = await signIn(t.app, type === 'requester' ? 'portal' : 'desk', person.email, PASSWORD);
      const tok = await csrfOf(a, type === 'requester' ? '/portal' : '/desk');
      const before = await snapshot(t.db);
      for (const path of ['/admin/users', `/admin/users/${victim.id}`, '/admin/audit']) await a.get(path).expect(403);
      await a.post(`/admin/users/${victim.id}`).type('form').send({ type: 'administrator', _csrf: tok }).expect(403);
      await a.post(`/admin/users/${person.id}`).type('form').send({ type: 'administrator', _csrf: tok }).expect(403);
      await a.post(`/admin/users/${victim.id}/memberships`).type('form').send({ project_id: String(project), role_id: String(role), _csrf: tok }).expect(403);
      await a.post(`/admin/users/${victim.id}/memberships/${project}/delete`).type('form').send({ _csrf: tok }).expect(403);
      expect(await snapshot(t.db)).to.deep.equal(before);
    });
  }
});
