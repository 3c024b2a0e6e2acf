/**
 * List scopes on a small fixed world, for the cases the random worlds of
 * scopes.property.test.ts rarely or never produce (found by `npm run mutate`): company
 * sharing between requesters, requesters without a company, releases and team iterations
 * with direct grants, requester grants left on an `open` dashboard, internal notes, and
 * the principal filters. Expected lists come from PRODUCT.md sections 1, 3, 4 and 6.
 */
import { expect } from 'chai';
import { createTestDatabase, type TestDatabase } from '../../helpers/databases';
import { addMember, buildCompany, buildProject, buildRequest, buildRequester, buildRole, buildStaff } from '../../helpers/factories';
import { nowIso, type Db } from '../../../server/db';
import { can, type Actor, type MaybeActor } from '../../../server/permissions';
import { requesterRequestScope } from '../../../server/permissions/policies/requests';
import { ownAndCompanyRequests, previewWidgetRequests, visibleComments, visibleDashboards, visibleEntityPermissions, visibleProjects, visibleReleases, visibleRequests, visibleTeamIterations, widgetRequests, type Scope, type ScopeSettings } from '../../../server/permissions/scopes';
import { administratorPrincipals, customerPrincipals, staffPrincipals } from '../../../server/permissions/peopleScopes';
import { loadProjectFacts, loadRequestTarget, loadWorkTarget } from '../../../server/repositories/accessFacts';
import { toActor, type PrincipalRow } from '../../../server/repositories/principals';

async function insertId(db: Db, table: string, row: Record<string, unknown>): Promise<number> {
  const [r] = await db(table).insert(row).returning('id');
  return Number(typeof r === 'object' ? (r as { id: number }).id : r);
}

async function ids(db: Db, table: string, scope: Scope): Promise<number[]> {
  return (await db(table).modify(scope).pluck(`${table}.id`)).map(Number).sort((a, b) => a - b);
}

const sorted = (list: number[]) => [...list].sort((a, b) => a - b);

