/**
 * The world of the access tests (search scope, search text, escaping on staff pages, foreign
 * ids, dashboard changes): companies (one with a markup name, one with LIKE wildcards and
 * quotes in it), a portal project, a private one and one without the portal, staff of every
 * kind, customers, requests whose titles searches must match literally, one no searcher may
 * see, typed markup entered through the forms people use, and dashboards made by their owner.
 */
import { csrfOf, signIn, type Agent, type TestApp } from './app';
import { addMember, buildCompany, buildProject, buildRequest, buildRequester, buildRole, buildStaff, PASSWORD } from './factories';
import { insertedId, nowIso } from '../../server/db';
import type { PrincipalRow } from '../../server/repositories/principals';

/** A script tag and an event handler, numbered so each field's copy can be told apart. */
export const payload = (n: number) => `<script>alert(${n})</script><img src=x onerror=alert(${n})>`;
/** The payload as EJS's `<%= %>` writes it. */
export const escaped = (n: number) => `&lt;script&gt;alert(${n})&lt;/script&gt;&lt;img src=x onerror=alert(${n})&gt;`;
export const XSS = {
  title: 1,
  description: 2,
  reply: 3,
  note: 4,
  itemName: 5,
  itemDescription: 6,
  dashboardName: 7,
  widgetTitle: 8,
  companyName: 9,
  personName: 10,
  customerComment: 11,
} as const;
export type XssField = keyof typeof XSS;

/** The id in a redirect's address: its last path segment by default (`/portal/requests/12?submitted=1` → 12). */
export function idFrom(location: string | undefined, pattern = /\/(\d+)(?:\?.*)?$/): number {
  const m = pattern.exec(location ?? '');
  if (!m) throw new Error(`no id in ${location}`);
  return Number(m[1]);
}

type Signed = 'admin' | 'member' | 'viewer' | 'observer' | 'alice' | 'xssPerson';

export interface AccessWorld {
  admin: PrincipalRow;
  /** A user with a full role on Support only. */
  member: PrincipalRow;
  viewer: PrincipalRow;
  observer: PrincipalRow;
  /** A user with nothing on any project or dashboard. */
  bystander: PrincipalRow;
  /** A customer of Acme. */
  alice: PrincipalRow;
  /** A customer whose name and company name are markup. */
  xssPerson: PrincipalRow;
  acme: number;
  /** The portal project. */
  support: number;
  /** Private, without the portal. */
  vault: number;
  /** Without the portal. */
  internal: number;
  /** Signed-in agents, and a form token for each. */
  agents: Record<Signed, Agent>;
  tokens: Record<Signed, string>;
  /** Requests by role in the world. */
  req: Record<'hidden' | 'followUp' | 'percent' | 'underscore' | 'quote' | 'backslash' | 'plain' | 'oddCompany' | 'xss', number>;
  /** Special-named people, for the people searches. */
  people: Record<'percent' | 'underscore' | 'quote' | 'backslash', PrincipalRow>;
  /** A work item of the private project. */
  vaultItem: number;
  /** A work item of Support with markup in its name and description. */
  xssItem: number;
  /** The member's dashboards: one with markup, shared with xssPerson; one open, shared with the viewer. */
  boards: Record<'open' | 'xss', number>;
}

