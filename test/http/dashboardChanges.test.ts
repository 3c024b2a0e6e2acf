/**
 * Who may change a dashboard, and how: "add every customer of a company" is refused on an open
 * dashboard (customers never see open dashboards) and works on a restricted one; view-only
 * staff (an observer, or a user with a view grant) get 403 for every change and write nothing.
 */
import { expect } from 'chai';
import { createTestApp, snapshot, type TestApp } from '../helpers/app';
import { buildAccessWorld, idFrom, type AccessWorld } from '../helpers/accessWorld';
import type { PrincipalRow } from '../../server/repositories/principals';
import { CUSTOMER_ON_OPEN_REFUSED, type Restriction } from '../../server/permissions';
import { insertDashboard, insertGrant, updateRestriction } from '../../server/repositories/dashboards';
import { insertWidget } from '../../server/repositories/widgets';

const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);

describe('dashboard changes', function () {
  this.timeout(60_000);
  let t: TestApp;
  let agents: AccessWorld['agents'];
  let tokens: AccessWorld['tokens'];
  let people: AccessWorld['people'];
  let boards: AccessWorld['boards'];
  let acme: number;
  let member: PrincipalRow;
  let viewer: PrincipalRow;
  let observer: PrincipalRow;
  let bystander: PrincipalRow;
  let alice: PrincipalRow;

  before(async () => {
    t = await createTestApp();
    ({ agents, tokens, people, boards, acme, member, viewer, observer, bystander, alice } = await buildAccessWorld(t));
  });
  after(() => t.close());

  describe('"add every customer of a company" on an open dashboard', () => {
    for (const who of ['member', 'admin'] as const) {
      it(`as ${who === 'member' ? 'its owner' : 'an administrator'} → 422 with the reason, no grant written`, async () => {
        const before = await snapshot(t.db);
        const res = await agents[who].post(`/desk/dashboards/${boards.open}/grants/company`).type('form').send({ company_id: String(acme), _csrf: tokens[who] }).expect(422);
        expect(res.text).to.contain(CUSTOMER_ON_OPEN_REFUSED.replace(/"/g, '&#34;'));
        expect(await snapshot(t.db)).to.deep.equal(before);
      });
    }

    it('the same company on a restricted dashboard is added (the company is served and has customers)', async () => {
      const made = await agents.member.post('/desk/dashboards').type('form').send({ name: 'Acme board', _csrf: tokens.member }).expect(303);
      const id = idFrom(made.headers.location, /dashboards\/(\d+)\/edit/);
      await agents.member.post(`/desk/dashboards/${id}/grants/company`).type('form').send({ company_id: String(acme), _csrf: tokens.member }).expect(303);
      const granted = (await t.db('dashboard_grants').where({ dashboard_id: id }).pluck('principal_id')).map(Number);
      expect(sorted(granted)).to.deep.equal(sorted([alice.id, people.percent.id, people.underscore.id]));
    });
  });

  describe('view-only staff never change a dashboard', () => {
    type Change = [name: string, path: (board: number, widget: number, grant: number) => string, body: (restriction: Restriction) => Record<string, string>];
    const CHANGES: Change[] = [
      ['remove a widget', (b, w) => `/desk/dashboards/${b}/widgets/${w}/delete`, () => ({})],
      ['move a widget', (b, w) => `/desk/dashboards/${b}/widgets/${w}/move`, () => ({ direction: 'down' })],
      ['add a widget', (b) => `/desk/dashboards/${b}/widgets`, () => ({ kind: 'requests_by_status', title: 'Added' })],
      ['rename', (b) => `/desk/dashboards/${b}`, () => ({ name: 'Renamed board' })],
      ['change the restriction', (b) => `/desk/dashboards/${b}/permissions`, (r) => ({ restriction: r === 'open' ? 'restricted' : 'open', confirm: 'yes' })],
      ['add a grant', (b) => `/desk/dashboards/${b}/grants`, () => ({ email: bystander.email, level: 'view' })],
      ['add a company', (b) => `/desk/dashboards/${b}/grants/company`, () => ({ company_id: String(acme) })],
      ['remove a grant', (b, _w, g) => `/desk/dashboards/${b}/grants/${g}/delete`, () => ({})],
      ['delete the dashboard', (b) => `/desk/dashboards/${b}/delete`, () => ({ confirm: 'yes' })],
    ];
    const CASES: [label: string, who: 'observer' | 'viewer', restriction: Restriction, grantees: () => PrincipalRow[]][] = [
      ['an observer on an "Anyone can view and edit" dashboard', 'observer', 'open', () => [viewer]],
      ['an observer with a view grant on a restricted dashboard', 'observer', 'restricted', () => [observer, alice]],
      ['a user with a view grant on a restricted dashboard', 'viewer', 'restricted', () => [viewer, alice]],
    ];
    for (const [label, who, restriction, grantees] of CASES) {
      describe(label, () => {
        // A board of the member's per test, so a change let through by mistake cannot spill into the next test.
        let board: number;
        let widget: number;
        let grant: number;
        beforeEach(async () => {
          board = await insertDashboard(t.db, 'Scratch board', member.id);
          widget = await insertWidget(t.db, { dashboardId: board, kind: 'requests_by_status', title: 'By status', projectId: null, dataScope: 'viewer_company' });
          await insertWidget(t.db, { dashboardId: board, kind: 'requests_by_type', title: 'By type', projectId: null, dataScope: 'viewer_company' });
          const grants = [];
          for (const person of grantees()) grants.push(await insertGrant(t.db, board, person.id, 'view', member.id));
          grant = grants[0]!;
          await updateRestriction(t.db, board, restriction);
        });

        for (const [name, path, body] of CHANGES) {
          it(`${name} → 403, nothing written`, async () => {
            // They may view it: a change is refused as forbidden (403), the dashboard is not hidden (404).
            await agents[who].get(`/desk/dashboards/${board}`).expect(200);
            const before = await snapshot(t.db);
            const res = await agents[who].post(path(board, widget, grant)).type('form').send({ ...body(restriction), _csrf: tokens[who] });
            expect(res.status).to.equal(403);
            expect(await snapshot(t.db)).to.deep.equal(before);
          });
        }
      });
    }
  });

  it('widgets moved and added many at once (one editor, two tabs) all succeed: no deadlock, positions stay one each', async () => {
    const made = await agents.member.post('/desk/dashboards').type('form').send({ name: 'Busy board', _csrf: tokens.member }).expect(303);
    const id = idFrom(made.headers.location, /dashboards\/(\d+)\/edit/);
    const widgets: number[] = [];
    for (let i = 0; i < 4; i += 1) widgets.push(await insertWidget(t.db, { dashboardId: id, kind: 'requests_by_status', title: `W${i}`, projectId: null, dataScope: 'viewer_company' }));
    const moves = Array.from({ length: 30 }, (_, i) =>
      agents.member.post(`/desk/dashboards/${id}/widgets/${widgets[i % 4]}/move`).type('form').send({ direction: i % 2 ? 'up' : 'down', _csrf: tokens.member }),
    );
    const adds = Array.from({ length: 8 }, (_, i) =>
      agents.member.post(`/desk/dashboards/${id}/widgets`).type('form').send({ kind: 'requests_by_type', title: `Added ${i}`, _csrf: tokens.member }),
    );
    const statuses = (await Promise.all([...moves, ...adds])).map((r) => r.status);
    expect(statuses.filter((s) => s !== 303), statuses.join(' ')).to.deep.equal([]);
    const positions = (await t.db('dashboard_widgets').where({ dashboard_id: id }).pluck('position')).map(Number);
    expect(positions).to.have.length(12);
    expect(new Set(positions).size, positions.join(' ')).to.equal(12);
  });
});
