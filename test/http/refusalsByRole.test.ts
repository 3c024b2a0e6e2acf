/**
 * Desk refusals that depend on what a staff member is and holds, beyond the refusal matrix
 * (refusals.test.ts, one of each principal kind): a project role without the flag, a
 * contributor whose project role is narrower than its default role, a non-member of a public
 * project, a view grant or an edit grant on a dashboard, no grant at all, a grant on the
 * entity but no right to manage access. Each refusal: its status, and the database unchanged.
 */
import { expect } from 'chai';
import { createTestApp, csrfOf, signIn, snapshot, type Agent, type TestApp } from '../helpers/app';
import { addMember, buildCompany, buildProject, buildRequest, buildRequester, buildRole, buildStaff, PASSWORD } from '../helpers/factories';
import type { PrincipalRow } from '../../server/repositories/principals';
import { changeSettings } from '../../server/commands/changeSettings';
import { insertDashboard, insertGrant, updateRestriction } from '../../server/repositories/dashboards';
import { insertShareLink } from '../../server/repositories/shareLinks';
import { insertWidget } from '../../server/repositories/widgets';
import { insertedId, nowIso } from '../../server/db';

type Form = Record<string, string>;

interface Call {
  name: string;
  method: 'GET' | 'POST';
  path: () => string;
  body?: () => Form;
}

/** The people of the site, each signed in to the desk. */
type Who =
  | 'admin'
  | 'owner'
  | 'commenter'
  | 'reader'
  | 'outsider'
  | 'narrowed'
  | 'defaultCommenter'
  | 'observer'
  | 'editGrantee'
  | 'viewUser'
  | 'viewContributor'
  | 'viewObserver';

