/**
 * The authorization matrix: every principal kind × resource state × action, with the
 * whole ability set asserted each time (every false included). Expectations are written
 * as tables from PRODUCT.md, not computed by the code under test.
 */
import { expect } from 'chai';
import {
  abilitiesFor,
  type Actor,
  type DashboardTarget,
  type DirectMode,
  type PrincipalType,
  type ProjectFacts,
  type RequestTarget,
  type RoleFlags,
  type WorkTarget,
} from '../../../server/permissions';

const FULL: RoleFlags = { add: true, edit: true, delete: true, comment: true };
const CONTRIB: RoleFlags = { add: true, edit: true, delete: false, comment: true };
const REPORTER: RoleFlags = { add: false, edit: false, delete: false, comment: true };

function actor(id: number, type: PrincipalType, companyId: number | null = null): Actor {
  return { id, type, name: `${type} ${id}`, email: `${id}@x.test`, companyId, defaultRoleId: null };
}

function allowed(abilities: Record<string, boolean>): string {
  return Object.entries(abilities)
    .filter(([, v]) => v)
    .map(([k]) => k)
    .sort()
    .join(' ');
}

function norm(list: string): string {
  return list.split(/\s+/).filter(Boolean).sort().join(' ');
}

let cases = 0;
after(() => {
  // Printed so the size of the matrix is visible in the test output.
  console.log(`      (authorization matrix: ${cases} cases)`);
});

// ---------------------------------------------------------------- requests, requesters

const CREATOR_ID = 10;
const COMPANY = 1;

const REQUESTERS: Record<string, Actor | null> = {
  anonymous: null,
  creator: actor(CREATOR_ID, 'requester', COMPANY),
  'same company': actor(11, 'requester', COMPANY),
  'other company': actor(12, 'requester', 2),
  'no company': actor(13, 'requester', null),
};

const SEE = 'view vote comment';
/** The customer who raised a request also chooses whether it mails them. */
const OWN = `${SEE} manage_notifications`;
/** [requester kind][visibility] → [in a portal project, in a non-portal project] */
const REQUESTER_TABLE: Record<string, Record<string, [string, string]>> = {
  anonymous: { private: ['', ''], company: ['', ''], public: ['', ''] },
  creator: { private: [OWN, OWN], company: [OWN, OWN], public: [OWN, OWN] },
  'same company': { private: ['', ''], company: [SEE, SEE], public: [SEE, ''] },
  'other company': { private: ['', ''], company: ['', ''], public: [SEE, ''] },
  'no company': { private: ['', ''], company: ['', ''], public: [SEE, ''] },
};

function project(opts: Partial<ProjectFacts> = {}): ProjectFacts {
  return { id: 1, isPrivate: false, portalEnabled: true, memberRole: null, defaultRole: null, ...opts };
}

function requestTarget(p: ProjectFacts, visibility: RequestTarget['visibility'], mode: DirectMode | null = null, enabled = false): RequestTarget {
  return {
    kind: 'request',
    id: 5,
    requesterId: CREATOR_ID,
    companyId: COMPANY,
    visibility,
    project: p,
    direct: { enabled, mode, creatorId: null },
  };
}

describe('permission matrix: requests seen by requesters and anonymous visitors', () => {
  for (const [kind, who] of Object.entries(REQUESTERS)) {
    for (const visibility of ['private', 'company', 'public'] as const) {
      for (const [i, portalEnabled] of [true, false].entries()) {
        for (const isPrivate of [false, true]) {
          for (const grant of [null, 'grant'] as const) {
            const expected = REQUESTER_TABLE[kind]![visibility]![i]!;
            it(`${kind} · ${visibility} request · portal ${portalEnabled ? 'on' : 'off'} · ${isPrivate ? 'private' : 'public'} project${grant ? ' · (stray grant row)' : ''} → {${expected}}`, () => {
              cases += 1;
              const t = requestTarget(project({ portalEnabled, isPrivate }), visibility, grant, true);
              expect(allowed(abilitiesFor(who, t))).to.equal(norm(expected));
            });
          }
        }
      }
    }
  }
});

// ---------------------------------------------------------------- requests and work, staff

interface StaffCase {
  who: Actor;
  memberRole: RoleFlags | null;
  defaultRole: RoleFlags | null;
  /** Allowed request actions without any direct grant: [public project, private project]. */
  expect: [string, string];
}

