/**
 * The desk queue's tabs and filter choices: read from the small tables and capped, or added
 * up from the request tallies, they must still say exactly what the visible requests say
 * (random worlds, every actor, filters), and stop at the cap with the cap flagged.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { createTestDatabase, type TestDatabase } from '../helpers/databases';
import { worldArb, writeWorld } from '../helpers/world';
import { buildProject, buildRequester, buildStaff } from '../helpers/factories';
import { nowIso } from '../../server/db';
import type { MaybeActor } from '../../server/permissions';
import { visibleRequests } from '../../server/permissions/scopes';
import { queueTallyScope } from '../../server/permissions/tallyScopes';
import { loadScopeSettings } from '../../server/repositories/accessFacts';
import { findPrincipalById, toActor } from '../../server/repositories/principals';
import { listQueue, queueFilterOptions, type QueueSort } from '../../server/repositories/queue';
import { countByStatus, QUEUE_COUNT_CAP, totalFromTabs } from '../../server/repositories/queueCounts';
import { talliedFilter, type QueueFilter } from '../../server/repositories/queueFilter';
import { rebuildRequestTallies } from '../../server/repositories/requestTallies';
import { REQUEST_STATUSES, REQUEST_TYPES } from '../../server/repositories/requestDetails';

const RUNS = Number(process.env.PORTICO_PROPERTY_RUNS ?? 25);

describe('desk queue tabs and filter choices', function () {
  this.timeout(180_000);
  let tdb: TestDatabase;
  before(async () => {
    tdb = await createTestDatabase();
  });
  after(() => tdb.drop());

  it('on random worlds, the tab counts and the choices equal what the visible requests name, for every actor', async () => {
    const db = tdb.db;
    await fc.assert(
      fc.asyncProperty(worldArb, fc.nat(), async (spec, salt) => {
        const world = await writeWorld(db, spec);
        const staff: number[] = (await db('principals').whereNot('type', 'requester').orderBy('id').pluck('id')).map(Number);
        // Spread statuses and assignees over the requests (writeWorld makes them all new and unassigned).
        for (const [i, id] of world.requestIds.entries()) {
          const k = i + salt;
          await db('requests')
            .where({ id })
            .update({ status: REQUEST_STATUSES[k % REQUEST_STATUSES.length], assignee_id: staff.length && k % 3 ? staff[k % staff.length] : null });
        }
        const settings = await loadScopeSettings(db);
        const actors: MaybeActor[] = [null];
        for (const id of world.principalIds) actors.push(toActor((await findPrincipalById(db, id))!));
        for (const actor of actors) {
          const label = actor ? `${actor.type} #${actor.id}` : 'anonymous';
          const scope = visibleRequests(actor, settings);
          const visible: { status: string; project_id: number; company_id: number | null; assignee_id: number | null }[] = await db('requests')
            .modify(scope)
            .select('requests.status', 'requests.project_id', 'requests.company_id', 'requests.assignee_id');
          const expected: Record<string, number> = Object.fromEntries(REQUEST_STATUSES.map((s) => [s, 0]));
          for (const r of visible) expected[r.status] = (expected[r.status] ?? 0) + 1;
          const tabs = await countByStatus(db, scope, {}, REQUEST_STATUSES);
          expect(tabs, `tabs for ${label}`).to.deep.equal({ counts: expected, capped: [] });
          // The total the queue takes from the tabs is the one it would count itself.
          for (const status of [undefined, ...REQUEST_STATUSES]) {
            const counted = await listQueue(db, scope, { status }, 'activity', 1, 5);
            const fromTabs = await listQueue(db, scope, { status }, 'activity', 1, 5, Promise.resolve(tabs));
            expect([fromTabs.total, fromTabs.totalCapped], `total for ${label}, ${status ?? 'every status'}`).to.deep.equal([counted.total, counted.totalCapped]);
            expect(fromTabs.items).to.deep.equal(counted.items);
          }

          const named = (ids: (number | null)[]) => [...new Set(ids.filter((v): v is number => v !== null).map(Number))].sort((a, b) => a - b);
          const options = await queueFilterOptions(db, actor, settings);
          const ids = (o: { id: number }[]) => o.map((x) => x.id).sort((a, b) => a - b);
          expect(options.companies, `company choices listed for ${label}`).to.be.an('array');
          expect(ids(options.projects), `projects for ${label}`).to.deep.equal(named(visible.map((r) => r.project_id)));
          expect(ids(options.companies ?? []), `companies for ${label}`).to.deep.equal(named(visible.map((r) => r.company_id)));
          expect(ids(options.assignees), `assignees for ${label}`).to.deep.equal(named(visible.map((r) => r.assignee_id)));
        }
      }),
      { numRuns: RUNS, seed: Number(process.env.PORTICO_PROPERTY_SEED ?? 20261123) },
    );
  });

  it('on random worlds, tabs added up from the tallies are exactly what the visible requests count, for every staff member and filter', async () => {
    const db = tdb.db;
    await fc.assert(
      fc.asyncProperty(worldArb, fc.nat(), fc.nat(), async (spec, salt, pick) => {
        const world = await writeWorld(db, spec);
        // Spread statuses, types and companies (writeWorld makes every request a new issue).
        const companies: number[] = (await db('companies').orderBy('id').pluck('id')).map(Number);
        for (const [i, id] of world.requestIds.entries()) {
          const k = i + salt;
          await db('requests')
            .where({ id })
            .update({ status: REQUEST_STATUSES[k % REQUEST_STATUSES.length], type: REQUEST_TYPES[(k >> 1) % REQUEST_TYPES.length], company_id: k % 4 === 0 || !companies.length ? null : companies[k % companies.length] });
        }
        await rebuildRequestTallies(db);
        const settings = await loadScopeSettings(db);
        const projects: number[] = (await db('projects').orderBy('id').pluck('id')).map(Number);
        // Every filter the tallies count by: none, and each of type, project and company, alone and together.
        const filters: QueueFilter[] = [{}];
        for (const type of REQUEST_TYPES) filters.push({ type });
        for (const projectId of projects) filters.push({ projectId }, { projectId, type: REQUEST_TYPES[pick % REQUEST_TYPES.length] });
        for (const companyId of companies) filters.push({ companyId }, { companyId, projectId: projects[pick % projects.length] });
        for (const id of world.principalIds) {
          const actor = toActor((await findPrincipalById(db, id))!);
          const tally = queueTallyScope(actor, settings);
          if (actor.type === 'requester') {
            expect(tally, 'a customer has no queue tally form').to.equal(null);
            continue;
          }
          const scope = visibleRequests(actor, settings);
          for (const f of filters) {
            expect(talliedFilter(f)).to.equal(true);
            const rows: { status: string; type: string; project_id: number; company_id: number | null }[] = await db('requests').modify(scope).select('requests.status', 'requests.type', 'requests.project_id', 'requests.company_id');
            const expected: Record<string, number> = Object.fromEntries(REQUEST_STATUSES.map((st) => [st, 0]));
            for (const r of rows) {
              if (f.type !== undefined && r.type !== f.type) continue;
              if (f.projectId !== undefined && Number(r.project_id) !== f.projectId) continue;
              if (f.companyId !== undefined && (r.company_id === null ? null : Number(r.company_id)) !== f.companyId) continue;
              expected[r.status] = (expected[r.status] ?? 0) + 1;
            }
            const where = `${actor.type} #${actor.id}, filter ${JSON.stringify(f)}, direct access ${String(settings.directAccess)}`;
            expect(await countByStatus(db, scope, f, REQUEST_STATUSES, tally), where).to.deep.equal({ counts: expected, capped: [] });
            // And the same as counting the rows (nothing here reaches the cap).
            expect(await countByStatus(db, scope, f, REQUEST_STATUSES), `${where}, from the rows`).to.deep.equal({ counts: expected, capped: [] });
          }
        }
      }),
      { numRuns: RUNS, seed: Number(process.env.PORTICO_PROPERTY_SEED ?? 20261202) },
    );
  });

  it('filters the tallies do not count by (search, requester, assignee, company name) are counted from the rows', () => {
    for (const f of [{ q: 'x' }, { requesterId: 1 }, { assignee: 'none' as const }, { assignee: 2 }, { companyName: 'acme' }]) expect(talliedFilter(f), JSON.stringify(f)).to.equal(false);
    expect(talliedFilter({ status: 'open', type: 'idea', projectId: 1, companyId: 2 })).to.equal(true);
  });

  it(`counts stop at ${QUEUE_COUNT_CAP} and say so; below the cap they are exact`, async () => {
    const db = tdb.db;
    for (const t of ['entity_permissions', 'dashboard_grants', 'dashboard_widgets', 'dashboards', 'comments', 'votes', 'request_work_items', 'requests']) await db(t).del();
    const project = await buildProject(db);
    const customer = await buildRequester(db);
    const admin = toActor(await buildStaff(db, 'administrator'));
    const now = nowIso();
    const row = (status: string, i: number) => ({
      project_id: project,
      requester_id: customer.id,
      type: 'issue',
      title: `bulk ${i}`,
      description: '',
      status,
      visibility: 'private',
      vote_count: 0,
      created_at: now,
      updated_at: now,
      last_activity_at: now,
    });
    const rows = [...Array.from({ length: QUEUE_COUNT_CAP + 5 }, (_, i) => row('open', i)), ...Array.from({ length: 7 }, (_, i) => row('resolved', i))];
    for (let i = 0; i < rows.length; i += 200) await db('requests').insert(rows.slice(i, i + 200));

    const scope = visibleRequests(admin, await loadScopeSettings(db));
    const tabs = await countByStatus(db, scope, {}, REQUEST_STATUSES);
    expect(tabs.counts).to.deep.equal({ new: 0, open: QUEUE_COUNT_CAP, in_progress: 0, resolved: 7, closed: 0 });
    expect(tabs.capped).to.deep.equal(['open']);

    const open = await listQueue(db, scope, { status: 'open' }, 'activity', 1, 50);
    expect([open.total, open.totalCapped, open.items.length]).to.deep.equal([QUEUE_COUNT_CAP, true, 50]);
    const resolved = await listQueue(db, scope, { status: 'resolved' }, 'activity', 1, 50);
    expect([resolved.total, resolved.totalCapped, resolved.items.length]).to.deep.equal([7, false, 7]);
    const searched = await listQueue(db, scope, { status: 'open', q: 'bulk 1000' }, 'activity', 1, 50);
    expect([searched.total, searched.totalCapped]).to.deep.equal([1, false]);
    // Taken from the tabs: the same totals, the cap included (with and without a status).
    for (const status of [undefined, 'open', 'resolved', 'closed']) {
      const counted = await listQueue(db, scope, { status }, 'activity', 1, 50);
      const fromTabs = await listQueue(db, scope, { status }, 'activity', 1, 50, Promise.resolve(tabs));
      expect([fromTabs.total, fromTabs.totalCapped], status ?? 'every status').to.deep.equal([counted.total, counted.totalCapped]);
    }
    expect(totalFromTabs({ counts: { new: 600, open: 500 }, capped: [] }, undefined), 'exact tabs past the cap').to.deep.equal({ n: 1100, capped: false });
    expect(totalFromTabs({ counts: { new: 600, open: QUEUE_COUNT_CAP }, capped: ['open'] }, 'new'), 'an exact tab beside a capped one').to.deep.equal({ n: 600, capped: false });
    expect(totalFromTabs({ counts: { new: 600, open: QUEUE_COUNT_CAP }, capped: ['open'] }, undefined), 'a capped tab in the sum').to.deep.equal({ n: QUEUE_COUNT_CAP, capped: true });

    // From the tallies the tabs and the total are exact past the cap.
    await rebuildRequestTallies(db);
    const exact = await countByStatus(db, scope, {}, REQUEST_STATUSES, queueTallyScope(admin, await loadScopeSettings(db)));
    expect(exact).to.deep.equal({ counts: { new: 0, open: QUEUE_COUNT_CAP + 5, in_progress: 0, resolved: 7, closed: 0 }, capped: [] });
    const openExact = await listQueue(db, scope, { status: 'open' }, 'activity', 1, 50, Promise.resolve(exact));
    expect([openExact.total, openExact.totalCapped, openExact.items.length]).to.deep.equal([QUEUE_COUNT_CAP + 5, false, 50]);
  });

  it('every sort orders the whole list (ties by newest id) and pages through it, names included', async () => {
    const db = tdb.db;
    for (const t of ['entity_permissions', 'dashboard_grants', 'dashboard_widgets', 'dashboards', 'comments', 'votes', 'request_work_items', 'request_tallies', 'request_day_tallies', 'requests']) await db(t).del();
    const project = await buildProject(db, { name: 'Sorted' });
    const customer = await buildRequester(db);
    const admin = toActor(await buildStaff(db, 'administrator'));
    const at = (minutes: number) => new Date(Date.UTC(2026, 5, 1) + minutes * 60_000).toISOString();
    const rows = Array.from({ length: 60 }, (_, i) => ({
      project_id: project, requester_id: customer.id, type: 'issue', title: `sorted ${i}`, description: '', status: 'open', visibility: 'private',
      vote_count: (i * 7) % 5, created_at: at((i * 37) % 60), updated_at: at(0), last_activity_at: at((i * 13) % 20),
    }));
    await db('requests').insert(rows);
    const all: { id: number; vote_count: number; created_at: string; last_activity_at: string }[] = (await db('requests').select('id', 'vote_count', 'created_at', 'last_activity_at')).map((r: Record<string, unknown>) => ({
      id: Number(r.id), vote_count: Number(r.vote_count), created_at: new Date(String(r.created_at instanceof Date ? r.created_at.toISOString() : r.created_at)).toISOString(), last_activity_at: new Date(String(r.last_activity_at instanceof Date ? r.last_activity_at.toISOString() : r.last_activity_at)).toISOString(),
    }));
    const expected: Record<QueueSort, (a: (typeof all)[number], b: (typeof all)[number]) => number> = {
      activity: (a, b) => b.last_activity_at.localeCompare(a.last_activity_at) || b.id - a.id,
      oldest: (a, b) => a.created_at.localeCompare(b.created_at) || b.id - a.id,
      newest: (a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id,
      votes: (a, b) => b.vote_count - a.vote_count || b.id - a.id,
    };
    const scope = visibleRequests(admin, await loadScopeSettings(db));
    for (const sort of Object.keys(expected) as QueueSort[]) {
      const ids = [...all].sort(expected[sort]).map((r) => r.id);
      const first = await listQueue(db, scope, {}, sort, 1, 25);
      const third = await listQueue(db, scope, {}, sort, 3, 25);
      expect(first.items.map((r) => r.id), `${sort}, page 1`).to.deep.equal(ids.slice(0, 25));
      expect(third.items.map((r) => r.id), `${sort}, page 3`).to.deep.equal(ids.slice(50));
      expect(first.total).to.equal(60);
      expect(first.items[0]).to.include({ projectName: 'Sorted', requesterName: customer.name, assigneeName: null });
    }
  });
});
