/**
 * The REST API refuses, route by route and principal by principal (PRODUCT.md section 6):
 * without a token or with a made-up one every route is 401; staff who may see an entity but
 * not manage its access (a project member with a comment role, an observer, a contributor)
 * get 403 for a grant on it, alone or in bulk, and 404 for someone else's grant; staff who
 * cannot see it get 404; the holder of a grant who does not manage access gets 403 for
 * changing or revoking it. Each refusal: its status, the error shape, the database unchanged.
 * (A customer's token: apiPaths.test.ts.)
 */
import { expect } from 'chai';
import supertest from 'supertest';
import { createTestApp, snapshot, type TestApp } from '../helpers/app';
import { addMember, buildCompany, buildProject, buildRequest, buildRequester, buildRole, buildStaff } from '../helpers/factories';
import type { PrincipalRow } from '../../server/repositories/principals';
import { createAccessToken } from '../../server/repositories/accessTokens';
import { changeSettings } from '../../server/commands/changeSettings';
import { insertedId, nowIso } from '../../server/db';

type Method = 'GET' | 'POST' | 'DELETE';

interface Call {
  /** The route, as PRODUCT.md writes it. */
  route: string;
  method: Method;
  path: () => string;
  body?: () => unknown;
}

type Who = 'member' | 'observer' | 'contributor' | 'outsider' | 'holder';

const STATUS_NAME: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound' };

