/**
 * A refusal never depends on the input: someone who may not create a dashboard or a work item
 * gets the same 403 whatever they typed, and nothing is written; the form's own problems (422)
 * are only for those who may. (The REST API's grants: apiRefusals.test.ts; a grant change in
 * the Direct Access panel: directAccessDesk.test.ts.)
 */
import { expect } from 'chai';
import { createTestApp, csrfOf, signIn, snapshot, type Agent, type TestApp } from '../helpers/app';
import { addMember, buildProject, buildRole, buildStaff, PASSWORD } from '../helpers/factories';
import { changeSettings } from '../../server/commands/changeSettings';

describe('refusals come before the form is read', () => {
  let t: TestApp;
  let project: number;
  let asObserver: Agent;
  let asCommenter: Agent;
  let asAdder: Agent;
  const tokens: Record<string, string> = {};

  before(async () => {
    t = await createTestApp();
    const admin = await buildStaff(t.db, 'administrator');
    project = await buildProject(t.db);
    const commenter = await buildStaff(t.db, 'user');
    await addMember(t.db, project, commenter.id, await buildRole(t.db, { comment: true }));
    const adder = await buildStaff(t.db, 'user');
    await addMember(t.db, project, adder.id, await buildRole(t.db, { add: true, edit: true, comment: true }));
    const observer = await buildStaff(t.db, 'observer');
    asObserver = await signIn(t.app, 'desk', observer.email, PASSWORD);
    asCommenter = await signIn(t.app, 'desk', commenter.email, PASSWORD);
    asAdder = await signIn(t.app, 'desk', adder.email, PASSWORD);
    for (const [k, a] of Object.entries({ observer: asObserver, commenter: asCommenter, adder: asAdder })) tokens[k] = await csrfOf(a, '/desk');
    await changeSettings(t.db, admin.id, { 'dashboards.creators': 'all_staff' });
  });
  after(() => t.close());

  async function sameRefusal(agent: Agent, token: string, path: string, bodies: Record<string, string | string[]>[], status: number) {
    const before = await snapshot(t.db);
    for (const body of bodies) {
      const res = await agent.post(path).type('form').send({ ...body, _csrf: token });
      expect(res.status, `${path} ${JSON.stringify(body).slice(0, 80)}`).to.equal(status);
    }
    expect(await snapshot(t.db), 'nothing written').to.deep.equal(before);
  }

  const dashboardBodies: Record<string, string | string[]>[] = [{ name: 'A fine board' }, { name: 'n'.repeat(201) }, { name: ['one', 'two'] }, {}];
  it('POST /desk/dashboards from an observer → 403 for a good name, a long one, one sent twice, none', () => sameRefusal(asObserver, tokens.observer!, '/desk/dashboards', dashboardBodies, 403));

  it('POST /desk/dashboards when only administrators create: a user → 403 whatever the name; a bad name from someone who may is 422', async () => {
    const admin = await buildStaff(t.db, 'administrator');
    await changeSettings(t.db, admin.id, { 'dashboards.creators': 'administrators' });
    try {
      await sameRefusal(asAdder, tokens.adder!, '/desk/dashboards', dashboardBodies, 403);
    } finally {
      await changeSettings(t.db, admin.id, { 'dashboards.creators': 'all_staff' });
    }
    const refused = await asAdder.post('/desk/dashboards').type('form').send({ name: 'n'.repeat(201), _csrf: tokens.adder }).expect(422);
    expect(refused.text).to.contain('New dashboard');
  });

  const item = (extra: Record<string, string>) => ({ project_id: String(project), type: 'task', name: 'Write the report', status: 'open', ...extra });
  const itemBodies = (): Record<string, string>[] => [item({}), item({ name: 'x' }), item({ type: 'spaceship' }), {}];

  it('POST /desk/work-items from an observer, who may add nowhere → 403 for a good item, a short name, a bad type, nothing', () => sameRefusal(asObserver, tokens.observer!, '/desk/work-items', itemBodies(), 403));

  it('POST /desk/work-items from a member who may only comment there → 403 whatever else the form holds', () => sameRefusal(asCommenter, tokens.commenter!, '/desk/work-items', itemBodies(), 403));

  it('POST /desk/work-items from someone who may add elsewhere but only comment here → 403 for this project whatever else the form holds', async () => {
    const mixed = await buildStaff(t.db, 'user');
    const elsewhere = await buildProject(t.db);
    await addMember(t.db, elsewhere, mixed.id, await buildRole(t.db, { add: true, comment: true }));
    await addMember(t.db, project, mixed.id, await buildRole(t.db, { comment: true }));
    const asMixed = await signIn(t.app, 'desk', mixed.email, PASSWORD);
    await sameRefusal(asMixed, await csrfOf(asMixed, '/desk'), '/desk/work-items', itemBodies().slice(0, 3), 403);
    // The same bad form for the project where they may add is theirs to correct.
    await asMixed.post('/desk/work-items').type('form').send({ ...item({ name: 'x' }), project_id: String(elsewhere), _csrf: await csrfOf(asMixed, '/desk') }).expect(422);
  });

  it('POST /desk/work-items from a member who may add: the form’s problems are 422, shown with what was typed', async () => {
    const short = await asAdder.post('/desk/work-items').type('form').send({ ...item({ name: '' }), _csrf: tokens.adder }).expect(422);
    expect(short.text).to.contain('New work item');
    await asAdder.post('/desk/work-items').type('form').send({ ...item({ type: 'spaceship' }), _csrf: tokens.adder }).expect(422);
  });
});
