/**
 * With Direct Access off, the REST API's EntityPermissions is 404 under every spelling of its
 * path (letter case, doubled or trailing slashes, `;params`, `%2e` and `..` segments, escaped
 * letters), for every method, even with a valid administrator token, and nothing is written.
 * Requests go over a raw socket so the path reaches the server byte for byte; odd paths
 * with Direct Access on are in apiPaths.test.ts.
 */
import http from 'node:http';
import { expect } from 'chai';
import { createTestApp, snapshot, type TestApp } from '../helpers/app';
import { buildCompany, buildProject, buildRequest, buildRequester, buildStaff } from '../helpers/factories';
import { createAccessToken } from '../../server/repositories/accessTokens';
import { changeSettings } from '../../server/commands/changeSettings';
import { insertedId, nowIso } from '../../server/db';
import { rawRequest } from '../helpers/rawHttp';

describe('with Direct Access off, EntityPermissions under any spelling is 404', function () {
  this.timeout(60_000);
  let t: TestApp;
  let server: http.Server;
  let adminToken: string;
  let grant: number;
  let request: number;
  const GRANTEE = 'Grantee Of Gaps 7f3a';

  before(async () => {
    t = await createTestApp();
    server = http.createServer(t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const admin = await buildStaff(t.db, 'administrator');
    const grantee = await buildStaff(t.db, 'user');
    await t.db('principals').where({ id: grantee.id }).update({ name: GRANTEE });
    const customer = await buildRequester(t.db, { company: await buildCompany(t.db) });
    request = await buildRequest(t.db, { projectId: await buildProject(t.db), requester: customer });
    adminToken = (await createAccessToken(t.db, admin.id, 'gaps')).token;
    grant = insertedId(
      await t.db('entity_permissions').insert({ entity_type: 'request', entity_id: request, principal_id: grantee.id, can_view: true, can_comment: true, can_edit: false, can_grant: false, created_at: nowIso() }).returning('id'),
    );
    await changeSettings(t.db, admin.id, { 'direct_access.enabled': false });
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await t.close();
  });

  /** Spellings of one EntityPermissions path (`rest` after the resource name, e.g. `/meta`). */
  function spellings(rest: string): string[] {
    const out: string[] = [];
    for (const name of ['EntityPermissions', 'entitypermissions', 'ENTITYPERMISSIONS', 'entityPermissions', 'Entitypermissions']) {
      out.push(
        `/api/v1/${name}${rest}`,
        `/api/v1/${name}${rest}/`,
        `/api/v1//${name}${rest}`,
        `//api/v1/${name}${rest}`,
        `/api/v1/${name};x=1${rest}`,
        `/api/v1/${name}${rest};x=1`,
        `/api/v1/%2e/${name}${rest}`,
        `/api/v1/EntityTypes/%2e%2e/${name}${rest}`,
        `/api/v1/%2e%2e/v1/${name}${rest}`,
        `/api/v1/./${name}${rest}`,
        `/api/v1/x/../${name}${rest}`,
        `/API/V1/${name}${rest}`,
        `/api/v1/${name}%2f${rest.slice(1)}`,
        `/api/v1/${name.replace(/^./, (c) => `%${c.charCodeAt(0).toString(16)}`)}${rest}`,
      );
    }
    return out;
  }

  it('with a valid administrator token, on every route, method and spelling; nothing written', async () => {
    const body = { EntityID: request, EntityType: { Id: 17 }, User: { Id: 1 }, View: true };
    const routes: [string, string, unknown][] = [
      ['GET', '', undefined],
      ['GET', '/meta', undefined],
      ['GET', `/${grant}`, undefined],
      ['POST', '', body],
      ['POST', '/bulk', [body]],
      ['POST', `/${grant}`, { View: true, Comment: true, Edit: true }],
      ['DELETE', `/${grant}`, undefined],
    ];
    const before = await snapshot(t.db, ['access_tokens']);
    const wrong: string[] = [];
    for (const [method, rest, payload] of routes) {
      for (const path of spellings(rest)) {
        const res = await rawRequest(server, method, path, adminToken, payload);
        // `//api/...` is not the API's mount: the web stack refuses its posts (no CSRF token, 403).
        const refusals = path.startsWith('//') && method !== 'GET' ? [403, 404] : [404];
        if (!refusals.includes(res.status)) wrong.push(`${method} ${path}: ${res.status}`);
        if (res.text.includes(GRANTEE) || new RegExp(`"(Id|EntityId)":\\s*(${grant}|${request})\\b`).test(res.text)) wrong.push(`${method} ${path}: shows the grant`);
      }
    }
    expect(wrong).to.deep.equal([]);
    expect(await snapshot(t.db, ['access_tokens'])).to.deep.equal(before);
  });
});