describe('mutation gaps: list scopes on a fixed world', function () {
  this.timeout(60_000);
  let tdb: TestDatabase;
  let db: Db;
  // people
  let admin: Actor;
  let user: Actor;
  let observer: Actor;
  let contributor: Actor;
  let alice: Actor;
  let bob: Actor;
  let carol: Actor;
  let dave: Actor;
  let erin: Actor;
  let daveRow: PrincipalRow;
  // projects and requests
  let portal: number;
  let noPortal: number;
  const r: Record<string, number> = {};

  before(async () => {
    tdb = await createTestDatabase();
    db = tdb.db;
    const acme = await buildCompany(db);
    const globex = await buildCompany(db);
    const role = await buildRole(db, { comment: true });
    admin = toActor(await buildStaff(db, 'administrator'));
    user = toActor(await buildStaff(db, 'user'));
    observer = toActor(await buildStaff(db, 'observer'));
    contributor = toActor(await buildStaff(db, 'contributor'));
    const aliceRow = await buildRequester(db, { company: acme });
    const carolRow = await buildRequester(db, { company: globex });
    daveRow = await buildRequester(db, { company: null });
    alice = toActor(aliceRow);
    bob = toActor(await buildRequester(db, { company: acme }));
    carol = toActor(carolRow);
    dave = toActor(daveRow);
    erin = toActor(await buildRequester(db, { company: null }));

    portal = await buildProject(db, { portalEnabled: true });
    noPortal = await buildProject(db, { portalEnabled: false });
    r.alicePrivate = await buildRequest(db, { projectId: portal, requester: aliceRow, visibility: 'private' });
    r.aliceCompany = await buildRequest(db, { projectId: portal, requester: aliceRow, visibility: 'company' });
    r.alicePublic = await buildRequest(db, { projectId: portal, requester: aliceRow, visibility: 'public' });
    r.alicePublicNoPortal = await buildRequest(db, { projectId: noPortal, requester: aliceRow, visibility: 'public' });
    r.aliceCompanyNoPortal = await buildRequest(db, { projectId: noPortal, requester: aliceRow, visibility: 'company' });
    r.carolCompany = await buildRequest(db, { projectId: portal, requester: carolRow, visibility: 'company' });
    r.carolPrivate = await buildRequest(db, { projectId: portal, requester: carolRow, visibility: 'private' });
    r.daveCompany = await buildRequest(db, { projectId: portal, requester: daveRow, visibility: 'company' });

    // Staff: the user is a member of the public project only.
    await addMember(db, portal, user.id, role);
  });
  after(() => tdb.drop());

  describe('requests a requester may list (section 3)', () => {
    it('own requests, their company\'s shared ones and public ones of portal projects, nothing else', async () => {
      const expected: [Actor, number[]][] = [
        [alice, [r.alicePrivate!, r.aliceCompany!, r.alicePublic!, r.alicePublicNoPortal!, r.aliceCompanyNoPortal!]],
        [bob, [r.aliceCompany!, r.alicePublic!, r.aliceCompanyNoPortal!]],
        [carol, [r.alicePublic!, r.carolCompany!, r.carolPrivate!]],
        [dave, [r.alicePublic!, r.daveCompany!]],
        // Erin has no company, like Dave: Dave's "company" request is not shared with her.
        [erin, [r.alicePublic!]],
      ];
      for (const [who, list] of expected) {
        expect(await ids(db, 'requests', requesterRequestScope(who)), who.name).to.deep.equal(sorted(list));
        expect(await ids(db, 'requests', visibleRequests(who, { directAccess: true, portalDashboards: true })), who.name).to.deep.equal(sorted(list));
      }
    });

    it('honours a table alias', async () => {
      const listed = (await db('requests as q').modify(requesterRequestScope(bob, 'q')).pluck('q.id')).map(Number).sort((a, b) => a - b);
      expect(listed).to.deep.equal(sorted([r.aliceCompany!, r.alicePublic!, r.aliceCompanyNoPortal!]));
    });

    it('gives staff and anonymous visitors nothing: the requester rule is for requesters only', async () => {
      for (const who of [admin, user, null]) expect(await ids(db, 'requests', requesterRequestScope(who)), who?.type ?? 'anonymous').to.deep.equal([]);
    });
  });

  describe("a customer's home list and dashboard widgets (sections 3 and 4)", () => {
    const S: ScopeSettings = { directAccess: false, portalDashboards: true };

    it("home: their own requests and their company's that they may see, not other companies' public ones", async () => {
      const expected: [Actor, number[]][] = [
        [alice, [r.alicePrivate!, r.aliceCompany!, r.alicePublic!, r.alicePublicNoPortal!, r.aliceCompanyNoPortal!]],
        [bob, [r.aliceCompany!, r.alicePublic!, r.aliceCompanyNoPortal!]],
        [carol, [r.carolCompany!, r.carolPrivate!]],
        [dave, [r.daveCompany!]],
        [erin, []],
      ];
      for (const [who, list] of expected) expect(await ids(db, 'requests', ownAndCompanyRequests(who, S)), who.name).to.deep.equal(sorted(list));
      for (const who of [admin, user, null]) expect(await ids(db, 'requests', ownAndCompanyRequests(who, S)), who?.type ?? 'anonymous').to.deep.equal([]);
      const aliased = (await db('requests as q').modify(ownAndCompanyRequests(bob, S, 'q')).pluck('q.id')).map(Number).sort((a, b) => a - b);
      expect(aliased).to.deep.equal(sorted([r.aliceCompany!, r.alicePublic!, r.aliceCompanyNoPortal!]));
    });

    it("home: requesters without a company share nothing, not even another company-less requester's public request", async () => {
      const davePublic = await buildRequest(db, { projectId: portal, requester: daveRow, visibility: 'public' });
      try {
        expect(await ids(db, 'requests', ownAndCompanyRequests(erin, S))).to.deep.equal([]);
        expect(await ids(db, 'requests', ownAndCompanyRequests(dave, S))).to.deep.equal(sorted([r.daveCompany!, davePublic]));
        // ...though Erin sees it among public requests (the ideas board).
        expect(await ids(db, 'requests', visibleRequests(erin, S))).to.include(davePublic);
      } finally {
        await db('requests').where('id', davePublic).del();
      }
    });

    it("a customer's widget counts their own company's rows by default, and lists only titles they may open", async () => {
      const acmeInPortal = [r.alicePrivate!, r.aliceCompany!, r.alicePublic!];
      expect(await ids(db, 'requests', widgetRequests(bob, 'viewer_company', S, false))).to.deep.equal(sorted(acmeInPortal));
      expect(await ids(db, 'requests', widgetRequests(bob, 'viewer_company', S, true))).to.deep.equal(sorted([r.aliceCompany!, r.alicePublic!]));
      const allInPortal = [r.alicePrivate!, r.aliceCompany!, r.alicePublic!, r.carolCompany!, r.carolPrivate!, r.daveCompany!];
      expect(await ids(db, 'requests', widgetRequests(bob, 'all', S, false))).to.deep.equal(sorted(allInPortal));
      expect(await ids(db, 'requests', widgetRequests(bob, 'all', S, true))).to.deep.equal(sorted([r.aliceCompany!, r.alicePublic!]));
      expect(await ids(db, 'requests', widgetRequests(carol, 'viewer_company', S, false))).to.deep.equal(sorted([r.carolCompany!, r.carolPrivate!]));
    });

    it('a customer without a company has no company rows; `all` still counts', async () => {
      for (const lists of [false, true]) expect(await ids(db, 'requests', widgetRequests(dave, 'viewer_company', S, lists)), `lists ${lists}`).to.deep.equal([]);
      const allInPortal = [r.alicePrivate!, r.aliceCompany!, r.alicePublic!, r.carolCompany!, r.carolPrivate!, r.daveCompany!];
      expect(await ids(db, 'requests', widgetRequests(dave, 'all', S, false))).to.deep.equal(sorted(allInPortal));
      expect(await ids(db, 'requests', widgetRequests(dave, 'all', S, true))).to.deep.equal(sorted([r.alicePublic!, r.daveCompany!]));
    });

    it('staff widgets show what the staff member may see; anonymous nothing', async () => {
      for (const scope of ['viewer_company', 'all'] as const) {
        for (const lists of [false, true]) {
          const label = `${scope} lists ${lists}`;
          expect(await ids(db, 'requests', widgetRequests(admin, scope, S, lists)), label).to.deep.equal(sorted(Object.values(r)));
          expect(await ids(db, 'requests', widgetRequests(user, scope, S, lists)), label).to.deep.equal(await ids(db, 'requests', visibleRequests(user, S)));
          expect(await ids(db, 'requests', widgetRequests(null, scope, S, lists)), label).to.deep.equal([]);
        }
      }
    });

    it('an administrator previewing as a customer sees exactly what that customer sees', async () => {
      for (const who of [alice, bob, carol, dave, erin]) {
        for (const scope of ['viewer_company', 'all'] as const) {
          for (const lists of [false, true]) {
            expect(await ids(db, 'requests', previewWidgetRequests(who, admin, scope, S, lists)), `${who.name} ${scope} ${lists}`).to.deep.equal(
              await ids(db, 'requests', widgetRequests(who, scope, S, lists)),
            );
          }
        }
      }
    });
  });

  describe('projects (sections 1 and 2)', () => {
    it('requesters list portal projects; staff the projects they see; the list agrees with the item rule', async () => {
      const all = (await db('projects').pluck('id')).map(Number).sort((a, b) => a - b);
      const portalProjects = (await db('projects').where('portal_enabled', true).pluck('id')).map(Number).sort((a, b) => a - b);
      expect(portalProjects).to.include(portal).and.not.include(noPortal);
      expect(await ids(db, 'projects', visibleProjects(bob))).to.deep.equal(portalProjects);
      expect(await ids(db, 'projects', visibleProjects(admin))).to.deep.equal(all);
      expect(await ids(db, 'projects', visibleProjects(null))).to.deep.equal([]);
      for (const who of [admin, user, observer, contributor, alice, bob, null]) {
        const allowed: number[] = [];
        for (const id of all) {
          const facts = await loadProjectFacts(db, who, id, 'request');
          if (facts && can(who, 'view', { kind: 'project', project: facts })) allowed.push(id);
        }
        expect(await ids(db, 'projects', visibleProjects(who)), who?.type ?? 'anonymous').to.deep.equal(allowed);
      }
      const aliased = (await db('projects as x').modify(visibleProjects(user, 'x')).pluck('x.id')).map(Number);
      expect(aliased).to.deep.equal([portal]);
    });

    it('private projects: staff see them only as members, administrators always', async () => {
      const hidden = await buildProject(db, { isPrivate: true });
      try {
        for (const who of [user, observer, contributor]) expect(await ids(db, 'projects', visibleProjects(who)), who.type).to.not.include(hidden);
        expect(await ids(db, 'projects', visibleProjects(admin))).to.include(hidden);
        await addMember(db, hidden, observer.id, await buildRole(db, {}));
        expect(await ids(db, 'projects', visibleProjects(observer))).to.include(hidden);
      } finally {
        await db('project_members').where('project_id', hidden).del();
        await db('projects').where('id', hidden).del();
      }
    });
  });

  describe('releases and team iterations (sections 1 and 6)', () => {
    const rel: Record<string, number> = {};
    const iter: Record<string, number> = {};
    before(async () => {
      const now = nowIso();
      const member = await buildProject(db, { isPrivate: false });
      const publicOther = await buildProject(db, { isPrivate: false });
      const hidden = await buildProject(db, { isPrivate: true });
      await addMember(db, member, user.id, await buildRole(db, { comment: true }));
      for (const [name, projectId] of [['member', member], ['public', publicOther], ['private', hidden], ['privateGranted', hidden], ['privateOtherType', hidden]] as const) {
        rel[name] = await insertId(db, 'releases', { project_id: projectId, name: `release ${name}`, creator_id: admin.id, created_at: now });
        iter[name] = await insertId(db, 'team_iterations', { project_id: projectId, name: `iteration ${name}`, creator_id: admin.id, created_at: now });
      }
      const grant = (entityType: string, entityId: number, principalId: number) =>
        db('entity_permissions').insert({ entity_type: entityType, entity_id: entityId, principal_id: principalId, can_view: true, created_at: now });
      for (const who of [user, contributor]) {
        await grant('release', rel.privateGranted!, who.id);
        await grant('team_iteration', iter.privateGranted!, who.id);
        // A grant names its entity type: one on a request or a work item with the same id opens nothing here.
        await grant('request', rel.privateOtherType!, who.id);
        await grant('epic', iter.privateOtherType!, who.id);
      }
    });

    const ON: ScopeSettings = { directAccess: true, portalDashboards: false };
    const OFF: ScopeSettings = { directAccess: false, portalDashboards: false };

    function expected(who: MaybeActor, s: ScopeSettings, byId: Record<string, number>): number[] {
      const names: Record<string, string[]> = {
        administrator: Object.keys(byId),
        user: ['member', ...(s.directAccess ? ['privateGranted'] : [])],
        observer: ['member', 'public'],
        contributor: ['member', 'public', ...(s.directAccess ? ['privateGranted'] : [])],
      };
      return sorted((who && names[who.type] ? names[who.type]! : []).map((n) => byId[n]!));
    }

    for (const [table, kind, scopeOf, byId] of [
      ['releases', 'release', visibleReleases, rel],
      ['team_iterations', 'team_iteration', visibleTeamIterations, iter],
    ] as const) {
      it(`${table}: membership or type, plus direct grants of that very type while the feature is on`, async () => {
        for (const who of [admin, user, observer, contributor, alice, null]) {
          for (const s of [ON, OFF]) {
            const label = `${who?.type ?? 'anonymous'}, direct access ${s.directAccess ? 'on' : 'off'}`;
            const listed = await ids(db, table, scopeOf(who, s));
            expect(listed, label).to.deep.equal(expected(who, s, byId));
            // ...and the list agrees with the item rule.
            const allowed: number[] = [];
            for (const id of Object.values(byId)) {
              const target = await loadWorkTarget(db, who, kind, id, s);
              if (target && can(who, 'view', target)) allowed.push(id);
            }
            expect(listed, `${label} (item rule)`).to.deep.equal(sorted(allowed));
          }
        }
      });
    }
  });

  describe('direct-access grants a staff member may list (section 6)', () => {
    const ON: ScopeSettings = { directAccess: true, portalDashboards: false };
    const grants: Record<string, number> = {};
    let viewer: Actor;
    let holder: Actor;
    let creator: Actor;
    before(async () => {
      const now = nowIso();
      creator = toActor(await buildStaff(db, 'user'));
      viewer = toActor(await buildStaff(db, 'user'));
      holder = toActor(await buildStaff(db, 'contributor'));
      const open = await buildProject(db, { isPrivate: false });
      const closed = await buildProject(db, { isPrivate: true });
      await addMember(db, open, creator.id, await buildRole(db, { comment: true }));
      const item = (projectId: number, type: string, creatorId: number) =>
        insertId(db, 'work_items', { project_id: projectId, type, name: type, description: '', status: 'open', creator_id: creatorId, created_at: now, updated_at: now });
      const planning = async (table: string, projectId: number, creatorId: number) => insertId(db, table, { project_id: projectId, name: table, creator_id: creatorId, created_at: now });
      const epic = await item(open, 'epic', creator.id); // created, visible by membership
      const hiddenBug = await item(closed, 'bug', creator.id); // created, seen only through the creator's own grant
      const lostBug = await item(closed, 'bug', creator.id); // created, no longer visible: no management
      const othersFeature = await item(closed, 'feature', admin.id); // the holder holds Can grant access on it
      // Releases and iterations with the same ids, created by different people.
      const release = await planning('releases', open, creator.id);
      const iteration = await planning('team_iterations', open, admin.id);
      const release2 = await planning('releases', open, admin.id);
      const iteration2 = await planning('team_iterations', open, creator.id);
      expect([release, release2]).to.deep.equal([iteration, iteration2]);
      const grant = async (name: string, entityType: string, entityId: number, principal: Actor, mode: 'view' | 'comment' | 'edit' | 'grant') => {
        const rank = ['view', 'comment', 'edit', 'grant'].indexOf(mode);
        grants[name] = await insertId(db, 'entity_permissions', {
          entity_type: entityType, entity_id: entityId, principal_id: principal.id,
          can_view: true, can_comment: rank >= 1, can_edit: rank >= 2, can_grant: rank >= 3, created_at: now,
        });
      };
      await grant('viewerOnEpic', 'epic', epic, viewer, 'view');
      await grant('observerOnEpic', 'epic', epic, observer, 'view');
      await grant('creatorOnHiddenBug', 'bug', hiddenBug, creator, 'view');
      await grant('viewerOnHiddenBug', 'bug', hiddenBug, viewer, 'edit');
      await grant('viewerOnLostBug', 'bug', lostBug, viewer, 'comment');
      await grant('holderOnFeature', 'feature', othersFeature, holder, 'grant');
      await grant('viewerOnFeature', 'feature', othersFeature, viewer, 'comment');
      await grant('viewerOnRequestWithEpicId', 'request', epic, viewer, 'view');
      await grant('viewerOnRelease', 'release', release, viewer, 'view');
      await grant('viewerOnIteration', 'team_iteration', iteration, viewer, 'view');
      await grant('viewerOnRelease2', 'release', release2, viewer, 'view');
      await grant('viewerOnIteration2', 'team_iteration', iteration2, viewer, 'view');
      await grant('holderOnRequest', 'request', r.carolPrivate!, holder, 'grant');
      await grant('viewerOnRequest', 'request', r.carolPrivate!, viewer, 'view');
    });

    const listed = async (who: MaybeActor, s: ScopeSettings = ON) =>
      (await db('entity_permissions as ep').modify(visibleEntityPermissions(who, s)).pluck('ep.id')).map(Number).sort((a, b) => a - b);
    const named = (...names: string[]) => sorted(names.map((n) => grants[n]!));

    it('their own grants, and the grants on entities they manage: created and still visible, or held with Can grant access', async () => {
      expect(await listed(creator)).to.deep.equal(
        named('viewerOnEpic', 'observerOnEpic', 'creatorOnHiddenBug', 'viewerOnHiddenBug', 'viewerOnRelease', 'viewerOnIteration2'),
      );
      expect(await listed(holder)).to.deep.equal(named('holderOnFeature', 'viewerOnFeature', 'holderOnRequest', 'viewerOnRequest'));
      expect(await listed(observer)).to.deep.equal(named('observerOnEpic'));
      expect(await listed(viewer)).to.deep.equal(
        named('viewerOnEpic', 'viewerOnHiddenBug', 'viewerOnLostBug', 'viewerOnFeature', 'viewerOnRequestWithEpicId', 'viewerOnRelease', 'viewerOnIteration', 'viewerOnRelease2', 'viewerOnIteration2', 'viewerOnRequest'),
      );
      expect(await listed(admin)).to.deep.equal(sorted((await db('entity_permissions').pluck('id')).map(Number)));
    });

    it('nothing while Direct Access is off, and nothing for customers or anonymous visitors', async () => {
      for (const who of [admin, creator, holder, viewer]) expect(await listed(who, { ...ON, directAccess: false }), who.name).to.deep.equal([]);
      for (const who of [alice, null]) expect(await listed(who), who?.name ?? 'anonymous').to.deep.equal([]);
    });

    it("others' grants are listed exactly when can(manage_access) allows on their entity", async () => {
      const rows: { id: number; entity_type: string; entity_id: number; principal_id: number }[] = await db('entity_permissions').select('id', 'entity_type', 'entity_id', 'principal_id');
      const kindOf = (type: string) => (type === 'request' ? 'request' : type === 'release' || type === 'team_iteration' ? type : 'work_item');
      for (const who of [creator, holder, viewer, observer, contributor, user]) {
        const expected: number[] = [];
        for (const row of rows) {
          if (Number(row.principal_id) === who.id) {
            expected.push(Number(row.id));
            continue;
          }
          const kind = kindOf(row.entity_type);
          const target =
            kind === 'request'
              ? await loadRequestTarget(db, who, Number(row.entity_id), ON)
              : await loadWorkTarget(db, who, kind as 'work_item' | 'release' | 'team_iteration', Number(row.entity_id), ON);
          if (kind === 'work_item' && target && (await db('work_items').where('id', row.entity_id).first('type'))?.type !== row.entity_type) continue;
          if (target && can(who, 'manage_access', target)) expected.push(Number(row.id));
        }
        expect(await listed(who), who.name).to.deep.equal(sorted(expected));
      }
    });
  });

  describe('dashboards a requester may list (section 4)', () => {
    const board: Record<string, number> = {};
    before(async () => {
      const now = nowIso();
      for (const restriction of ['open', 'view_open', 'restricted'] as const) {
        board[restriction] = await insertId(db, 'dashboards', { name: restriction, owner_id: user.id, restriction, created_at: now, updated_at: now });
        // Bob's grants were given before any switch to `open`: they stay but grant nothing there.
        await db('dashboard_grants').insert({ dashboard_id: board[restriction], principal_id: bob.id, level: 'view', created_at: now });
      }
      board.notGranted = await insertId(db, 'dashboards', { name: 'not granted', owner_id: user.id, restriction: 'restricted', created_at: now, updated_at: now });
    });

    it('only boards they were added to, never an `open` one, and nothing while the portal toggle is off', async () => {
      expect(await ids(db, 'dashboards', visibleDashboards(bob, { directAccess: false, portalDashboards: true }))).to.deep.equal(sorted([board.view_open!, board.restricted!]));
      expect(await ids(db, 'dashboards', visibleDashboards(bob, { directAccess: false, portalDashboards: false }))).to.deep.equal([]);
      expect(await ids(db, 'dashboards', visibleDashboards(alice, { directAccess: false, portalDashboards: true }))).to.deep.equal([]);
    });
  });

  describe('comments and principals', () => {
    let publicComment: number;
    let internalNote: number;
    before(async () => {
      const now = nowIso();
      publicComment = await insertId(db, 'comments', { request_id: r.aliceCompany, author_id: user.id, body: 'We are on it', internal: false, created_at: now });
      internalNote = await insertId(db, 'comments', { request_id: r.aliceCompany, author_id: user.id, body: 'Customer is grumpy', internal: true, created_at: now });
    });

    it('internal notes never reach a requester; staff see every comment; anonymous none', async () => {
      expect(await ids(db, 'comments', visibleComments(bob))).to.deep.equal([publicComment]);
      for (const who of [admin, user, observer, contributor]) expect(await ids(db, 'comments', visibleComments(who)), who.type).to.deep.equal(sorted([publicComment, internalNote]));
      expect(await ids(db, 'comments', visibleComments(null))).to.deep.equal([]);
      const aliased = (await db('comments as c').modify(visibleComments(alice, 'c')).pluck('c.id')).map(Number);
      expect(aliased).to.deep.equal([publicComment]);
    });

    it('customers are the requesters, staff everyone else, administrators the administrators', async () => {
      const all: { id: number; type: string }[] = await db('principals').select('id', 'type');
      const ofType = (type: string) => sorted(all.filter((p) => p.type === type).map((p) => Number(p.id)));
      expect(await ids(db, 'principals', customerPrincipals())).to.deep.equal(ofType('requester'));
      expect(await ids(db, 'principals', administratorPrincipals())).to.deep.equal(ofType('administrator'));
      const staff = sorted(all.filter((p) => p.type !== 'requester').map((p) => Number(p.id)));
      expect(staff).to.include.members([admin.id, user.id, observer.id, contributor.id]);
      expect(await ids(db, 'principals', staffPrincipals())).to.deep.equal(staff);
      expect((await db('principals as p').modify(staffPrincipals('p')).pluck('p.id')).map(Number).sort((a, b) => a - b)).to.deep.equal(staff);
      expect(ofType('requester')).to.have.length(5);
      expect(ofType('administrator')).to.have.length(1);
      const aliased = (await db('principals as p').modify(customerPrincipals('p')).pluck('p.id')).map(Number).sort((a, b) => a - b);
      expect(aliased).to.deep.equal(ofType('requester'));
      const admins = (await db('principals as p').modify(administratorPrincipals('p')).pluck('p.id')).map(Number);
      expect(admins).to.deep.equal(ofType('administrator'));
    });
  });
});
