/**
 * A permission snapshot of a whole database, for the migration tests (SECURITY.md,
 * Grafana CVE-2022-36062: a migration widened permissions).
 *
 *   seedPermissionWorld(db)  the demo data plus rows that exercise every permission-relevant
 *                            table and column (and the plaintext credentials it made)
 *   takeSnapshot(db, world)  (a) the raw permission-relevant rows, every column, ordered, ids
 *                            included; (b) what the application ANSWERS: for every principal
 *                            (and nobody) × every request, work item, release, team iteration,
 *                            dashboard and project, the abilities server/permissions grants, and
 *                            what the lists the routes build return; plus what every stored
 *                            credential (password, session, API token, reset and sign-up link)
 *                            lets in.
 *
 * Answers are flat strings, one per thing allowed or shown ("P3 request#5 edit", "P3
 * desk.queue [1,2,5]"), so that "nothing newly allowed" is a set difference.
 */
import crypto from 'node:crypto';
import { insertAttachments, listRequestAttachments, type NewAttachment } from '../../server/repositories/attachments';
import type { Request } from 'express';
import pino from 'pino';
import type { Db } from '../../server/db';
import { insertedId, nowIso } from '../../server/db';
import { hashPassword } from '../../server/auth/passwords';
import { insertPrincipal } from '../../server/repositories/principals';
import { hashToken } from '../../server/repositories/accessTokens';
import { createPassport, strategyName } from '../../server/auth/passport';
import { abilitiesFor, can, canEnter, canUseDashboardHub, customerAccessProblem, ENTITY_KINDS, isRequester, isStaff, type Actor, type MaybeActor, type Target } from '../../server/permissions';
import { ownAndCompanyRequests, visibleComments, visibleDashboards, visibleEntityPermissions, visibleProjects, visibleReleases, visibleRequests, visibleTeamIterations, visibleWorkItems, type ScopeSettings } from '../../server/permissions/scopes';
import { peopleFoundByFragment } from '../../server/permissions/peopleScopes';
import { loadDashboardTarget, loadProjectFacts, loadRequestTarget, loadScopeSettings, loadWorkTarget } from '../../server/repositories/accessFacts';
import { createAccessToken } from '../../server/repositories/accessTokens';
import { createPendingSignup, createResetToken } from '../../server/repositories/accountTokens';
import { listDashboards, listGrants, searchPeople } from '../../server/repositories/dashboards';
import { listEntityPermissions } from '../../server/repositories/entityPermissions';
import { listApiRequests } from '../../server/repositories/apiQueries';
import { listProjects } from '../../server/repositories/people';
import { findPrincipalById, principalFromRow, toActor, updatePassword, type PrincipalRow } from '../../server/repositories/principals';
import { listQueue, queueFilterOptions } from '../../server/repositories/queue';
import { countByStatus } from '../../server/repositories/queueCounts';
import { listIdeas, listRequests } from '../../server/repositories/requests';
import { listLinkedWorkItems, listRequestComments, portalProjects, REQUEST_STATUSES } from '../../server/repositories/requestDetails';
import { readSessionWithPrincipal } from '../../server/repositories/sessions';
import { writeSetting } from '../../server/repositories/settings';
import { listWidgets } from '../../server/repositories/widgets';
import { linkedRequestCount, listWorkItems } from '../../server/repositories/workItems';
import { presentWidgets } from '../../server/presenters/dashboards';
import { resetTokenIsLive, signupConfirmation } from '../../server/commands/accounts';
import { passwordLinkIsLive } from '../../server/commands/passwordLinks';
import { createPasswordLink } from '../../server/repositories/passwordLinks';
import { NO_PASSWORD } from '../../server/auth/passwords';
import { tokenAuth } from '../../server/routes/api/v1/support';
import { DEMO_PASSWORD, seedDemo } from '../../server/seeds/demo';
import { TEST_SCRYPT_COST } from './app';
import { addMember, buildCompany, buildProject, buildRequest, buildRequester, buildRole, buildStaff, PASSWORD } from './factories';

// ------------------------------------------------------------------------------ raw rows

/**
 * Every table a permission decision reads, with every column ('*', so a column a later
 * migration adds is covered without touching this list), in a stable order.
 * `omit`: columns that reading the answers itself writes (a token's last use).
 */
