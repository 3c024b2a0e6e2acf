/**
 * The REST API on odd paths: every alias of an entity's path (letter case, trailing slash,
 * `//`, `;param`, dot segments, encoded slashes, leading zeros, the literal `:id`) is refused
 * to a token whose owner may not see the entity exactly as the path itself is, and a
 * customer's token opens no API route at all. Requests are sent over a raw socket so the
 * path reaches the server byte for byte (an HTTP client would resolve `%2e%2e` itself).
 */
import http from 'node:http';
import { expect } from 'chai';
import { createTestApp, snapshot, type TestApp } from '../helpers/app';
import { addMember, buildCompany, buildProject, buildRequest, buildRequester, buildRole, buildStaff } from '../helpers/factories';
import type { PrincipalRow } from '../../server/repositories/principals';
import { createAccessToken } from '../../server/repositories/accessTokens';
import { changeSettings } from '../../server/commands/changeSettings';
import { rawRequest, type RawResponse } from '../helpers/rawHttp';

/** Every odd spelling of an API path that must never do more than the path itself. */
function variants(path: string): string[] {
  const [, resource, id] = /^\/api\/v1\/(\w+)(?:\/(\w+))?$/.exec(path)!;
  const out = [
    path.toUpperCase(),
    path.toLowerCase(),
    `${path}/`,
    `/${path}`,
    `/api/v1//${resource}${id ? `/${id}` : ''}`,
    `${path};x=1`,
    `/api/v1;x=1/${resource}${id ? `/${id}` : ''}`,
    `/api/v1/${resource};x=1${id ? `/${id}` : ''}`,
    `/api/v1/EntityTypes/%2e%2e/${resource}${id ? `/${id}` : ''}`,
    `/api/v1/%2e%2e/api/v1/${resource}${id ? `/${id}` : ''}`,
    `/api/%2e%2e/api/v1/${resource}${id ? `/${id}` : ''}`,
    `/api/v1/${resource}%2f${id ?? ''}`,
    `/api%2fv1%2f${resource}${id ? `%2f${id}` : ''}`,
    `${path}%2f`,
    `${path}%2f..`,
    `/api/v1/${resource}/:id`,
    `/api/v1/${resource}/%3Aid`,
    `/api/v1/${resource}/%3aid`,
  ];
  if (id) {
    out.push(
      `/api/v1/${resource}/0${id}`,
      `/api/v1/${resource}/000${id}`,
      `/api/v1/${resource}/%30${id}`,
      `/api/v1/${resource}/+${id}`,
      `/api/v1/${resource}/${id}.json`,
      `/api/v1/${resource}/%2e%2e/${id}`,
      `/api/v1/${resource}/${id}/%2e%2e/${id}`,
      `/api/v1/${resource}/meta/%2e%2e/${id}`,
    );
  }
  return out;
}