const ALL_REQUEST = 'view comment internal_note edit delete';
const STAFF: Record<string, StaffCase> = {
  administrator: { who: actor(1, 'administrator'), memberRole: null, defaultRole: null, expect: [ALL_REQUEST, ALL_REQUEST] },
  'user, member (full role)': { who: actor(2, 'user'), memberRole: FULL, defaultRole: REPORTER, expect: [ALL_REQUEST, ALL_REQUEST] },
  'user, member (comment-only role)': { who: actor(3, 'user'), memberRole: REPORTER, defaultRole: FULL, expect: ['view comment internal_note', 'view comment internal_note'] },
  'user, not a member': { who: actor(4, 'user'), memberRole: null, defaultRole: FULL, expect: ['', ''] },
  'observer, not a member': { who: actor(5, 'observer'), memberRole: null, defaultRole: FULL, expect: ['view', ''] },
  'observer, member (full role)': { who: actor(6, 'observer'), memberRole: FULL, defaultRole: FULL, expect: ['view', 'view'] },
  'contributor, not a member': { who: actor(7, 'contributor'), memberRole: null, defaultRole: CONTRIB, expect: ['view comment internal_note edit', ''] },
  'contributor, not a member, no default role': { who: actor(8, 'contributor'), memberRole: null, defaultRole: null, expect: ['view', ''] },
  'contributor, member with stricter role': { who: actor(9, 'contributor'), memberRole: REPORTER, defaultRole: CONTRIB, expect: ['view comment internal_note', 'view comment internal_note'] },
};

/** What a direct grant adds on its own, for request actions, and for a view-only type. */
const DIRECT_ADDS: Record<DirectMode, string> = {
  view: 'view',
  comment: 'view comment internal_note',
  edit: 'view comment internal_note edit',
  grant: 'view comment internal_note edit manage_access',
};

function union(a: string, b: string): string {
  return [...new Set([...norm(a).split(' '), ...norm(b).split(' ')].filter(Boolean))].sort().join(' ');
}

describe('permission matrix: requests seen by staff, with and without direct access', () => {
  for (const [name, c] of Object.entries(STAFF)) {
    for (const [pi, isPrivate] of [false, true].entries()) {
      for (const mode of [null, 'view', 'comment', 'edit', 'grant'] as const) {
        for (const enabled of [true, false]) {
          if (mode === null && !enabled) continue;
          const base = c.expect[pi]!;
          let expected = base;
          const observer = c.who.type === 'observer';
          if (enabled && mode) expected = union(base, observer ? 'view' : DIRECT_ADDS[mode]);
          if (enabled && c.who.type === 'administrator') expected = union(expected, 'manage_access');
          it(`${name} · ${isPrivate ? 'private' : 'public'} project · grant ${mode ?? 'none'}${enabled ? '' : ' (feature off)'} → {${expected}}`, () => {
            cases += 1;
            const p = project({ isPrivate, memberRole: c.memberRole, defaultRole: c.defaultRole });
            for (const visibility of ['private', 'company', 'public'] as const) {
              expect(allowed(abilitiesFor(c.who, requestTarget(p, visibility, mode, enabled))), visibility).to.equal(norm(expected));
            }
          });
        }
      }
    }
  }

  it('the creator of a work item manages its access while the feature is on, and only then', () => {
    cases += 2;
    const creator = actor(20, 'user');
    const p = project({ memberRole: REPORTER });
    const on: WorkTarget = { kind: 'work_item', id: 1, project: p, direct: { enabled: true, mode: null, creatorId: 20 } };
    const off: WorkTarget = { ...on, direct: { ...on.direct, enabled: false } };
    expect(allowed(abilitiesFor(creator, on))).to.equal('comment manage_access view');
    expect(allowed(abilitiesFor(creator, off))).to.equal('comment view');
  });
});

describe('permission matrix: work items, releases and team iterations', () => {
  const ALL_WORK = 'view comment edit delete';
  for (const kind of ['work_item', 'release', 'team_iteration'] as const) {
    for (const [name, c] of Object.entries(STAFF)) {
      for (const [pi, isPrivate] of [false, true].entries()) {
        const expected = c.expect[pi]!.replace('internal_note', '').replace(ALL_REQUEST, ALL_WORK);
        it(`${kind} · ${name} · ${isPrivate ? 'private' : 'public'} project → {${norm(expected)}}`, () => {
          cases += 1;
          const t: WorkTarget = { kind, id: 3, project: project({ isPrivate, memberRole: c.memberRole, defaultRole: c.defaultRole }), direct: { enabled: false, mode: null, creatorId: null } };
          expect(allowed(abilitiesFor(c.who, t))).to.equal(norm(expected));
        });
      }
    }
    for (const [name, who] of Object.entries(REQUESTERS)) {
      it(`${kind} · ${name} → {} even with a grant row and a portal project`, () => {
        cases += 1;
        const t: WorkTarget = { kind, id: 3, project: project(), direct: { enabled: true, mode: 'grant', creatorId: who?.id ?? null } };
        expect(allowed(abilitiesFor(who, t))).to.equal('');
      });
    }
  }
});

// ---------------------------------------------------------------- projects

