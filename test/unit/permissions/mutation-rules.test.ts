/**
 * The smaller rules of the permissions module (the Dashboard Hub gate, "preview as
 * customer" explanations, who may hold a direct grant, the Direct Access entity types),
 * found untested by mutation testing (`npm run mutate`). Expectations come from
 * PRODUCT.md sections 1, 4 and 6 and from each function's documented contract.
 */
import { expect } from 'chai';
import {
  CUSTOMER_EDIT_REFUSED,
  CUSTOMER_ON_OPEN_REFUSED,
  dashboardGranteeProblem,
  OBSERVER_EDIT_REFUSED,
  grantChangeProblem,
  grantProblem,
  can,
  canUseDashboardHub,
  customerAccessProblem,
  DIRECT_MODES,
  granteeProblem,
  PRINCIPAL_TYPES,
  RESTRICTION_TEXT,
  RESTRICTIONS,
  toCustomerFlag,
  type Actor,
  type DashboardTarget,
  type PrincipalType,
} from '../../../server/permissions';
import { seesEmailOf } from '../../../server/permissions/peopleScopes';
import { ENTITY_TYPES, entityTypeById, entityTypeByName, entityTypeByStored } from '../../../server/permissions/entityTypes';

function actor(id: number, type: PrincipalType, companyId: number | null = null): Actor {
  return { id, type, name: `${type} ${id}`, email: `${id}@x.test`, companyId, defaultRoleId: null };
}

const STAFF = (['administrator', 'user', 'observer', 'contributor'] as const).map((t, i) => actor(i + 1, t));
const CUSTOMER = actor(50, 'requester', 1);

describe('mutation gaps: the Dashboard Hub and its texts (section 4)', () => {
  it('the hub exists for requesters only, and only while "Enable access in the customer portal" is on', () => {
    expect(canUseDashboardHub(CUSTOMER, true)).to.equal(true);
    expect(canUseDashboardHub(CUSTOMER, false)).to.equal(false);
    for (const who of [...STAFF, null]) {
      for (const toggle of [true, false]) expect(canUseDashboardHub(who, toggle), `${who?.type ?? 'anonymous'} ${toggle}`).to.equal(false);
    }
  });

  it('restriction levels read as the UI text of the contract', () => {
    expect(RESTRICTION_TEXT).to.deep.equal({
      open: 'Anyone can view and edit',
      view_open: 'Anyone can view, some can edit',
      restricted: 'Only specific people can view or edit',
    });
    expect(Object.keys(RESTRICTION_TEXT).sort()).to.deep.equal([...RESTRICTIONS].sort());
  });

  it('lists of people flag the customers (requesters) and nobody else', () => {
    for (const type of PRINCIPAL_TYPES) expect(toCustomerFlag(type), type).to.equal(type === 'requester');
    expect(toCustomerFlag('')).to.equal(false);
  });
});

describe('mutation gaps: "preview as customer" says why a customer cannot see a board (section 4)', () => {
  function board(restriction: DashboardTarget['restriction'], grant: DashboardTarget['grant'], portalDashboards: boolean): DashboardTarget {
    return { kind: 'dashboard', id: 1, ownerId: 1, restriction, grant, portalDashboards };
  }

  it('gives no reason exactly when the customer can view the board, and a real one otherwise', () => {
    for (const restriction of RESTRICTIONS) {
      for (const grant of [null, 'view', 'edit'] as const) {
        for (const toggle of [true, false]) {
          const d = board(restriction, grant, toggle);
          const problem = customerAccessProblem(CUSTOMER, d);
          const label = `${restriction} · grant ${grant} · toggle ${toggle}`;
          if (can(CUSTOMER, 'view', d)) expect(problem, label).to.equal(null);
          else expect(problem, label).to.be.a('string').that.is.not.empty;
        }
      }
    }
  });

  it('names the cause: the portal toggle first, then an `open` board, then a missing grant', () => {
    const toggleOff = customerAccessProblem(CUSTOMER, board('open', null, false));
    expect(toggleOff).to.include('Enable access in the customer portal');
    expect(customerAccessProblem(CUSTOMER, board('restricted', 'view', false))).to.equal(toggleOff);
    const open = customerAccessProblem(CUSTOMER, board('open', 'view', true));
    expect(open).to.include(RESTRICTION_TEXT.open);
    expect(customerAccessProblem(CUSTOMER, board('open', null, true))).to.equal(open);
    const notAdded = customerAccessProblem(CUSTOMER, board('view_open', null, true));
    expect(notAdded).to.be.a('string').that.is.not.empty;
    expect(customerAccessProblem(CUSTOMER, board('restricted', null, true))).to.equal(notAdded);
    expect(new Set([toggleOff, open, notAdded]).size).to.equal(3);
  });

  it('only customers can be previewed', () => {
    const d = board('view_open', 'view', true);
    const reasons = [...STAFF, null].map((who) => customerAccessProblem(who, d));
    for (const reason of reasons) expect(reason).to.be.a('string').that.is.not.empty;
    expect(new Set(reasons).size).to.equal(1);
    expect(reasons[0]).to.not.equal(customerAccessProblem(CUSTOMER, board('view_open', null, true)));
  });
});

