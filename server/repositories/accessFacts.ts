/**
 * Loads the facts that server/permissions decides on, for one actor and one entity, in
 * a few indexed queries. The policies never query; these loaders never decide.
 */
import type { Knex } from 'knex';
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
 * Adds to a query on `projects as p` the actor's membership role and default role for one
 * entity kind (left joins on unique keys), selected under `member_role`, `mr_*` and `dr_*`.
 */
function withRoles(db: Db, q: Knex.QueryBuilder, actor: MaybeActor, kind: EntityKind): void {
  void q.select('p.id as p_id', 'p.is_private as p_is_private', 'p.portal_enabled as p_portal_enabled');
  if (!actor) return;
  void q
    .leftJoin('project_members as m', (j) => void j.on('m.project_id', 'p.id').andOn('m.principal_id', db.raw('?', [actor.id])))
    .leftJoin('role_permissions as mr', (j) => void j.on('mr.role_id', 'm.role_id').andOn('mr.entity_kind', db.raw('?', [kind])))
    .leftJoin('role_permissions as dr', (j) => void j.on('dr.role_id', db.raw('?', [actor.defaultRoleId ?? 0])).andOn('dr.entity_kind', db.raw('?', [kind])))
    .select('m.role_id as member_role', 'mr.role_id as mr_role', 'dr.role_id as dr_role', ...FLAG_COLUMNS.flatMap((c) => [`mr.${c} as mr_${c}`, `dr.${c} as dr_${c}`]));
}

function projectFactsOf(row: Row, actor: MaybeActor): ProjectFacts {
  const member = actor !== null && row.member_role != null;
  return {
    id: Number(row.p_id),
    isPrivate: toBool(row.p_is_private),
    portalEnabled: toBool(row.p_portal_enabled),
    // A membership or default role without flags for this kind allows nothing.
    memberRole: member ? (joinedFlags(row, 'mr') ?? NONE) : null,
    defaultRole: actor !== null && actor.defaultRoleId !== null ? (joinedFlags(row, 'dr') ?? NONE) : null,
  };
}

/**
 * The project, the actor's membership role and default role, for one entity kind: one
 * statement (the membership and both roles' flags are left joins on unique keys).
 */
export async function loadProjectFacts(db: Db, actor: MaybeActor, projectId: number, kind: EntityKind): Promise<ProjectFacts | null> {
  const q = db('projects as p').where('p.id', projectId).first();
  withRoles(db, q, actor, kind);
  const row: Row | undefined = await q;
  return row ? projectFactsOf(row, actor) : null;
}

export function modeOf(row: Row | undefined): DirectMode | null {
  if (!row) return null;
  if (toBool(row.can_grant)) return 'grant';
  if (toBool(row.can_edit)) return 'edit';
  if (toBool(row.can_comment)) return 'comment';
  return toBool(row.can_view) ? 'view' : null;
}

/**
 * The actor's direct grant on the entity `e` of the query (its type a fixed name or a column
 * of `e`), selected under `ep_*`; only while the feature is on (with it off a grant is inert:
 * activeDirectMode ignores it, so it is not read).
 */
function withDirectGrant(db: Db, q: Knex.QueryBuilder, actor: MaybeActor, entityType: { value: string } | { column: string }, enabled: boolean): void {
  if (!actor || !enabled) return;
  void q
    .leftJoin('entity_permissions as ep', (j) => {
      void j.on('ep.principal_id', db.raw('?', [actor.id])).andOn('ep.entity_id', 'e.id');
      if ('column' in entityType) void j.andOn('ep.entity_type', `e.${entityType.column}`);
      else void j.andOn('ep.entity_type', db.raw('?', [entityType.value]));
    })
    .select('ep.can_view as ep_can_view', 'ep.can_comment as ep_can_comment', 'ep.can_edit as ep_can_edit', 'ep.can_grant as ep_can_grant');
}

function directOf(row: Row, actor: MaybeActor, creatorId: number | null, enabled: boolean): DirectAccess {
  if (!actor || !enabled) return { enabled, mode: null, creatorId };
  const grant = row.ep_can_view == null ? undefined : { can_view: row.ep_can_view, can_comment: row.ep_can_comment, can_edit: row.ep_can_edit, can_grant: row.ep_can_grant };
  return { enabled, mode: modeOf(grant), creatorId };
}

/** Requests (as `e`) with their projects' facts for the actor and the actor's direct grants on them. */
function requestTargetQuery(db: Db, actor: MaybeActor, s: ScopeSettings): Knex.QueryBuilder {
  const q = db('requests as e').join('projects as p', 'p.id', 'e.project_id').select('e.id', 'e.requester_id', 'e.company_id', 'e.visibility');
  withRoles(db, q, actor, 'request');
  withDirectGrant(db, q, actor, { value: 'request' }, s.directAccess);
  return q;
}

function requestTargetOf(row: Row, actor: MaybeActor, s: ScopeSettings): RequestTarget {
  return {
    kind: 'request',
    id: Number(row.id),
    requesterId: Number(row.requester_id),
    companyId: row.company_id == null ? null : Number(row.company_id),
    visibility: String(row.visibility) as RequestVisibility,
    project: projectFactsOf(row, actor),
    // The requester who filed a request is its creator, but requesters never manage access.
    direct: directOf(row, actor, null, s.directAccess),
  };
}

/** A request, its project's facts for the actor and their direct grant on it: one statement. */
export async function loadRequestTarget(db: Db, actor: MaybeActor, requestId: number, s: ScopeSettings): Promise<RequestTarget | null> {
  const row: Row | undefined = await requestTargetQuery(db, actor, s).where('e.id', requestId).first();
  return row ? requestTargetOf(row, actor, s) : null;
}

/**
 * Several requests as loadRequestTarget loads one, in one statement (a page of the queue, a
 * bulk change), by id; an id with no request is missing from the map.
 */
export async function loadRequestTargets(db: Db, actor: MaybeActor, ids: readonly number[], s: ScopeSettings): Promise<Map<number, RequestTarget>> {
  if (ids.length === 0) return new Map();
  const rows: Row[] = await requestTargetQuery(db, actor, s).whereIn('e.id', ids);
  return new Map(rows.map((r) => [Number(r.id), requestTargetOf(r, actor, s)]));
}

const WORK_TABLES = { work_item: 'work_items', release: 'releases', team_iteration: 'team_iterations' } as const;

/** A work item, release or team iteration, its project's facts for the actor and their direct grant on it: one statement. */
export async function loadWorkTarget(
  db: Db,
  actor: MaybeActor,
  kind: WorkTarget['kind'],
  id: number,
  s: ScopeSettings,
): Promise<WorkTarget | null> {
  const table = WORK_TABLES[kind];
  const q = db(`${table} as e`).join('projects as p', 'p.id', 'e.project_id').where('e.id', id).first('e.id', 'e.creator_id');
  // A grant on a work item names the item's own type (epic, bug, ...); on the others, the kind.
  if (kind === 'work_item') void q.select('e.type');
  withRoles(db, q, actor, kind);
  withDirectGrant(db, q, actor, kind === 'work_item' ? { column: 'type' } : { value: kind }, s.directAccess);
  const row: Row | undefined = await q;
  if (!row) return null;
  const creatorId = row.creator_id == null ? null : Number(row.creator_id);
  return { kind, id: Number(row.id), project: projectFactsOf(row, actor), direct: directOf(row, actor, creatorId, s.directAccess) };
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

