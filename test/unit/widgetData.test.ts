/**
 * The "created per week" widget counts per UTC day in SQL and sums days into weeks: the
 * boundaries (Monday 00:00 UTC, the first of the twelve weeks, a week's last millisecond)
 * must land in the right bucket on both engines, within the viewer's scope and project.
 */
import { expect } from 'chai';
import { createTestDatabase, type TestDatabase } from '../helpers/databases';
import { addMember, buildProject, buildRequest, buildRequester, buildRole, buildStaff } from '../helpers/factories';
import { visibleRequests } from '../../server/permissions/scopes';
import { toActor } from '../../server/repositories/principals';
import { widgetFigures } from '../../server/repositories/widgetData';

describe('widget figures: created per week', () => {
  let tdb: TestDatabase;
  before(async () => {
    tdb = await createTestDatabase();
  });
  after(() => tdb.drop());

  it('puts each request in its UTC week, counts only the twelve weeks, the project and what the viewer may see', async () => {
    const db = tdb.db;
    const project = await buildProject(db);
    const other = await buildProject(db);
    const hidden = await buildProject(db, { isPrivate: true });
    const customer = await buildRequester(db);
    const agent = await buildStaff(db, 'user');
    const role = await buildRole(db, { comment: true });
    await addMember(db, project, agent.id, role);
    await addMember(db, other, agent.id, role);
    const at = async (projectId: number, iso: string) => {
      const id = await buildRequest(db, { projectId, requester: customer });
      await db('requests').where({ id }).update({ created_at: iso });
    };
    // now: Wednesday 2026-11-25; this week starts Monday 2026-11-23; the first of 12 weeks is Monday 2026-09-07.
    const now = new Date('2026-11-25T12:00:00.000Z');
    await at(project, '2026-09-06T23:59:59.999Z'); // before the first week: not counted
    await at(project, '2026-09-07T00:00:00.000Z'); // week 0
    await at(project, '2026-09-13T23:59:59.999Z'); // week 0, its last millisecond
    await at(project, '2026-09-14T00:00:00.000Z'); // week 1
    await at(project, '2026-11-22T23:59:59.999Z'); // week 10 (Sunday)
    await at(project, '2026-11-23T00:00:00.000Z'); // week 11
    await at(project, '2026-11-25T08:00:00.000Z'); // week 11
    await at(project, '2026-11-25T09:00:00.000Z'); // week 11
    await at(other, '2026-11-24T00:00:00.000Z'); // another project: only without a project filter
    await at(hidden, '2026-11-24T00:00:00.000Z'); // a project the agent may not see: never

    const scope = visibleRequests(toActor(agent), { directAccess: false, portalDashboards: false });
    const one = await widgetFigures(db, 'created_per_week', scope, project, now);
    expect(one.labels).to.have.length(12);
    expect(one.labels[0]).to.equal('2026-09-07');
    expect(one.labels[11]).to.equal('2026-11-23');
    expect(one.values).to.deep.equal([2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3]);

    const all = await widgetFigures(db, 'created_per_week', scope, null, now);
    expect(all.values).to.deep.equal([2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 4]);
  });
});
