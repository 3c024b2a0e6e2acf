/**
 * For random sequences of grant, revoke, restriction change and toggle, the very next
 * decision reflects the last change, and no requester ever gets more than view.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { createTestDatabase, type TestDatabase } from '../../helpers/databases';
import { buildCompany, buildRequester, buildStaff } from '../../helpers/factories';
import { nowIso } from '../../../server/db';
import { can, type Actor, type GrantLevel, type Restriction } from '../../../server/permissions';
import { grantDashboardAccess, revokeDashboardGrant, setDashboardRestriction } from '../../../server/commands/dashboardAccess';
import { changeSettings } from '../../../server/commands/changeSettings';
import { loadDashboardTarget, loadScopeSettings } from '../../../server/repositories/accessFacts';
import { findGrantFor } from '../../../server/repositories/dashboards';
import { toActor } from '../../../server/repositories/principals';
import { Invalid } from '../../../server/errors';

type Step =
  | { op: 'grant'; who: 'customer' | 'colleague'; level: GrantLevel }
  | { op: 'revoke'; who: 'customer' | 'colleague' }
  | { op: 'restrict'; restriction: Restriction }
  | { op: 'toggle'; on: boolean };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant('grant' as const), who: fc.constantFrom('customer' as const, 'colleague' as const), level: fc.constantFrom('view' as const, 'edit' as const) }),
  fc.record({ op: fc.constant('revoke' as const), who: fc.constantFrom('customer' as const, 'colleague' as const) }),
  fc.record({ op: fc.constant('restrict' as const), restriction: fc.constantFrom('open' as const, 'view_open' as const, 'restricted' as const) }),
  fc.record({ op: fc.constant('toggle' as const), on: fc.boolean() }),
);

interface Model {
  restriction: Restriction;
  toggle: boolean;
  grants: { customer: GrantLevel | null; colleague: GrantLevel | null };
}

describe('decisions follow the last change (fast-check, model-based)', function () {
  this.timeout(180_000);
  let tdb: TestDatabase;
  let admin: Actor;
  let customer: Actor;
  let colleague: Actor;
  before(async () => {
    tdb = await createTestDatabase();
    admin = toActor(await buildStaff(tdb.db, 'administrator'));
    customer = toActor(await buildRequester(tdb.db, { company: await buildCompany(tdb.db) }));
    colleague = toActor(await buildStaff(tdb.db, 'user'));
  });
  after(() => tdb.drop());

  it('grant, revoke, restriction and toggle sequences', async () => {
    const db = tdb.db;
    const people = () => ({ customer, colleague });
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 12 }), async (steps) => {
        await db('dashboard_grants').del();
        await db('dashboards').del();
        const [row] = await db('dashboards').insert({ name: 'Board', owner_id: admin.id, restriction: 'restricted', created_at: nowIso(), updated_at: nowIso() }).returning('id');
        const id = Number(typeof row === 'object' ? (row as { id: number }).id : row);
        await changeSettings(db, admin.id, { 'portal.dashboards': true });
        const model: Model = { restriction: 'restricted', toggle: true, grants: { customer: null, colleague: null } };

        for (const step of steps) {
          if (step.op === 'grant') {
            const person = people()[step.who];
            const refused = step.who === 'customer' && (step.level === 'edit' || model.restriction === 'open');
            try {
              await grantDashboardAccess(db, admin, id, person.email, step.level);
              expect(refused, `grant ${JSON.stringify(step)} should have been refused`).to.equal(false);
              model.grants[step.who] = step.level;
            } catch (err) {
              expect(err).to.be.instanceOf(Invalid);
              expect(refused).to.equal(true);
            }
          } else if (step.op === 'revoke') {
            const grant = await findGrantFor(db, id, people()[step.who].id);
            if (grant) await revokeDashboardGrant(db, admin, id, grant.id);
            model.grants[step.who] = null;
          } else if (step.op === 'restrict') {
            await setDashboardRestriction(db, admin, id, step.restriction);
            model.restriction = step.restriction;
          } else {
            await changeSettings(db, admin.id, { 'portal.dashboards': step.on });
            model.toggle = step.on;
          }

          const settings = await loadScopeSettings(db);
          const forCustomer = (await loadDashboardTarget(db, customer, id, settings))!;
          const forColleague = (await loadDashboardTarget(db, colleague, id, settings))!;
          const customerSees = model.toggle && model.restriction !== 'open' && model.grants.customer !== null;
          expect(can(customer, 'view', forCustomer), `customer view after ${JSON.stringify(step)}`).to.equal(customerSees);
          expect(can(customer, 'edit', forCustomer)).to.equal(false);
          expect(can(customer, 'manage_grants', forCustomer)).to.equal(false);
          const colleagueSees = model.restriction !== 'restricted' || model.grants.colleague !== null;
          const colleagueEdits = model.restriction === 'open' || model.grants.colleague === 'edit';
          expect(can(colleague, 'view', forColleague), `colleague view after ${JSON.stringify(step)}`).to.equal(colleagueSees);
          expect(can(colleague, 'edit', forColleague), `colleague edit after ${JSON.stringify(step)}`).to.equal(colleagueEdits);
        }
        const customerGrantRows = await db('dashboard_grants').where({ principal_id: customer.id, level: 'edit' });
        expect(customerGrantRows, 'no customer ever holds an edit grant').to.deep.equal([]);
      }),
      { numRuns: Number(process.env.PORTICO_PROPERTY_RUNS ?? 40) },
    );
  });
});
