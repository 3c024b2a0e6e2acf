/**
 * Bad input gets a clear answer and loses nothing (PRODUCT.md section 11), on both engines:
 * repeated and over-long fields, NUL characters, ids past the 32-bit columns, impossible
 * dates, a repeated API filter; and forms shown again keep what was typed.
 */
import { expect } from 'chai';
import supertest from 'supertest';
import { createTestApp, csrfOf, signIn, snapshot, type Agent, type TestApp } from '../helpers/app';
import { addMember, buildCompany, buildProject, buildRequest, buildRequester, buildRole, buildStaff, PASSWORD } from '../helpers/factories';
import { changeSettings } from '../../server/commands/changeSettings';
import { createAccessToken } from '../../server/repositories/accessTokens';
import { createPendingSignup, createResetToken } from '../../server/repositories/accountTokens';
import type { PrincipalRow } from '../../server/repositories/principals';

describe('bad input', function () {
  let t: TestApp;
  let admin: PrincipalRow;
  let alice: PrincipalRow;
  let project: number;
  let request: number;
  let asAdmin: Agent;
  let asAlice: Agent;
  let adminCsrf: string;
  let aliceCsrf: string;
  let token: string;

  before(async () => {
    t = await createTestApp();
    admin = await buildStaff(t.db, 'administrator');
    alice = await buildRequester(t.db, { company: await buildCompany(t.db) });
    project = await buildProject(t.db, { name: 'Support' });
    request = await buildRequest(t.db, { projectId: project, requester: alice });
    asAdmin = await signIn(t.app, 'desk', admin.email, PASSWORD);
    asAlice = await signIn(t.app, 'portal', alice.email, PASSWORD);
    adminCsrf = await csrfOf(asAdmin, '/desk');
    aliceCsrf = await csrfOf(asAlice, '/portal');
    token = (await createAccessToken(t.db, admin.id, 'bad input')).token;
  });
  after(() => t.close());

  const form = (agent: Agent, csrf: string, path: string, body: string) => agent.post(path).set('x-csrf-token', csrf).type('form').send(body);
  const anonymous = async (path: string, body: string) => {
    const agent = supertest.agent(t.app);
    return form(agent, await csrfOf(agent, '/portal/login'), path, body);
  };
  const messageOf = (html: string) => /<p class="error"[^>]*>([^<]*)</.exec(html)?.[1] ?? '';

  it('a field sent twice or longer than allowed re-renders its form with a message (422), writing nothing', async () => {
    const signup = await createPendingSignup(t.db, { email: 'long-password@new.test', name: 'Long', passwordHash: null });
    const reset = await createResetToken(t.db, (await buildRequester(t.db)).id);
    const cases: [Agent | null, string, string][] = [
      [null, '/portal/signup', 'name=a&name=b&email=new%40x.test'],
      [null, '/portal/signup', `name=${'n'.repeat(1200)}&email=new%40x.test`],
      [null, '/portal/password/forgot', 'email=a%40b.test&email=b%40c.test'],
      // A live link's token sent twice (a dead link says it is dead first: accounts.test.ts).
      [null, '/portal/password/reset', `token=${reset}&token=b&password=longenoughpassword`],
      [null, '/portal/signup/confirm', `token=${signup}&password=${'p'.repeat(5000)}`],
      [asAlice, '/portal/profile', 'name=a&name=b'],
      [asAlice, '/portal/profile', `name=${'n'.repeat(1200)}`],
      [asAlice, '/portal/profile/password', 'current_password=a&current_password=b&password=x'],
      [asAdmin, '/desk/dashboards', 'name=a&name=b'],
    ];
    for (const [agent, path, body] of cases) {
      const before = await snapshot(t.db, ['access_tokens', 'login_attempts']);
      const res = agent ? await form(agent, agent === asAlice ? aliceCsrf : adminCsrf, path, body) : await anonymous(path, body);
      expect(res.status, `${path} ${body.slice(0, 40)}`).to.equal(422);
      expect(messageOf(res.text), path).to.match(/sent more than once|at most|Enter your name/);
      expect(await snapshot(t.db, ['access_tokens', 'login_attempts']), path).to.deep.equal(before);
    }
  });

  it('a refused form keeps what was typed: a field sent twice comes back as its first value, an over-long email as typed', async () => {
    const submitted = await form(asAlice, aliceCsrf, '/portal/requests', `project_id=${project}&type=issue&title=KEEP+THIS+TITLE&title=second&description=KEEP+THIS+TEXT`).expect(422);
    expect(submitted.text).to.contain('value="KEEP THIS TITLE"').and.contain('KEEP THIS TEXT');
    const comment = await form(asAlice, aliceCsrf, `/portal/requests/${request}/comments`, 'body=FIRST+WORDS&body=second').expect(422);
    expect(comment.text).to.contain('FIRST WORDS').and.not.contain('FIRST WORDS,second');
    const item = await form(asAdmin, adminCsrf, '/desk/work-items', `project_id=${project}&type=task&name=KEEP+NAME&name=other&description=KEEP+DESCRIPTION&status=open`).expect(422);
    expect(item.text).to.contain('value="KEEP NAME"').and.contain('KEEP DESCRIPTION');
    const long = `${'e'.repeat(320)}@x.test`;
    const forgot = await anonymous('/portal/password/forgot', `email=${long}`);
    expect(forgot.status).to.equal(422);
    expect(forgot.text).to.contain(`value="${long}"`);
  });

  it('NUL characters are taken out of forms and query strings, so both engines store the same text', async () => {
    const res = await form(asAlice, aliceCsrf, '/portal/requests', `project_id=${project}&type=issue&title=Nul%00here&description=a%00b&visibility=private`).expect(303);
    const id = Number(/requests\/(\d+)/.exec(res.headers.location ?? '')?.[1]);
    expect(await t.db('requests').where({ id }).first('title', 'description')).to.deep.equal({ title: 'Nulhere', description: 'ab' });
    for (const path of ['/portal?q=%00', '/portal/ideas?page=%00']) await asAlice.get(path).expect(200);
    for (const path of ['/desk?q=a%00', '/desk?company_name=a%00', '/admin/users?q=%00', '/admin/audit?actor=%00']) await asAdmin.get(path).expect(200);
    // Nothing left of a NUL-only filter: the queue's address without it.
    expect((await asAdmin.get('/desk?q=%00').expect(302)).headers.location).to.equal('/desk');
    await supertest(t.app).get('/api/v1/Users?where=Email%20eq%20%22a%00b%22').set('Authorization', `Bearer ${token}`).expect(200);
    // Signing in with a NUL in the email is the same as without it.
    const agent = supertest.agent(t.app);
    await form(agent, await csrfOf(agent, '/desk/login'), '/desk/login', `email=${encodeURIComponent(admin.email)}%00&password=${encodeURIComponent(PASSWORD)}`).expect(303);
  });

  it('ids past what a column holds are a form error (422) or an unknown id (404), never a 500', async () => {
    const before = await snapshot(t.db, ['access_tokens', 'settings', 'audit_events']);
    const submit = await form(asAlice, aliceCsrf, '/portal/requests', 'project_id=99999999999&type=issue&title=Hello');
    expect(submit.status).to.equal(422);
    expect(messageOf(submit.text)).to.equal('Choose a project.');
    await changeSettings(t.db, admin.id, { 'direct_access.enabled': true });
    const api = (path: string) => supertest(t.app).get(path).set('Authorization', `Bearer ${token}`);
    for (const where of ['Id eq 99999999999', 'EntityId eq 100000000000000000000000']) {
      const res = await api(`/api/v1/EntityPermissions?where=${encodeURIComponent(where)}`);
      expect(res.status, where).to.equal(400);
      expect(res.body.Message).to.match(/at most 2147483647/);
    }
    expect((await api('/api/v1/Users?where=Id%20eq%2099999999999')).status).to.equal(400);
    expect((await api('/api/v1/Requests?where=Project.Id%20eq%2099999999999')).status).to.equal(400);
    expect((await api('/api/v1/EntityPermissions/99999999999')).status).to.equal(404);
    await changeSettings(t.db, admin.id, { 'direct_access.enabled': false });
    expect(await snapshot(t.db, ['access_tokens', 'settings', 'audit_events'])).to.deep.equal(before);
  });

  it('the API refuses a repeated where (400) instead of answering the unfiltered list', async () => {
    const api = (q: string) => supertest(t.app).get(`/api/v1/Users?${q}`).set('Authorization', `Bearer ${token}`);
    await api('where=Id%20eq%201').expect(200);
    for (const q of ['where=Id%20eq%201&where=Id%20eq%201', 'where=Id%20eq%201&where=%28%28%28']) {
      const res = await api(q);
      expect(res.status, q).to.equal(400);
      expect(res.body).to.deep.include({ Status: 'BadRequest' });
    }
  });

  it('with Direct Access off, EntityPermissions is 404 with or without a token', async () => {
    for (const auth of [{}, { Authorization: `Bearer ${token}` }, { Authorization: 'Bearer nonsense' }]) {
      expect((await supertest(t.app).get('/api/v1/EntityPermissions').set(auth)).status).to.equal(404);
    }
  });

  it('impossible audit dates are not used and the page says so; dates at the edges of the calendar answer 200; From after To is pointed out', async () => {
    for (const q of ['to=9999-12-31', 'from=0000-01-01', 'from=2024-02-31', 'to=2024-13-01']) {
      expect((await asAdmin.get(`/admin/audit?${q}`).expect(200)).text, q).to.contain('Not a date, so not used');
    }
    const fine = await asAdmin.get('/admin/audit?from=2024-02-28&to=2024-03-01').expect(200);
    expect(fine.text).not.to.contain('role="alert"');
    expect((await asAdmin.get('/admin/audit?from=2024-03-01&to=2024-02-28').expect(200)).text).to.contain('“From” is after “To”');
  });

  it('the audit log names actions in words, offers every action Portico records, and shows an empty before as a dash', async () => {
    const page = await asAdmin.get('/admin/audit').expect(200);
    expect(page.text).to.contain('<option value="principal.password_link_sent" >Link to set a password sent</option>');
    expect(page.text).to.contain('<option value="dashboard.grant_added" >Dashboard access given</option>');
    expect(page.text).not.to.match(/<td>null<\/td>/);
  });

  it('a refused internal note comes back as an internal note, text and box both kept', async () => {
    const before = await snapshot(t.db);
    const res = await form(asAdmin, adminCsrf, `/desk/requests/${request}/comments`, `body=${encodeURIComponent('x'.repeat(20_001))}&internal=true`);
    expect(res.status).to.equal(422);
    expect(/<input type="checkbox" id="internal"[^>]*>/.exec(res.text)?.[0]).to.contain('checked');
    expect(res.text).to.contain('x'.repeat(20_001));
    const reply = await form(asAdmin, adminCsrf, `/desk/requests/${request}/comments`, `body=%20&internal=false`);
    expect(/<input type="checkbox" id="internal"[^>]*>/.exec(reply.text)?.[0]).not.to.contain('checked');
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('an observer posting a blank reply is refused for who they are (403), not for what they wrote', async () => {
    const observer = await buildStaff(t.db, 'observer');
    await addMember(t.db, project, observer.id, await buildRole(t.db, { comment: true }));
    const asObserver = await signIn(t.app, 'desk', observer.email, PASSWORD);
    const before = await snapshot(t.db);
    expect((await form(asObserver, await csrfOf(asObserver, '/desk'), `/desk/requests/${request}/comments`, 'body=%20%20')).status).to.equal(403);
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('the dashboard forms keep what was typed on a 422: a grant, a name, a widget', async () => {
    const created = await form(asAdmin, adminCsrf, '/desk/dashboards', 'name=Board').expect(303);
    const id = Number(/dashboards\/(\d+)/.exec(created.headers.location ?? '')?.[1]);
    const customer = await buildRequester(t.db, { company: await buildCompany(t.db) });
    const before = await snapshot(t.db);
    const grant = await form(asAdmin, adminCsrf, `/desk/dashboards/${id}/grants`, `email=${encodeURIComponent(customer.email)}&level=edit`);
    expect(grant.status).to.equal(422);
    expect(/<input id="email"[^>]*>/.exec(grant.text)?.[0]).to.contain(`value="${customer.email}"`);
    expect(grant.text).to.match(/<option value="edit" selected>/);
    const rename = await form(asAdmin, adminCsrf, `/desk/dashboards/${id}`, `name=${'n'.repeat(201)}`);
    expect(rename.status).to.equal(422);
    expect(/<input id="name"[^>]*>/.exec(rename.text)?.[0]).to.contain('n'.repeat(201));
    const widget = await form(asAdmin, adminCsrf, `/desk/dashboards/${id}/widgets`, 'kind=requests_by_status&title=My%20title&project_id=abc&data_scope=all');
    expect(widget.status).to.equal(422);
    expect(/<input id="title"[^>]*>/.exec(widget.text)?.[0]).to.contain('value="My title"');
    expect(widget.text).to.match(/<option value="all" selected>/);
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('settings refused for one bad value are shown as submitted, and nothing is saved', async () => {
    const before = await snapshot(t.db);
    const res = await form(asAdmin, adminCsrf, '/admin/settings', 'share_links.enabled=true&dashboards.creators=nobody');
    expect(res.status).to.equal(422);
    expect(/<input[^>]*name="share_links.enabled"[^>]*type="checkbox"[^>]*>|<input[^>]*type="checkbox"[^>]*name="share_links.enabled"[^>]*>/.exec(res.text)?.[0]).to.contain('checked');
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('a new request left at "the usual for its type" is public for an idea and private otherwise', async () => {
    const page = await asAlice.get('/portal/requests/new?type=idea').expect(200);
    expect(/<input type="radio" id="visibility-default"[^>]*>/.exec(page.text)?.[0]).to.contain('checked');
    const made: Record<string, string> = {};
    for (const type of ['idea', 'issue']) {
      const res = await form(asAlice, aliceCsrf, '/portal/requests', `project_id=${project}&type=${type}&title=Default%20${type}&visibility=`).expect(303);
      const id = Number(/requests\/(\d+)/.exec(res.headers.location ?? '')?.[1]);
      made[type] = String((await t.db('requests').where({ id }).first('visibility')).visibility);
    }
    expect(made).to.deep.equal({ idea: 'public', issue: 'private' });
  });
});