export const PERMISSION_TABLES: readonly { table: string; orderBy: string[]; omit?: string[] }[] = [
  { table: 'settings', orderBy: ['key'] },
  { table: 'companies', orderBy: ['id'] },
  { table: 'roles', orderBy: ['id'] },
  { table: 'role_permissions', orderBy: ['id'] },
  { table: 'principals', orderBy: ['id'] },
  { table: 'projects', orderBy: ['id'] },
  { table: 'project_members', orderBy: ['id'] },
  { table: 'requests', orderBy: ['id'] },
  { table: 'work_items', orderBy: ['id'] },
  { table: 'releases', orderBy: ['id'] },
  { table: 'team_iterations', orderBy: ['id'] },
  { table: 'request_work_items', orderBy: ['request_id', 'work_item_id'] },
  { table: 'comments', orderBy: ['id'] },
  { table: 'attachments', orderBy: ['id'] },
  { table: 'votes', orderBy: ['id'] },
  { table: 'dashboards', orderBy: ['id'] },
  { table: 'dashboard_widgets', orderBy: ['id'] },
  { table: 'dashboard_grants', orderBy: ['id'] },
  { table: 'entity_permissions', orderBy: ['id'] },
  { table: 'access_tokens', orderBy: ['id'], omit: ['last_used_at'] },
  { table: 'password_reset_tokens', orderBy: ['id'] },
  { table: 'pending_signups', orderBy: ['id'] },
  { table: 'password_links', orderBy: ['id'] },
  { table: 'sessions', orderBy: ['sid'] },
  // Customers' dashboard figures are added up from these (permissions/tallyScopes.ts).
  { table: 'request_tallies', orderBy: ['project_id', 'company_key', 'status', 'type'] },
  { table: 'request_day_tallies', orderBy: ['project_id', 'company_key', 'day'] },
];

export type Rows = Record<string, Record<string, unknown>[]>;

export async function permissionRows(db: Db): Promise<Rows> {
  const out: Rows = {};
  for (const { table, orderBy, omit = [] } of PERMISSION_TABLES) {
    // A table a rolled-back migration would have created reads as absent, not as an error.
    if (!(await db.schema.hasTable(table))) continue;
    const q = db(table).select('*');
    for (const c of orderBy) void q.orderBy(c);
    const rows: Record<string, unknown>[] = await q;
    out[table] = rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !omit.includes(k))));
  }
  return out;
}

// ------------------------------------------------------------------------------ the world

/** The plaintext credentials the world made (only their hashes are stored). */
export interface PermissionWorld {
  /** principal id → the password it was made with */
  passwords: Map<number, string>;
  apiTokens: { label: string; token: string }[];
  resetTokens: { label: string; token: string }[];
  signupTokens: { label: string; token: string }[];
  /** Links an administrator mailed to set a password, and the realm whose page each is for. */
  passwordLinks: { label: string; token: string; realm: 'portal' | 'desk' }[];
  /** Sessions whose owner's cut-off (sessions_valid_after) is later than their sign-in. */
  staleSessions: { sid: string; principalId: number }[];
  /** The live sign-up link (the only thing rolling back the sign-up migrations can end). */
  liveSignup: string;
}

async function insertId(db: Db, table: string, row: Record<string, unknown>): Promise<number> {
  return insertedId(await db(table).insert(row).returning('id'));
}

async function idOf(db: Db, table: string, where: Record<string, unknown>): Promise<number> {
  const row: { id: number } | undefined = await db(table).where(where).first('id');
  if (!row) throw new Error(`seed: no ${table} row ${JSON.stringify(where)}`);
  return Number(row.id);
}

const RANK = { view: 0, comment: 1, edit: 2, grant: 3 } as const;

/**
 * seedDemo plus, for each permission-relevant table and column, rows for the cases a
 * migration could get wrong: a private portal project, a public non-portal one, a role
 * without flags for some kinds, every Direct Access mode on every entity kind (and a grant
 * naming the wrong type, a grant with nothing set, one held by a customer), every dashboard
 * restriction with view and edit grants (to staff, customers, a disabled customer), every
 * request visibility with and without a company, disabled accounts, password and disable
 * cut-offs with sessions on both sides of them, live/revoked/expired tokens and links, and
 * non-default settings.
 */
