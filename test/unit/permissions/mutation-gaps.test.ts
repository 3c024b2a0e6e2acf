/**
 * Rules of the permissions module that the matrix did not pin down, found by mutation
 * testing (`npm run mutate`). Each expectation comes from PRODUCT.md (sections 1, 3, 4, 6)
 * or from the module's own documented contract, never from what the code happens to do.
 */
import { expect } from 'chai';
import { Forbidden, NotFound } from '../../../server/errors';
import {
  authorize,
  can,
  canEnter,
  isAdministrator,
  isPrincipalType,
  isRequester,
  isStaff,
  NO_FLAGS,
  PRINCIPAL_TYPES,
  realmOf,
  STAFF_TYPES,
  type Actor,
  type DashboardTarget,
  type PrincipalType,
  type ProjectFacts,
  type RequestTarget,
  type RoleFlags,
  type WorkTarget,
} from '../../../server/permissions';
import { activeDirectMode, effectiveRole, staffSeesProject } from '../../../server/permissions/policies/projectEntities';
import { canOnProject } from '../../../server/permissions/policies/projects';
import { canOnRequest, requesterCanSeeRequest } from '../../../server/permissions/policies/requests';

const FULL: RoleFlags = { add: true, edit: true, delete: true, comment: true };
const NOTHING_ALLOWED: RoleFlags = { add: false, edit: false, delete: false, comment: false };

function actor(id: number, type: PrincipalType, companyId: number | null = null): Actor {
  return { id, type, name: `${type} ${id}`, email: `${id}@x.test`, companyId, defaultRoleId: null };
}

function project(opts: Partial<ProjectFacts> = {}): ProjectFacts {
  return { id: 1, isPrivate: false, portalEnabled: true, memberRole: null, defaultRole: null, ...opts };
}

function request(opts: Partial<RequestTarget> = {}): RequestTarget {
  return {
    kind: 'request',
    id: 5,
    requesterId: 100,
    companyId: 1,
    visibility: 'private',
    project: project(),
    direct: { enabled: false, mode: null, creatorId: null },
    ...opts,
  };
}

const ADMIN = actor(1, 'administrator');
const USER = actor(2, 'user');
const OBSERVER = actor(3, 'observer');
const CONTRIBUTOR = actor(4, 'contributor');
const REQUESTER = actor(100, 'requester', 1);
const STAFF = [ADMIN, USER, OBSERVER, CONTRIBUTOR];

describe('mutation gaps: who is who (section 1)', () => {
  it('anonymous is neither staff, requester nor administrator', () => {
    expect(isStaff(null)).to.equal(false);
    expect(isRequester(null)).to.equal(false);
    expect(isAdministrator(null)).to.equal(false);
  });

  it('each principal type is exactly one of staff or requester; only administrators are administrators', () => {
    for (const type of PRINCIPAL_TYPES) {
      const a = actor(9, type);
      expect(isRequester(a), type).to.equal(type === 'requester');
      expect(isStaff(a), type).to.equal(type !== 'requester');
      expect(isAdministrator(a), type).to.equal(type === 'administrator');
    }
    expect([...STAFF_TYPES].sort()).to.deep.equal(['administrator', 'contributor', 'observer', 'user']);
  });

  it('knows the five principal types and nothing else', () => {
    for (const type of ['administrator', 'user', 'observer', 'contributor', 'requester']) expect(isPrincipalType(type), type).to.equal(true);
    for (const type of ['', 'admin', 'customer', 'Requester', 'staff']) expect(isPrincipalType(type), type).to.equal(false);
  });

  it('requesters sign in at the portal, every staff type at the desk', () => {
    expect(realmOf('requester')).to.equal('portal');
    for (const type of STAFF_TYPES) expect(realmOf(type), type).to.equal('desk');
  });

  it('the portal is for requesters, the desk for staff, admin for administrators; anonymous enters none', () => {
    const expected: Record<string, [boolean, boolean, boolean]> = {
      administrator: [false, true, true],
      user: [false, true, false],
      observer: [false, true, false],
      contributor: [false, true, false],
      requester: [true, false, false],
    };
    for (const [type, [portal, desk, admin]] of Object.entries(expected)) {
      const a = actor(9, type as PrincipalType, type === 'requester' ? 1 : null);
      expect(canEnter(a, 'portal'), `${type} portal`).to.equal(portal);
      expect(canEnter(a, 'desk'), `${type} desk`).to.equal(desk);
      expect(canEnter(a, 'admin'), `${type} admin`).to.equal(admin);
    }
    for (const area of ['portal', 'desk', 'admin'] as const) expect(canEnter(null, area), area).to.equal(false);
  });
});

describe('mutation gaps: staff roles and projects', () => {
  it('an observer never adds, even as a member whose project role allows everything', () => {
    for (const isPrivate of [false, true]) {
      const p = project({ isPrivate, memberRole: FULL, defaultRole: FULL });
      expect(canOnProject(OBSERVER, 'view', { kind: 'project', project: p })).to.equal(true);
      expect(canOnProject(OBSERVER, 'add', { kind: 'project', project: p })).to.equal(false);
      expect(effectiveRole(OBSERVER, p)).to.deep.equal(NOTHING_ALLOWED);
    }
  });

  it('requesters and anonymous visitors get no staff role and do not see projects as staff do', () => {
    for (const who of [REQUESTER, null]) {
      for (const isPrivate of [false, true]) {
        const p = project({ isPrivate, memberRole: FULL, defaultRole: FULL });
        expect(effectiveRole(who, p)).to.deep.equal(NOTHING_ALLOWED);
        expect(staffSeesProject(who, p)).to.equal(false);
      }
    }
    expect(NO_FLAGS).to.deep.equal(NOTHING_ALLOWED);
  });

  it('staff never submit requests through the portal, whatever their role', () => {
    for (const who of STAFF) {
      const p = project({ memberRole: FULL, defaultRole: FULL });
      expect(canOnProject(who, 'submit_request', { kind: 'project', project: p }), who.type).to.equal(false);
    }
  });

  it('staff never vote on requests, whatever their role or direct grant', () => {
    for (const who of STAFF) {
      const r = request({ visibility: 'public', project: project({ memberRole: FULL }), direct: { enabled: true, mode: 'grant', creatorId: who.id } });
      expect(canOnRequest(who, 'vote', r), who.type).to.equal(false);
    }
  });
});