/** Writes the world into the test app's database, signing its people in through the forms. */
export async function buildAccessWorld(t: TestApp): Promise<AccessWorld> {
  const agents = {} as AccessWorld['agents'];
  const tokens = {} as AccessWorld['tokens'];
  const req = {} as AccessWorld['req'];
  const people = {} as AccessWorld['people'];
  const boards = {} as AccessWorld['boards'];

  const acme = await buildCompany(t.db, 'Acme');
  const globex = await buildCompany(t.db, 'Globex');
  const xssCompany = await buildCompany(t.db, payload(XSS.companyName));
  const oddCompany = await buildCompany(t.db, "Fifty% O'Neil_Back\\slash Co");
  const support = await buildProject(t.db, { name: 'Support' });
  const vault = await buildProject(t.db, { name: 'Vault', isPrivate: true, portalEnabled: false });
  const internal = await buildProject(t.db, { name: 'Internal tools', portalEnabled: false });

  const admin = await buildStaff(t.db, 'administrator');
  const member = await buildStaff(t.db, 'user');
  const viewer = await buildStaff(t.db, 'user');
  const observer = await buildStaff(t.db, 'observer');
  const bystander = await buildStaff(t.db, 'user');
  await addMember(t.db, support, member.id, await buildRole(t.db, { add: true, edit: true, delete: true, comment: true }));
  const alice = await buildRequester(t.db, { company: acme });
  const carol = await buildRequester(t.db, { company: globex });
  const oddPerson = await buildRequester(t.db, { company: oddCompany });
  const xssPerson = await buildRequester(t.db, { company: xssCompany, name: payload(XSS.personName) });
  people.percent = await buildRequester(t.db, { company: acme, name: 'Percy 100% Sure' });
  people.underscore = await buildRequester(t.db, { company: acme, name: 'Una Under_score' });
  people.quote = await buildStaff(t.db, 'user');
  await t.db('principals').where({ id: people.quote.id }).update({ name: "Owen O'Brien" });
  people.backslash = await buildStaff(t.db, 'user');
  await t.db('principals').where({ id: people.backslash.id }).update({ name: 'Bea Back\\slash' });

  for (const [key, person, realm] of [
    ['admin', admin, 'desk'],
    ['member', member, 'desk'],
    ['viewer', viewer, 'desk'],
    ['observer', observer, 'desk'],
    ['alice', alice, 'portal'],
    ['xssPerson', xssPerson, 'portal'],
  ] as const) {
    agents[key] = await signIn(t.app, realm, person.email, PASSWORD);
    tokens[key] = await csrfOf(agents[key], realm === 'desk' ? '/desk' : '/portal');
  }

  // Typed markup, entered through the forms people use (the request first: the oldest open).
  const submitted = await agents.xssPerson
    .post('/portal/requests')
    .type('form')
    .send({ project_id: String(support), type: 'issue', title: payload(XSS.title), description: payload(XSS.description), visibility: 'private', _csrf: tokens.xssPerson })
    .expect(303);
  req.xss = idFrom(submitted.headers.location);
  await agents.xssPerson.post(`/portal/requests/${req.xss}/comments`).type('form').send({ body: payload(XSS.customerComment), _csrf: tokens.xssPerson }).expect(303);
  await agents.member.post(`/desk/requests/${req.xss}/comments`).type('form').send({ body: payload(XSS.reply), _csrf: tokens.member }).expect(303);
  await agents.member.post(`/desk/requests/${req.xss}/comments`).type('form').send({ body: payload(XSS.note), internal: 'true', _csrf: tokens.member }).expect(303);
  const item = await agents.member
    .post('/desk/work-items')
    .type('form')
    .send({ project_id: String(support), type: 'task', name: payload(XSS.itemName), description: payload(XSS.itemDescription), status: 'open', _csrf: tokens.member })
    .expect(303);
  const xssItem = idFrom(item.headers.location);
  await agents.member.post(`/desk/requests/${req.xss}/links`).type('form').send({ work_item_id: String(xssItem), _csrf: tokens.member }).expect(303);

  // Requests whose titles the searches must match literally, and one the searchers may not see.
  req.hidden = await buildRequest(t.db, { projectId: vault, requester: carol, title: 'Vault hidden matter', status: 'open' });
  req.followUp = await buildRequest(t.db, { projectId: support, requester: alice, title: `Follow-up to #${req.hidden}`, status: 'new' });
  req.percent = await buildRequest(t.db, { projectId: support, requester: alice, title: 'Discount 50% off' });
  req.underscore = await buildRequest(t.db, { projectId: support, requester: alice, title: 'snake_case field' });
  req.quote = await buildRequest(t.db, { projectId: support, requester: alice, title: "O'Reilly printer" });
  req.backslash = await buildRequest(t.db, { projectId: support, requester: alice, title: 'Path C:\\temp broken' });
  req.plain = await buildRequest(t.db, { projectId: support, requester: alice, title: 'Plain ordinary title' });
  req.oddCompany = await buildRequest(t.db, { projectId: support, requester: oddPerson, title: 'Odd company request' });

  const now = nowIso();
  const vaultItem = insertedId(
    await t.db('work_items').insert({ project_id: vault, type: 'bug', name: 'Vault blueprint', description: '', status: 'open', created_at: now, updated_at: now }).returning('id'),
  );

  // Dashboards, made by their owner (the member) through the desk.
  const board = async (name: string) => idFrom((await agents.member.post('/desk/dashboards').type('form').send({ name, _csrf: tokens.member }).expect(303)).headers.location, /dashboards\/(\d+)\/edit/);
  const widget = (id: number, kind: string, title = '') =>
    agents.member.post(`/desk/dashboards/${id}/widgets`).type('form').send({ kind, title, project_id: String(support), _csrf: tokens.member }).expect(303);
  const grant = (id: number, email: string, level = 'view') => agents.member.post(`/desk/dashboards/${id}/grants`).type('form').send({ email, level, _csrf: tokens.member }).expect(303);

  boards.xss = await board(payload(XSS.dashboardName));
  await widget(boards.xss, 'oldest_open', payload(XSS.widgetTitle));
  await grant(boards.xss, xssPerson.email);

  boards.open = await board('Team scratchpad');
  await widget(boards.open, 'requests_by_status');
  await grant(boards.open, viewer.email);
  await agents.member.post(`/desk/dashboards/${boards.open}/permissions`).type('form').send({ restriction: 'open', _csrf: tokens.member }).expect(303);

  return { admin, member, viewer, observer, bystander, alice, xssPerson, acme, support, vault, internal, agents, tokens, req, people, vaultItem, xssItem, boards };
}
