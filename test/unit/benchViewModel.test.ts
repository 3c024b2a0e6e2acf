/** The benchmark's page floors render Portico's captured view models: they must come back from JSON unchanged, or be refused. */
import { expect } from 'chai';
import supertest from 'supertest';
import { decodeLocals, encodeLocals } from '../bench/viewModel';
import { floorApp, FLOOR_ROWS } from '../bench/floor';
import express from 'express';
import { createTestApp, signIn } from '../helpers/app';
import { addMember, buildCompany, buildProject, buildRequest, buildRequester, buildRole, buildStaff, PASSWORD } from '../helpers/factories';

describe('benchmark view models', () => {
  it('round-trip dates, sets and nested rows; the view helpers are left for the floor to supply', () => {
    const at = new Date('2026-11-30T10:00:00.000Z');
    const locals = { url: (p: string) => p, csrfToken: () => 't', title: 'Ideas', voted: new Set([3, 5]), result: { items: [{ id: 3, lastActivityAt: at, tags: ['a'] }], total: 1 } };
    const back = decodeLocals(encodeLocals(locals));
    expect(back).to.deep.equal({ title: 'Ideas', voted: new Set([3, 5]), result: { items: [{ id: 3, lastActivityAt: at, tags: ['a'] }], total: 1 } });
    expect((back.result as { items: { lastActivityAt: unknown }[] }).items[0]?.lastActivityAt).to.be.instanceOf(Date);
  });

  it('refuses what JSON would silently change: maps, class instances, functions other than the helpers', () => {
    expect(() => encodeLocals({ m: new Map([[1, 2]]) })).to.throw(/m \(Map\)/);
    class Row {
      id = 1;
    }
    expect(() => encodeLocals({ rows: [new Row()] })).to.throw(/Row/);
    expect(() => encodeLocals({ format: (n: number) => String(n) })).to.throw(/format/);
    expect(() => encodeLocals({ nested: { url: () => '' } })).to.throw(/url/);
  });

  it("the home floor renders the portal home template with every local it reads (it drifts when the template gains one)", async () => {
    const res = await supertest(floorApp()).get('/floor').expect(200);
    expect([...res.text.matchAll(/<a href="\/portal\/requests\/\d+">/g)]).to.have.length(FLOOR_ROWS);
  });

  it("Portico's own pages have view models the floor can reproduce (a Map or a new helper function in one breaks the page floors)", async function () {
    this.timeout(30_000);
    const t = await createTestApp();
    try {
      const project = await buildProject(t.db);
      const customer = await buildRequester(t.db, { company: await buildCompany(t.db) });
      const staff = await buildStaff(t.db, 'user');
      await addMember(t.db, project, staff.id, await buildRole(t.db, { edit: true, comment: true }));
      const id = await buildRequest(t.db, { projectId: project, requester: customer, type: 'idea', visibility: 'public' });
      const problems: string[] = [];
      const outer = express();
      outer.use((req, res, next) => {
        const render = res.render.bind(res) as (view: string, options?: object) => void;
        res.render = ((view: string, options?: Record<string, unknown>) => {
          try {
            encodeLocals({ ...(res.locals as Record<string, unknown>), ...(options ?? {}) });
          } catch (err) {
            problems.push(`${req.path}: ${(err as Error).message}`);
          }
          render(view, options);
        }) as typeof res.render;
        next();
      });
      outer.use(t.app);
      const asCustomer = await signIn(outer, 'portal', customer.email, PASSWORD);
      const asStaff = await signIn(outer, 'desk', staff.email, PASSWORD);
      for (const path of ['/portal', '/portal/ideas', `/portal/requests/${id}`]) await asCustomer.get(path).expect(200);
      for (const path of ['/desk', '/desk?status=new', `/desk/requests/${id}`, '/desk/dashboards']) await asStaff.get(path).expect(200);
      expect(problems).to.deep.equal([]);
    } finally {
      await t.close();
    }
  });
});