describe('REST API on odd paths: aliases of a hidden entity, and customers’ tokens', function () {
  this.timeout(60_000);
  let t: TestApp;
  let server: http.Server;
  let admin: PrincipalRow;
  let outsider: PrincipalRow;
  let grantee: PrincipalRow;
  let customer: PrincipalRow;
  let adminToken: string;
  let outsiderToken: string;
  let customerToken: string;
  let hiddenRequest: number;
  let hiddenGrant: number;
  let ownRequest: number;
  const HIDDEN_TITLE = 'Hidden request title 5b1e';
  const GRANTEE_NAME = 'Grantee Hidden Name 9c4d';

  const raw = (method: string, path: string, token: string | null, body?: unknown): Promise<RawResponse> => rawRequest(server, method, path, token, body);

  /** What must never appear in an answer to someone who may not see the grant or the request. */
  function leaks(text: string): string[] {
    const found: string[] = [];
    if (text.includes(GRANTEE_NAME)) found.push('the grantee’s name');
    if (text.includes(HIDDEN_TITLE)) found.push('the hidden request’s title');
    if (text.includes(grantee.email)) found.push('the grantee’s email');
    if (new RegExp(`"Id":\\s*${hiddenGrant}\\b`).test(text)) found.push('the grant’s id as an item');
    if (new RegExp(`"EntityId":\\s*${hiddenRequest}\\b`).test(text)) found.push('the hidden request’s id as an item');
    return found;
  }

  before(async () => {
    t = await createTestApp();
    server = http.createServer(t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    admin = await buildStaff(t.db, 'administrator');
    outsider = await buildStaff(t.db, 'user');
    grantee = await buildStaff(t.db, 'user');
    await t.db('principals').where({ id: grantee.id }).update({ name: GRANTEE_NAME });
    const member = await buildStaff(t.db, 'user');
    customer = await buildRequester(t.db, { company: await buildCompany(t.db) });
    const project = await buildProject(t.db, { isPrivate: true });
    await addMember(t.db, project, member.id, await buildRole(t.db, { comment: true }));
    hiddenRequest = await buildRequest(t.db, { projectId: project, requester: customer, title: HIDDEN_TITLE });
    ownRequest = await buildRequest(t.db, { projectId: await buildProject(t.db), requester: customer, title: 'The customer’s own request' });
    adminToken = (await createAccessToken(t.db, admin.id, 'admin')).token;
    outsiderToken = (await createAccessToken(t.db, outsider.id, 'outsider')).token;
    // Customers cannot create tokens (POST /desk/profile/tokens is 403 for them, see refusals.test.ts);
    // a row is written directly, as a leaked or migrated one would be.
    customerToken = (await createAccessToken(t.db, customer.id, 'customer')).token;
    await changeSettings(t.db, admin.id, { 'direct_access.enabled': true });
    const grant = await raw('POST', '/api/v1/EntityPermissions', adminToken, { EntityID: hiddenRequest, EntityType: { Id: 17 }, User: { Id: grantee.id }, View: true });
    expect(grant.status, grant.text).to.equal(201);
    hiddenGrant = (JSON.parse(grant.text) as { Id: number }).Id;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await t.close();
  });

  it('the fixture: the administrator reads the grant and the request; the outsider gets 404 and an empty list', async () => {
    const path = `/api/v1/EntityPermissions/${hiddenGrant}`;
    const asAdmin = await raw('GET', path, adminToken);
    expect(asAdmin.status).to.equal(200);
    expect(asAdmin.text).to.contain(GRANTEE_NAME);
    const adminRequests = await raw('GET', `/api/v1/Requests?where=Id%20eq%20${hiddenRequest}`, adminToken);
    expect(adminRequests.text).to.contain(HIDDEN_TITLE);
    const before = await snapshot(t.db, ['access_tokens']);
    for (const [method, body] of [['GET', undefined], ['POST', { View: true, Edit: true }], ['DELETE', undefined]] as const) {
      const res = await raw(method, path, outsiderToken, body);
      expect(res.status, `${method} ${path}`).to.equal(404);
      expect(leaks(res.text), `${method} ${path}`).to.deep.equal([]);
    }
    const list = await raw('GET', `/api/v1/Requests?where=Id%20eq%20${hiddenRequest}`, outsiderToken);
    expect(list.status).to.equal(200);
    expect(JSON.parse(list.text)).to.deep.equal({ Items: [] });
    expect(await snapshot(t.db, ['access_tokens']), 'database unchanged').to.deep.equal(before);
  });

  it('every odd variant of a hidden grant’s path is 400, 403 or 404 for the outsider, for GET, POST and DELETE, and changes nothing', async () => {
    const before = await snapshot(t.db, ['access_tokens']);
    const path = `/api/v1/EntityPermissions/${hiddenGrant}`;
    const wrong: string[] = [];
    const aliases: string[] = [];
    for (const v of variants(path)) {
      for (const [method, body] of [['GET', undefined], ['POST', { View: true, Edit: true, GrantAccess: true }], ['DELETE', undefined]] as const) {
        const res = await raw(method, v, outsiderToken, body);
        if (![400, 403, 404].includes(res.status)) wrong.push(`${method} ${v} → ${res.status}`);
        const leaked = leaks(res.text);
        if (leaked.length) wrong.push(`${method} ${v} → ${res.status} shows ${leaked.join(', ')}`);
      }
      // For the record: the administrator's answer tells which spellings reach the handler at all.
      if ((await raw('GET', v, adminToken)).status === 200) aliases.push(v);
    }
    expect(wrong).to.deep.equal([]);
    // Not vacuous: several spellings are aliases the handler answers (and checks), not mere misses.
    expect(aliases).to.include.members([path.toUpperCase(), `${path}/`, `/api/v1/EntityPermissions/0${hiddenGrant}`]);
    expect(await snapshot(t.db, ['access_tokens']), 'database unchanged').to.deep.equal(before);
    // The grant is still there, untouched.
    const still = await raw('GET', path, adminToken);
    expect(JSON.parse(still.text)).to.include({ Id: hiddenGrant, View: true, Edit: false, GrantAccess: false });
  });

  it('odd variants of the Requests and Users lists never show the outsider a hidden request, nor anyone a customer', async () => {
    const wrong: string[] = [];
    const filters: [string, string, string | null][] = [
      ['/api/v1/Requests', `where=${encodeURIComponent(`Id eq ${hiddenRequest}`)}`, outsiderToken],
      ['/api/v1/Requests', '', outsiderToken],
      ['/api/v1/Users', `where=${encodeURIComponent(`Email eq "${customer.email}"`)}`, adminToken],
      ['/api/v1/Users', `where=${encodeURIComponent(`Id eq ${customer.id}`)}`, outsiderToken],
    ];
    for (const [path, query, token] of filters) {
      for (const v of [path, ...variants(path), `${path}/${hiddenRequest}`, `${path}/0${hiddenRequest}`, `${path}/${customer.id}`]) {
        const url = query ? `${v}?${query}` : v;
        const res = await raw('GET', url, token);
        if (res.status === 200) {
          const items = (JSON.parse(res.text) as { Items?: { Id: number; Email?: string }[] }).Items;
          if (!Array.isArray(items)) wrong.push(`${url} → 200 without Items`);
        } else if (![400, 403, 404].includes(res.status)) wrong.push(`${url} → ${res.status}`);
        if (res.text.includes(HIDDEN_TITLE)) wrong.push(`${url} shows the hidden title`);
        if (res.text.includes(customer.email) || res.text.includes(customer.name)) wrong.push(`${url} shows the customer`);
      }
    }
    expect(wrong).to.deep.equal([]);
  });

  it('a customer’s token is refused (401) on every API route and its variants, shows nothing and changes nothing', async () => {
    const before = await snapshot(t.db, ['access_tokens']);
    const grant = { EntityID: ownRequest, EntityType: { Id: 17 }, User: { Id: grantee.id }, View: true };
    const routes: [string, string, unknown][] = [
      ['GET', '/api/v1/EntityPermissions', undefined],
      ['GET', `/api/v1/EntityPermissions?where=${encodeURIComponent(`EntityId eq ${hiddenRequest}`)}`, undefined],
      ['GET', '/api/v1/EntityPermissions/meta', undefined],
      ['GET', `/api/v1/EntityPermissions/${hiddenGrant}`, undefined],
      ['POST', '/api/v1/EntityPermissions', grant],
      ['POST', '/api/v1/EntityPermissions/bulk', [grant]],
      ['POST', `/api/v1/EntityPermissions/${hiddenGrant}`, { View: true, GrantAccess: true }],
      ['DELETE', `/api/v1/EntityPermissions/${hiddenGrant}`, undefined],
      ['GET', '/api/v1/EntityTypes', undefined],
      ['GET', '/api/v1/Users', undefined],
      ['GET', `/api/v1/Users?where=${encodeURIComponent(`Id eq ${grantee.id}`)}`, undefined],
      ['GET', '/api/v1/Requests', undefined],
      ['GET', `/api/v1/Requests?where=${encodeURIComponent(`Id eq ${ownRequest}`)}`, undefined],
      ['GET', '/api/v1/NoSuchResource', undefined],
    ];
    const wrong: string[] = [];
    for (const [method, path, body] of routes) {
      const [bare, query] = path.split('?') as [string, string | undefined];
      const spellings = [path, bare.toUpperCase() + (query ? `?${query}` : ''), `${bare}/${query ? `?${query}` : ''}`];
      for (const p of spellings) {
        // As a bearer header, and as ?token= / ?access_token= in the query.
        const sep = p.includes('?') ? '&' : '?';
        const answers = [
          await raw(method, p, customerToken, body),
          await raw(method, `${p}${sep}token=${customerToken}`, null, body),
          await raw(method, `${p}${sep}access_token=${customerToken}`, null, body),
        ];
        for (const res of answers) {
          if (res.status !== 401) wrong.push(`${method} ${p} → ${res.status}`);
          else expect(JSON.parse(res.text)).to.deep.equal({ Status: 'Unauthorized', Message: 'The token is not valid.' });
          if (res.text.includes('customer’s own request') || res.text.includes(GRANTEE_NAME) || res.text.includes(HIDDEN_TITLE)) wrong.push(`${method} ${p} shows data`);
        }
      }
    }
    expect(wrong).to.deep.equal([]);
    expect(await snapshot(t.db, ['access_tokens']), 'database unchanged').to.deep.equal(before);
    // The same routes answer a staff token, so the 401s above are the customer's, not the route's.
    expect((await raw('GET', '/api/v1/EntityTypes', outsiderToken)).status).to.equal(200);
  });
});