export async function seedPermissionWorld(db: Db): Promise<PermissionWorld> {
  if (!(await seedDemo(db, TEST_SCRYPT_COST))) throw new Error('seed: the database already had people');
  const now = nowIso();
  const byEmail = (email: string) => idOf(db, 'principals', { email_normalized: email });
  const admin = await byEmail('admin@demo.test');
  const agent = await byEmail('agent@demo.test');
  const observer = await byEmail('observer@demo.test');
  const contributor = await byEmail('contributor@demo.test');
  const alice = await byEmail('alice@acme.test');
  const bob = await byEmail('bob@acme.test');
  const carol = await byEmail('carol@globex.test');
  const acme = await idOf(db, 'companies', { name: 'Acme' });
  const support = await idOf(db, 'projects', { name: 'Support' });
  const internal = await idOf(db, 'projects', { name: 'Internal IT' });
  const agentRole = await idOf(db, 'roles', { name: 'Agent' });
  const reporterRole = await idOf(db, 'roles', { name: 'Reporter' });
  const readOnlyRole = await idOf(db, 'roles', { name: 'Read only' });
  const metrics = await idOf(db, 'dashboards', { name: 'Internal metrics' });
  const overview = await idOf(db, 'dashboards', { name: 'Support overview' });
  const scratchpad = await idOf(db, 'dashboards', { name: 'Team scratchpad' });
  const supportBug = await idOf(db, 'work_items', { name: 'Vote count off by one' });
  const supportRelease = await idOf(db, 'releases', { name: 'Portal 2.0' });

  for (const [key, value] of [
    ['direct_access.enabled', true],
    ['dashboards.creators', 'administrators'],
    ['portal.signup', false],
    ['share_links.enabled', true],
  ] as const) {
    await writeSetting(db, key, value, admin);
  }

  const initech = await buildCompany(db, 'Initech');
  // Flags for requests only: a member with it may comment on requests and nothing on work.
  const requestCommenter = await buildRole(db, { comment: true }, ['request']);
  const editor = await buildRole(db, { add: true, edit: true });

  const partner = await buildProject(db, { name: 'Partner portal', isPrivate: true, portalEnabled: true });
  const lab = await buildProject(db, { name: 'Lab', isPrivate: false, portalEnabled: false });

  const user2 = await buildStaff(db, 'user', { email: 'user2@world.test', defaultRoleId: editor });
  const contrib2 = await buildStaff(db, 'contributor', { email: 'contrib2@world.test', defaultRoleId: requestCommenter });
  const observer2 = await buildStaff(db, 'observer', { email: 'observer2@world.test' });
  const disabledUser = await buildStaff(db, 'user', { email: 'disabled-user@world.test', defaultRoleId: agentRole });
  const reenabled = await buildStaff(db, 'contributor', { email: 'reenabled@world.test', defaultRoleId: editor });
  const admin2 = await buildStaff(db, 'administrator', { email: 'admin2@world.test' });
  const dora = await buildRequester(db, { company: initech, email: 'dora@initech.test' });
  const eve = await buildRequester(db, { company: null, email: 'eve@nowhere.test' });
  const frank = await buildRequester(db, { company: acme, email: 'frank@acme.test' });
  await db('principals').whereIn('id', [disabledUser.id, frank.id]).update({ disabled: true });

  await addMember(db, partner, contrib2.id, editor);
  await addMember(db, partner, agent, reporterRole);
  await addMember(db, partner, observer, readOnlyRole);
  await addMember(db, partner, reenabled.id, requestCommenter);
  await addMember(db, lab, contributor, reporterRole);
  await addMember(db, support, disabledUser.id, agentRole);
  await addMember(db, internal, user2.id, requestCommenter);

  const person = async (id: number) => (await findPrincipalById(db, id))!;
  const [aliceRow, bobRow, carolRow] = [await person(alice), await person(bob), await person(carol)];
  const req = (projectId: number, requester: PrincipalRow, visibility: 'private' | 'company' | 'public', type: 'issue' | 'question' | 'idea' = 'issue') =>
    buildRequest(db, { projectId, requester, visibility, type, title: `${visibility} ${type} of ${requester.email} in ${projectId}` });
  const partnerPrivate = await req(partner, dora, 'private');
  const partnerCompany = await req(partner, dora, 'company', 'question');
  const partnerPublic = await req(partner, dora, 'public', 'idea');
  const evePublic = await req(partner, eve, 'public', 'idea');
  // 'company' visibility without a company: shared with nobody but its requester.
  await req(partner, eve, 'company');
  await req(partner, aliceRow, 'public', 'idea');
  await req(lab, carolRow, 'public', 'idea');
  const labPrivate = await req(lab, bobRow, 'private');
  const internalCompany = await req(internal, bobRow, 'company');
  const internalPrivate = await req(internal, aliceRow, 'private', 'question');
  await db('requests').where({ id: partnerCompany }).update({ assignee_id: contrib2.id });

  const item = (projectId: number, type: string, name: string, creatorId: number, parentId: number | null = null) =>
    insertId(db, 'work_items', { project_id: projectId, type, name, description: '', status: 'open', parent_id: parentId, owner_id: creatorId, creator_id: creatorId, created_at: now, updated_at: now });
  const partnerEpic = await item(partner, 'epic', 'Partner epic', contrib2.id);
  const partnerBug = await item(partner, 'bug', 'Partner bug', agent, partnerEpic);
  await item(partner, 'task', 'Partner task', contrib2.id, partnerEpic);
  const labFeature = await item(lab, 'feature', 'Lab feature', user2.id);
  await item(lab, 'user_story', 'Lab story', contributor, labFeature);
  const internalBug = await item(internal, 'bug', 'Internal bug', admin);
  await db('request_work_items').insert([
    { request_id: partnerPublic, work_item_id: partnerBug, created_at: now },
    { request_id: internalCompany, work_item_id: internalBug, created_at: now },
    { request_id: evePublic, work_item_id: labFeature, created_at: now },
  ]);
  const partnerRelease = await insertId(db, 'releases', { project_id: partner, name: 'Partner 1.0', creator_id: contrib2.id, created_at: now });
  const labRelease = await insertId(db, 'releases', { project_id: lab, name: 'Lab 0.1', creator_id: user2.id, created_at: now });
  const partnerIteration = await insertId(db, 'team_iterations', { project_id: partner, name: 'Partner sprint 1', creator_id: agent, created_at: now });
  const internalIteration = await insertId(db, 'team_iterations', { project_id: internal, name: 'Internal sprint 1', creator_id: admin, created_at: now });
  await insertId(db, 'team_iterations', { project_id: support, name: 'Support sprint 1', creator_id: agent, created_at: now });

  await db('comments').insert([
    { request_id: partnerPublic, author_id: dora.id, body: 'Please!', internal: false, created_at: now },
    { request_id: partnerPublic, author_id: contrib2.id, body: 'INTERNAL: partner only', internal: true, created_at: now },
    { request_id: internalCompany, author_id: admin, body: 'INTERNAL: escalated', internal: true, created_at: now },
    { work_item_id: partnerBug, author_id: agent, body: 'On it', internal: false, created_at: now },
  ]);
  // Files: with a request, with a customer's comment, with an internal note (staff only).
  const commentOf = async (body: string) => idOf(db, 'comments', { body });
  await insertAttachments(db, { requestId: partnerPublic, commentId: null, uploaderId: dora.id }, [worldFile('submitted.png')]);
  await insertAttachments(db, { requestId: partnerPublic, commentId: await commentOf('Please!'), uploaderId: dora.id }, [worldFile('please.txt')]);
  await insertAttachments(db, { requestId: partnerPublic, commentId: await commentOf('INTERNAL: partner only'), uploaderId: contrib2.id }, [worldFile('internal.log')]);
  await insertAttachments(db, { requestId: internalCompany, commentId: await commentOf('INTERNAL: escalated'), uploaderId: admin }, [worldFile('escalated.log')]);
  await db('votes').insert({ request_id: evePublic, requester_id: dora.id, created_at: now });
  await db('requests').where({ id: evePublic }).update({ vote_count: 1 });

  const grant = (principalId: number, entityType: string, entityId: number, mode: keyof typeof RANK | 'nothing') =>
    db('entity_permissions').insert({
      entity_type: entityType,
      entity_id: entityId,
      principal_id: principalId,
      can_view: mode !== 'nothing',
      can_comment: mode !== 'nothing' && RANK[mode] >= 1,
      can_edit: mode !== 'nothing' && RANK[mode] >= 2,
      can_grant: mode !== 'nothing' && RANK[mode] >= 3,
      created_by: admin,
      created_at: now,
    });
  // user2 is a member of Internal IT only, with a role that may comment on requests only.
  await grant(user2.id, 'request', partnerPrivate, 'view');
  await grant(user2.id, 'request', labPrivate, 'comment');
  await grant(user2.id, 'request', internalPrivate, 'edit');
  await grant(user2.id, 'bug', partnerBug, 'edit');
  await grant(user2.id, 'bug', internalBug, 'grant');
  await grant(user2.id, 'release', partnerRelease, 'view');
  await grant(user2.id, 'team_iteration', partnerIteration, 'comment');
  // Names the wrong type for that id: gives nothing.
  await grant(user2.id, 'feature', partnerBug, 'grant');
  await grant(observer2.id, 'epic', partnerEpic, 'grant');
  await grant(observer2.id, 'request', internalCompany, 'edit');
  await grant(contributor, 'bug', internalBug, 'comment');
  await grant(contributor, 'team_iteration', internalIteration, 'grant');
  await grant(contributor, 'release', labRelease, 'edit');
  await grant(contrib2.id, 'request', internalCompany, 'grant');
  await grant(contrib2.id, 'bug', supportBug, 'comment');
  await grant(agent, 'release', supportRelease, 'grant');
  // A row with every flag off, and grants held by a disabled user and by a customer.
  await grant(observer, 'request', internalPrivate, 'nothing');
  await grant(disabledUser.id, 'bug', internalBug, 'edit');
  await grant(dora.id, 'request', internalPrivate, 'grant');

  const partnerBoard = await insertId(db, 'dashboards', { name: 'Partner board', owner_id: contrib2.id, restriction: 'restricted', created_at: now, updated_at: now });
  await db('dashboard_widgets').insert([
    { dashboard_id: partnerBoard, kind: 'requests_by_status', title: 'Partner by status', position: 0, project_id: partner, data_scope: 'all', options: '{}' },
    { dashboard_id: partnerBoard, kind: 'top_ideas', title: 'Partner ideas', position: 1, project_id: partner, data_scope: 'viewer_company', options: '{}' },
    { dashboard_id: partnerBoard, kind: 'requests_by_type', title: 'Everything by type', position: 2, project_id: null, data_scope: 'all', options: '{}' },
    { dashboard_id: partnerBoard, kind: 'oldest_open', title: 'Internal oldest', position: 3, project_id: internal, data_scope: 'all', options: '{}' },
  ]);
  const dashGrant = (dashboardId: number, principalId: number, level: 'view' | 'edit') =>
    db('dashboard_grants').insert({ dashboard_id: dashboardId, principal_id: principalId, level, created_by: admin, created_at: now });
  await dashGrant(partnerBoard, dora.id, 'view');
  await dashGrant(partnerBoard, eve.id, 'edit');
  await dashGrant(partnerBoard, agent, 'edit');
  await dashGrant(partnerBoard, observer2.id, 'edit');
  await dashGrant(metrics, user2.id, 'edit');
  await dashGrant(metrics, contrib2.id, 'view');
  await dashGrant(overview, contributor, 'edit');
  await dashGrant(overview, frank.id, 'view');
  // 'Anyone can view and edit' boards are never shown to customers, grant or not.
  await dashGrant(scratchpad, dora.id, 'view');

  // Cut-offs: the agent changed their password; `reenabled` was disabled (which ends every
  // session for good) and enabled again. Each keeps one session from before and one after.
  // Ten minutes ago, so that every session below, the later ones too, began in the past.
  const cutOff = Date.now() - 600_000;
  await updatePassword(db, agent, await hashPassword(DEMO_PASSWORD, TEST_SCRYPT_COST));
  await db('principals').whereIn('id', [agent, reenabled.id]).update({ sessions_valid_after: cutOff });
  const expires = new Date(Date.now() + 86_400_000).toISOString();
  const session = async (sid: string, principalId: number, realm: 'portal' | 'desk', authenticatedAt: number, o: { hint?: number | null; expired?: string } = {}) => {
    const sess = { cookie: { originalMaxAge: 86_400_000, expires, httpOnly: true, path: '/', sameSite: 'lax' }, passport: { user: { id: principalId, realm } }, authenticatedAt };
    await db('sessions').insert({ sid, sess: JSON.stringify(sess), expired: o.expired ?? expires, principal_id: o.hint === undefined ? principalId : o.hint });
  };
  await session('agent-before-password-change', agent, 'desk', cutOff - 3_600_000);
  await session('agent-after-password-change', agent, 'desk', cutOff + 1_000);
  await session('reenabled-before-disable', reenabled.id, 'desk', cutOff - 60_000);
  await session('reenabled-after-enable', reenabled.id, 'desk', cutOff + 60_000);
  await session('alice-portal', alice, 'portal', cutOff);
  await session('carol-wrong-realm', carol, 'desk', cutOff);
  await session('disabled-user', disabledUser.id, 'desk', cutOff);
  await session('observer-no-hint', observer, 'desk', cutOff, { hint: null });
  // The hint is only a hint: the session JSON (bob) decides, not the row's principal_id (admin).
  await session('bob-hint-says-admin', bob, 'portal', cutOff, { hint: admin });
  await session('admin-expired', admin, 'desk', cutOff, { expired: new Date(Date.now() - 60_000).toISOString() });

  const apiTokens: PermissionWorld['apiTokens'] = [];
  const token = async (label: string, principalId: number) => {
    const made = await createAccessToken(db, principalId, label);
    apiTokens.push({ label, token: made.token });
    return made.id;
  };
  await token('agent live', agent);
  await token('admin2 live', admin2.id);
  await db('access_tokens').where({ id: await token('user2 revoked', user2.id) }).update({ revoked_at: now });
  await db('access_tokens').where({ id: await token('contrib2 expired', contrib2.id) }).update({ expires_at: new Date(Date.now() - 60_000).toISOString() });
  await token('disabled user live', disabledUser.id);
  await token('customer live', dora.id);

  const resetTokens: PermissionWorld['resetTokens'] = [];
  resetTokens.push({ label: 'alice', token: await createResetToken(db, alice) });
  const usedReset = await createResetToken(db, bob);
  await db('password_reset_tokens').where({ principal_id: bob }).update({ used_at: now });
  resetTokens.push({ label: 'bob-used', token: usedReset });
  const expiredReset = await createResetToken(db, carol);
  await db('password_reset_tokens').where({ principal_id: carol }).update({ expires_at: new Date(Date.now() - 60_000).toISOString() });
  resetTokens.push({ label: 'carol-expired', token: expiredReset });

  const signupTokens: PermissionWorld['signupTokens'] = [];
  const liveSignup = await createPendingSignup(db, { email: 'gina@newco.test', name: 'Gina', passwordHash: null });
  signupTokens.push({ label: 'gina', token: liveSignup });
  signupTokens.push({ label: 'hank-used', token: await createPendingSignup(db, { email: 'hank@newco.test', name: 'Hank', passwordHash: null }) });
  await db('pending_signups').where({ email_normalized: 'hank@newco.test' }).update({ used_at: now });
  signupTokens.push({ label: 'ivy-expired', token: await createPendingSignup(db, { email: 'ivy@newco.test', name: 'Ivy', passwordHash: null }) });
  await db('pending_signups').where({ email_normalized: 'ivy@newco.test' }).update({ expires_at: new Date(Date.now() - 60_000).toISOString() });

  // People added by an administrator, with no password yet: one link live at each realm, one
  // used, one expired, one superseded by a newer link, one of an account disabled since.
  const passwordLinks: PermissionWorld['passwordLinks'] = [];
  const invited = async (email: string, type: 'user' | 'requester') => (await insertPrincipal(db, { type, name: email, email, passwordHash: NO_PASSWORD })).id;
  const passwordLink = async (label: string, principalId: number, realm: 'portal' | 'desk') => {
    const made = await createPasswordLink(db, principalId, admin);
    passwordLinks.push({ label, token: made.token, realm });
    return made.token;
  };
  const invitedStaff = await invited('invited-staff@world.test', 'user');
  await passwordLink('invited-staff superseded', invitedStaff, 'desk');
  await passwordLink('invited-staff', invitedStaff, 'desk');
  await passwordLink('invited-customer', await invited('invited-customer@world.test', 'requester'), 'portal');
  const usedLink = await passwordLink('used', await invited('invited-used@world.test', 'user'), 'desk');
  await db('password_links').where({ token_hash: hashToken(usedLink) }).update({ used_at: now });
  const expiredLink = await passwordLink('expired', await invited('invited-expired@world.test', 'requester'), 'portal');
  await db('password_links').where({ token_hash: hashToken(expiredLink) }).update({ expires_at: new Date(Date.now() - 60_000).toISOString() });
  const disabledInvitee = await invited('invited-disabled@world.test', 'user');
  await passwordLink('disabled', disabledInvitee, 'desk');
  await db('principals').where({ id: disabledInvitee }).update({ disabled: true });

  const passwords = new Map<number, string>();
  for (const id of [admin, agent, observer, contributor, alice, bob, carol]) passwords.set(id, DEMO_PASSWORD);
  for (const p of [user2, contrib2, observer2, disabledUser, reenabled, admin2, dora, eve, frank]) passwords.set(p.id, PASSWORD);

  return {
    passwords,
    apiTokens,
    resetTokens,
    signupTokens,
    passwordLinks,
    staleSessions: [
      { sid: 'agent-before-password-change', principalId: agent },
      { sid: 'reenabled-before-disable', principalId: reenabled.id },
    ],
    liveSignup,
  };
}