describe('mutation gaps: who may hold a direct grant (section 6)', () => {
  it('requesters never, in any mode', () => {
    for (const mode of DIRECT_MODES) {
      expect(granteeProblem(CUSTOMER, false, mode), mode).to.be.a('string').that.is.not.empty;
      expect(granteeProblem(CUSTOMER, true, mode), mode).to.be.a('string').that.is.not.empty;
    }
  });

  it('observers only View; administrators, users and contributors any mode', () => {
    const observer = STAFF.find((a) => a.type === 'observer')!;
    expect(granteeProblem(observer, false, 'view')).to.equal(null);
    for (const mode of ['comment', 'edit', 'grant'] as const) expect(granteeProblem(observer, false, mode), mode).to.be.a('string').that.is.not.empty;
    for (const who of STAFF.filter((a) => a.type !== 'observer')) {
      for (const mode of DIRECT_MODES) expect(granteeProblem(who, false, mode), `${who.type} ${mode}`).to.equal(null);
    }
  });

  it('disabled accounts get nothing, and each refusal says its own reason', () => {
    for (const who of STAFF) {
      for (const mode of DIRECT_MODES) expect(granteeProblem(who, true, mode), `${who.type} ${mode}`).to.be.a('string').that.is.not.empty;
    }
    const observer = STAFF.find((a) => a.type === 'observer')!;
    const reasons = [granteeProblem(CUSTOMER, false, 'view'), granteeProblem(STAFF[1]!, true, 'view'), granteeProblem(observer, false, 'edit')];
    expect(new Set(reasons).size).to.equal(3);
  });

  it('nobody gives or changes a grant of their own, in any mode; to others the grantee rules apply unchanged', () => {
    for (const granter of STAFF) {
      for (const mode of DIRECT_MODES) {
        expect(grantProblem(granter, granter, false, mode), `${granter.type} ${mode}`).to.match(/yourself/);
        for (const grantee of [...STAFF, CUSTOMER].filter((g) => g.id !== granter.id)) {
          for (const disabled of [false, true]) expect(grantProblem(granter, grantee, disabled, mode)).to.equal(granteeProblem(grantee, disabled, mode));
        }
      }
    }
  });

  it("a change is a new grant's rules, except that a disabled account's grant may be narrowed (never widened or kept)", () => {
    for (const granter of STAFF) {
      for (const grantee of [...STAFF, CUSTOMER]) {
        for (const current of DIRECT_MODES) {
          for (const mode of DIRECT_MODES) {
            const label = `${granter.type}→${grantee.type} ${current}→${mode}`;
            expect(grantChangeProblem(granter, grantee, false, current, mode), label).to.equal(grantProblem(granter, grantee, false, mode));
            const narrowing = DIRECT_MODES.indexOf(mode) < DIRECT_MODES.indexOf(current);
            expect(grantChangeProblem(granter, grantee, true, current, mode), label).to.equal(grantProblem(granter, grantee, !narrowing, mode));
          }
        }
      }
    }
    const staff = STAFF.find((a) => a.type === 'user')!;
    expect(grantChangeProblem(STAFF[0]!, staff, true, 'grant', 'view')).to.equal(null);
    expect(grantChangeProblem(STAFF[0]!, staff, true, 'view', 'edit')).to.match(/disabled/);
  });
});

