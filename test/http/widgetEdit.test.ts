/**
 * Editing a dashboard widget in place (POST /desk/dashboards/:id/widgets/:widgetId): its
 * title, its project and the data customers see change, its kind and place stay. A project
 * must be one the editor sees, and a widget on a project the editor cannot see is left to
 * someone who can. Refusals and bad input write nothing.
 */
import { expect } from 'chai';
import { createTestApp, csrfOf, signIn, snapshot, type Agent, type TestApp } from '../helpers/app';
import { addMember, buildProject, buildRole, buildStaff, PASSWORD } from '../helpers/factories';
import { insertWidget } from '../../server/repositories/widgets';

describe('editing a dashboard widget', function () {
  this.timeout(30_000);
  let t: TestApp;
  let shown: number;
  let secret: number;
  let asOwner: Agent;
  let board: number;

  before(async () => {
    t = await createTestApp();
    shown = await buildProject(t.db, { name: 'Support' });
    secret = await buildProject(t.db, { name: 'Secret HR', isPrivate: true });
    const owner = await buildStaff(t.db, 'user');
    await addMember(t.db, shown, owner.id, await buildRole(t.db, { comment: true }));
    asOwner = await signIn(t.app, 'desk', owner.email, PASSWORD);
    const csrf = await csrfOf(asOwner, '/desk/dashboards/new');
    const made = await asOwner.post('/desk/dashboards').type('form').send({ name: 'Health', _csrf: csrf }).expect(303);
    board = Number(/dashboards\/(\d+)/.exec(made.headers.location ?? '')?.[1]);
  });
  after(() => t.close());

  const save = async (as: Agent, widget: number, fields: Record<string, string>, status: number) => {
    const csrf = await csrfOf(as, '/desk');
    return as.post(`/desk/dashboards/${board}/widgets/${widget}`).type('form').send({ widget_id: String(widget), ...fields, _csrf: csrf }).expect(status);
  };
  const row = (id: number) => t.db('dashboard_widgets').where({ id }).first('kind', 'title', 'project_id', 'data_scope', 'position');

  it('changes title, project and customer data in place; kind and position stay', async () => {
    const first = await insertWidget(t.db, { dashboardId: board, kind: 'requests_by_status', title: 'Status', projectId: null, dataScope: 'viewer_company' });
    const second = await insertWidget(t.db, { dashboardId: board, kind: 'requests_by_type', title: 'Types', projectId: null, dataScope: 'viewer_company' });
    const before = await row(second);
    const res = await save(asOwner, second, { title: 'Support by type', project_id: String(shown), data_scope: 'all' }, 303);
    expect(res.headers.location).to.equal(`/desk/dashboards/${board}/edit?saved=1`);
    expect(await row(second)).to.deep.equal({ ...before, title: 'Support by type', project_id: shown, data_scope: 'all' });
    expect((await row(first))?.title).to.equal('Status');
    const page = await asOwner.get(`/desk/dashboards/${board}/edit`).expect(200);
    expect(page.text).to.contain(`action="/desk/dashboards/${board}/widgets/${second}"`).and.to.contain('value="Support by type"');
  });

  it('refuses a project the editor cannot see, an empty title and an unknown scope, showing what was typed; nothing written', async () => {
    const widget = await insertWidget(t.db, { dashboardId: board, kind: 'requests_by_status', title: 'Keep', projectId: null, dataScope: 'viewer_company' });
    const before = await snapshot(t.db);
    const hidden = await save(asOwner, widget, { title: 'Peek', project_id: String(secret), data_scope: 'all' }, 422);
    expect(hidden.text).to.contain('Choose a project from the list.').and.not.to.contain('Secret HR');
    const empty = await save(asOwner, widget, { title: '  ', project_id: '', data_scope: 'all' }, 422);
    expect(empty.text).to.contain('A widget needs a title of 1 to 200 characters.');
    await save(asOwner, widget, { title: 'Kept text', project_id: '', data_scope: 'everyone' }, 422).then((r) => expect(r.text).to.contain('value="Kept text"'));
    await save(asOwner, widget + 10_000, { title: 'Nope', project_id: '', data_scope: 'all' }, 404);
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('a widget on a project the editor cannot see offers no edit and refuses one; those without edit rights get 403/404', async () => {
    const onSecret = await insertWidget(t.db, { dashboardId: board, kind: 'requests_by_status', title: 'HR cases', projectId: secret, dataScope: 'viewer_company' });
    const page = await asOwner.get(`/desk/dashboards/${board}/edit`).expect(200);
    expect(page.text).to.contain('It charts a project you cannot see');
    expect(page.text).not.to.contain(`action="/desk/dashboards/${board}/widgets/${onSecret}"`);
    const observer = await signIn(t.app, 'desk', (await buildStaff(t.db, 'observer')).email, PASSWORD);
    const stranger = await signIn(t.app, 'desk', (await buildStaff(t.db, 'user')).email, PASSWORD);
    const before = await snapshot(t.db);
    expect((await save(asOwner, onSecret, { title: 'Moved off', project_id: '', data_scope: 'all' }, 422)).text).to.contain('only someone who sees that project can change it');
    await save(observer, onSecret, { title: 'x', project_id: '', data_scope: 'all' }, 404);
    await save(stranger, onSecret, { title: 'x', project_id: '', data_scope: 'all' }, 404);
    expect(await snapshot(t.db)).to.deep.equal(before);
  });
});