function worldFile(filename: string): NewAttachment {
  const data = Buffer.from(`the bytes of ${filename}`);
  return { filename, contentType: 'application/octet-stream', data, sha256: crypto.createHash('sha256').update(data).digest('hex') };
}

// ------------------------------------------------------------------------------ answers

const ids = (rows: { id: number }[]) => JSON.stringify(rows.map((r) => r.id));
const allowed = (abilities: Record<string, boolean>) => Object.keys(abilities).filter((k) => abilities[k]);

async function column(db: Db, table: string): Promise<number[]> {
  const rows: { id: number }[] = await db(table).orderBy('id').select('id');
  return rows.map((r) => Number(r.id));
}

type Verify = (email: string, password: string, done: (err: unknown, user?: Express.User | false) => void) => void;
interface PassportInternals {
  _strategy(name: string): { _verify: Verify };
  deserializeUser(stored: unknown, req: unknown, done: (err: unknown, user?: Express.User | false) => void): void;
}

/** What stored credentials let in, through the real sign-in, session, API and link code. */
async function credentialAnswers(db: Db, world: PermissionWorld): Promise<string[]> {
  const out: string[] = [];
  const passport = createPassport(db, TEST_SCRYPT_COST, pino({ level: 'silent' })) as unknown as PassportInternals;
  const settle = (run: (done: (err: unknown, user?: Express.User | false) => void) => void) =>
    new Promise<Express.User | false>((resolve, reject) => run((err, user) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(user ?? false))));

  const people: { id: number; email: string }[] = await db('principals').orderBy('id').select('id', 'email');
  for (const p of people) {
    for (const realm of ['portal', 'desk'] as const) {
      const password = world.passwords.get(Number(p.id)) ?? '';
      const user = await settle((done) => passport._strategy(strategyName(realm))._verify(p.email, password, done));
      if (user) out.push(`login ${realm} ${p.email} → P${user.id}`);
    }
  }

  const sids: { sid: string }[] = await db('sessions').orderBy('sid').select('sid');
  for (const { sid } of sids) {
    const found = await readSessionWithPrincipal(db, sid);
    if (!found) continue;
    const stored = (found.sess as { passport?: { user?: unknown } }).passport?.user;
    if (!stored) continue;
    const user = await settle((done) => passport.deserializeUser(stored, { session: found.sess }, done));
    if (user) out.push(`session ${sid} → P${user.id}`);
  }

  const auth = tokenAuth(db);
  for (const { label, token } of world.apiTokens) {
    const req = { get: (h: string) => (h.toLowerCase() === 'authorization' ? `Bearer ${token}` : undefined), query: {} } as unknown as Request;
    await new Promise<void>((resolve, reject) => {
      const result = auth(req, {} as never, () => resolve()) as unknown;
      if (result instanceof Promise) result.catch(reject);
    });
    if (req.apiActor) out.push(`api token ${label} → P${req.apiActor.id}`);
  }
  for (const { label, token } of world.resetTokens) if (await resetTokenIsLive(db, token)) out.push(`reset link ${label} live`);
  for (const { label, token } of world.signupTokens) if ((await signupConfirmation(db, token)) !== null) out.push(`sign-up link ${label} live`);
  for (const { label, token, realm } of world.passwordLinks) {
    for (const at of ['portal', 'desk'] as const) if (await passwordLinkIsLive(db, at, token)) out.push(`password link ${label} (${realm}) live at ${at}`);
  }
  return out;
}

