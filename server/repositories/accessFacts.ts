/**
 * Loads the facts that server/permissions decides on, for one actor and one entity, in
 * a few indexed queries. The policies never query; these loaders never decide.
 */
import type { Db } from '../db';
import { toBool } from '../db';
import type { MaybeActor } from '../permissions/actor';
import type {
  DashboardTarget,
  DirectAccess,
  DirectMode,
  EntityKind,
  GrantLevel,
  ProjectFacts,
  RequestTarget,
  Restriction,
  RoleFlags,
  WorkTarget,
} from '../permissions/facts';
import type { RequestVisibility } from '../permissions/policies/requests';
import type { ScopeSettings } from '../permissions/scopes';
import { readSettings, type Settings } from './settings';

type Row = Record<string, unknown>;

function flagsOf(row: Row | undefined): RoleFlags | null {
  if (!row) return null;
  return { add: toBool(row.can_add), edit: toBool(row.can_edit), delete: toBool(row.can_delete), comment: toBool(row.can_comment) };
}

const NONE: RoleFlags = { add: false, edit: false, delete: false, comment: false };

export function scopeSettingsOf(s: Settings): ScopeSettings {
  return { directAccess: s['direct_access.enabled'], portalDashboards: s['portal.dashboards'] };
}

export async function loadScopeSettings(db: Db): Promise<ScopeSettings> {
  return scopeSettingsOf(await readSettings(db));
}

const FLAG_COLUMNS = ['can_add', 'can_edit', 'can_delete', 'can_comment'] as const;

/** A role's flags read through a left join under `prefix` (null when the join found no row). */
function joinedFlags(row: Row, prefix: string): RoleFlags | null {
  if (row[`${prefix}_role`] == null) return null;
  return flagsOf(Object.fromEntries(FLAG_COLUMNS.map((c) => [c, row[`${prefix}_${c}`]])));
}

/**
 * The project, the actor's membership role and default role, for one entity kind: one
 * statement (the membership and both roles' flags are left joins on unique keys).
 */
export async function loadProjectFacts(db: Db, actor: MaybeActor, projectId: number, kind: EntityKind): Promise<ProjectFacts | null> {
  const q = db('projects as p').where('p.id', projectId).first('p.id', 'p.is_private', 'p.portal_enabled');
  if (actor) {
    void q
      .leftJoin('project_members as m', (j) => void j.on('m.project_id', 'p.id').andOn('m.principal_id', db.raw('?', [actor.id])))
      .leftJoin('role_permissions as mr', (j) => void j.on('mr.role_id', 'm.role_id').andOn('mr.entity_kind', db.raw('?', [kind])))
      .leftJoin('role_permissions as dr', (j) => void j.on('dr.role_id', db.raw('?', [actor.defaultRoleId ?? 0])).andOn('dr.entity_kind', db.raw('?', [kind])))
      .select('m.role_id as member_role', 'mr.role_id as mr_role', 'dr.role_id as dr_role', ...FLAG_COLUMNS.flatMap((c) => [`mr.${c} as mr_${c}`, `dr.${c} as dr_${c}`]));
  }
  const project: Row | undefined = await q;
  if (!project) return null;
  const member = actor !== null && project.member_role != null;
  return {
    id: Number(project.id),
    isPrivate: toBool(project.is_private),
    portalEnabled: toBool(project.portal_enabled),
    // A membership or default role without flags for this kind allows nothing.
    memberRole: member ? (joinedFlags(project, 'mr') ?? NONE) : null,
    defaultRole: actor !== null && actor.defaultRoleId !== null ? (joinedFlags(project, 'dr') ?? NONE) : null,
  };
}

export function modeOf(row: Row | undefined): DirectMode | null {
  if (!row) return null;
  if (toBool(row.can_grant)) return 'grant';
  if (toBool(row.can_edit)) return 'edit';
  if (toBool(row.can_comment)) return 'comment';
  return toBool(row.can_view) ? 'view' : null;
}

async function loadDirect(db: Db, actor: MaybeActor, entityType: string, entityId: number, creatorId: number | null, enabled: boolean): Promise<DirectAccess> {
  // With the feature off a grant is inert (activeDirectMode ignores it): no need to read it.
  if (!actor || !enabled) return { enabled, mode: null, creatorId };
  const row: Row | undefined = await db('entity_permissions')
    .where({ principal_id: actor.id, entity_type: entityType, entity_id: entityId })
    .first('can_view', 'can_comment', 'can_edit', 'can_grant');
  return { enabled, mode: modeOf(row), creatorId };
}

export async function loadRequestTarget(db: Db, actor: MaybeActor, requestId: number, s: ScopeSettings): Promise<RequestTarget | null> {
  const row: Row | undefined = await db('requests').where({ id: requestId }).first('id', 'project_id', 'requester_id', 'company_id', 'visibility');
  if (!row) return null;
  const project = await loadProjectFacts(db, actor, Number(row.project_id), 'request');
  if (!project) return null;
  return {
    kind: 'request',
    id: Number(row.id),
    requesterId: Number(row.requester_id),
    companyId: row.company_id == null ? null : Number(row.company_id),
    visibility: String(row.visibility) as RequestVisibility,
    project,
    // The requester who filed a request is its creator, but requesters never manage access.
    direct: await loadDirect(db, actor, 'request', Number(row.id), null, s.directAccess),
  };
}

const WORK_TABLES = { work_item: 'work_items', release: 'releases', team_iteration: 'team_iterations' } as const;

export async function loadWorkTarget(
  db: Db,
  actor: MaybeActor,
  kind: WorkTarget['kind'],
  id: number,
  s: ScopeSettings,
): Promise<WorkTarget | null> {
  const table = WORK_TABLES[kind];
  const columns = kind === 'work_item' ? ['id', 'project_id', 'creator_id', 'type'] : ['id', 'project_id', 'creator_id'];
  const row: Row | undefined = await db(table).where({ id }).first(columns);
  if (!row) return null;
  const project = await loadProjectFacts(db, actor, Number(row.project_id), kind);
  if (!project) return null;
  const entityType = kind === 'work_item' ? String(row.type) : kind;
  const creatorId = row.creator_id == null ? null : Number(row.creator_id);
  return { kind, id: Number(row.id), project, direct: await loadDirect(db, actor, entityType, Number(row.id), creatorId, s.directAccess) };
}

export async function loadDashboardTarget(db: Db, actor: MaybeActor, id: number, s: ScopeSettings): Promise<DashboardTarget | null> {
  // The dashboard and the actor's grant on it in one statement (at most one grant per person).
  const q = db('dashboards').where('dashboards.id', id);
  if (actor) void q.leftJoin('dashboard_grants', (j) => void j.on('dashboard_grants.dashboard_id', 'dashboards.id').andOn('dashboard_grants.principal_id', db.raw('?', [actor.id])));
  const row: Row | undefined = await q.first('dashboards.id', 'dashboards.owner_id', 'dashboards.restriction', actor ? 'dashboard_grants.level' : db.raw('null as level'));
  if (!row) return null;
  const grant: GrantLevel | null = row.level == null ? null : row.level === 'edit' ? 'edit' : 'view';
  return {
    kind: 'dashboard',
    id: Number(row.id),
    ownerId: Number(row.owner_id),
    restriction: String(row.restriction) as Restriction,
    grant,
    portalDashboards: s.portalDashboards,
  };
}

