/** The benchmark's page floors render Portico's captured view models: they must come back from JSON unchanged, or be refused. */
import { expect } from 'chai';
import supertest from 'supertest';
import { decodeLocals, encodeLocals } from '../bench/viewModel';
import { floorApp, FLOOR_ROWS } from '../bench/floor';

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
});