interface Universe {
  requests: number[];
  workItems: number[];
  releases: number[];
  teamIterations: number[];
  dashboards: number[];
  projects: number[];
}

/** Everything one actor may do to everything, and every list the routes build for them. */
async function actorAnswers(db: Db, actor: MaybeActor, u: Universe, s: ScopeSettings, creators: 'all_staff' | 'administrators', customers: Actor[]): Promise<string[]> {
  const who = actor ? `P${actor.id}` : 'anonymous';
  const out: string[] = [];
  const say = (what: string) => out.push(`${who} ${what}`);

  for (const area of ['portal', 'desk', 'admin'] as const) if (canEnter(actor, area)) say(`enters ${area}`);
  if (can(actor, 'create', { kind: 'dashboards', creators })) say('creates dashboards');
  if (canUseDashboardHub(actor, s.portalDashboards)) say('uses the dashboard hub');

  for (const pid of u.projects) {
    for (const kind of ENTITY_KINDS) {
      const project = await loadProjectFacts(db, actor, pid, kind);
      if (project) for (const a of allowed(abilitiesFor(actor, { kind: 'project', project }))) say(`project#${pid} ${kind} ${a}`);
    }
  }

  /** Says every ability the actor has on `target` (when it exists), and answers them. */
  const abilitiesOn = (label: string, target: Target | null): string[] => {
    const a = target ? allowed(abilitiesFor(actor, target)) : [];
    for (const action of a) say(`${label} ${action}`);
    return a;
  };
  const viewableRequests: number[] = [];
  for (const id of u.requests) if (abilitiesOn(`request#${id}`, await loadRequestTarget(db, actor, id, s)).includes('view')) viewableRequests.push(id);
  const viewableItems: number[] = [];
  for (const [kind, list] of [['work_item', u.workItems], ['release', u.releases], ['team_iteration', u.teamIterations]] as const) {
    for (const id of list) {
      const a = abilitiesOn(`${kind}#${id}`, await loadWorkTarget(db, actor, kind, id, s));
      if (kind === 'work_item' && a.includes('view')) viewableItems.push(id);
    }
  }
  const viewableDashboards: number[] = [];
  const managedDashboards: number[] = [];
  for (const id of u.dashboards) {
    const a = abilitiesOn(`dashboard#${id}`, await loadDashboardTarget(db, actor, id, s));
    if (a.includes('view')) viewableDashboards.push(id);
    if (a.includes('manage_grants')) managedDashboards.push(id);
  }

  // The lists, built as the routes build them (server/routes/portal/*, desk/*, api/v1/*).
  const requests = visibleRequests(actor, s);
  // Which requests, not their order: the customer-activity migration recomputes the times this list is sorted by from the comments and history, which the world's rows need not match.
  say(`portal.home ${JSON.stringify((await listRequests(db, ownAndCompanyRequests(actor, s), { page: 1, pageSize: 1000 })).items.map((r) => r.id).sort((a, b) => a - b))}`);
  say(`portal.ideas ${ids((await listIdeas(db, requests, { page: 1, pageSize: 1000 })).items)}`);
  say(`dashboards list ${ids(await listDashboards(db, visibleDashboards(actor, s)))}`);
  say(`desk.queue ${ids((await listQueue(db, requests, {}, 'activity', 1, 1000)).items)}`);
  say(`desk.queue counts ${JSON.stringify((await countByStatus(db, requests, {}, REQUEST_STATUSES)).counts)}`);
  const options = await queueFilterOptions(db, actor, s);
  say(`desk.queue choices ${ids(options.projects)} ${options.companies ? ids(options.companies) : 'search'} ${ids(options.assignees)}`);
  const workItems = visibleWorkItems(actor, s);
  say(`desk.work-items ${ids(await listWorkItems(db, workItems, { limit: 1000 }))}`);
  say(`releases ${ids(await db('releases').modify(visibleReleases(actor, s)).orderBy('releases.id').select('releases.id'))}`);
  say(`team iterations ${ids(await db('team_iterations').modify(visibleTeamIterations(actor, s)).orderBy('team_iterations.id').select('team_iterations.id'))}`);
  say(`projects ${ids(await listProjects(db, visibleProjects(actor)))}`);
  say(`api requests ${JSON.stringify((await listApiRequests(db, requests, {}, 1000, 0)).map((r) => r.Id))}`);
  say(`api direct-access grants ${ids(await listEntityPermissions(db, visibleEntityPermissions(actor, s), {}, 1000, 0))}`);
  say(`people picker ${ids(await searchPeople(db, '@', peopleFoundByFragment(actor), 1000))}`);

  // Inside what they may open: comments, linked items (the portal names them all), counts.
  for (const id of viewableRequests) {
    say(`request#${id} comments ${ids(await listRequestComments(db, id, visibleComments(actor)))}`);
    // Said only when there are some: a rollback that drops the files narrows, never widens.
    const files = await listRequestAttachments(db, id, visibleComments(actor));
    if (files.length) say(`request#${id} files ${ids(files)}`);
    say(`request#${id} linked ${ids(await listLinkedWorkItems(db, id, isRequester(actor) ? undefined : workItems))}`);
  }
  for (const id of viewableItems) {
    say(`work_item#${id} children ${ids(await listWorkItems(db, workItems, { parentId: id, limit: 1000 }))} requests ${await linkedRequestCount(db, id, requests)}`);
  }
  for (const id of viewableDashboards) {
    const widgets = await listWidgets(db, id);
    const shown = await presentWidgets(db, actor, widgets, s);
    say(`dashboard#${id} widgets ${JSON.stringify(shown.map((w) => [w.id, w.projectName, w.figures]))}`);
  }
  // What a manager sees of a dashboard's access, and "preview as customer" for each customer.
  for (const id of managedDashboards) {
    say(`dashboard#${id} grants ${ids(await listGrants(db, id))}`);
    if (!isStaff(actor)) continue;
    const widgets = await listWidgets(db, id);
    for (const customer of customers) {
      const target = await loadDashboardTarget(db, customer, id, s);
      if (!target || customerAccessProblem(customer, target)) continue;
      const shown = await presentWidgets(db, customer, widgets, s, actor);
      say(`dashboard#${id} preview as P${customer.id} ${JSON.stringify(shown.map((w) => [w.id, w.projectName, w.figures]))}`);
    }
  }
  return out;
}

