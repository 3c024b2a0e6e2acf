/**
 * Counts from the tallies agree with counts from the rows: on random worlds (statuses, types,
 * creation days and companies spread over the requests, direct grants on and off), every
 * counting widget gives the same figures whether added up from the request tallies or counted
 * from the rows of widgetRequests / previewWidgetRequests, for every viewer, preview, data scope
 * and project. And the split behind it is exact: visibleRequests is the requests of the
 * projects seen whole plus the requests seen apart, never both.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { createTestDatabase, type TestDatabase } from '../../helpers/databases';
import { worldArb, writeWorld } from '../../helpers/world';
import { LINK_HOLDER, type MaybeActor } from '../../../server/permissions';
import { previewWidgetRequests, projectsSeenWhole, requestsSeenApart, visibleRequests, widgetRequests, type WidgetDataScope } from '../../../server/permissions/scopes';
import { previewWidgetTallyScope, widgetTallyScope } from '../../../server/permissions/tallyScopes';
import { loadScopeSettings } from '../../../server/repositories/accessFacts';
import { findPrincipalById, toActor } from '../../../server/repositories/principals';
import { rebuildRequestTallies } from '../../../server/repositories/requestTallies';
import { REQUEST_STATUSES, REQUEST_TYPES } from '../../../server/repositories/requestDetails';
import { COUNTING_KINDS, tallyFigures, widgetFigures } from '../../../server/repositories/widgetData';

const RUNS = Number(process.env.PORTICO_PROPERTY_RUNS ?? 25);
const NOW = new Date('2026-11-25T12:00:00.000Z');
const DAY = 86_400_000;

describe('widget counts from the tallies agree with the rows (fast-check)', function () {
  this.timeout(300_000);
  let tdb: TestDatabase;
  before(async () => {
    tdb = await createTestDatabase();
  });
  after(() => tdb.drop());

  it('for random worlds, every counting widget adds up to what its rows count, for every viewer and preview', async () => {
    const db = tdb.db;
    await fc.assert(
      fc.asyncProperty(worldArb, fc.array(fc.nat(), { minLength: 1, maxLength: 14 }), async (spec, salts) => {
        const world = await writeWorld(db, spec);
        // Spread the tallied fields (writeWorld makes every request a new issue of today).
        for (const [i, id] of world.requestIds.entries()) {
          const k = salts[i % salts.length]! + i;
          await db('requests').where({ id }).update({
            status: REQUEST_STATUSES[k % REQUEST_STATUSES.length],
            type: REQUEST_TYPES[(k >> 2) % REQUEST_TYPES.length],
            created_at: new Date(NOW.getTime() - (k % 100) * DAY - (k % 7) * 3_600_000).toISOString(),
          });
        }
        await rebuildRequestTallies(db);
        const settings = await loadScopeSettings(db);
        const people: MaybeActor[] = [null];
        for (const id of world.principalIds) people.push(toActor((await findPrincipalById(db, id))!));
        // Whoever opens a public share link: a customer of no company, previewed by the link's maker.
        people.push(LINK_HOLDER);
        const projects: (number | null)[] = [null, ...(await db('projects').orderBy('id').pluck('id')).map(Number)];
        const scopes: WidgetDataScope[] = ['viewer_company', 'all'];

        for (const actor of people) {
          const label = actor ? `${actor.type} #${actor.id}` : 'anonymous';
          // The split: seen whole + seen apart = visible, disjointly.
          const visible = (await db('requests').modify(visibleRequests(actor, settings)).pluck('requests.id')).map(Number).sort((a, b) => a - b);
          const whole = (await db('requests').whereIn('requests.project_id', db('projects').modify(projectsSeenWhole(actor)).select('projects.id')).pluck('requests.id')).map(Number);
          const apartScope = requestsSeenApart(actor, settings);
          const apart = apartScope ? (await db('requests').modify(apartScope).pluck('requests.id')).map(Number) : [];
          expect(whole.filter((id) => apart.includes(id)), `seen both ways by ${label}`).to.deep.equal([]);
          if (actor === null || actor.type !== 'requester') expect([...whole, ...apart].sort((a, b) => a - b), `split of ${label}`).to.deep.equal(visible);
          else expect([whole, apart], `a customer sees no project whole`).to.deep.equal([[], []]);

          for (const dataScope of scopes) {
            for (const project of projects) {
              for (const kind of COUNTING_KINDS) {
                const where = `${kind} of ${label}, ${dataScope}, project ${String(project)}`;
                const rows = await widgetFigures(db, kind, widgetRequests(actor, dataScope, settings, false), project, NOW);
                expect(await tallyFigures(db, kind, widgetTallyScope(actor, dataScope, settings), project, NOW), where).to.deep.equal(rows);
                // Previews are of customers, by staff; anything else has no tally form and counts rows.
                for (const previewer of actor?.type === 'requester' ? people : []) {
                  const t = previewWidgetTallyScope(actor, previewer, dataScope, settings);
                  if (!t) {
                    expect(previewer === null || previewer.type === 'requester', `${where}: a staff preview without a tally form`).to.equal(true);
                    continue;
                  }
                  const previewRows = await widgetFigures(db, kind, previewWidgetRequests(actor, previewer, dataScope, settings, false), project, NOW);
                  expect(await tallyFigures(db, kind, t, project, NOW), `${where}, previewed by ${previewer ? `${previewer.type} #${previewer.id}` : 'anonymous'}`).to.deep.equal(previewRows);
                }
              }
            }
          }
        }
      }),
      { numRuns: RUNS, seed: Number(process.env.PORTICO_PROPERTY_SEED ?? 20261201) },
    );
  });
});
