/**
 * Access gaps a mutation review found unguarded: the desk search escaping its scope by `#id`,
 * search and filter text reaching SQL, typed markup on staff pages, foreign ids in body fields
 * (project, work item, owner), company grants on open dashboards, and view-only staff
 * changing a dashboard. One world for all of them, built in before().
 */
import { expect } from 'chai';
import { createTestApp, csrfOf, signIn, snapshot, type Agent, type TestApp } from '../helpers/app';
import { addMember, buildCompany, buildProject, buildRequest, buildRequester, buildRole, buildStaff, PASSWORD } from '../helpers/factories';
import { insertedId, nowIso } from '../../server/db';
import type { PrincipalRow } from '../../server/repositories/principals';
import { CUSTOMER_ON_OPEN_REFUSED, type Restriction } from '../../server/permissions';
import { insertDashboard, insertGrant, updateRestriction } from '../../server/repositories/dashboards';
import { insertWidget } from '../../server/repositories/widgets';

/** A script tag and an event handler, numbered so each field's copy can be told apart. */
const payload = (n: number) => `<script>alert(${n})</script><img src=x onerror=alert(${n})>`;
/** The payload as EJS's `<%= %>` writes it. */
const escaped = (n: number) => `&lt;script&gt;alert(${n})&lt;/script&gt;&lt;img src=x onerror=alert(${n})&gt;`;
const XSS = {
  title: 1,
  description: 2,
  reply: 3,
  note: 4,
  itemName: 5,
  itemDescription: 6,
  dashboardName: 7,
  widgetTitle: 8,
  companyName: 9,
  personName: 10,
  customerComment: 11,
} as const;
type XssField = keyof typeof XSS;

/** Search text that must be taken literally: LIKE wildcards, the escape character, quotes, injections. */
const CORPUS = ['%', '_', "'", '\\', '\\\\', "' OR 1=1--", '") or ("1"="1'] as const;
type Probe = (typeof CORPUS)[number];

/** Distinct ids of the links to `prefix<id>` in a page, sorted. */
function idsIn(html: string, prefix: string): number[] {
  const ids = [...html.matchAll(new RegExp(`href="${prefix}(\\d+)"`, 'g'))].map((m) => Number(m[1]));
  return [...new Set(ids)].sort((a, b) => a - b);
}

/** The queue's status tabs: `{ all: 1, new: 1, open: 0, ... }`. */
function tabCounts(html: string): Record<string, number> {
  return Object.fromEntries([...html.matchAll(/data-count="(\w+)">([\d,]+)\+?</g)].map((m) => [m[1], Number(m[2]!.replace(/,/g, ''))]));
}

const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);

/** The id in a redirect's address: its last path segment by default (`/portal/requests/12?submitted=1` → 12). */
function idFrom(location: string | undefined, pattern = /\/(\d+)(?:\?.*)?$/): number {
  const m = pattern.exec(location ?? '');
  if (!m) throw new Error(`no id in ${location}`);
  return Number(m[1]);
}