describe('who may hold a dashboard grant (section 4)', () => {
  it('customers: view only, never on an open dashboard; observers: view only; other staff: either level anywhere', () => {
    for (const restriction of RESTRICTIONS) {
      expect(dashboardGranteeProblem(CUSTOMER, 'view', restriction), restriction).to.equal(restriction === 'open' ? CUSTOMER_ON_OPEN_REFUSED : null);
      expect(dashboardGranteeProblem(CUSTOMER, 'edit', restriction), restriction).to.equal(CUSTOMER_EDIT_REFUSED);
      for (const who of STAFF) {
        expect(dashboardGranteeProblem(who, 'view', restriction), `${who.type} view ${restriction}`).to.equal(null);
        expect(dashboardGranteeProblem(who, 'edit', restriction), `${who.type} edit ${restriction}`).to.equal(who.type === 'observer' ? OBSERVER_EDIT_REFUSED : null);
      }
    }
  });
});

describe("whose email address a staff member is shown (the sharing page's people)", () => {
  it('staff addresses to every staff member, a customer address to administrators only, nothing to customers or nobody', () => {
    for (const viewer of STAFF) {
      for (const type of PRINCIPAL_TYPES) {
        const expected = type !== 'requester' || viewer.type === 'administrator';
        expect(seesEmailOf(viewer, type), `${viewer.type} sees a ${type}'s email`).to.equal(expected);
      }
    }
    for (const type of PRINCIPAL_TYPES) {
      expect(seesEmailOf(CUSTOMER, type)).to.equal(false);
      expect(seesEmailOf(null, type)).to.equal(false);
    }
  });
});

describe('mutation gaps: Direct Access entity types (section 6)', () => {
  const WORK_ITEM_TYPES = ['epic', 'feature', 'user_story', 'task', 'bug', 'portfolio_epic', 'impediment', 'build'];

  it('supports exactly the work item types, request, release and team iteration', () => {
    expect(ENTITY_TYPES.map((t) => t.stored).sort()).to.deep.equal([...WORK_ITEM_TYPES, 'request', 'release', 'team_iteration'].sort());
    for (const t of ENTITY_TYPES) {
      const kind = WORK_ITEM_TYPES.includes(t.stored) ? 'work_item' : t.stored;
      expect(t.kind, t.stored).to.equal(kind);
    }
  });

  it('Request is entity type 17, as in the Targetprocess API', () => {
    expect(entityTypeById(17)).to.include({ name: 'Request', stored: 'request', kind: 'request' });
    expect(entityTypeByName('Request')?.id).to.equal(17);
  });

  it('names are the Targetprocess spelling of the stored type (UserStory for user_story)', () => {
    for (const t of ENTITY_TYPES) {
      expect(t.name, t.stored).to.match(/^[A-Z][A-Za-z]+$/);
      expect(t.name.toLowerCase(), t.stored).to.equal(t.stored.replace(/_/g, ''));
    }
  });

  it('ids, names and stored values are unique, and each finds its own type', () => {
    expect(new Set(ENTITY_TYPES.map((t) => t.id)).size).to.equal(ENTITY_TYPES.length);
    for (const t of ENTITY_TYPES) {
      expect(entityTypeById(t.id), t.name).to.equal(t);
      expect(entityTypeByStored(t.stored), t.name).to.equal(t);
      expect(entityTypeByName(t.name), t.name).to.equal(t);
      expect(entityTypeByName(t.name.toUpperCase()), t.name).to.equal(t);
      expect(entityTypeByName(t.name.toLowerCase()), t.name).to.equal(t);
    }
  });

  it('unknown ids, names and stored values find nothing', () => {
    expect(entityTypeById(0)).to.equal(undefined);
    expect(entityTypeById(1)).to.equal(undefined);
    expect(entityTypeByName('')).to.equal(undefined);
    expect(entityTypeByName('Project')).to.equal(undefined);
    expect(entityTypeByStored('')).to.equal(undefined);
    expect(entityTypeByStored('Request')).to.equal(undefined);
    expect(entityTypeByStored('UserStory')).to.equal(undefined);
  });
});