/** Every answer, sorted. */
export async function permissionAnswers(db: Db, world: PermissionWorld): Promise<string[]> {
  const settingsRow: { value: string } | undefined = await db('settings').where({ key: 'dashboards.creators' }).first('value');
  const creators = settingsRow && JSON.parse(settingsRow.value) === 'administrators' ? 'administrators' : 'all_staff';
  const s = await loadScopeSettings(db);
  const u: Universe = {
    requests: await column(db, 'requests'),
    workItems: await column(db, 'work_items'),
    releases: await column(db, 'releases'),
    teamIterations: await column(db, 'team_iterations'),
    dashboards: await column(db, 'dashboards'),
    projects: await column(db, 'projects'),
  };
  const principals: Record<string, unknown>[] = await db('principals').orderBy('id').select('*');
  const people = principals.map((r) => ({ actor: toActor(principalFromRow(r)), disabled: principalFromRow(r).disabled }));
  // The preview refuses disabled customers (routes/desk/dashboardPermissions.ts).
  const customers = people.filter((p) => isRequester(p.actor) && !p.disabled).map((p) => p.actor);
  const out: string[] = [`settings ${JSON.stringify(s)} creators ${creators}`, `portal projects ${ids(await portalProjects(db))}`];
  // Disabled people cannot sign in (credentialAnswers), but what they could do is answered
  // too: a migration that re-enabled them would show up there.
  const actors: MaybeActor[] = [null, ...people.map((p) => p.actor)];
  const perActor = await Promise.all(actors.map((a) => actorAnswers(db, a, u, s, creators, customers)));
  out.push(...perActor.flat(), ...(await credentialAnswers(db, world)));
  return out.sort();
}

export interface PermissionSnapshot {
  rows: Rows;
  answers: string[];
}

export async function takeSnapshot(db: Db, world: PermissionWorld): Promise<PermissionSnapshot> {
  // Rows first: reading the answers records the API tokens' last use (omitted from the rows).
  return { rows: await permissionRows(db), answers: await permissionAnswers(db, world) };
}
