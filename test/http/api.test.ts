import { expect } from 'chai';
import supertest from 'supertest';
import { createTestApp, snapshot, type TestApp } from '../helpers/app';
import { addMember, buildCompany, buildProject, buildRequest, buildRequester, buildRole, buildStaff } from '../helpers/factories';
import type { PrincipalRow } from '../../server/repositories/principals';
import { createAccessToken } from '../../server/repositories/accessTokens';
import { changeSettings } from '../../server/commands/changeSettings';
import { nowIso, toBool } from '../../server/db';

describe('REST API: EntityPermissions (Targetprocess-compatible)', function () {
  this.timeout(30_000);
  let t: TestApp;
  let admin: PrincipalRow;
  let member: PrincipalRow;
  let outsider: PrincipalRow;
  let observer: PrincipalRow;
  let customer: PrincipalRow;
  let adminToken: string;
  let memberToken: string;
  let outsiderToken: string;
  let project: number;
  let request: number;
  let epic: number;
  let feature: number;

  const api = () => supertest(t.app);
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  async function item(type: string, name: string, parent: number | null, creator: number): Promise<number> {
    const now = nowIso();
    const [r] = await t.db('work_items').insert({ project_id: project, type, name, description: '', status: 'open', parent_id: parent, creator_id: creator, created_at: now, updated_at: now }).returning('id');
    return Number(typeof r === 'object' ? r.id : r);
  }

  before(async () => {
    t = await createTestApp();
    admin = await buildStaff(t.db, 'administrator');
    member = await buildStaff(t.db, 'user');
    outsider = await buildStaff(t.db, 'user');
    observer = await buildStaff(t.db, 'observer');
    customer = await buildRequester(t.db, { company: await buildCompany(t.db) });
    project = await buildProject(t.db, { isPrivate: true });
    await addMember(t.db, project, member.id, await buildRole(t.db, { comment: true }));
    request = await buildRequest(t.db, { projectId: project, requester: customer });
    epic = await item('epic', 'Confidential epic', null, member.id);
    feature = await item('feature', 'Child feature', epic, member.id);
    adminToken = (await createAccessToken(t.db, admin.id, 'test')).token;
    memberToken = (await createAccessToken(t.db, member.id, 'test')).token;
    outsiderToken = (await createAccessToken(t.db, outsider.id, 'test')).token;
    await changeSettings(t.db, admin.id, { 'direct_access.enabled': true });
  });
  after(() => t.close());

  it('401 without a token or with a bad one, for every resource', async () => {
    for (const path of ['/api/v1/EntityPermissions', '/api/v1/EntityTypes', '/api/v1/Users', '/api/v1/Requests']) {
      const none = await api().get(path).expect(401);
      expect(none.body.Status).to.equal('Unauthorized');
      await api().get(path).set(auth('ptc_not-a-real-token')).expect(401);
      await api().get(`${path}?token=nope`).expect(401);
    }
  });

  it("records a token's last use, at most once a minute (an API read is not a write each time)", async () => {
    const someone = await buildStaff(t.db, 'user');
    const { id, token } = await createAccessToken(t.db, someone.id, 'uses');
    expect((await t.db('access_tokens').where({ id }).first('last_used_at'))?.last_used_at).to.equal(null);
    await api().get('/api/v1/EntityTypes').set(auth(token)).expect(200);
    const first = (await t.db('access_tokens').where({ id }).first('last_used_at'))?.last_used_at;
    expect(first, 'the first use is recorded').to.not.equal(null);
    const marker = '2000-01-01T00:00:00.000Z';
    await t.db('access_tokens').where({ id }).update({ last_used_at: marker });
    await api().get('/api/v1/EntityTypes').set(auth(token)).expect(200);
    const second = (await t.db('access_tokens').where({ id }).first('last_used_at'))?.last_used_at;
    expect(new Date(String(second instanceof Date ? second.toISOString() : second)).toISOString(), 'a use within the minute writes nothing').to.equal(marker);
  });

  it('the example of PRODUCT.md works verbatim, with ?token= too, and returns the item shape', async () => {
    const res = await api()
      .post(`/api/v1/EntityPermissions?token=${adminToken}`)
      .send({ EntityID: request, EntityType: { Id: 17 }, User: { Id: outsider.id }, View: 'True', Comment: 'True' })
      .expect(201);
    expect(res.body).to.deep.equal({
      Id: res.body.Id,
      EntityId: request,
      EntityType: { Id: 17, Name: 'Request' },
      User: { Id: outsider.id, Name: outsider.name },
      View: true,
      Comment: true,
      Edit: false,
      GrantAccess: false,
    });
    const id = res.body.Id;
    const updated = await api().post(`/api/v1/EntityPermissions/${id}`).set(auth(adminToken)).send({ View: 'True', Comment: 'False' }).expect(200);
    expect([updated.body.View, updated.body.Comment]).to.deep.equal([true, false]);
    const one = await api().get(`/api/v1/EntityPermissions/${id}`).set(auth(adminToken)).expect(200);
    expect(one.body.Id).to.equal(id);
    await api().delete(`/api/v1/EntityPermissions/${id}`).set(auth(adminToken)).expect(200);
    await api().get(`/api/v1/EntityPermissions/${id}`).set(auth(adminToken)).expect(404);
    const audit = await t.db('audit_events').where({ target_type: 'entity_permission', target_id: id }).orderBy('id');
    expect(audit.map((a: { action: string }) => a.action)).to.deep.equal(['entity_permission.granted', 'entity_permission.changed', 'entity_permission.revoked']);
  });

  it('accepts case-insensitive keys, real booleans, names for EntityType, and ignores Version', async () => {
    const res = await api()
      .post('/api/v1/EntityPermissions')
      .set(auth(adminToken))
      .send({ entityid: String(epic), entitytype: { name: 'epic' }, user: { id: outsider.id }, edit: true, Version: 3 })
      .expect(201);
    expect(res.body).to.include({ View: true, Comment: true, Edit: true, GrantAccess: false });
    expect(res.body.EntityType).to.deep.equal({ Id: 27, Name: 'Epic' });
  });

  it('a grant on an epic gives nothing on its feature (no cascade); revocation counts on the next request', async () => {
    const epicGrant = await t.db('entity_permissions').where({ principal_id: outsider.id, entity_type: 'epic', entity_id: epic }).first();
    expect(epicGrant).to.not.equal(undefined);
    // The outsider may now see the epic but not its child.
    const list = await api().get('/api/v1/EntityPermissions?where=EntityType.Id eq 9').set(auth(outsiderToken)).expect(200);
    expect(list.body.Items).to.deep.equal([]);
    const denied = await api().post('/api/v1/EntityPermissions').set(auth(outsiderToken)).send({ EntityID: feature, EntityType: { Id: 9 }, User: { Id: outsider.id }, View: true });
    expect(denied.status).to.equal(404);
  });

  it('validates: 400 bad input, 404 unknown entity or user, 409 duplicate, 422 requester or no flag; nothing written', async () => {
    const before = await snapshot(t.db, ['access_tokens']);
    const cases: [Record<string, unknown> | string, number, RegExp][] = [
      ['not json', 400, /not valid JSON/],
      [{ EntityType: { Id: 17 }, User: { Id: outsider.id }, View: true }, 400, /EntityID is required/],
      [{ EntityID: 'abc', EntityType: { Id: 17 }, User: { Id: outsider.id }, View: true }, 400, /EntityID must be/],
      [{ EntityID: request, EntityType: { Id: 17 }, User: { Id: outsider.id }, View: 'maybe' }, 400, /View must be true or false/],
      [{ EntityID: 999999, EntityType: { Id: 17 }, User: { Id: outsider.id }, View: true }, 404, /Request 999999 not found/],
      [{ EntityID: request, EntityType: { Id: 12345 }, User: { Id: outsider.id }, View: true }, 404, /Unknown EntityType/],
      [{ EntityID: epic, EntityType: { Id: 8 }, User: { Id: outsider.id }, View: true }, 404, /Bug .* not found/],
      [{ EntityID: request, EntityType: { Id: 17 }, User: { Id: 999999 }, View: true }, 404, /User 999999 not found/],
      [{ EntityID: epic, EntityType: { Id: 27 }, User: { Id: outsider.id }, View: true }, 409, /already has direct access/],
      [{ EntityID: request, EntityType: { Id: 17 }, User: { Id: customer.id }, View: true }, 422, /Customers/],
      [{ EntityID: request, EntityType: { Id: 17 }, User: { Id: observer.id }, Edit: true }, 422, /Observers are view-only/],
      [{ EntityID: request, EntityType: { Id: 17 }, User: { Id: outsider.id } }, 422, /at least View/],
    ];
    for (const [body, status, message] of cases) {
      const req = api().post('/api/v1/EntityPermissions').set(auth(adminToken));
      const res = typeof body === 'string' ? await req.set('Content-Type', 'application/json').send(body) : await req.send(body);
      expect(res.status, JSON.stringify(body)).to.equal(status);
      expect(res.body.Message, JSON.stringify(body)).to.match(message);
      expect(Object.keys(res.body)).to.include.members(['Status', 'Message']);
    }
    expect(await snapshot(t.db, ['access_tokens'])).to.deep.equal(before);
  });

  it('a body nested thousands deep (10 kB of brackets) is a 400 on every JSON route, and the server keeps answering', async () => {
    const before = await snapshot(t.db, ['access_tokens']);
    const bodies = ['['.repeat(5000) + ']'.repeat(5000), '{"a":'.repeat(3000) + '1' + '}'.repeat(3000), `[${'['.repeat(40)}${']'.repeat(40)}]`];
    for (const path of ['/api/v1/EntityPermissions', '/api/v1/EntityPermissions/bulk', '/api/v1/EntityPermissions/1']) {
      for (const body of bodies) {
        const res = await api().post(path).set(auth(adminToken)).set('Content-Type', 'application/json').send(body);
        expect(res.status, `${path} ${body.slice(0, 12)}`).to.equal(400);
        expect(res.body).to.deep.equal({ Status: 'BadRequest', Message: 'The JSON body is nested too deeply (at most 32 levels).' });
      }
    }
    await api().get('/api/v1/EntityTypes').set(auth(adminToken)).expect(200);
    expect(await snapshot(t.db, ['access_tokens'])).to.deep.equal(before);
  });

  it("a disabled account's grant can be narrowed or revoked, not widened; a refusal writes nothing", async () => {
    const holder = await buildStaff(t.db, 'user');
    const created = await api().post('/api/v1/EntityPermissions').set(auth(adminToken)).send({ EntityID: request, EntityType: { Id: 17 }, User: { Id: holder.id }, View: true, Comment: true, Edit: true }).expect(201);
    const id = Number(created.body.Id);
    await t.db('principals').where({ id: holder.id }).update({ disabled: true });
    const before = await snapshot(t.db, ['access_tokens']);
    const widened = await api().post(`/api/v1/EntityPermissions/${id}`).set(auth(adminToken)).send({ View: true, Comment: true, Edit: true, GrantAccess: true });
    expect(widened.status).to.equal(422);
    expect(widened.body.Message).to.match(/disabled/);
    expect(await snapshot(t.db, ['access_tokens'])).to.deep.equal(before);
    const narrowed = await api().post(`/api/v1/EntityPermissions/${id}`).set(auth(adminToken)).send({ View: true, Comment: false, Edit: false }).expect(200);
    expect(narrowed.body).to.include({ View: true, Comment: false, Edit: false });
    const row = await t.db('entity_permissions').where({ id }).first();
    expect([toBool(row.can_view), toBool(row.can_comment), toBool(row.can_edit), toBool(row.can_grant)]).to.deep.equal([true, false, false, false]);
    await api().delete(`/api/v1/EntityPermissions/${id}`).set(auth(adminToken)).expect(200);
    expect(await t.db('entity_permissions').where({ id }).first()).to.equal(undefined);
  });

  it('403 for a staff user who can see the entity but not manage it; 404 for one who cannot see it', async () => {
    const before = await snapshot(t.db, ['access_tokens']);
    const seen = await api().post('/api/v1/EntityPermissions').set(auth(memberToken)).send({ EntityID: request, EntityType: { Id: 17 }, User: { Id: outsider.id }, View: true });
    expect(seen.status).to.equal(403);
    const other = await buildStaff(t.db, 'user');
    const otherToken = (await createAccessToken(t.db, other.id, 'x')).token;
    const unseen = await api().post('/api/v1/EntityPermissions').set(auth(otherToken)).send({ EntityID: request, EntityType: { Id: 17 }, User: { Id: other.id }, View: true });
    expect(unseen.status).to.equal(404);
    await t.db('access_tokens').where({ principal_id: other.id }).del();
    await t.db('principals').where({ id: other.id }).del();
    expect(await snapshot(t.db, ['access_tokens'])).to.deep.equal(before);
  });

  it('the creator of a work item manages its access; a Can grant access holder may grant others', async () => {
    const res = await api().post('/api/v1/EntityPermissions').set(auth(memberToken)).send({ EntityID: feature, EntityType: { Id: 9 }, User: { Id: outsider.id }, GrantAccess: true }).expect(201);
    expect(res.body.GrantAccess).to.equal(true);
    const third = await buildStaff(t.db, 'contributor');
    await api().post('/api/v1/EntityPermissions').set(auth(outsiderToken)).send({ EntityID: feature, EntityType: { Id: 9 }, User: { Id: third.id }, Comment: true }).expect(201);
  });

  it('a non-manager listing sees only their own grants; managers see the grants on what they manage', async () => {
    const third = await t.db('principals').where({ type: 'contributor' }).first();
    const thirdToken = (await createAccessToken(t.db, third.id, 'x')).token;
    const mine = await api().get('/api/v1/EntityPermissions').set(auth(thirdToken)).expect(200);
    expect(mine.body.Items.map((i: { User: { Id: number } }) => i.User.Id)).to.deep.equal([third.id]);
    const all = await api().get('/api/v1/EntityPermissions').set(auth(adminToken)).expect(200);
    expect(all.body.Items.length).to.be.greaterThan(2);
    const manager = await api().get(`/api/v1/EntityPermissions?where=EntityId eq ${feature}`).set(auth(outsiderToken)).expect(200);
    expect(manager.body.Items.length).to.equal(2);
    const someoneElses = all.body.Items.find((i: { User: { Id: number } }) => i.User.Id !== third.id).Id;
    await api().get(`/api/v1/EntityPermissions/${someoneElses}`).set(auth(thirdToken)).expect(404);
    await api().delete(`/api/v1/EntityPermissions/${someoneElses}`).set(auth(thirdToken)).expect(404);
  });

  it('parses where: fields, and/True/False, quotes; 400 names the bad token', async () => {
    const ok = await api().get(`/api/v1/EntityPermissions?where=${encodeURIComponent(`User.Id eq ${outsider.id} and EntityType.Name eq 'Epic' and Edit eq "True"`)}`).set(auth(adminToken)).expect(200);
    expect(ok.body.Items).to.have.length(1);
    const bad: [string, RegExp][] = [
      ['Owner eq 1', /Unknown field 'Owner'/],
      ['Id gt 1', /Expected 'eq' after 'Id' but found 'gt'/],
      ['Id eq', /Expected a value/],
      ['Id eq 1 or Id eq 2', /Expected 'and' or the end of the filter but found 'or'/],
      ['View eq 3', /View must be compared with True or False/],
      ["EntityType.Name eq 'Epic", /Unterminated string/],
    ];
    for (const [where, message] of bad) {
      const res = await api().get(`/api/v1/EntityPermissions?where=${encodeURIComponent(where)}`).set(auth(adminToken)).expect(400);
      expect(res.body.Status).to.equal('BadRequest');
      expect(res.body.Message, where).to.match(message);
    }
  });

  it('where: a field asked for two different values matches nothing; the same value twice is the value', async () => {
    const get = async (path: string, where: string) => (await api().get(`${path}?where=${encodeURIComponent(where)}`).set(auth(adminToken)).expect(200)).body.Items as { Id: number }[];
    expect(await get('/api/v1/EntityPermissions', `User.Id eq ${outsider.id}`)).not.to.be.empty;
    expect(await get('/api/v1/EntityPermissions', `User.Id eq ${outsider.id} and User.Id eq ${admin.id}`)).to.deep.equal([]);
    expect(await get('/api/v1/EntityPermissions', `User.Id eq ${admin.id} and User.Id eq ${outsider.id}`)).to.deep.equal([]);
    expect(await get('/api/v1/EntityPermissions', 'Edit eq True and Edit eq False')).to.deep.equal([]);
    expect(await get('/api/v1/EntityPermissions', "EntityType.Name eq 'Epic' and EntityType.Name eq 'Feature'")).to.deep.equal([]);
    expect(await get('/api/v1/EntityPermissions', `User.Id eq ${outsider.id} and User.Id eq ${outsider.id}`)).to.deep.equal(await get('/api/v1/EntityPermissions', `User.Id eq ${outsider.id}`));
    expect(await get('/api/v1/Users', `Id eq ${member.id}`)).to.have.length(1);
    expect(await get('/api/v1/Users', `Id eq ${member.id} and Id eq ${admin.id}`)).to.deep.equal([]);
    expect(await get('/api/v1/Requests', `Id eq ${request}`)).to.have.length(1);
    expect(await get('/api/v1/Requests', `Id eq ${request} and Status eq "new" and Status eq "open"`)).to.deep.equal([]);
  });

  it('where sent under another key (where[], where[x], Where) is refused, not ignored', async () => {
    for (const path of ['/api/v1/EntityPermissions', '/api/v1/Users', '/api/v1/Requests']) {
      for (const query of ['where[]=Id%20eq%201', 'where[a]=Id%20eq%201', 'Where=Id%20eq%201', 'WHERE=Id%20eq%201', 'where=Id%20eq%201&where=Id%20eq%202']) {
        const res = await api().get(`${path}?${query}`).set(auth(adminToken)).expect(400);
        expect(res.body, `${path}?${query}`).to.deep.include({ Status: 'BadRequest' });
        expect(res.body.Message).to.match(/Give where once/);
      }
    }
  });

  it('pages with take/skip and Next, absent on the last page', async () => {
    const first = await api().get('/api/v1/EntityPermissions?take=2').set(auth(adminToken)).expect(200);
    expect(first.body.Items).to.have.length(2);
    expect(first.body.Next).to.match(/^http:\/\/127\.0\.0\.1:3000\/api\/v1\/EntityPermissions\?take=2&skip=2$/);
    const withQueryToken = await api().get(`/api/v1/EntityPermissions?take=2&token=${adminToken}`).set('Host', 'evil.test').expect(200);
    expect(withQueryToken.body.Next).not.to.contain('token').and.not.to.contain('evil.test');
    // Nor a token under another letter case (not read as a credential, but a secret all the same).
    const variants = await api().get(`/api/v1/EntityPermissions?take=2&Token=${adminToken}&ACCESS_TOKEN=${adminToken}`).set(auth(adminToken)).expect(200);
    expect(variants.body.Next).to.be.a('string').and.not.contain(adminToken);
    const next = new URL(first.body.Next);
    const second = await api().get(`${next.pathname}${next.search}`).set(auth(adminToken)).expect(200);
    expect(second.body.Items[0].Id).to.not.equal(first.body.Items[0].Id);
    const all = await api().get('/api/v1/EntityPermissions?take=1000').set(auth(adminToken)).expect(200);
    expect(all.body).not.to.have.property('Next');
    await api().get('/api/v1/EntityPermissions?take=-1').set(auth(adminToken)).expect(400);
    for (const [query, message] of [['take=0', 'take must be between 1 and 1000.'], ['take=1001', 'take must be between 1 and 1000.'], ['skip=10000001', 'skip must be between 0 and 10000000.'], ['take=two', 'take must be a whole number.']]) {
      const res = await api().get(`/api/v1/EntityPermissions?${query}`).set(auth(adminToken)).expect(400);
      expect(JSON.stringify(res.body), query).to.contain(message);
    }
  });

  it('bulk is all or nothing, with the error of each failing item', async () => {
    const before = await snapshot(t.db, ['access_tokens']);
    const extra = await buildStaff(t.db, 'user');
    const afterBuild = await snapshot(t.db, ['access_tokens']);
    const res = await api()
      .post('/api/v1/EntityPermissions/bulk')
      .set(auth(adminToken))
      .send([
        { EntityID: request, EntityType: { Id: 17 }, User: { Id: extra.id }, View: true },
        { EntityID: request, EntityType: { Id: 17 }, User: { Id: customer.id }, View: true },
        { EntityID: 999999, EntityType: { Id: 17 }, User: { Id: extra.id }, View: true },
      ]);
    expect(res.status).to.equal(400);
    expect(res.body.Items).to.deep.equal([
      { Index: 1, Status: 'UnprocessableEntity', Message: 'Customers (requesters) cannot be given direct access.' },
      { Index: 2, Status: 'NotFound', Message: 'Request 999999 not found.' },
    ]);
    expect(await snapshot(t.db, ['access_tokens'])).to.deep.equal(afterBuild);
    expect(before).to.not.deep.equal(afterBuild);
    const ok = await api()
      .post('/api/v1/EntityPermissions/bulk')
      .set(auth(adminToken))
      .send([
        { EntityID: request, EntityType: { Id: 17 }, User: { Id: extra.id }, View: true },
        { EntityID: epic, EntityType: { Id: 27 }, User: { Id: extra.id }, Comment: 'true' },
      ])
      .expect(201);
    expect(ok.body.Items).to.have.length(2);
  });

  it('meta and EntityTypes describe the resource', async () => {
    const meta = await api().get('/api/v1/EntityPermissions/meta').set(auth(adminToken)).expect(200);
    expect(meta.body.Name).to.equal('EntityPermission');
    const types = await api().get('/api/v1/EntityTypes').set(auth(adminToken)).expect(200);
    expect(types.body.Items).to.deep.include({ Id: 17, Name: 'Request' });
    expect(types.body.Items).to.deep.include({ Id: 27, Name: 'Epic' });
  });

  it('Users lists staff only; Requests lists what the token owner may see', async () => {
    const users = await api().get(`/api/v1/Users?where=${encodeURIComponent(`Email eq "${member.email.toUpperCase()}"`)}`).set(auth(adminToken)).expect(200);
    expect(users.body.Items).to.deep.equal([{ Id: member.id, Name: member.name, Email: member.email, Type: 'user' }]);
    const customers = await api().get(`/api/v1/Users?where=${encodeURIComponent(`Email eq "${customer.email}"`)}`).set(auth(adminToken)).expect(200);
    expect(customers.body.Items).to.deep.equal([]);
    const asMember = await api().get('/api/v1/Requests?where=Status eq "new"').set(auth(memberToken)).expect(200);
    expect(asMember.body.Items.map((r: { Id: number }) => r.Id)).to.include(request);
    const item = asMember.body.Items.find((r: { Id: number }) => r.Id === request);
    const row = await t.db('requests').where({ id: request }).first();
    expect(item).to.include({ Name: row.title, Description: row.description, Type: row.type, Status: 'new', Visibility: row.visibility, Votes: 0 });
    expect(item.Requester).to.deep.equal({ Id: customer.id, Name: customer.name });
    expect(item.Assignee).to.equal(null);
    expect(Object.keys(item)).to.deep.equal(['Id', 'Name', 'Description', 'Type', 'Status', 'Visibility', 'Votes', 'Project', 'Requester', 'Company', 'Assignee', 'CreateDate', 'ModifyDate']);
    const nobody = await buildStaff(t.db, 'user');
    const nobodyToken = (await createAccessToken(t.db, nobody.id, 'x')).token;
    const none = await api().get('/api/v1/Requests').set(auth(nobodyToken)).expect(200);
    expect(none.body.Items).to.deep.equal([]);
    expect(JSON.stringify(asMember.body)).not.to.contain(customer.email);
  });

  it('a customer can never use the API, even with a token row', async () => {
    const token = (await createAccessToken(t.db, customer.id, 'sneaky')).token;
    await api().get('/api/v1/Requests').set(auth(token)).expect(401);
  });

  it('a revoked token stops working at once; tokens never reach the log', async () => {
    const { id, token } = await createAccessToken(t.db, admin.id, 'short-lived');
    await api().get(`/api/v1/EntityTypes?token=${token}`).expect(200);
    await t.db('access_tokens').where({ id }).update({ revoked_at: nowIso() });
    await api().get(`/api/v1/EntityTypes?token=${token}`).expect(401);
    await api().get(`/api/v1/EntityTypes?access_token=${adminToken}`).expect(200);
    await api().get(`/api/v1/EntityTypes?%74oken=${adminToken}`).expect(200);
    // The query parser takes NUL out of names, so this is `token` to the routes: to the log as well.
    await api().get(`/api/v1/EntityTypes?tok%00en=${adminToken}`).expect(200);
    await api().get(`/api/v1/EntityTypes?to%00%00ken=${adminToken}`).expect(200);
    const logs = t.logs.join('\n');
    expect(logs).to.contain('/api/v1/EntityTypes?');
    expect(logs).not.to.contain(token.slice(4)).and.not.to.contain(adminToken.slice(4));
  });

  it('with direct_access.enabled off, every EntityPermissions route is 404 and grants give nothing', async () => {
    await changeSettings(t.db, admin.id, { 'direct_access.enabled': false });
    const before = await snapshot(t.db, ['access_tokens']);
    await api().get('/api/v1/EntityPermissions').set(auth(adminToken)).expect(404);
    await api().get('/api/v1/EntityPermissions/meta').set(auth(adminToken)).expect(404);
    await api().get('/api/v1/EntityPermissions/1').set(auth(adminToken)).expect(404);
    await api().post('/api/v1/EntityPermissions').set(auth(adminToken)).send({ EntityID: request, EntityType: { Id: 17 }, User: { Id: outsider.id }, View: true }).expect(404);
    await api().post('/api/v1/EntityPermissions/bulk').set(auth(adminToken)).send([]).expect(404);
    await api().post('/api/v1/EntityPermissions/1').set(auth(adminToken)).send({ View: true }).expect(404);
    await api().delete('/api/v1/EntityPermissions/1').set(auth(adminToken)).expect(404);
    expect(await snapshot(t.db, ['access_tokens'])).to.deep.equal(before);
    const reqs = await api().get('/api/v1/Requests').set(auth(outsiderToken)).expect(200);
    expect(reqs.body.Items).to.deep.equal([]);
    await changeSettings(t.db, admin.id, { 'direct_access.enabled': true });
  });
});

describe('REST API paging without PUBLIC_URL on an IPv6 or wildcard HOST', () => {
  for (const HOST of ['::', '::1']) {
    it(`HOST=${HOST}: Next is a valid address (was a 500: an IPv6 host without brackets)`, async () => {
      const t = await createTestApp({ HOST });
      try {
        const admin = await buildStaff(t.db, 'administrator');
        const project = await buildProject(t.db);
        const customer = await buildRequester(t.db);
        for (let i = 0; i < 2; i += 1) await buildRequest(t.db, { projectId: project, requester: customer });
        const { token } = await createAccessToken(t.db, admin.id, 'paging');
        const res = await supertest(t.app).get('/api/v1/Requests?take=1').set('Authorization', `Bearer ${token}`).expect(200);
        expect(res.body.Next).to.equal(HOST === '::' ? 'http://localhost:3000/api/v1/Requests?take=1&skip=1' : 'http://[::1]:3000/api/v1/Requests?take=1&skip=1');
      } finally {
        await t.close();
      }
    });
  }
});
