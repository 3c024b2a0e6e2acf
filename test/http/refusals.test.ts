/**
 * Every route × every principal kind: the status code, and after each refusal the
 * database unchanged. Extend ROUTES whenever a route is added.
 */
import crypto from 'node:crypto';
import { expect } from 'chai';
import supertest from 'supertest';
import { createTestApp, csrfFrom, signIn, snapshot, type Agent, type TestApp } from '../helpers/app';
import type { PrincipalRow } from '../../server/repositories/principals';
import { addMember, buildCompany, buildProject, buildRequest, buildRequester, buildRole, buildStaff, PASSWORD } from '../helpers/factories';
import { createAccessToken } from '../../server/repositories/accessTokens';
import { insertShareLink } from '../../server/repositories/shareLinks';
import { insertRequestListLink, type RequestListFilter } from '../../server/repositories/requestListLinks';
import { insertAttachments } from '../../server/repositories/attachments';

const ALL_OPEN: RequestListFilter = { projectId: null, type: null, statusGroup: 'open', sort: 'votes' };

type Kind = 'anonymous' | 'requester' | 'user' | 'observer' | 'contributor' | 'administrator';
const KINDS: Kind[] = ['anonymous', 'requester', 'user', 'observer', 'contributor', 'administrator'];

interface Route {
  method: 'GET' | 'POST';
  path: (ids: Ids) => string;
  body?: (ids: Ids) => Record<string, string>;
  /** Expected status per kind; 302 means "to the realm's login". */
  expect: Record<Kind, number>;
  /** True when the allowed kinds change the database (so only refusals are checked for "unchanged"). */
  writes?: boolean;
  /** Where the administrator's 302 goes, on a route that redirects them onward (not to a login). */
  adminGoesTo?: string;
}

interface Ids {
  self: Record<Kind, number>;
  otherUser: number;
  project: number;
  role: number;
  request: number;
  /** A file the requester attached to `request`; and two more, one removed in each realm. */
  attachment: number;
  portalDoomedFile: number;
  deskDoomedFile: number;
  workItem: number;
  dashboard: number;
  thirdPartyEmail: string;
  /** The requester's company, which the user serves (a request of it is in the user's project). */
  company: number;
  /** A restricted dashboard of the administrator's nobody else may see: the administrator deletes it last. */
  doomedDashboard: number;
  /** The administrator's own API token: only its owner revokes it. */
  adminToken: number;
  /** A share link of the user's dashboard, revoked by the user in the matrix, and another one's key, opened by anyone. */
  shareLink: number;
  shareKey: string;
  /** A request-list link of the user's, revoked by the user, and another one's key. */
  listLink: number;
  listKey: string;
  /** A customer of no company, whom the administrator moves into otherCompany. */
  customer: number;
  otherCompany: number;
  /** A project of nobody's, whose name and flags the administrator changes (the matrix's project keeps its own). */
  spareProject: number;
}

const STAFF_OK = { anonymous: 302, requester: 403, user: 200, observer: 200, contributor: 200, administrator: 200 };
const STAFF = (user: number, observer: number, contributor: number, administrator: number) => ({ anonymous: 302, requester: 403, user, observer, contributor, administrator });
const PORTAL_OK = { anonymous: 302, requester: 200, user: 403, observer: 403, contributor: 403, administrator: 403 };
const ADMIN_ONLY = (ok: number) => ({ anonymous: 302, requester: 403, user: 403, observer: 403, contributor: 403, administrator: ok });
const ANYONE = (code: number) => ({ anonymous: code, requester: code, user: code, observer: code, contributor: code, administrator: code });

/** A link to set a password that was never issued (as good as a used or expired one). */
const DEAD_LINK = crypto.randomBytes(32).toString('base64url');

