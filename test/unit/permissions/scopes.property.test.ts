/**
 * Lists and items agree: on random worlds, every scope returns exactly the items that
 * can(actor, 'view', item) allows, for every actor (and anonymous).
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { createTestDatabase, type TestDatabase } from '../../helpers/databases';
import { worldArb, writeWorld } from '../../helpers/world';
import { can, LINK_HOLDER, type MaybeActor } from '../../../server/permissions';
import { linkedRequests } from '../../../server/permissions/linkScopes';
import { visibleDashboards, visibleEntityPermissions, visibleRequests, visibleWorkItems } from '../../../server/permissions/scopes';
import { entityTypeByStored } from '../../../server/permissions/entityTypes';
import { loadEntityTarget } from '../../../server/commands/entityPermissions';
import {
  loadDashboardTarget,
  loadRequestTarget,
  loadScopeSettings,
  loadWorkTarget,
} from '../../../server/repositories/accessFacts';
import { findPrincipalById, toActor } from '../../../server/repositories/principals';
import { listWorkItems } from '../../../server/repositories/workItems';

const RUNS = Number(process.env.PORTICO_PROPERTY_RUNS ?? 40);

describe('scopes agree with the item policies (fast-check)', function () {
  this.timeout(180_000);
  let tdb: TestDatabase;
  before(async () => {
    tdb = await createTestDatabase();
  });
  after(() => tdb.drop());

  it('for random worlds, each list scope returns exactly what can(view) allows, for every actor', async () => {
    const db = tdb.db;
    await fc.assert(
      fc.asyncProperty(worldArb, async (spec) => {
        const world = await writeWorld(db, spec);
        const settings = await loadScopeSettings(db);
        const actors: MaybeActor[] = [null];
        for (const id of world.principalIds) actors.push(toActor((await findPrincipalById(db, id))!));
        for (const actor of actors) {
          const label = actor ? `${actor.type} #${actor.id}` : 'anonymous';

          const listedRequests = (await db('requests').modify(visibleRequests(actor, settings)).pluck('requests.id')).map(Number).sort((a, b) => a - b);
          const allowedRequests: number[] = [];
          for (const id of world.requestIds) {
            const target = await loadRequestTarget(db, actor, id, settings);
            if (target && can(actor, 'view', target)) allowedRequests.push(id);
          }
          expect(listedRequests, `requests for ${label}`).to.deep.equal(allowedRequests);

          // A public link made by this actor: what the link holder may open and the maker may too.
          const linked = (await db('requests').modify(linkedRequests(actor, settings)).pluck('requests.id')).map(Number).sort((a, b) => a - b);
          const allowedToLink: number[] = [];
          for (const id of allowedRequests) {
            const target = await loadRequestTarget(db, LINK_HOLDER, id, settings);
            if (target && can(LINK_HOLDER, 'view', target)) allowedToLink.push(id);
          }
          expect(linked, `requests on a public link made by ${label}`).to.deep.equal(allowedToLink);

          const listedItems = (await db('work_items').modify(visibleWorkItems(actor, settings)).pluck('work_items.id')).map(Number).sort((a, b) => a - b);
          const allowedItems: number[] = [];
          for (const id of world.workItemIds) {
            const target = await loadWorkTarget(db, actor, 'work_item', id, settings);
            if (target && can(actor, 'view', target)) allowedItems.push(id);
          }
          expect(listedItems, `work items for ${label}`).to.deep.equal(allowedItems);
          // The list names a parent exactly when the parent's own page would open for the viewer.
          const rows = await listWorkItems(db, visibleWorkItems(actor, settings), { limit: 1000 });
          const namedParents = rows.map((w) => ({ id: w.id, parent: w.parent?.id ?? null }));
          const seenParents = rows.map((w) => ({ id: w.id, parent: w.parentId !== null && allowedItems.includes(w.parentId) ? w.parentId : null }));
          expect(namedParents, `parents named to ${label}`).to.deep.equal(seenParents);

          const listedBoards = (await db('dashboards').modify(visibleDashboards(actor, settings)).pluck('dashboards.id')).map(Number).sort((a, b) => a - b);
          const allowedBoards: number[] = [];
          for (const id of world.dashboardIds) {
            const target = await loadDashboardTarget(db, actor, id, settings);
            if (!target) continue;
            if (can(actor, 'view', target)) allowedBoards.push(id);
            if (actor?.type === 'requester') {
              expect(can(actor, 'edit', target) || can(actor, 'manage_grants', target) || can(actor, 'delete', target), `requester ${actor.id} changing dashboard ${id}`).to.equal(false);
            }
          }
          expect(listedBoards, `dashboards for ${label}`).to.deep.equal(allowedBoards);

          // Direct-access grants: one's own, plus those on entities one manages.
          const listedGrants = (await db('entity_permissions as ep').modify(visibleEntityPermissions(actor, settings)).pluck('ep.id')).map(Number).sort((a, b) => a - b);
          const allowedGrants: number[] = [];
          if (actor && settings.directAccess) {
            const grants: { id: number; principal_id: number; entity_type: string; entity_id: number }[] = await db('entity_permissions').orderBy('id');
            for (const g of grants) {
              const type = entityTypeByStored(g.entity_type)!;
              const target = await loadEntityTarget(db, actor, type, Number(g.entity_id));
              if (Number(g.principal_id) === actor.id || (target && can(actor, 'manage_access', target))) allowedGrants.push(Number(g.id));
            }
          }
          expect(listedGrants, `direct-access grants for ${label}`).to.deep.equal(allowedGrants);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