describe('refusals by staff type, project role and grant', function () {
  this.timeout(120_000);
  let t: TestApp;
  const people = {} as Record<Who, PrincipalRow>;
  const agents = {} as Record<Who, Agent>;
  const tokens = {} as Record<Who, string>;
  let alice: PrincipalRow;
  let acme: number;
  let open: number;
  let vault: number;
  let request: number;
  let vaultRequest: number;
  let item: number;
  let linkedItem: number;
  let vaultItem: number;
  let epic: number;
  let board: number;
  let widgets: [number, number];
  let aliceGrant: number;
  let otherBoard: number;
  let otherWidget: number;
  let otherGrant: number;
  let ownGrant: number;
  let othersGrant: number;
  let colleague: PrincipalRow;
  let shareLink: number;
  let otherShareLink: number;

  /**
   * The owner's restricted board, shared with one of each kind of grant, and another board of
   * theirs whose widget and grant must not be reachable through the first one's address.
   * Made anew before each test, so that a change let through by mistake cannot spill into the next.
   */
  async function freshBoards(): Promise<void> {
    board = await insertDashboard(t.db, 'Role board', people.owner.id);
    widgets = [
      await insertWidget(t.db, { dashboardId: board, kind: 'requests_by_status', title: 'By status', projectId: null, dataScope: 'viewer_company' }),
      await insertWidget(t.db, { dashboardId: board, kind: 'requests_by_type', title: 'By type', projectId: null, dataScope: 'viewer_company' }),
    ];
    await insertGrant(t.db, board, people.editGrantee.id, 'edit', people.owner.id);
    for (const who of ['viewUser', 'viewContributor', 'viewObserver'] as const) await insertGrant(t.db, board, people[who].id, 'view', people.owner.id);
    aliceGrant = await insertGrant(t.db, board, alice.id, 'view', people.owner.id);
    otherBoard = await insertDashboard(t.db, 'Other board', people.owner.id);
    otherWidget = await insertWidget(t.db, { dashboardId: otherBoard, kind: 'requests_by_status', title: 'Other', projectId: null, dataScope: 'viewer_company' });
    await insertWidget(t.db, { dashboardId: otherBoard, kind: 'requests_by_type', title: 'Other two', projectId: null, dataScope: 'viewer_company' });
    otherGrant = await insertGrant(t.db, otherBoard, alice.id, 'view', people.owner.id);
    shareLink = (await insertShareLink(t.db, { dashboardId: board, label: 'Role link', createdBy: people.owner.id, expiresAt: null })).id;
    otherShareLink = (await insertShareLink(t.db, { dashboardId: otherBoard, label: 'Other link', createdBy: people.owner.id, expiresAt: null })).id;
  }

  async function workItem(project: number, type: string, name: string, parent: number | null = null): Promise<number> {
    const now = nowIso();
    return insertedId(await t.db('work_items').insert({ project_id: project, type, name, description: '', status: 'open', parent_id: parent, created_at: now, updated_at: now }).returning('id'));
  }

  async function entityGrant(principal: number, entityType: string, entityId: number, mode: 'comment' | 'edit'): Promise<number> {
    return insertedId(
      await t.db('entity_permissions').insert({ entity_type: entityType, entity_id: entityId, principal_id: principal, can_view: true, can_comment: true, can_edit: mode === 'edit', can_grant: false, created_at: nowIso() }).returning('id'),
    );
  }

  before(async () => {
    t = await createTestApp();
    acme = await buildCompany(t.db, 'Acme');
    alice = await buildRequester(t.db, { company: acme });
    open = await buildProject(t.db, { name: 'Open project' });
    vault = await buildProject(t.db, { name: 'Vault', isPrivate: true, portalEnabled: false });
    const full = await buildRole(t.db, { add: true, edit: true, delete: true, comment: true });
    const commentOnly = await buildRole(t.db, { comment: true });
    const viewOnly = await buildRole(t.db, {});

    people.admin = await buildStaff(t.db, 'administrator');
    people.owner = await buildStaff(t.db, 'user');
    people.commenter = await buildStaff(t.db, 'user');
    people.reader = await buildStaff(t.db, 'user');
    people.outsider = await buildStaff(t.db, 'user');
    // A contributor whose default role may do everything, but whose project role only comments.
    people.narrowed = await buildStaff(t.db, 'contributor', { defaultRoleId: full });
    people.defaultCommenter = await buildStaff(t.db, 'contributor', { defaultRoleId: commentOnly });
    people.observer = await buildStaff(t.db, 'observer');
    people.editGrantee = await buildStaff(t.db, 'user');
    people.viewUser = await buildStaff(t.db, 'user');
    people.viewContributor = await buildStaff(t.db, 'contributor');
    people.viewObserver = await buildStaff(t.db, 'observer');
    await addMember(t.db, open, people.owner.id, full);
    await addMember(t.db, vault, people.owner.id, full);
    await addMember(t.db, open, people.commenter.id, commentOnly);
    await addMember(t.db, open, people.reader.id, viewOnly);
    await addMember(t.db, open, people.narrowed.id, commentOnly);

    request = await buildRequest(t.db, { projectId: open, requester: alice, title: 'Open request' });
    vaultRequest = await buildRequest(t.db, { projectId: vault, requester: alice, title: 'Vault request' });
    item = await workItem(open, 'bug', 'Open bug');
    linkedItem = await workItem(open, 'task', 'Linked task');
    vaultItem = await workItem(vault, 'bug', 'Vault bug');
    epic = await workItem(open, 'epic', 'Open epic');
    await workItem(open, 'feature', 'Open feature', epic);
    await t.db('request_work_items').insert({ request_id: request, work_item_id: linkedItem, created_at: nowIso() });

    colleague = await buildStaff(t.db, 'user');
    await changeSettings(t.db, people.admin.id, { 'direct_access.enabled': true, 'portal.dashboards': true, 'share_links.enabled': true });

    for (const who of Object.keys(people) as Who[]) {
      agents[who] = await signIn(t.app, 'desk', people[who].email, PASSWORD);
      tokens[who] = await csrfOf(agents[who], '/desk');
    }
  });
  after(() => t.close());

  /** One call as `who`: exactly `expected`, and not a row changed. */
  async function refused(who: Who, call: Call, expected: number): Promise<void> {
    const before = await snapshot(t.db);
    const path = call.path();
    const res = call.method === 'GET' ? await agents[who].get(path) : await agents[who].post(path).type('form').send({ ...(call.body?.() ?? {}), _csrf: tokens[who] });
    expect(res.status, `${call.method} ${path} as ${who}`).to.equal(expected);
    expect(await snapshot(t.db), 'database unchanged').to.deep.equal(before);
  }

  describe('dashboards: no grant on a restricted board is 404; a view grant, or none on a view_open board, 403 for all but viewing; an edit grant 403 for deleting', () => {
    beforeEach(freshBoards);
    const CALLS: Call[] = [
      { name: 'open the edit page', method: 'GET', path: () => `/desk/dashboards/${board}/edit` },
      { name: 'open the sharing page', method: 'GET', path: () => `/desk/dashboards/${board}/permissions` },
      { name: 'search people to share with', method: 'GET', path: () => `/desk/dashboards/${board}/people?q=ac` },
      { name: 'preview as a customer', method: 'GET', path: () => `/desk/dashboards/${board}/preview?customer=${encodeURIComponent(alice.email)}` },
      { name: 'rename', method: 'POST', path: () => `/desk/dashboards/${board}`, body: () => ({ name: 'Renamed by role' }) },
      { name: 'add a widget', method: 'POST', path: () => `/desk/dashboards/${board}/widgets`, body: () => ({ kind: 'requests_by_status', title: 'Added' }) },
      { name: 'remove a widget', method: 'POST', path: () => `/desk/dashboards/${board}/widgets/${widgets[0]}/delete` },
      { name: 'move a widget', method: 'POST', path: () => `/desk/dashboards/${board}/widgets/${widgets[0]}/move`, body: () => ({ direction: 'down' }) },
      { name: 'change the restriction', method: 'POST', path: () => `/desk/dashboards/${board}/permissions`, body: () => ({ restriction: 'view_open', confirm: 'yes' }) },
      { name: 'add a grant', method: 'POST', path: () => `/desk/dashboards/${board}/grants`, body: () => ({ email: people.outsider.email, level: 'view' }) },
      { name: 'add a company', method: 'POST', path: () => `/desk/dashboards/${board}/grants/company`, body: () => ({ company_id: String(acme) }) },
      { name: 'remove a grant', method: 'POST', path: () => `/desk/dashboards/${board}/grants/${aliceGrant}/delete` },
      { name: 'make a public link', method: 'POST', path: () => `/desk/dashboards/${board}/share-links`, body: () => ({ label: 'By role' }) },
      { name: 'revoke a public link', method: 'POST', path: () => `/desk/dashboards/${board}/share-links/${shareLink}/revoke` },
      { name: 'delete the dashboard', method: 'POST', path: () => `/desk/dashboards/${board}/delete`, body: () => ({ confirm: 'yes' }) },
    ];
    const CASES: [label: string, who: Who, expected: number, restriction: 'restricted' | 'view_open'][] = [
      ['a user without a grant', 'outsider', 404, 'restricted'],
      ['a contributor without a grant', 'defaultCommenter', 404, 'restricted'],
      ['an observer without a grant', 'observer', 404, 'restricted'],
      ['a user with a view grant', 'viewUser', 403, 'restricted'],
      ['a contributor with a view grant', 'viewContributor', 403, 'restricted'],
      ['an observer with a view grant', 'viewObserver', 403, 'restricted'],
      // "Anyone can view, some can edit": every staff member views, only the owner, administrators and edit grantees edit.
      ['a user without a grant on a view_open board', 'outsider', 403, 'view_open'],
      ['a contributor without a grant on a view_open board', 'defaultCommenter', 403, 'view_open'],
    ];
    for (const [label, who, expected, restriction] of CASES) {
      describe(label, () => {
        beforeEach(() => updateRestriction(t.db, board, restriction));
        for (const call of CALLS) it(`${call.name} → ${expected}, nothing written`, () => refused(who, call, expected));
      });
    }

    it('a user with an edit grant may not delete it (owner and administrators only) → 403, nothing written', () => refused('editGrantee', CALLS[CALLS.length - 1]!, 403));

    it('the fixture: the grantees see the board, and the edit grantee edits it', async () => {
      for (const who of ['viewUser', 'viewContributor', 'viewObserver', 'editGrantee'] as const) await agents[who].get(`/desk/dashboards/${board}`).expect(200);
      await agents.editGrantee.get(`/desk/dashboards/${board}/edit`).expect(200);
    });

    describe("another board's widget or grant through this board's address, even by their owner", () => {
      const FOREIGN: Call[] = [
        { name: "remove the other board's widget", method: 'POST', path: () => `/desk/dashboards/${board}/widgets/${otherWidget}/delete` },
        { name: "move the other board's widget", method: 'POST', path: () => `/desk/dashboards/${board}/widgets/${otherWidget}/move`, body: () => ({ direction: 'down' }) },
        { name: "remove the other board's grant", method: 'POST', path: () => `/desk/dashboards/${board}/grants/${otherGrant}/delete` },
        { name: "revoke the other board's public link", method: 'POST', path: () => `/desk/dashboards/${board}/share-links/${otherShareLink}/revoke` },
      ];
      for (const call of FOREIGN) it(`${call.name} → 404, nothing written`, () => refused('owner', call, 404));
    });

    describe('with dashboards.creators = administrators', () => {
      before(() => changeSettings(t.db, people.admin.id, { 'dashboards.creators': 'administrators' }));
      after(() => changeSettings(t.db, people.admin.id, { 'dashboards.creators': 'all_staff' }));
      const CREATE: Call[] = [
        { name: 'the new-dashboard form', method: 'GET', path: () => '/desk/dashboards/new' },
        { name: 'a new dashboard', method: 'POST', path: () => '/desk/dashboards', body: () => ({ name: 'One board too many' }) },
      ];
      for (const who of ['owner', 'narrowed'] as const) {
        for (const call of CREATE) it(`${call.name} as ${who === 'owner' ? 'a user' : 'a contributor'} → 403, nothing written`, () => refused(who, call, 403));
      }
      it('an administrator still opens the form', () => agents.admin.get('/desk/dashboards/new').expect(200));
    });
  });

  describe('requests and work items: the project role decides', () => {
    // The link to remove is there before each test (a removal let through by mistake is undone).
    beforeEach(async () => {
      if (!(await t.db('request_work_items').where({ request_id: request, work_item_id: linkedItem }).first())) {
        await t.db('request_work_items').insert({ request_id: request, work_item_id: linkedItem, created_at: nowIso() });
      }
    });
    const onRequest = (id: () => number, linked: () => number): Call[] => [
      { name: 'reply', method: 'POST', path: () => `/desk/requests/${id()}/comments`, body: () => ({ body: 'A reply' }) },
      { name: 'internal note', method: 'POST', path: () => `/desk/requests/${id()}/comments`, body: () => ({ body: 'A note', internal: 'true' }) },
      { name: 'change the status', method: 'POST', path: () => `/desk/requests/${id()}/status`, body: () => ({ status: 'open' }) },
      { name: 'assign', method: 'POST', path: () => `/desk/requests/${id()}/assign`, body: () => ({ assignee_id: '' }) },
      { name: 'link a work item', method: 'POST', path: () => `/desk/requests/${id()}/links`, body: () => ({ work_item_id: String(item) }) },
      { name: 'unlink a work item', method: 'POST', path: () => `/desk/requests/${id()}/links/${linked()}/delete` },
      // The queue's bulk form, with this one request ticked: refused as its own page refuses it,
      // except that a request the sender cannot see is a 422 (form input naming nothing of theirs).
      { name: 'bulk status', method: 'POST', path: () => '/desk/requests/bulk', body: () => ({ ids: String(id()), status: 'open' }) },
      { name: 'bulk assign', method: 'POST', path: () => '/desk/requests/bulk', body: () => ({ ids: String(id()), assignee_id: 'none' }) },
    ];
    const onItem = (id: () => number): Call[] => [
      { name: 'open the edit form of a work item', method: 'GET', path: () => `/desk/work-items/${id()}/edit` },
      { name: 'edit a work item', method: 'POST', path: () => `/desk/work-items/${id()}`, body: () => ({ name: 'Renamed by role', status: 'open' }) },
    ];
    const create = (project: () => number): Call => ({
      name: 'add a work item',
      method: 'POST',
      path: () => '/desk/work-items',
      body: () => ({ project_id: String(project()), type: 'task', name: 'Added by role', status: 'open' }),
    });
    const onOpenRequest = onRequest(() => request, () => linkedItem);
    // Replies and notes, then the four edits of a request (status, assignee, links).
    const commentsOnRequest = onOpenRequest.slice(0, 2);
    const editsOfRequest = onOpenRequest.slice(2);

    describe('a user whose project role has no flag at all (views only)', () => {
      for (const call of [...commentsOnRequest, ...editsOfRequest, ...onItem(() => item), create(() => open)]) it(`${call.name} → 403, nothing written`, () => refused('reader', call, 403));
    });

    for (const [label, who] of [
      ['a user whose project role only comments', 'commenter'],
      ['a contributor with a full default role whose project role only comments (the narrower role wins)', 'narrowed'],
      ['a contributor outside the project whose default role only comments', 'defaultCommenter'],
    ] as const) {
      describe(label, () => {
        for (const call of [...editsOfRequest, ...onItem(() => item), create(() => open)]) it(`${call.name} → 403, nothing written`, () => refused(who, call, 403));
      });
    }

    it('the fixture: those who may comment do, and the reader sees the request', async () => {
      for (const who of ['commenter', 'narrowed', 'defaultCommenter'] as const) {
        await agents[who].post(`/desk/requests/${request}/comments`).type('form').send({ body: `Fixture reply by ${who}`, _csrf: tokens[who] }).expect(303);
      }
      await agents.reader.get(`/desk/requests/${request}`).expect(200);
      await agents.reader.get(`/desk/work-items/${item}`).expect(200);
    });

    const hidden = (id: () => number, linked: () => number, workItem: () => number, project: () => number): Call[] => [
      { name: 'open the request', method: 'GET', path: () => `/desk/requests/${id()}` },
      ...onRequest(id, linked),
      { name: 'open the work item', method: 'GET', path: () => `/desk/work-items/${workItem()}` },
      ...onItem(workItem),
      { ...create(project), name: 'add a work item to it (they may add to no project: 403, as for the form)' },
    ];

    describe('a user outside a public project sees nothing of it', () => {
      for (const call of hidden(() => request, () => linkedItem, () => item, () => open)) {
        const expected = call.path() === '/desk/work-items' ? 403 : call.path() === '/desk/requests/bulk' ? 422 : 404;
        it(`${call.name} → ${expected}, nothing written`, () => refused('outsider', call, expected));
      }
    });

    for (const [label, who] of [
      ['an observer', 'observer'],
      ['a contributor with a default role', 'defaultCommenter'],
    ] as const) {
      describe(`${label} sees nothing of a private project they are not a member of`, () => {
        for (const call of hidden(() => vaultRequest, () => vaultItem, () => vaultItem, () => vault)) {
          const expected = call.path() === '/desk/work-items' ? 403 : call.path() === '/desk/requests/bulk' ? (who === 'observer' ? 403 : 422) : 404;
          it(`${call.name} → ${expected}, nothing written`, () => refused(who, call, expected));
        }
      });
    }
  });

  describe('the direct-access panel: only managers of the entity change its access', () => {
    // Before each test, afresh: the commenter's own grant on the request, and a colleague's (not signed in here).
    beforeEach(async () => {
      await t.db('entity_permissions').del();
      ownGrant = await entityGrant(people.commenter.id, 'request', request, 'comment');
      othersGrant = await entityGrant(colleague.id, 'request', request, 'comment');
    });
    const CALLS: Call[] = [
      { name: 'grant someone access', method: 'POST', path: () => '/desk/direct-access', body: () => ({ entity_type_id: '17', entity_id: String(request), email: people.outsider.email, mode: 'comment' }) },
      { name: 'copy the grants to nested items', method: 'POST', path: () => '/desk/direct-access/nested', body: () => ({ entity_type_id: '27', entity_id: String(epic) }) },
      { name: "change someone else's grant", method: 'POST', path: () => `/desk/direct-access/${othersGrant}`, body: () => ({ mode: 'edit' }) },
      { name: "revoke someone else's grant", method: 'POST', path: () => `/desk/direct-access/${othersGrant}/delete` },
    ];
    // Who sees the entity but may not manage it: 403 on the entity, and someone else's grant is not found.
    const SEES = [403, 403, 404, 404];
    for (const [label, who, expected] of [
      ['a user of the project with a comment role (and a grant of their own)', 'commenter', SEES],
      ['an observer', 'observer', SEES],
      ['a contributor with a default role', 'defaultCommenter', SEES],
      ['a user outside the project', 'outsider', [404, 404, 404, 404]],
    ] as const) {
      describe(label, () => {
        CALLS.forEach((call, i) => it(`${call.name} → ${expected[i]}, nothing written`, () => refused(who, call, expected[i]!)));
      });
    }

    describe('a holder of a grant who may not manage access', () => {
      it('widening their own grant → 403, nothing written', () => refused('commenter', { name: 'widen', method: 'POST', path: () => `/desk/direct-access/${ownGrant}`, body: () => ({ mode: 'edit' }) }, 403));
      it('revoking their own grant → 403, nothing written', () => refused('commenter', { name: 'revoke', method: 'POST', path: () => `/desk/direct-access/${ownGrant}/delete` }, 403));
    });
  });
});