describe('access gaps found by mutation review', function () {
  this.timeout(60_000);
  let t: TestApp;
  let admin: PrincipalRow;
  let member: PrincipalRow;
  let viewer: PrincipalRow;
  let observer: PrincipalRow;
  let bystander: PrincipalRow;
  let alice: PrincipalRow;
  let xssPerson: PrincipalRow;
  let acme: number;
  let support: number;
  let vault: number;
  let internal: number;
  const agents = {} as Record<'admin' | 'member' | 'viewer' | 'observer' | 'alice' | 'xssPerson', Agent>;
  const tokens = {} as Record<keyof typeof agents, string>;
  /** Requests by role in the world. */
  const req = {} as Record<'hidden' | 'followUp' | 'percent' | 'underscore' | 'quote' | 'backslash' | 'plain' | 'oddCompany' | 'xss', number>;
  /** Special-named people, for the people searches. */
  const people = {} as Record<'percent' | 'underscore' | 'quote' | 'backslash', PrincipalRow>;
  let vaultItem: number;
  let xssItem: number;
  const boards = {} as Record<'open' | 'xss', number>;

  before(async () => {
    t = await createTestApp();
    acme = await buildCompany(t.db, 'Acme');
    const globex = await buildCompany(t.db, 'Globex');
    const xssCompany = await buildCompany(t.db, payload(XSS.companyName));
    const oddCompany = await buildCompany(t.db, "Fifty% O'Neil_Back\\slash Co");
    support = await buildProject(t.db, { name: 'Support' });
    vault = await buildProject(t.db, { name: 'Vault', isPrivate: true, portalEnabled: false });
    internal = await buildProject(t.db, { name: 'Internal tools', portalEnabled: false });

    admin = await buildStaff(t.db, 'administrator');
    member = await buildStaff(t.db, 'user');
    viewer = await buildStaff(t.db, 'user');
    observer = await buildStaff(t.db, 'observer');
    bystander = await buildStaff(t.db, 'user');
    await addMember(t.db, support, member.id, await buildRole(t.db, { add: true, edit: true, delete: true, comment: true }));
    alice = await buildRequester(t.db, { company: acme });
    const carol = await buildRequester(t.db, { company: globex });
    const oddPerson = await buildRequester(t.db, { company: oddCompany });
    xssPerson = await buildRequester(t.db, { company: xssCompany, name: payload(XSS.personName) });
    people.percent = await buildRequester(t.db, { company: acme, name: 'Percy 100% Sure' });
    people.underscore = await buildRequester(t.db, { company: acme, name: 'Una Under_score' });
    people.quote = await buildStaff(t.db, 'user');
    await t.db('principals').where({ id: people.quote.id }).update({ name: "Owen O'Brien" });
    people.backslash = await buildStaff(t.db, 'user');
    await t.db('principals').where({ id: people.backslash.id }).update({ name: 'Bea Back\\slash' });

    for (const [key, person, realm] of [
      ['admin', admin, 'desk'],
      ['member', member, 'desk'],
      ['viewer', viewer, 'desk'],
      ['observer', observer, 'desk'],
      ['alice', alice, 'portal'],
      ['xssPerson', xssPerson, 'portal'],
    ] as const) {
      agents[key] = await signIn(t.app, realm, person.email, PASSWORD);
      tokens[key] = await csrfOf(agents[key], realm === 'desk' ? '/desk' : '/portal');
    }

    // Typed markup, entered through the forms people use (the request first: the oldest open).
    const submitted = await agents.xssPerson
      .post('/portal/requests')
      .type('form')
      .send({ project_id: String(support), type: 'issue', title: payload(XSS.title), description: payload(XSS.description), visibility: 'private', _csrf: tokens.xssPerson })
      .expect(303);
    req.xss = idFrom(submitted.headers.location);
    await agents.xssPerson.post(`/portal/requests/${req.xss}/comments`).type('form').send({ body: payload(XSS.customerComment), _csrf: tokens.xssPerson }).expect(303);
    await agents.member.post(`/desk/requests/${req.xss}/comments`).type('form').send({ body: payload(XSS.reply), _csrf: tokens.member }).expect(303);
    await agents.member.post(`/desk/requests/${req.xss}/comments`).type('form').send({ body: payload(XSS.note), internal: 'true', _csrf: tokens.member }).expect(303);
    const item = await agents.member
      .post('/desk/work-items')
      .type('form')
      .send({ project_id: String(support), type: 'task', name: payload(XSS.itemName), description: payload(XSS.itemDescription), status: 'open', _csrf: tokens.member })
      .expect(303);
    xssItem = idFrom(item.headers.location);
    await agents.member.post(`/desk/requests/${req.xss}/links`).type('form').send({ work_item_id: String(xssItem), _csrf: tokens.member }).expect(303);

    // Requests whose titles the searches must match literally, and one the searchers may not see.
    req.hidden = await buildRequest(t.db, { projectId: vault, requester: carol, title: 'Vault hidden matter', status: 'open' });
    req.followUp = await buildRequest(t.db, { projectId: support, requester: alice, title: `Follow-up to #${req.hidden}`, status: 'new' });
    req.percent = await buildRequest(t.db, { projectId: support, requester: alice, title: 'Discount 50% off' });
    req.underscore = await buildRequest(t.db, { projectId: support, requester: alice, title: 'snake_case field' });
    req.quote = await buildRequest(t.db, { projectId: support, requester: alice, title: "O'Reilly printer" });
    req.backslash = await buildRequest(t.db, { projectId: support, requester: alice, title: 'Path C:\\temp broken' });
    req.plain = await buildRequest(t.db, { projectId: support, requester: alice, title: 'Plain ordinary title' });
    req.oddCompany = await buildRequest(t.db, { projectId: support, requester: oddPerson, title: 'Odd company request' });

    const now = nowIso();
    vaultItem = insertedId(
      await t.db('work_items').insert({ project_id: vault, type: 'bug', name: 'Vault blueprint', description: '', status: 'open', created_at: now, updated_at: now }).returning('id'),
    );

    // Dashboards, made by their owner (the member) through the desk.
    const board = async (name: string) => idFrom((await agents.member.post('/desk/dashboards').type('form').send({ name, _csrf: tokens.member }).expect(303)).headers.location, /dashboards\/(\d+)\/edit/);
    const widget = (id: number, kind: string, title = '') =>
      agents.member.post(`/desk/dashboards/${id}/widgets`).type('form').send({ kind, title, project_id: String(support), _csrf: tokens.member }).expect(303);
    const grant = (id: number, email: string, level = 'view') => agents.member.post(`/desk/dashboards/${id}/grants`).type('form').send({ email, level, _csrf: tokens.member }).expect(303);

    boards.xss = await board(payload(XSS.dashboardName));
    await widget(boards.xss, 'oldest_open', payload(XSS.widgetTitle));
    await grant(boards.xss, xssPerson.email);

    boards.open = await board('Team scratchpad');
    await widget(boards.open, 'requests_by_status');
    await grant(boards.open, viewer.email);
    await agents.member.post(`/desk/dashboards/${boards.open}/permissions`).type('form').send({ restriction: 'open', _csrf: tokens.member }).expect(303);
  });
  after(() => t.close());

  describe('desk search by #id stays within what the viewer may see', () => {
    for (const who of ['observer', 'member'] as const) {
      it(`as ${who === 'observer' ? 'an observer' : 'a user outside the private project'}: #<hidden id> shows neither the hidden request nor counts it`, async () => {
        await agents[who].get(`/desk/requests/${req.hidden}`).expect(404);
        const page = await agents[who].get(`/desk?q=%23${req.hidden}`).expect(200);
        expect(page.text).not.to.contain('Vault hidden matter');
        expect(idsIn(page.text, '/desk/requests/')).to.deep.equal([req.followUp]);
        // Only the visible request whose title names the id: one new request, nothing open.
        expect(tabCounts(page.text)).to.deep.equal({ all: 1, new: 1, open: 0, in_progress: 0, resolved: 0, closed: 0 });
        const openTab = await agents[who].get(`/desk?q=%23${req.hidden}&status=open`).expect(200);
        expect(openTab.text).not.to.contain('Vault hidden matter');
        expect(idsIn(openTab.text, '/desk/requests/')).to.deep.equal([]);
        expect(openTab.text).to.contain('>0 requests<');
      });
    }

    it('an administrator finds the same request by #id (the search itself works)', async () => {
      const page = await agents.admin.get(`/desk?q=%23${req.hidden}`).expect(200);
      expect(idsIn(page.text, '/desk/requests/')).to.deep.equal(sorted([req.hidden, req.followUp]));
      expect(tabCounts(page.text)).to.include({ all: 2, new: 1, open: 1 });
    });
  });

  describe('search and filter text is data, never SQL', () => {
    /** Which of the world's requests contain the probe in their title (for the title searches). */
    const titled = (): Record<Probe, number[]> => ({
      '%': [req.percent],
      _: [req.underscore],
      "'": [req.quote],
      '\\': [req.backslash],
      '\\\\': [],
      "' OR 1=1--": [],
      '") or ("1"="1': [],
    });

    it('desk queue `q`: 200, and each probe matches only titles that contain it', async () => {
      for (const probe of CORPUS) {
        const res = await agents.member.get(`/desk?q=${encodeURIComponent(probe)}`);
        expect(res.status, probe).to.equal(200);
        expect(idsIn(res.text, '/desk/requests/'), probe).to.deep.equal(sorted(titled()[probe]));
        expect(tabCounts(res.text).all, probe).to.equal(titled()[probe].length);
      }
    });

    it('desk queue `company_name`: 200, and each probe matches only company names that contain it', async () => {
      const odd = [req.oddCompany];
      const expected: Record<Probe, number[]> = { '%': odd, _: odd, "'": odd, '\\': odd, '\\\\': [], "' OR 1=1--": [], '") or ("1"="1': [] };
      for (const probe of CORPUS) {
        const res = await agents.member.get(`/desk?company_name=${encodeURIComponent(probe)}`);
        expect(res.status, probe).to.equal(200);
        expect(idsIn(res.text, '/desk/requests/'), probe).to.deep.equal(expected[probe]);
      }
      // The filter is read at all: a plain name narrows the queue to that company's requests.
      const acmeOnly = await agents.member.get('/desk?company_name=acme').expect(200);
      expect(idsIn(acmeOnly.text, '/desk/requests/')).to.include(req.plain).and.not.include(req.oddCompany);
    });

    it('portal `q`: 200, and each probe matches only titles that contain it', async () => {
      for (const probe of CORPUS) {
        const res = await agents.alice.get(`/portal?q=${encodeURIComponent(probe)}`);
        expect(res.status, probe).to.equal(200);
        expect(idsIn(res.text, '/portal/requests/'), probe).to.deep.equal(sorted(titled()[probe]));
      }
      expect(idsIn((await agents.alice.get('/portal?q=plain').expect(200)).text, '/portal/requests/')).to.deep.equal([req.plain]);
    });

    it('admin people search `q`: 200, and each probe matches only names that contain it', async () => {
      const expected: Record<Probe, number[]> = {
        '%': [people.percent.id],
        _: [people.underscore.id],
        "'": [people.quote.id],
        '\\': [people.backslash.id],
        '\\\\': [],
        "' OR 1=1--": [],
        '") or ("1"="1': [],
      };
      for (const probe of CORPUS) {
        const res = await agents.admin.get(`/admin/users?q=${encodeURIComponent(probe)}`);
        expect(res.status, probe).to.equal(200);
        expect(idsIn(res.text, '/admin/users/'), probe).to.deep.equal(expected[probe]);
      }
    });

    it('audit log filters: 200, and a probe matches no event (filters compare whole values)', async () => {
      const unfiltered = await agents.admin.get('/admin/audit').expect(200);
      const total = /(\d+) events?</.exec(unfiltered.text)![1];
      expect(Number(total)).to.be.greaterThan(0);
      // The filters are read at all: a real action narrows the list.
      const created = (await t.db('audit_events').where({ action: 'dashboard.created' })).length;
      expect(created).to.be.greaterThan(0);
      expect((await agents.admin.get('/admin/audit?action=dashboard.created').expect(200)).text).to.contain(`>${created} events<`);
      for (const probe of CORPUS) {
        for (const field of ['action', 'target_type', 'actor']) {
          const res = await agents.admin.get(`/admin/audit?${field}=${encodeURIComponent(probe)}`);
          expect(res.status, `${field}=${probe}`).to.equal(200);
          expect(res.text, `${field}=${probe}`).to.contain('>0 events<').and.not.contain('data-action=');
        }
        for (const field of ['from', 'to']) {
          const res = await agents.admin.get(`/admin/audit?${field}=${encodeURIComponent(probe)}`);
          expect(res.status, `${field}=${probe}`).to.equal(200);
          expect(res.text, `${field}=${probe} is ignored`).to.contain(`>${total} events<`);
        }
      }
    });

    it('dashboard sharing picker `q`: 200, and each probe matches only names that contain it', async () => {
      // The picker searches from two characters on.
      const expected: Record<string, string[]> = {
        '%%': [],
        __: [],
        "''": [],
        '\\\\': [],
        "' OR 1=1--": [],
        '") or ("1"="1': [],
        '0% s': [people.percent.email],
        'r_s': [people.underscore.email],
        "o'b": [people.quote.email],
        'k\\s': [people.backslash.email],
      };
      for (const [probe, emails] of Object.entries(expected)) {
        const res = await agents.admin.get(`/desk/dashboards/${boards.xss}/people?q=${encodeURIComponent(probe)}`);
        expect(res.status, probe).to.equal(200);
        expect((res.body as { email: string }[]).map((p) => p.email), probe).to.deep.equal(emails);
      }
    });
  });

  describe('typed markup is escaped on staff pages (stored XSS)', () => {
    const pages: [who: 'member' | 'admin', page: string, path: () => string, fields: XssField[]][] = [
      ['member', '/desk/requests/:id', () => `/desk/requests/${req.xss}`, ['title', 'description', 'reply', 'note', 'customerComment', 'itemName', 'companyName', 'personName']],
      ['member', '/desk/work-items/:id', () => `/desk/work-items/${xssItem}`, ['itemName', 'itemDescription', 'title']],
      ['member', '/desk/work-items', () => '/desk/work-items', ['itemName']],
      ['member', '/desk (the queue)', () => '/desk', ['title', 'companyName', 'personName']],
      ['member', '/desk/dashboards', () => '/desk/dashboards', ['dashboardName']],
      ['member', '/desk/dashboards/:id', () => `/desk/dashboards/${boards.xss}`, ['dashboardName', 'widgetTitle', 'title']],
      ['member', '/desk/dashboards/:id/edit', () => `/desk/dashboards/${boards.xss}/edit`, ['dashboardName', 'widgetTitle']],
      ['member', '/desk/dashboards/:id/permissions', () => `/desk/dashboards/${boards.xss}/permissions`, ['dashboardName', 'personName', 'companyName']],
      ['admin', '/admin/users', () => '/admin/users', ['personName', 'companyName']],
      ['admin', '/admin/audit', () => '/admin/audit', ['dashboardName', 'personName']],
    ];
    for (const [who, page, path, fields] of pages) {
      it(`${page} shows ${fields.join(', ')} escaped`, async () => {
        const html = (await agents[who].get(path()).expect(200)).text;
        for (const field of fields) {
          expect(html, `${field} raw`).not.to.contain(payload(XSS[field]));
          expect(html, `${field} escaped`).to.contain(escaped(XSS[field]));
        }
        expect(html).not.to.match(/<script>alert\(|<img src=x onerror/);
      });
    }
  });

  describe('a customer submits only into portal projects', () => {
    for (const [label, project] of [
      ['a private project', () => vault],
      ['a project without the portal', () => internal],
    ] as const) {
      it(`POST /portal/requests into ${label} → 422, nothing written`, async () => {
        const before = await snapshot(t.db);
        const res = await agents.alice
          .post('/portal/requests')
          .type('form')
          .send({ project_id: String(project()), type: 'issue', title: 'Smuggled request', description: 'x', visibility: 'private', _csrf: tokens.alice })
          .expect(422);
        expect(res.text).to.contain('Choose one of the listed projects.');
        expect(await snapshot(t.db)).to.deep.equal(before);
      });
    }
  });

  describe('ids of work items and owners in desk forms are checked', () => {
    it('linking a work item of a project hidden from the editor → 422, nothing written, the customer sees no name', async () => {
      const before = await snapshot(t.db);
      const res = await agents.member.post(`/desk/requests/${req.plain}/links`).type('form').send({ work_item_id: String(vaultItem), _csrf: tokens.member }).expect(422);
      expect(res.text).to.contain('Choose a work item you can see.').and.not.contain('Vault blueprint');
      expect(await snapshot(t.db)).to.deep.equal(before);
      expect((await agents.alice.get(`/portal/requests/${req.plain}`).expect(200)).text).not.to.contain('Vault blueprint');
    });

    it('a new work item whose owner is a customer or nobody known → 422, nothing written; a staff owner is kept', async () => {
      const create = (owner: number) =>
        agents.member
          .post('/desk/work-items')
          .type('form')
          .send({ project_id: String(support), type: 'task', name: 'Owned task', status: 'open', owner_id: String(owner), _csrf: tokens.member });
      const before = await snapshot(t.db);
      for (const owner of [alice.id, 999_999]) {
        const res = await create(owner).expect(422);
        expect(res.text, `owner ${owner}`).to.contain('Choose a staff member as owner.');
      }
      expect(await snapshot(t.db)).to.deep.equal(before);
      const made = await create(member.id).expect(303);
      expect((await t.db('work_items').where({ id: idFrom(made.headers.location) }).first()).owner_id).to.equal(member.id);
    });

    it('an edited work item whose owner is a customer or nobody known → 422, nothing written', async () => {
      const before = await snapshot(t.db);
      for (const owner of [alice.id, 999_999]) {
        const res = await agents.member
          .post(`/desk/work-items/${xssItem}`)
          .type('form')
          .send({ name: 'Renamed task', status: 'open', owner_id: String(owner), _csrf: tokens.member })
          .expect(422);
        expect(res.text, `owner ${owner}`).to.contain('Choose a staff member as owner.');
      }
      expect(await snapshot(t.db)).to.deep.equal(before);
    });
  });

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
});