describe('mutation gaps: facts that were not loaded make the policy throw (facts.ts contract)', () => {
  const missing = undefined as unknown as null;

  it('a missing membership fact is named, not guessed', () => {
    expect(() => staffSeesProject(USER, project({ memberRole: missing }))).to.throw(/not loaded: project\.memberRole/);
    expect(() => effectiveRole(USER, project({ memberRole: missing }))).to.throw(/not loaded: project\.memberRole/);
  });

  it("a missing default role is named when a contributor's default role would apply", () => {
    expect(() => effectiveRole(CONTRIBUTOR, project({ defaultRole: missing }))).to.throw(/not loaded: project\.defaultRole/);
  });

  it('a missing direct grant is named while direct access is on, and not needed while it is off', () => {
    expect(() => activeDirectMode({ enabled: true, mode: missing, creatorId: null })).to.throw(/not loaded: direct\.mode/);
    expect(activeDirectMode({ enabled: false, mode: missing, creatorId: null })).to.equal(null);
  });
});

describe('mutation gaps: requester rules (section 3)', () => {
  it('company visibility needs a company: two requesters without one do not share', () => {
    const dave = actor(20, 'requester', null);
    expect(requesterCanSeeRequest(dave, { requesterId: 21, companyId: null, visibility: 'company', projectPortalEnabled: true })).to.equal(false);
    expect(can(dave, 'view', request({ requesterId: 21, companyId: null, visibility: 'company' }))).to.equal(false);
  });

  it('the requester rule gives staff and anonymous visitors nothing, even on public portal requests', () => {
    const facts = { requesterId: 100, companyId: 1, visibility: 'public' as const, projectPortalEnabled: true };
    for (const who of [...STAFF, null]) expect(requesterCanSeeRequest(who, facts), who?.type ?? 'anonymous').to.equal(false);
  });
});

describe('mutation gaps: authorize answers 404 for what may not be seen, 403 for what may only be seen', () => {
  function refusal(fn: () => void): 'allowed' | 404 | 403 | 'other' {
    try {
      fn();
      return 'allowed';
    } catch (err) {
      if (err instanceof NotFound) return 404;
      if (err instanceof Forbidden) return 403;
      return 'other';
    }
  }

  it('allows what can() allows', () => {
    expect(refusal(() => authorize(REQUESTER, 'view', request({ requesterId: REQUESTER.id })))).to.equal('allowed');
    expect(refusal(() => authorize(ADMIN, 'delete', request()))).to.equal('allowed');
  });

  it("a requester gets 404 on another company's request, whatever the action (section 3)", () => {
    const other = request({ requesterId: 200, companyId: 2, visibility: 'company' });
    for (const action of ['view', 'vote', 'comment', 'edit'] as const) expect(refusal(() => authorize(REQUESTER, action, other)), action).to.equal(404);
  });

  it('staff who see a request but may not change it get 403; staff who do not see it get 404', () => {
    const r = request({ project: project({ isPrivate: false }) });
    expect(refusal(() => authorize(OBSERVER, 'edit', r))).to.equal(403);
    expect(refusal(() => authorize(USER, 'edit', r))).to.equal(404);
  });

  it('a work item seen through a direct view grant but not editable answers 403 (section 6)', () => {
    const t: WorkTarget = { kind: 'work_item', id: 7, project: project({ isPrivate: true }), direct: { enabled: true, mode: 'view', creatorId: null } };
    expect(refusal(() => authorize(USER, 'view', t))).to.equal('allowed');
    expect(refusal(() => authorize(USER, 'edit', t))).to.equal(403);
    expect(refusal(() => authorize(USER, 'edit', { ...t, direct: { ...t.direct, enabled: false } }))).to.equal(404);
  });

  it('dashboards: 404 for a requester while the portal toggle is off, 403 for staff who only view (section 4)', () => {
    const board: DashboardTarget = { kind: 'dashboard', id: 1, ownerId: 30, restriction: 'view_open', grant: 'view', portalDashboards: false };
    expect(refusal(() => authorize(REQUESTER, 'view', board))).to.equal(404);
    expect(refusal(() => authorize(USER, 'edit', { ...board, grant: null }))).to.equal(403);
    expect(refusal(() => authorize(USER, 'view', { ...board, restriction: 'restricted', grant: null }))).to.equal(404);
  });

  it('creating a dashboard when not allowed is 403: the hub itself is not hidden from staff', () => {
    expect(refusal(() => authorize(OBSERVER, 'create', { kind: 'dashboards', creators: 'all_staff' }))).to.equal(403);
    expect(refusal(() => authorize(USER, 'create', { kind: 'dashboards', creators: 'administrators' }))).to.equal(403);
    expect(refusal(() => authorize(USER, 'create', { kind: 'dashboards', creators: 'all_staff' }))).to.equal('allowed');
  });
});