describe('permission matrix: projects', () => {
  const rows: [string, Actor | null, RoleFlags | null, RoleFlags | null, [string, string, string, string]][] = [
    // actor, member role, default role → [public+portal, public no portal, private+portal, private no portal]
    ['anonymous', null, null, null, ['', '', '', '']],
    ['requester', actor(11, 'requester', 1), null, null, ['view submit_request', '', 'view submit_request', '']],
    ['administrator', actor(1, 'administrator'), null, null, ['view add', 'view add', 'view add', 'view add']],
    ['user member (full)', actor(2, 'user'), FULL, null, ['view add', 'view add', 'view add', 'view add']],
    ['user member (reporter)', actor(3, 'user'), REPORTER, FULL, ['view', 'view', 'view', 'view']],
    ['user non-member', actor(4, 'user'), null, FULL, ['', '', '', '']],
    ['observer', actor(5, 'observer'), null, FULL, ['view', 'view', '', '']],
    ['contributor non-member', actor(7, 'contributor'), null, CONTRIB, ['view add', 'view add', '', '']],
    ['contributor stricter member', actor(9, 'contributor'), REPORTER, CONTRIB, ['view', 'view', 'view', 'view']],
  ];
  const states: [boolean, boolean][] = [[false, true], [false, false], [true, true], [true, false]];
  for (const [name, who, memberRole, defaultRole, expects] of rows) {
    states.forEach(([isPrivate, portalEnabled], i) => {
      it(`${name} · ${isPrivate ? 'private' : 'public'}, portal ${portalEnabled ? 'on' : 'off'} → {${expects[i]}}`, () => {
        cases += 1;
        const t = { kind: 'project' as const, project: project({ isPrivate, portalEnabled, memberRole, defaultRole }) };
        expect(allowed(abilitiesFor(who, t))).to.equal(norm(expects[i]!));
      });
    });
  }
});

// ---------------------------------------------------------------- dashboards

const OWNER_ID = 30;
const EDIT = 'view edit manage_grants';
const ALL_DASH = 'view edit delete manage_grants';

/** [who, their grant] → [open, view_open, restricted] with the portal toggle on; off changes only requesters. */
const DASHBOARD_TABLE: [string, Actor | null, 'view' | 'edit' | null, [string, string, string], [string, string, string]][] = [
  ['anonymous', null, null, ['', '', ''], ['', '', '']],
  ['requester, view grant', actor(40, 'requester', 1), 'view', ['', 'view', 'view'], ['', '', '']],
  ['requester, edit grant (never honoured)', actor(41, 'requester', 1), 'edit', ['', 'view', 'view'], ['', '', '']],
  ['requester, no grant', actor(42, 'requester', 1), null, ['', '', ''], ['', '', '']],
  ['administrator', actor(1, 'administrator'), null, [ALL_DASH, ALL_DASH, ALL_DASH], [ALL_DASH, ALL_DASH, ALL_DASH]],
  ['owner (user)', actor(OWNER_ID, 'user'), null, [ALL_DASH, ALL_DASH, ALL_DASH], [ALL_DASH, ALL_DASH, ALL_DASH]],
  ['user, no grant', actor(2, 'user'), null, [EDIT, 'view', ''], [EDIT, 'view', '']],
  ['user, view grant', actor(3, 'user'), 'view', [EDIT, 'view', 'view'], [EDIT, 'view', 'view']],
  ['user, edit grant', actor(4, 'user'), 'edit', [EDIT, EDIT, EDIT], [EDIT, EDIT, EDIT]],
  ['contributor, no grant', actor(7, 'contributor'), null, [EDIT, 'view', ''], [EDIT, 'view', '']],
  ['contributor, edit grant', actor(8, 'contributor'), 'edit', [EDIT, EDIT, EDIT], [EDIT, EDIT, EDIT]],
  ['observer, no grant', actor(5, 'observer'), null, ['view', 'view', ''], ['view', 'view', '']],
  ['observer, view grant', actor(6, 'observer'), 'view', ['view', 'view', 'view'], ['view', 'view', 'view']],
  ['observer, edit grant (view only)', actor(9, 'observer'), 'edit', ['view', 'view', 'view'], ['view', 'view', 'view']],
];

describe('permission matrix: dashboards', () => {
  for (const [name, who, grant, on, off] of DASHBOARD_TABLE) {
    (['open', 'view_open', 'restricted'] as const).forEach((restriction, i) => {
      for (const toggle of [true, false]) {
        const expected = (toggle ? on : off)[i]!;
        it(`${name} · ${restriction} · portal toggle ${toggle ? 'on' : 'off'} → {${expected}}`, () => {
          cases += 1;
          const t: DashboardTarget = { kind: 'dashboard', id: 1, ownerId: OWNER_ID, restriction, grant, portalDashboards: toggle };
          expect(allowed(abilitiesFor(who, t))).to.equal(norm(expected));
        });
      }
    });
  }

  const creators: [string, Actor | null, string, string][] = [
    ['anonymous', null, '', ''],
    ['requester', actor(40, 'requester', 1), '', ''],
    ['observer', actor(5, 'observer'), '', ''],
    ['user', actor(2, 'user'), 'create', ''],
    ['contributor', actor(7, 'contributor'), 'create', ''],
    ['administrator', actor(1, 'administrator'), 'create', 'create'],
  ];
  for (const [name, who, allStaff, adminsOnly] of creators) {
    it(`${name} creating dashboards · all_staff → {${allStaff}} · administrators → {${adminsOnly}}`, () => {
      cases += 2;
      expect(allowed(abilitiesFor(who, { kind: 'dashboards', creators: 'all_staff' }))).to.equal(allStaff);
      expect(allowed(abilitiesFor(who, { kind: 'dashboards', creators: 'administrators' }))).to.equal(adminsOnly);
    });
  }
});