const ROUTES: Route[] = [
  { method: 'GET', path: () => '/', expect: ANYONE(302) },
  { method: 'GET', path: () => '/healthz', expect: ANYONE(200) },
  { method: 'GET', path: () => '/portal/login', expect: { ...ANYONE(200), requester: 303 } },
  { method: 'GET', path: () => '/desk/login', expect: { ...ANYONE(303), anonymous: 200, requester: 200 } },
  { method: 'GET', path: () => '/portal', expect: PORTAL_OK },
  { method: 'GET', path: () => '/desk', expect: STAFF_OK },
  { method: 'GET', path: () => '/admin/settings', expect: ADMIN_ONLY(200) },
  { method: 'POST', path: () => '/admin/settings', body: () => ({ 'portal.signup': 'false' }), expect: ADMIN_ONLY(303), writes: true },
  { method: 'GET', path: () => '/admin', expect: ADMIN_ONLY(302), adminGoesTo: '/admin/settings' },
  { method: 'GET', path: () => '/admin/users', expect: ADMIN_ONLY(200) },
  { method: 'GET', path: (i) => `/admin/users/${i.otherUser}`, expect: ADMIN_ONLY(200) },
  { method: 'POST', path: (i) => `/admin/users/${i.otherUser}`, body: () => ({ type: 'administrator' }), expect: ADMIN_ONLY(303), writes: true },
  { method: 'POST', path: (i) => `/admin/users/${i.otherUser}/memberships`, body: (i) => ({ project_id: String(i.project), role_id: String(i.role) }), expect: ADMIN_ONLY(303), writes: true },
  { method: 'POST', path: (i) => `/admin/users/${i.otherUser}/memberships/${i.project}/delete`, body: () => ({}), expect: ADMIN_ONLY(303), writes: true },
  // Adding a person (mailed an invitation) and mailing someone a link to set a password.
  { method: 'GET', path: () => '/admin/users/new', expect: ADMIN_ONLY(200) },
  { method: 'POST', path: () => '/admin/users', body: () => ({ name: 'Matrix Person', email: 'matrix-person@matrix.test', type: 'user' }), expect: ADMIN_ONLY(303), writes: true },
  { method: 'POST', path: (i) => `/admin/users/${i.otherUser}/password-link`, expect: ADMIN_ONLY(303), writes: true },
  // The page of such a link, outside both gates: a dead link is dead for everyone, signed in or not.
  { method: 'GET', path: () => `/desk/password/set?token=${DEAD_LINK}`, expect: ANYONE(410) },
  { method: 'POST', path: () => '/desk/password/set', body: () => ({ token: DEAD_LINK, password: 'a good long password' }), expect: ANYONE(410) },
  { method: 'GET', path: () => `/portal/password/set?token=${DEAD_LINK}`, expect: ANYONE(410) },
  { method: 'POST', path: () => '/portal/password/set', body: () => ({ token: DEAD_LINK, password: 'a good long password' }), expect: ANYONE(410) },
  { method: 'POST', path: (i) => `/admin/users/${i.customer}/company`, body: (i) => ({ company_id: String(i.otherCompany) }), expect: ADMIN_ONLY(303), writes: true },
  { method: 'GET', path: () => '/admin/companies', expect: ADMIN_ONLY(200) },
  { method: 'POST', path: () => '/admin/companies', body: () => ({ name: 'Matrix company' }), expect: ADMIN_ONLY(303), writes: true },
  { method: 'GET', path: (i) => `/admin/companies/${i.otherCompany}`, expect: ADMIN_ONLY(200) },
  { method: 'POST', path: (i) => `/admin/companies/${i.otherCompany}`, body: () => ({ name: 'Matrix company renamed' }), expect: ADMIN_ONLY(303), writes: true },
  { method: 'GET', path: () => '/admin/projects', expect: ADMIN_ONLY(200) },
  { method: 'POST', path: () => '/admin/projects', body: () => ({ name: 'Matrix project', is_private: 'true', portal_enabled: 'true' }), expect: ADMIN_ONLY(303), writes: true },
  { method: 'GET', path: (i) => `/admin/projects/${i.spareProject}`, expect: ADMIN_ONLY(200) },
  { method: 'POST', path: (i) => `/admin/projects/${i.spareProject}`, body: () => ({ name: 'Matrix project renamed', is_private: 'true', portal_enabled: 'false' }), expect: ADMIN_ONLY(303), writes: true },
  { method: 'GET', path: () => '/admin/audit', expect: ADMIN_ONLY(200) },
  { method: 'GET', path: () => '/admin/mail', expect: ADMIN_ONLY(200) },
  // Customer portal
  { method: 'GET', path: () => '/portal/requests/new', expect: PORTAL_OK },
  { method: 'POST', path: () => '/portal/requests', body: (i) => ({ project_id: String(i.project), type: 'issue', title: 'Via matrix' }), expect: { ...PORTAL_OK, requester: 303 }, writes: true },
  { method: 'GET', path: (i) => `/portal/requests/${i.request}`, expect: PORTAL_OK },
  { method: 'POST', path: (i) => `/portal/requests/${i.request}/vote`, expect: { ...PORTAL_OK, requester: 303 }, writes: true },
  { method: 'POST', path: (i) => `/portal/requests/${i.request}/unvote`, expect: { ...PORTAL_OK, requester: 303 }, writes: true },
  { method: 'POST', path: (i) => `/portal/requests/${i.request}/comments`, body: () => ({ body: 'From the matrix' }), expect: { ...PORTAL_OK, requester: 303 }, writes: true },
  // Only the customer who raised the request chooses its email (the matrix's requester did).
  { method: 'POST', path: (i) => `/portal/requests/${i.request}/notifications`, body: () => ({ notify: 'off' }), expect: { ...PORTAL_OK, requester: 303 }, writes: true },
  { method: 'GET', path: () => '/portal/ideas', expect: PORTAL_OK },
  // A file the customer attached to the request: theirs in the portal, the staff's on the desk.
  { method: 'GET', path: (i) => `/portal/attachments/${i.attachment}`, expect: PORTAL_OK },
  { method: 'GET', path: (i) => `/desk/attachments/${i.attachment}`, expect: STAFF_OK },
  // Removing one: the customer who attached it in the portal; on the desk, the user who may change the request,
  // after whom it is gone for everyone (404; a refusal of a file that is there: attachments.test.ts).
  { method: 'POST', path: (i) => `/portal/attachments/${i.portalDoomedFile}/delete`, expect: { ...PORTAL_OK, requester: 303 }, writes: true },
  { method: 'POST', path: (i) => `/desk/attachments/${i.deskDoomedFile}/delete`, expect: STAFF(303, 404, 404, 404), writes: true },
  { method: 'GET', path: () => '/portal/dashboards', expect: PORTAL_OK },
  { method: 'GET', path: (i) => `/portal/dashboards/${i.dashboard}`, expect: PORTAL_OK },
  { method: 'GET', path: () => '/portal/profile', expect: PORTAL_OK },
  { method: 'POST', path: () => '/portal/profile', body: () => ({ name: 'Renamed via matrix' }), expect: { ...PORTAL_OK, requester: 303 }, writes: true },
  { method: 'POST', path: () => '/portal/profile/email', body: () => ({}), expect: { ...PORTAL_OK, requester: 303 }, writes: true },
  // A new password too short to be taken: refused for the requester too (422), so their session lives on.
  { method: 'POST', path: () => '/portal/profile/password', body: () => ({ current_password: PASSWORD, password: 'short' }), expect: { ...PORTAL_OK, requester: 422 } },
  // Staff desk
  { method: 'GET', path: (i) => `/desk/requests/${i.request}`, expect: STAFF_OK },
  { method: 'POST', path: (i) => `/desk/requests/${i.request}/comments`, body: () => ({ body: 'Staff reply' }), expect: STAFF(303, 403, 403, 303), writes: true },
  { method: 'POST', path: (i) => `/desk/requests/${i.request}/comments`, body: () => ({ body: 'Note', internal: 'true' }), expect: STAFF(303, 403, 403, 303), writes: true },
  { method: 'POST', path: (i) => `/desk/requests/${i.request}/status`, body: () => ({ status: 'open' }), expect: STAFF(303, 403, 403, 303), writes: true },
  { method: 'POST', path: (i) => `/desk/requests/${i.request}/details`, body: () => ({ title: 'Retitled by the matrix', type: 'question', visibility: 'private' }), expect: STAFF(303, 403, 403, 303), writes: true },
  { method: 'POST', path: (i) => `/desk/requests/${i.request}/assign`, body: () => ({ assignee_id: '' }), expect: STAFF(303, 403, 403, 303), writes: true },
  { method: 'POST', path: (i) => `/desk/requests/${i.request}/links`, body: (i) => ({ work_item_id: String(i.workItem) }), expect: STAFF(303, 403, 403, 303), writes: true },
  // The queue's bulk form with the matrix's request ticked: as its own status and assign routes.
  { method: 'POST', path: () => '/desk/requests/bulk', body: (i) => ({ ids: String(i.request), status: 'in_progress' }), expect: STAFF(303, 403, 403, 303), writes: true },
  { method: 'POST', path: () => '/desk/requests/bulk', body: () => ({ assignee_id: 'none' }), expect: STAFF(422, 403, 422, 422) },
  // The link made just above: the user removes it, observer and contributor may not, and then it is gone (404).
  { method: 'POST', path: (i) => `/desk/requests/${i.request}/links/${i.workItem}/delete`, expect: STAFF(303, 403, 403, 404), writes: true },
  { method: 'GET', path: () => '/desk/work-items', expect: STAFF_OK },
  { method: 'GET', path: (i) => `/desk/work-items/${i.workItem}`, expect: STAFF_OK },
  { method: 'GET', path: (i) => `/desk/work-items/${i.workItem}/edit`, expect: STAFF(200, 403, 403, 200) },
  { method: 'GET', path: () => '/desk/work-items/new', expect: STAFF(200, 403, 403, 200) },
  { method: 'POST', path: (i) => `/desk/work-items/${i.workItem}`, body: () => ({ name: 'Renamed item', status: 'open' }), expect: STAFF(303, 403, 403, 303), writes: true },
  { method: 'POST', path: (i) => `/desk/work-items/${i.workItem}/comments`, body: () => ({ body: 'Matrix comment' }), expect: STAFF(303, 403, 403, 303), writes: true },
  { method: 'POST', path: () => '/desk/work-items', body: (i) => ({ project_id: String(i.project), type: 'task', name: 'Matrix task', status: 'open' }), expect: STAFF(303, 403, 403, 303), writes: true },
  { method: 'GET', path: () => '/desk/dashboards', expect: STAFF_OK },
  { method: 'GET', path: () => '/desk/dashboards/new', expect: STAFF(200, 403, 200, 200) },
  { method: 'GET', path: (i) => `/desk/dashboards/${i.dashboard}`, expect: STAFF(200, 404, 404, 200) },
  { method: 'GET', path: (i) => `/desk/dashboards/${i.dashboard}/edit`, expect: STAFF(200, 404, 404, 200) },
  { method: 'GET', path: (i) => `/desk/dashboards/${i.dashboard}/permissions`, expect: STAFF(200, 404, 404, 200) },
  { method: 'POST', path: (i) => `/desk/dashboards/${i.dashboard}/grants`, body: (i) => ({ email: i.thirdPartyEmail, level: 'view' }), expect: STAFF(303, 404, 404, 303), writes: true },
  { method: 'POST', path: (i) => `/desk/dashboards/${i.dashboard}/permissions`, body: () => ({ restriction: 'restricted' }), expect: STAFF(303, 404, 404, 303) },
  { method: 'POST', path: (i) => `/desk/dashboards/${i.dashboard}`, body: () => ({ name: 'Renamed board' }), expect: STAFF(303, 404, 404, 303), writes: true },
  { method: 'POST', path: () => '/desk/dashboards', body: () => ({ name: 'Matrix board' }), expect: STAFF(303, 403, 303, 303), writes: true },
  { method: 'POST', path: (i) => `/desk/dashboards/${i.dashboard}/widgets`, body: () => ({ kind: 'requests_by_status' }), expect: STAFF(303, 404, 404, 303), writes: true },
  { method: 'GET', path: (i) => `/desk/dashboards/${i.dashboard}/people?q=matrix`, expect: STAFF(200, 404, 404, 200) },
  { method: 'GET', path: (i) => `/desk/dashboards/${i.dashboard}/preview`, expect: STAFF(200, 404, 404, 200) },
  // Every customer of the company holds a grant already: the owner's and the administrator's posts add nothing.
  { method: 'POST', path: (i) => `/desk/dashboards/${i.dashboard}/grants/company`, body: (i) => ({ company_id: String(i.company) }), expect: STAFF(303, 404, 404, 303) },
  // Only the administrator, last, may delete the administrator's board; the others do not even see it.
  { method: 'POST', path: (i) => `/desk/dashboards/${i.doomedDashboard}/delete`, body: () => ({ confirm: 'yes' }), expect: STAFF(404, 404, 404, 303), writes: true },
  // Public share links: made and revoked by who manages the dashboard's access (the user owns it; the administrator, last, finds the link revoked).
  { method: 'POST', path: (i) => `/desk/dashboards/${i.dashboard}/share-links`, body: () => ({ label: 'matrix link' }), expect: STAFF(201, 404, 404, 201), writes: true },
  { method: 'POST', path: (i) => `/desk/dashboards/${i.dashboard}/share-links/${i.shareLink}/revoke`, expect: STAFF(303, 404, 404, 404), writes: true },
  // Opened by anyone, signed in or not, in either realm: the link alone decides (its last opening is recorded).
  { method: 'GET', path: (i) => `/share/dashboard?key=${i.shareKey}`, expect: ANYONE(200), writes: true },
  // Public request lists: any staff member's page; made by all but observers; revoked by their maker (the user) or an administrator (last, finding it revoked).
  { method: 'GET', path: () => '/desk/share-links', expect: STAFF_OK },
  { method: 'POST', path: () => '/desk/share-links', body: () => ({ label: 'matrix list' }), expect: STAFF(201, 403, 201, 201), writes: true },
  { method: 'POST', path: (i) => `/desk/share-links/${i.listLink}/revoke`, expect: STAFF(303, 404, 404, 404), writes: true },
  { method: 'GET', path: (i) => `/share/requests?key=${i.listKey}`, expect: ANYONE(200), writes: true },
  { method: 'GET', path: () => '/desk/profile', expect: STAFF_OK },
  { method: 'POST', path: () => '/desk/profile/email', body: () => ({ email_notifications: 'on' }), expect: STAFF(303, 303, 303, 303), writes: true },
  { method: 'POST', path: () => '/desk/profile/tokens', body: () => ({ name: 'matrix token' }), expect: STAFF(201, 201, 201, 201), writes: true },
  // Someone else's token is not found; its owner (the administrator, last) revokes it.
  { method: 'POST', path: (i) => `/desk/profile/tokens/${i.adminToken}/delete`, expect: STAFF(404, 404, 404, 303), writes: true },
];

