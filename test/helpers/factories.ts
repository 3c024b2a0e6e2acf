import crypto from 'node:crypto';
import type { Db } from '../../server/db';
import { insertedId, nowIso } from '../../server/db';
import { hashPassword } from '../../server/auth/passwords';
import { insertPrincipal, type PrincipalRow } from '../../server/repositories/principals';
import { countNewRequest } from '../../server/repositories/requestTallies';
import { nameKey } from '../../server/repositories/names';
import type { PrincipalType } from '../../server/permissions/actor';
import { TEST_SCRYPT_COST } from './app';

export const PASSWORD = 'correct horse battery';

let cachedHash: Promise<string> | null = null;
function passwordHash(): Promise<string> {
  cachedHash ??= hashPassword(PASSWORD, TEST_SCRYPT_COST);
  return cachedHash;
}

function unique(prefix: string): string {
  return `${prefix}-${crypto.randomBytes(4).toString('hex')}`;
}

async function insertId(db: Db, table: string, row: Record<string, unknown>): Promise<number> {
  return insertedId(await db(table).insert(row).returning('id'));
}

export async function buildCompany(db: Db, name = unique('Company')): Promise<number> {
  return insertId(db, 'companies', { name, name_key: nameKey(name), created_at: nowIso() });
}

export interface RoleFlags {
  add?: boolean;
  edit?: boolean;
  delete?: boolean;
  comment?: boolean;
}

export async function buildRole(db: Db, flags: RoleFlags = {}, kinds = ['request', 'work_item', 'release', 'team_iteration']): Promise<number> {
  const id = await insertId(db, 'roles', { name: unique('Role'), created_at: nowIso() });
  for (const kind of kinds) {
    await db('role_permissions').insert({
      role_id: id,
      entity_kind: kind,
      can_add: flags.add ?? false,
      can_edit: flags.edit ?? false,
      can_delete: flags.delete ?? false,
      can_comment: flags.comment ?? false,
    });
  }
  return id;
}

export async function buildPrincipal(
  db: Db,
  type: PrincipalType,
  opts: { email?: string; name?: string; companyId?: number | null; defaultRoleId?: number | null } = {},
): Promise<PrincipalRow> {
  const email = opts.email ?? `${unique(type)}@example.test`;
  return insertPrincipal(db, {
    type,
    name: opts.name ?? `${type} ${email.split('@')[0]}`,
    email,
    passwordHash: await passwordHash(),
    companyId: opts.companyId ?? null,
    defaultRoleId: opts.defaultRoleId ?? null,
  });
}

export async function buildRequester(db: Db, opts: { company?: number | null; email?: string; name?: string } = {}): Promise<PrincipalRow> {
  return buildPrincipal(db, 'requester', { companyId: opts.company ?? null, email: opts.email, name: opts.name });
}

export async function buildStaff(
  db: Db,
  type: Exclude<PrincipalType, 'requester'>,
  opts: { email?: string; defaultRoleId?: number | null } = {},
): Promise<PrincipalRow> {
  return buildPrincipal(db, type, opts);
}

export async function buildProject(db: Db, opts: { isPrivate?: boolean; portalEnabled?: boolean; name?: string } = {}): Promise<number> {
  const name = opts.name ?? unique('Project');
  return insertId(db, 'projects', {
    name,
    name_key: nameKey(name),
    is_private: opts.isPrivate ?? false,
    portal_enabled: opts.portalEnabled ?? true,
    created_at: nowIso(),
  });
}

export async function addMember(db: Db, projectId: number, principalId: number, roleId: number): Promise<void> {
  await db('project_members').insert({ project_id: projectId, principal_id: principalId, role_id: roleId });
}

export async function buildRequest(
  db: Db,
  opts: {
    projectId: number;
    requester: PrincipalRow;
    type?: 'issue' | 'question' | 'idea';
    visibility?: 'private' | 'company' | 'public';
    status?: string;
    title?: string;
    /** ISO timestamp; now by default. */
    createdAt?: string;
  },
): Promise<number> {
  const now = opts.createdAt ?? nowIso();
  const id = await insertId(db, 'requests', {
    project_id: opts.projectId,
    requester_id: opts.requester.id,
    company_id: opts.requester.companyId,
    type: opts.type ?? 'issue',
    title: opts.title ?? unique('Request'),
    description: '',
    status: opts.status ?? 'new',
    visibility: opts.visibility ?? 'private',
    vote_count: 0,
    created_at: now,
    updated_at: now,
    last_activity_at: now,
    customer_activity_at: now,
  });
  // Counted as Portico counts a new request, so dashboards built on it add up.
  await countNewRequest(db, { projectId: opts.projectId, companyId: opts.requester.companyId, status: opts.status ?? 'new', type: opts.type ?? 'issue', createdAt: now });
  return id;
}
