/**
 * The portal's new-request form refused: every problem is named at once (not only the first),
 * each refused field is marked (aria-invalid) and points to its message (aria-describedby),
 * what was typed stays, and nothing is written.
 */
import { expect } from 'chai';
import { createTestApp, csrfOf, signIn, snapshot, type Agent, type TestApp } from '../helpers/app';
import { buildCompany, buildProject, buildRequester, PASSWORD } from '../helpers/factories';

describe('the new-request form names each problem at its field', function () {
  this.timeout(30_000);
  let t: TestApp;
  let project: number;
  let asCustomer: Agent;

  before(async () => {
    t = await createTestApp();
    project = await buildProject(t.db);
    asCustomer = await signIn(t.app, 'portal', (await buildRequester(t.db, { company: await buildCompany(t.db) })).email, PASSWORD);
  });
  after(() => t.close());

  const send = async (fields: Record<string, string>) => {
    const csrf = await csrfOf(asCustomer, '/portal/requests/new');
    return asCustomer.post('/portal/requests').type('form').send({ ...fields, _csrf: csrf }).expect(422);
  };

  it('two problems: both listed, both fields marked with their message, the text kept; nothing written', async () => {
    const before = await snapshot(t.db);
    const long = 'd'.repeat(20_001);
    const res = await send({ project_id: String(project), type: 'issue', title: 'ab', description: long });
    expect(res.text).to.contain('fix 2 things below');
    expect(res.text).to.contain('<a href="#title">The title needs at least 3 characters.</a>');
    expect(res.text).to.match(/<a href="#description">[^<]+<\/a>/);
    expect(/<input id="title"[^>]*>/.exec(res.text)?.[0]).to.contain('aria-invalid="true"').and.to.contain('aria-describedby="title-error"').and.to.contain('value="ab"');
    expect(res.text).to.contain('<p class="field-error" id="title-error">The title needs at least 3 characters.</p>');
    expect(/<textarea id="description"[^>]*>/.exec(res.text)?.[0]).to.contain('aria-describedby="description-error"');
    expect(res.text).to.contain(long);
    expect(/<select id="project_id"[^>]*>/.exec(res.text)?.[0]).not.to.contain('aria-invalid');
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('one problem: one message, at the top and at its field', async () => {
    const res = await send({ project_id: String(project), type: 'issue', title: 'ab' });
    expect(res.text).not.to.contain('things below');
    expect(res.text).to.contain('<p class="error" role="alert">The title needs at least 3 characters.</p>');
    expect(res.text).to.contain('id="title-error"');
  });

  it('a project that takes no requests is marked on the project field', async () => {
    const closed = await buildProject(t.db, { portalEnabled: false });
    const res = await send({ project_id: String(closed), type: 'issue', title: 'Printer jammed' });
    expect(/<select id="project_id"[^>]*>/.exec(res.text)?.[0]).to.contain('aria-invalid="true"');
    expect(res.text).to.contain('value="Printer jammed"');
  });
});