/** Variants of a path that must be refused exactly like the path itself, or not found. */
function variants(path: string): string[] {
  return [path.toUpperCase(), `${path}/`, path.replace(/^\/(\w+)/, '/$1;x=1'), path.replace(/^\//, '//'), `/portal/%2e%2e${path}`, `/portal/..%2f..${path}`];
}

describe('refusal matrix: every route × every principal kind', function () {
  this.timeout(60_000);
  let t: TestApp;
  const agents = {} as Record<Kind, Agent>;
  const tokens = {} as Record<Kind, string>;
  let ids: Ids;

  before(async () => {
    t = await createTestApp();
    const company = await buildCompany(t.db);
    const self = {} as Record<Kind, number>;
    let customer: PrincipalRow | undefined;
    for (const kind of KINDS) {
      if (kind === 'anonymous') {
        agents[kind] = supertest.agent(t.app);
        tokens[kind] = csrfFrom((await agents[kind].get('/portal/login')).text);
        self[kind] = 0;
        continue;
      }
      const person = kind === 'requester' ? await buildRequester(t.db, { company }) : await buildStaff(t.db, kind);
      self[kind] = person.id;
      if (kind === 'requester') customer = person;
      agents[kind] = await signIn(t.app, kind === 'requester' ? 'portal' : 'desk', person.email, PASSWORD);
      tokens[kind] = csrfFrom((await agents[kind].get(kind === 'requester' ? '/portal' : '/desk')).text);
    }
    const project = await buildProject(t.db);
    const fullRole = await buildRole(t.db, { add: true, edit: true, delete: true, comment: true });
    await addMember(t.db, project, self.user, fullRole);
    const request = await buildRequest(t.db, { projectId: project, requester: customer! });
    const now = new Date().toISOString();
    const [w] = await t.db('work_items').insert({ project_id: project, type: 'bug', name: 'Matrix bug', description: '', status: 'open', created_at: now, updated_at: now }).returning('id');
    const [d] = await t.db('dashboards').insert({ name: 'Matrix dashboard', owner_id: self.user, restriction: 'restricted', created_at: now, updated_at: now }).returning('id');
    const dashboard = Number(typeof d === 'object' ? d.id : d);
    await t.db('dashboard_grants').insert({ dashboard_id: dashboard, principal_id: self.requester, level: 'view', created_at: now });
    await t.db('settings').insert({ key: 'portal.dashboards', value: 'true', updated_at: now });
    await t.db('settings').insert({ key: 'share_links.enabled', value: 'true', updated_at: now });
    const thirdParty = await buildStaff(t.db, 'user');
    const [doomed] = await t.db('dashboards').insert({ name: 'Doomed dashboard', owner_id: self.administrator, restriction: 'restricted', created_at: now, updated_at: now }).returning('id');
    ids = {
      self,
      otherUser: (await buildStaff(t.db, 'user')).id,
      project,
      role: await buildRole(t.db),
      request,
      attachment: await attachedTo(request, customer!.id),
      portalDoomedFile: await attachedTo(request, customer!.id),
      deskDoomedFile: await attachedTo(request, customer!.id),
      workItem: Number(typeof w === 'object' ? w.id : w),
      dashboard,
      thirdPartyEmail: thirdParty.email,
      company,
      doomedDashboard: Number(typeof doomed === 'object' ? doomed.id : doomed),
      adminToken: (await createAccessToken(t.db, self.administrator, 'matrix')).id,
      shareLink: (await insertShareLink(t.db, { dashboardId: dashboard, label: 'to revoke', createdBy: self.user, expiresAt: null })).id,
      shareKey: (await insertShareLink(t.db, { dashboardId: dashboard, label: 'to open', createdBy: self.user, expiresAt: null })).key,
      listLink: (await insertRequestListLink(t.db, { label: 'to revoke', createdBy: self.user, expiresAt: null, filter: ALL_OPEN })).id,
      listKey: (await insertRequestListLink(t.db, { label: 'to open', createdBy: self.user, expiresAt: null, filter: ALL_OPEN })).key,
      customer: (await buildRequester(t.db)).id,
      otherCompany: await buildCompany(t.db),
      spareProject: await buildProject(t.db, { isPrivate: false, portalEnabled: true }),
    };
  });
  after(() => t.close());

  async function attachedTo(requestId: number, uploaderId: number): Promise<number> {
    const data = Buffer.from('matrix file');
    await insertAttachments(t.db, { requestId, commentId: null, uploaderId }, [{ filename: 'matrix.txt', contentType: 'application/octet-stream', data, sha256: crypto.createHash('sha256').update(data).digest('hex') }]);
    return Number(((await t.db('attachments').where({ request_id: requestId }).orderBy('id', 'desc').first('id')) as { id: unknown }).id);
  }

  for (const route of ROUTES) {
    for (const kind of KINDS) {
      const expected = route.expect[kind];
      it(`${route.method} ${route.path({ self: {} as Record<Kind, number>, otherUser: 0, project: 0, role: 0, request: 0, attachment: 0, portalDoomedFile: 0, deskDoomedFile: 0, workItem: 0, dashboard: 0, thirdPartyEmail: '', company: 0, doomedDashboard: 0, adminToken: 0, shareLink: 0, shareKey: ':key', listLink: 0, listKey: ':key', customer: 0, otherCompany: 0, spareProject: 0 }).replace(/\/0(?=\/|$)/g, '/:id')} as ${kind} → ${expected}`, async () => {
        const before = await snapshot(t.db);
        const req = route.method === 'GET' ? agents[kind].get(route.path(ids)) : agents[kind].post(route.path(ids)).type('form').send({ ...(route.body?.(ids) ?? {}), _csrf: tokens[kind] });
        const res = await req;
        expect(res.status).to.equal(expected);
        const refused = [302, 400, 401, 403, 404, 422, 429].includes(expected);
        if (refused || !route.writes) expect(await snapshot(t.db), 'database unchanged').to.deep.equal(before);
        if (route.adminGoesTo && kind === 'administrator') expect(res.headers.location).to.equal(route.adminGoesTo);
        else if (expected === 302 && route.path(ids) !== '/') expect(res.headers.location).to.match(/^\/(portal|desk)\/login\?next=/);
      });
    }
  }

  it('odd path variants of admin and desk routes never reach the page for a requester', async () => {
    const before = await snapshot(t.db);
    for (const path of ['/admin/settings', '/admin/users', '/admin/audit', '/admin/companies', '/admin/projects', '/desk']) {
      for (const v of variants(path)) {
        const res = await agents.requester.get(v);
        expect([403, 404], `${v} → ${res.status}`).to.include(res.status);
        const post = await agents.requester.post(v).type('form').send({ 'portal.signup': 'false', type: 'administrator', name: 'Via a variant', _csrf: tokens.requester });
        expect([403, 404], `POST ${v} → ${post.status}`).to.include(post.status);
      }
    }
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it("odd path variants of another company's request page never show it to a requester", async () => {
    const stranger = await buildRequester(t.db, { company: await buildCompany(t.db) });
    const hidden = await buildRequest(t.db, { projectId: ids.project, requester: stranger, visibility: 'private', title: 'Not yours to read' });
    for (const v of [`/portal/requests/${hidden}`, `/PORTAL/REQUESTS/${hidden}`, `/portal/requests/${hidden}/`, `/portal/requests/0${hidden}`, `/portal/requests/%3${hidden}`, `//portal/requests/${hidden}`, `/portal/requests/${hidden};x=1`, `/portal/ideas/../requests/${hidden}`, `/portal/requests/${hidden}%2f`]) {
      const res = await agents.requester.get(v);
      expect([400, 404], `${v} → ${res.status}`).to.include(res.status);
      expect(res.text, v).not.to.contain('Not yours to read');
    }
  });

  it('odd path variants of admin routes never reach the page for a non-admin staff user', async () => {
    for (const path of ['/admin/settings', '/admin/users', '/admin/companies', '/admin/projects']) {
      for (const v of variants(path)) {
        const res = await agents.user.get(v);
        expect([403, 404], `${v} → ${res.status}`).to.include(res.status);
      }
    }
  });

  it('the literal placeholder in a path is just a missing page', async () => {
    await agents.administrator.get('/admin/users/:id').expect(404);
    await agents.administrator.get('/admin/users/%3Aid').expect(404);
    for (const area of ['companies', 'projects']) {
      await agents.administrator.get(`/admin/${area}/:id`).expect(404);
      await agents.administrator.post(`/admin/${area}/:id`).type('form').send({ name: 'Placeholder', _csrf: tokens.administrator }).expect(404);
    }
  });

  it('refuses the whole matrix the same way under concurrent load', async () => {
    const before = await snapshot(t.db);
    const calls: Promise<void>[] = [];
    for (let round = 0; round < 5; round += 1) {
      for (const kind of ['anonymous', 'requester', 'user', 'observer', 'contributor'] as const) {
        calls.push(
          agents[kind]
            .post('/admin/settings')
            .type('form')
            .send({ 'direct_access.enabled': 'true', _csrf: tokens[kind] })
            .then((res) => void expect(res.status).to.equal(ADMIN_ONLY(303)[kind])),
        );
        calls.push(agents[kind].get('/admin/users').then((res) => void expect(res.status).to.equal(ADMIN_ONLY(200)[kind])));
      }
    }
    await Promise.all(calls);
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('refuses every refusal pair of the matrix the same way when all of them arrive at once, three rounds over', async function () {
    this.timeout(120_000);
    const placeholder: Ids = { self: {} as Record<Kind, number>, otherUser: 0, project: 0, role: 0, request: 0, attachment: 0, portalDoomedFile: 0, deskDoomedFile: 0, workItem: 0, dashboard: 0, thirdPartyEmail: '', company: 0, doomedDashboard: 0, adminToken: 0, shareLink: 0, shareKey: ':key', listLink: 0, listKey: ':key', customer: 0, otherCompany: 0, spareProject: 0 };
    const pairs: { route: Route; kind: Kind; expected: number; label: string }[] = [];
    for (const route of ROUTES) {
      const template = route.path(placeholder).replace(/\/0(?=\/|$)/g, '/:id');
      // `/` sends everyone to /portal with a 302: a redirect, not a refusal to a login page.
      if (template === '/') continue;
      for (const kind of KINDS) {
        const expected = route.expect[kind];
        if (![302, 403, 404].includes(expected)) continue;
        if (route.adminGoesTo && kind === 'administrator') continue; // onward, not refused
        // The administrator's 404 on the link-delete row holds only because the user's allowed
        // unlink (the row just before in KINDS order) removed the link; the administrator may
        // unlink, so this 404 depends on an earlier write and is not a refusal. The 403s of the
        // observer and contributor on that row come from authorizeRequest before the link is
        // looked up, so they stand whether or not the link exists, and are kept.
        if (kind === 'administrator' && /\/links\/:id\/delete$/.test(template)) continue;
        // Likewise the administrator's 404 on the share-link revoke: the user revoked it just before.
        if (kind === 'administrator' && /share-links\/:id\/revoke$/.test(template)) continue;
        pairs.push({ route, kind, expected, label: `${route.method} ${template} as ${kind}` });
      }
    }
    // Every route but `/`, /healthz, the two login pages, the two kinds of share link and the four
    // of the link to set a password refuses someone.
    expect(new Set(pairs.map((p) => p.route)).size).to.equal(ROUTES.length - 10);
    expect(pairs.length).to.be.greaterThan(150);

    const before = await snapshot(t.db);
    const calls: Promise<{ label: string; expected: number; status: number; location: string | undefined }>[] = [];
    for (let round = 0; round < 3; round += 1) {
      for (const { route, kind, expected, label } of pairs) {
        const path = route.path(ids);
        const req = route.method === 'GET' ? agents[kind].get(path) : agents[kind].post(path).type('form').send({ ...(route.body?.(ids) ?? {}), _csrf: tokens[kind] });
        calls.push(req.then((res) => ({ label: `round ${round}: ${label}`, expected, status: res.status, location: res.headers.location as string | undefined })));
      }
    }
    const results = await Promise.all(calls);
    expect(results).to.have.length(pairs.length * 3);
    const wrong = results
      .filter((r) => r.status !== r.expected || (r.expected === 302 && !/^\/(portal|desk)\/login\?next=/.test(r.location ?? '')))
      .map((r) => `${r.label}: expected ${r.expected}, got ${r.status} ${r.location ?? ''}`);
    expect(wrong).to.deep.equal([]);
    expect(await snapshot(t.db), 'database unchanged').to.deep.equal(before);
  });
});
