/**
 * Ids in form fields that point outside what the sender may use are refused (422) and write
 * nothing: a customer submits only into portal projects (not a private one, not one without
 * the portal); a desk editor links only work items they can see, and a work item's owner is
 * a staff member (not a customer, not an unknown id).
 */
import { expect } from 'chai';
import { createTestApp, snapshot, type TestApp } from '../helpers/app';
import { buildAccessWorld, idFrom, type AccessWorld } from '../helpers/accessWorld';
import type { PrincipalRow } from '../../server/repositories/principals';

describe('foreign ids in form fields', function () {
  this.timeout(60_000);
  let t: TestApp;
  let agents: AccessWorld['agents'];
  let tokens: AccessWorld['tokens'];
  let req: AccessWorld['req'];
  let alice: PrincipalRow;
  let member: PrincipalRow;
  let support: number;
  let vault: number;
  let internal: number;
  let vaultItem: number;
  let xssItem: number;

  before(async () => {
    t = await createTestApp();
    ({ agents, tokens, req, alice, member, support, vault, internal, vaultItem, xssItem } = await buildAccessWorld(t));
  });
  after(() => t.close());

  describe('a customer submits only into portal projects', () => {
    for (const [label, project] of [
      ['a private project', () => vault],
      ['a project without the portal', () => internal],
    ] as const) {
      it(`POST /portal/requests into ${label} → 422, nothing written`, async () => {
        const before = await snapshot(t.db);
        const res = await agents.alice
          .post('/portal/requests')
          .type('form')
          .send({ project_id: String(project()), type: 'issue', title: 'Smuggled request', description: 'x', visibility: 'private', _csrf: tokens.alice })
          .expect(422);
        expect(res.text).to.contain('Choose one of the listed projects.');
        expect(await snapshot(t.db)).to.deep.equal(before);
      });
    }
  });

  describe('ids of work items and owners in desk forms are checked', () => {
    it('linking a work item of a project hidden from the editor → 422, nothing written, the customer sees no name', async () => {
      const before = await snapshot(t.db);
      const res = await agents.member.post(`/desk/requests/${req.plain}/links`).type('form').send({ work_item_id: String(vaultItem), _csrf: tokens.member }).expect(422);
      expect(res.text).to.contain('Choose a work item you can see.').and.not.contain('Vault blueprint');
      expect(await snapshot(t.db)).to.deep.equal(before);
      expect((await agents.alice.get(`/portal/requests/${req.plain}`).expect(200)).text).not.to.contain('Vault blueprint');
    });

    it('a new work item whose owner is a customer or nobody known → 422, nothing written; a staff owner is kept', async () => {
      const create = (owner: number) =>
        agents.member
          .post('/desk/work-items')
          .type('form')
          .send({ project_id: String(support), type: 'task', name: 'Owned task', status: 'open', owner_id: String(owner), _csrf: tokens.member });
      const before = await snapshot(t.db);
      for (const owner of [alice.id, 999_999]) {
        const res = await create(owner).expect(422);
        expect(res.text, `owner ${owner}`).to.contain('Choose a staff member as owner.');
      }
      expect(await snapshot(t.db)).to.deep.equal(before);
      const made = await create(member.id).expect(303);
      expect((await t.db('work_items').where({ id: idFrom(made.headers.location) }).first()).owner_id).to.equal(member.id);
    });

    it('an edited work item whose owner is a customer or nobody known → 422, nothing written', async () => {
      const before = await snapshot(t.db);
      for (const owner of [alice.id, 999_999]) {
        const res = await agents.member
          .post(`/desk/work-items/${xssItem}`)
          .type('form')
          .send({ name: 'Renamed task', status: 'open', owner_id: String(owner), _csrf: tokens.member })
          .expect(422);
        expect(res.text, `owner ${owner}`).to.contain('Choose a staff member as owner.');
      }
      expect(await snapshot(t.db)).to.deep.equal(before);
    });
  });
});
