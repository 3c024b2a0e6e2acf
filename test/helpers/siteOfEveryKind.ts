/**
 * One site with something of every kind (an idea voted on and ideas not, linked and unlinked
 * work items, an epic with a child, a restricted dashboard with widgets and grants, an API
 * token, Direct Access grants, a pending reset and sign-up, links to set a password), for tests that walk every route.
 */
import type { TestApp } from './app';
import { addMember, buildCompany, buildProject, buildRequest, buildRequester, buildRole, buildStaff } from './factories';
import type { PrincipalRow } from '../../server/repositories/principals';
import { createAccessToken } from '../../server/repositories/accessTokens';
import { createPendingSignup, createResetToken } from '../../server/repositories/accountTokens';
import { changeSettings } from '../../server/commands/changeSettings';
import { insertedId, nowIso } from '../../server/db';
import { createPasswordLink } from '../../server/repositories/passwordLinks';
import { insertPrincipal } from '../../server/repositories/principals';
import { NO_PASSWORD } from '../../server/auth/passwords';

async function insertWorkItem(t: TestApp, project: number, type: string, name: string, parent: number | null = null): Promise<number> {
  const now = nowIso();
  return insertedId(await t.db('work_items').insert({ project_id: project, type, name, description: '', status: 'open', parent_id: parent, created_at: now, updated_at: now }).returning('id'));
}

export interface SiteOfEveryKind {
  company: number;
  project: number;
  otherRole: number;
  alice: PrincipalRow;
  admin: PrincipalRow;
  /** A staff member of the project (assignable), granted nothing yet on the dashboard. */
  staffUser: PrincipalRow;
  /** A staff user whose type an administrator may change. */
  promotee: PrincipalRow;
  /** A staff user with a project membership to remove. */
  member: PrincipalRow;
  /** A public idea Alice has voted on, with a linked work item. */
  voted: number;
  /** A public idea nobody has voted on. */
  fresh: number;
  /** Another one nobody has voted on, for a vote of its own. */
  spare: number;
  workItem: number;
  linkedItem: number;
  epic: number;
  dashboard: number;
  widgets: [number, number];
  dashboardGrant: number;
  adminToken: { id: number; token: string };
  entityGrant: number;
  resetToken: string;
  signupToken: string;
  /** Live links to set a password, of a staff member and of a customer added with none yet. */
  deskPasswordLink: string;
  portalPasswordLink: string;
}

/** Writes the site into the test app's database; Direct Access and portal dashboards are on. */
export async function buildSiteOfEveryKind(t: TestApp): Promise<SiteOfEveryKind> {
  const company = await buildCompany(t.db);
  const project = await buildProject(t.db);
  const fullRole = await buildRole(t.db, { add: true, edit: true, delete: true, comment: true });
  const otherRole = await buildRole(t.db, { comment: true });
  const alice = await buildRequester(t.db, { company, name: 'Alice Gaps' });
  await buildRequester(t.db, { company, name: 'Bob Gaps' });
  const admin = await buildStaff(t.db, 'administrator');
  const staffUser = await buildStaff(t.db, 'user');
  await addMember(t.db, project, staffUser.id, fullRole);
  const promotee = await buildStaff(t.db, 'user');
  const member = await buildStaff(t.db, 'user');
  await addMember(t.db, project, member.id, fullRole);
  const grantee = await buildStaff(t.db, 'user');
  const voted = await buildRequest(t.db, { projectId: project, requester: alice, type: 'idea', visibility: 'public', title: 'Voted idea' });
  const fresh = await buildRequest(t.db, { projectId: project, requester: alice, type: 'idea', visibility: 'public', title: 'Fresh idea' });
  const spare = await buildRequest(t.db, { projectId: project, requester: alice, type: 'idea', visibility: 'public', title: 'Spare idea' });
  const now = nowIso();
  await t.db('votes').insert({ request_id: voted, requester_id: alice.id, created_at: now });
  await t.db('requests').where({ id: voted }).update({ vote_count: 1 });
  const workItem = await insertWorkItem(t, project, 'bug', 'Unlinked bug');
  const linkedItem = await insertWorkItem(t, project, 'task', 'Linked task');
  await t.db('request_work_items').insert({ request_id: voted, work_item_id: linkedItem, created_at: now });
  const epic = await insertWorkItem(t, project, 'epic', 'Gaps epic');
  await insertWorkItem(t, project, 'feature', 'Gaps feature', epic);
  const dashboard = insertedId(await t.db('dashboards').insert({ name: 'Gaps board', owner_id: staffUser.id, restriction: 'restricted', created_at: now, updated_at: now }).returning('id'));
  const widgets: [number, number] = [0, 0];
  for (const [i, kind] of (['requests_by_status', 'requests_by_type'] as const).entries()) {
    widgets[i] = insertedId(await t.db('dashboard_widgets').insert({ dashboard_id: dashboard, kind, title: kind, position: i }).returning('id'));
  }
  await t.db('dashboard_grants').insert({ dashboard_id: dashboard, principal_id: alice.id, level: 'view', created_at: now });
  const dashboardGrant = insertedId(await t.db('dashboard_grants').insert({ dashboard_id: dashboard, principal_id: grantee.id, level: 'view', created_at: now }).returning('id'));
  const adminToken = await createAccessToken(t.db, admin.id, 'gaps');
  const entityGrant = insertedId(
    await t.db('entity_permissions').insert({ entity_type: 'request', entity_id: voted, principal_id: grantee.id, can_view: true, can_comment: true, can_edit: false, can_grant: false, created_at: now }).returning('id'),
  );
  await t.db('entity_permissions').insert({ entity_type: 'epic', entity_id: epic, principal_id: grantee.id, can_view: true, can_comment: true, can_edit: false, can_grant: false, created_at: now });
  await changeSettings(t.db, admin.id, { 'portal.dashboards': true, 'direct_access.enabled': true });
  // Its own customer: alice changes her password on the way, which ends her reset links.
  const forgetful = await insertPrincipal(t.db, { type: 'requester', name: 'Gaps Forgetful', email: 'forgetful@gaps.test', passwordHash: NO_PASSWORD, companyId: company });
  const resetToken = await createResetToken(t.db, forgetful.id);
  const signupToken = await createPendingSignup(t.db, { email: 'gaps-signup@new.test', name: 'Gaps Signup', passwordHash: null });
  const invited = async (type: 'user' | 'requester') =>
    (await createPasswordLink(t.db, (await insertPrincipal(t.db, { type, name: `Invited ${type}`, email: `invited-${type}@gaps.test`, passwordHash: NO_PASSWORD })).id, admin.id)).token;
  const deskPasswordLink = await invited('user');
  const portalPasswordLink = await invited('requester');
  return { company, project, otherRole, alice, admin, staffUser, promotee, member, voted, fresh, spare, workItem, linkedItem, epic, dashboard, widgets, dashboardGrant, adminToken, entityGrant, resetToken, signupToken, deskPasswordLink, portalPasswordLink };
}