describe('REST API refusals by principal', function () {
  this.timeout(60_000);
  let t: TestApp;
  let admin: PrincipalRow;
  let grantee: PrincipalRow;
  const people = {} as Record<Who, PrincipalRow>;
  const tokens = {} as Record<Who | 'admin', string>;
  let request: number;
  let heldGrant: number;

  before(async () => {
    t = await createTestApp();
    admin = await buildStaff(t.db, 'administrator');
    grantee = await buildStaff(t.db, 'user');
    const commentOnly = await buildRole(t.db, { comment: true });
    people.member = await buildStaff(t.db, 'user');
    people.observer = await buildStaff(t.db, 'observer');
    people.contributor = await buildStaff(t.db, 'contributor', { defaultRoleId: commentOnly });
    people.outsider = await buildStaff(t.db, 'user');
    people.holder = await buildStaff(t.db, 'user');
    // A public project: observers and contributors see it; users only as members.
    const project = await buildProject(t.db);
    await addMember(t.db, project, people.member.id, commentOnly);
    request = await buildRequest(t.db, { projectId: project, requester: await buildRequester(t.db, { company: await buildCompany(t.db) }) });
    await changeSettings(t.db, admin.id, { 'direct_access.enabled': true });
    tokens.admin = (await createAccessToken(t.db, admin.id, 'refusals')).token;
    for (const who of Object.keys(people) as Who[]) tokens[who] = (await createAccessToken(t.db, people[who].id, 'refusals')).token;
  });
  after(() => t.close());

  // Before each test, afresh and alone: the holder's own grant on the request (they see it
  // through the grant, and manage nothing), so a change let through by mistake cannot spill over.
  beforeEach(async () => {
    await t.db('entity_permissions').del();
    heldGrant = insertedId(
      await t.db('entity_permissions').insert({ entity_type: 'request', entity_id: request, principal_id: people.holder.id, can_view: true, can_comment: true, can_edit: false, can_grant: false, created_at: nowIso() }).returning('id'),
    );
  });

  const grantBody = () => ({ EntityID: request, EntityType: { Id: 17 }, User: { Id: grantee.id }, View: true, Comment: true });
  const CREATE: Call = { route: 'POST /api/v1/EntityPermissions', method: 'POST', path: () => '/api/v1/EntityPermissions', body: grantBody };
  const BULK: Call = { route: 'POST /api/v1/EntityPermissions/bulk', method: 'POST', path: () => '/api/v1/EntityPermissions/bulk', body: () => [grantBody()] };
  // A grant asked for with a bad User or flags: a caller who may not manage the entity hears that, not what was wrong.
  const badBodies = () => [
    { EntityID: request, EntityType: { Id: 17 }, User: { Id: grantee.id } },
    { ...grantBody(), View: 'maybe' },
    { EntityID: request, EntityType: { Name: 'Request' }, View: true },
  ];
  const withBadBodies = (call: Call): Call[] => badBodies().map((body) => ({ ...call, body: () => (call === BULK ? [body] : body) }));
  const READ: Call = { route: 'GET /api/v1/EntityPermissions/:id', method: 'GET', path: () => `/api/v1/EntityPermissions/${heldGrant}` };
  const UPDATE: Call = { route: 'POST /api/v1/EntityPermissions/:id', method: 'POST', path: () => `/api/v1/EntityPermissions/${heldGrant}`, body: () => ({ View: true, Comment: true, Edit: true, GrantAccess: true }) };
  const DELETE: Call = { route: 'DELETE /api/v1/EntityPermissions/:id', method: 'DELETE', path: () => `/api/v1/EntityPermissions/${heldGrant}` };

  function send(call: Call, auth: Record<string, string>, query = '') {
    const path = call.path() + query;
    const api = supertest(t.app);
    const req = call.method === 'GET' ? api.get(path) : call.method === 'DELETE' ? api.delete(path) : api.post(path);
    req.set(auth);
    return call.body ? req.send(call.body() as object) : req;
  }

  /** The call answers `expected` with the API's error shape, and no row changes (a token's last use aside). */
  async function refused(call: Call, auth: Record<string, string>, expected: number, query = ''): Promise<void> {
    const before = await snapshot(t.db, ['access_tokens']);
    const res = await send(call, auth, query);
    expect(res.status, `${call.method} ${call.path()}${query}`).to.equal(expected);
    expect(res.body.Status).to.equal(STATUS_NAME[expected]);
    expect(res.body.Message).to.be.a('string').and.not.equal('');
    expect(await snapshot(t.db, ['access_tokens']), 'database unchanged').to.deep.equal(before);
  }

  describe('without a valid token, every route is 401', () => {
    const ROUTES: Call[] = [
      { route: 'GET /api/v1/EntityPermissions', method: 'GET', path: () => '/api/v1/EntityPermissions' },
      { route: 'GET /api/v1/EntityPermissions/meta', method: 'GET', path: () => '/api/v1/EntityPermissions/meta' },
      READ,
      CREATE,
      UPDATE,
      DELETE,
      BULK,
      { route: 'GET /api/v1/EntityTypes', method: 'GET', path: () => '/api/v1/EntityTypes' },
      { route: 'GET /api/v1/Users', method: 'GET', path: () => '/api/v1/Users' },
      { route: 'GET /api/v1/Requests', method: 'GET', path: () => '/api/v1/Requests' },
    ];
    for (const route of ROUTES) {
      it(`${route.route}: no token, a made-up one (bearer or ?token=) or Basic credentials → 401, nothing written`, async () => {
        await refused(route, {}, 401);
        await refused(route, { Authorization: 'Bearer ptc_made-up-token-0000000000' }, 401);
        await refused(route, {}, 401, '?token=ptc_made-up-token-0000000000');
        await refused(route, { Authorization: `Basic ${Buffer.from(`${admin.email}:x`).toString('base64')}` }, 401);
      });
    }
  });

  for (const [label, who] of [
    ['a project member whose role only comments', 'member'],
    ['an observer', 'observer'],
    ['a contributor with a default role', 'contributor'],
  ] as const) {
    describe(`${label}: sees the request, manages nothing`, () => {
      it('a grant on it → 403, nothing written', () => refused(CREATE, { Authorization: `Bearer ${tokens[who]}` }, 403));
      it('a grant on it with a bad body (no flags, a flag not true or false, no User), alone or in bulk → the same 403', async () => {
        for (const call of [...withBadBodies(CREATE), ...withBadBodies(BULK)]) await refused(call, { Authorization: `Bearer ${tokens[who]}` }, 403);
      });
      it('in bulk, good items beside bad ones are reported as refused just as they are alone', async () => {
        const auth = { Authorization: `Bearer ${tokens[who]}` };
        const items = (res: supertest.Response) => (res.body.Items as { Index: number; Status: string }[]).map((i) => `${i.Index}:${i.Status}`);
        const goods = await send({ ...BULK, body: () => [grantBody(), grantBody()] }, auth).expect(403);
        const mixed = await send({ ...BULK, body: () => [grantBody(), badBodies()[0]] }, auth).expect(403);
        expect(items(goods)).to.deep.equal(['0:Forbidden', '1:Forbidden']);
        expect(items(mixed)).to.deep.equal(items(goods));
      });
      it('the same grant in bulk → 403, nothing written', () => refused(BULK, { Authorization: `Bearer ${tokens[who]}` }, 403));
      it("someone else's grant: read → 404", () => refused(READ, { Authorization: `Bearer ${tokens[who]}` }, 404));
      it("someone else's grant: update → 404, nothing written", () => refused(UPDATE, { Authorization: `Bearer ${tokens[who]}` }, 404));
      it("someone else's grant: update with a bad body (no View, a flag that is not true or false) → the same 404", async () => {
        for (const body of [{ View: false }, { Edit: 'yes' }]) await refused({ ...UPDATE, body: () => body }, { Authorization: `Bearer ${tokens[who]}` }, 404);
      });
      it("someone else's grant: delete → 404, nothing written", () => refused(DELETE, { Authorization: `Bearer ${tokens[who]}` }, 404));
    });
  }

  describe('a user outside the project: sees nothing', () => {
    for (const call of [CREATE, BULK, READ, UPDATE, DELETE]) {
      it(`${call.route} → 404, nothing written`, () => refused(call, { Authorization: `Bearer ${tokens.outsider}` }, 404));
    }
    it('a grant with a bad body, alone or in bulk → the same 404', async () => {
      for (const call of [...withBadBodies(CREATE), ...withBadBodies(BULK)]) await refused(call, { Authorization: `Bearer ${tokens.outsider}` }, 404);
    });
  });

  describe('the holder of a grant who does not manage access', () => {
    it('reads their own grant (the fixture)', async () => {
      const res = await send(READ, { Authorization: `Bearer ${tokens.holder}` }).expect(200);
      expect(res.body).to.include({ Id: heldGrant, Comment: true, Edit: false });
    });
    it('widening it → 403, nothing written', () => refused(UPDATE, { Authorization: `Bearer ${tokens.holder}` }, 403));
    it('changing it with a bad body → the same 403', () => refused({ ...UPDATE, body: () => ({ View: false }) }, { Authorization: `Bearer ${tokens.holder}` }, 403));
    it('revoking it → 403, nothing written', () => refused(DELETE, { Authorization: `Bearer ${tokens.holder}` }, 403));
    it('granting a colleague on the same request → 403, nothing written', () => refused(CREATE, { Authorization: `Bearer ${tokens.holder}` }, 403));
  });

  // In a suite of its own, so that it runs after the refusals (mocha runs a suite's own tests before its nested suites).
  describe('the fixture, last', () => {
    it("a manager's bulk of good and bad items reports only the bad ones, and saves nothing", async () => {
      const before = await snapshot(t.db, ['access_tokens']);
      const res = await send({ ...BULK, body: () => [grantBody(), badBodies()[1], badBodies()[0]] }, { Authorization: `Bearer ${tokens.admin}` }).expect(400);
      expect((res.body.Items as { Index: number }[]).map((i) => i.Index)).to.deep.equal([1, 2]);
      expect(await snapshot(t.db, ['access_tokens'])).to.deep.equal(before);
    });
    it("the bad bodies from an administrator's token say what is wrong (422 no flags, 400 a bad flag or no User), alone or in bulk", async () => {
      const statuses = [];
      for (const call of [...withBadBodies(CREATE), ...withBadBodies(BULK)]) statuses.push((await send(call, { Authorization: `Bearer ${tokens.admin}` })).status);
      expect(statuses).to.deep.equal([422, 400, 400, 422, 400, 400]);
    });
    it("the same bodies from an administrator's token are accepted", async () => {
      const created = await send(CREATE, { Authorization: `Bearer ${tokens.admin}` }).expect(201);
      await send({ route: 'DELETE /api/v1/EntityPermissions/:id', method: 'DELETE', path: () => `/api/v1/EntityPermissions/${created.body.Id}` }, { Authorization: `Bearer ${tokens.admin}` }).expect(200);
      await send(BULK, { Authorization: `Bearer ${tokens.admin}` }).expect(201);
      await send(UPDATE, { Authorization: `Bearer ${tokens.admin}` }).expect(200);
    });
  });
});
