/**
 * List filters that say, in SQL, exactly what the item policies say one item at a time.
 * test/unit/permissions/scopes.property.test.ts proves the two agree on random worlds.
 */
import type { Knex } from 'knex';
import { isAdministrator, isRequester, isStaff, type MaybeActor } from './actor';
import { requesterRequestScope } from './policies/requests';

export interface ScopeSettings {
  /** `direct_access.enabled` */
  directAccess: boolean;
  /** `portal.dashboards` */
  portalDashboards: boolean;
}

export type Scope = (qb: Knex.QueryBuilder) => void;

export const NOTHING: Scope = (qb) => void qb.whereRaw('1 = 0');
export const EVERYTHING: Scope = () => undefined;

/** `<column> IN (projects the staff actor sees by membership or type)`. */
function whereProjectVisible(qb: Knex.QueryBuilder, actor: MaybeActor, column: string): void {
  if (!isStaff(actor)) return void qb.whereRaw('1 = 0');
  void qb.where((w) => {
    void w.whereIn(column, function memberOf(this: Knex.QueryBuilder) {
      void this.select('project_id').from('project_members').where('principal_id', actor.id);
    });
    if (actor.type === 'observer' || actor.type === 'contributor') {
      void w.orWhereIn(column, function publicProjects(this: Knex.QueryBuilder) {
        void this.select('id').from('projects').where('is_private', false);
      });
    }
  });
}

/**
 * `<idColumn> IN (entities of that type directly granted to the actor)`. With a fixed type it
 * is written as IN, so the planners start from the actor's few grants and look the entities
 * up by id; EXISTS made SQLite walk the entities and probe the grants for each.
 */
function orWhereDirectlyGranted(qb: Knex.QueryBuilder, actor: MaybeActor, idColumn: string, entityType: EntityTypeMatch): void {
  if (!isStaff(actor)) return;
  if (entityType.value !== undefined) {
    const type = entityType.value;
    void qb.orWhereIn(idColumn, function granted(this: Knex.QueryBuilder) {
      void this.select('ep.entity_id').from('entity_permissions as ep').where('ep.principal_id', actor.id).andWhere('ep.entity_type', type);
    });
    return;
  }
  const typeColumn = entityType.column;
  void qb.orWhereExists(function granted(this: Knex.QueryBuilder) {
    void this.select('ep.id')
      .from('entity_permissions as ep')
      .where('ep.principal_id', actor.id)
      .andWhereRaw('ep.entity_id = ??', [idColumn])
      .andWhereRaw('ep.entity_type = ??', [typeColumn]);
  });
}

/** A grant's entity type is either a fixed name or the item's own type column. */
type EntityTypeMatch = { value: string; column?: undefined } | { column: string; value?: undefined };

export function visibleRequests(actor: MaybeActor, s: ScopeSettings, alias = 'requests'): Scope {
  if (actor === null) return NOTHING;
  if (isRequester(actor)) return requesterRequestScope(actor, alias);
  if (isAdministrator(actor)) return EVERYTHING;
  return (qb) =>
    void qb.where((w) => {
      whereProjectVisible(w, actor, `${alias}.project_id`);
      if (s.directAccess) orWhereDirectlyGranted(w, actor, `${alias}.id`, { value: 'request' });
    });
}

/**
 * Projects whose every request the actor sees: administrators all, other staff by membership
 * or type; none for customers, who see requests one by one. Together with requestsSeenApart
 * this splits visibleRequests into two disjoint parts (test/unit/permissions/tallyScopes):
 * what may be counted per project from the request tallies, and the few others.
 */
export function projectsSeenWhole(actor: MaybeActor, alias = 'projects'): Scope {
  if (!isStaff(actor)) return NOTHING;
  if (isAdministrator(actor)) return EVERYTHING;
  return (qb) => whereProjectVisible(qb, actor, `${alias}.id`);
}

/** Requests a staff actor sees outside the projects they see whole (their direct grants); null when there can be none. */
export function requestsSeenApart(actor: MaybeActor, s: ScopeSettings, alias = 'requests'): Scope | null {
  if (!isStaff(actor) || isAdministrator(actor) || !s.directAccess) return null;
  const whole = projectsSeenWhole(actor, 'sw');
  return (qb) => {
    void qb.where((w) => orWhereDirectlyGranted(w, actor, `${alias}.id`, { value: 'request' }));
    void qb.whereNotIn(`${alias}.project_id`, function seenWhole(this: Knex.QueryBuilder) {
      void this.select('sw.id').from('projects as sw').modify(whole);
    });
  };
}

/** Work items, releases and team iterations share the rule; only staff ever see them as such. */
function visibleProjectEntities(actor: MaybeActor, s: ScopeSettings, alias: string, entityType: EntityTypeMatch): Scope {
  if (!isStaff(actor)) return NOTHING;
  if (isAdministrator(actor)) return EVERYTHING;
  return (qb) =>
    void qb.where((w) => {
      whereProjectVisible(w, actor, `${alias}.project_id`);
      if (s.directAccess) orWhereDirectlyGranted(w, actor, `${alias}.id`, entityType);
    });
}

export function visibleWorkItems(actor: MaybeActor, s: ScopeSettings, alias = 'work_items'): Scope {
  // A grant names the item's own type (epic, bug, ...), so it is matched against that column.
  return visibleProjectEntities(actor, s, alias, { column: `${alias}.type` });
}

export function visibleReleases(actor: MaybeActor, s: ScopeSettings, alias = 'releases'): Scope {
  return visibleProjectEntities(actor, s, alias, { value: 'release' });
}

export function visibleTeamIterations(actor: MaybeActor, s: ScopeSettings, alias = 'team_iterations'): Scope {
  return visibleProjectEntities(actor, s, alias, { value: 'team_iteration' });
}

export function visibleDashboards(actor: MaybeActor, s: ScopeSettings, alias = 'dashboards'): Scope {
  if (actor === null) return NOTHING;
  // `id IN (their grants)` rather than a correlated EXISTS: the database starts from the
  // person's few grants instead of probing every dashboard.
  const grantedTo = (qb: Knex.QueryBuilder, id: number) =>
    void qb.whereIn(`${alias}.id`, function granted(this: Knex.QueryBuilder) {
      void this.select('g.dashboard_id').from('dashboard_grants as g').where('g.principal_id', id);
    });
  if (isRequester(actor)) {
    if (!s.portalDashboards) return NOTHING;
    return (qb) => {
      void qb.whereNot(`${alias}.restriction`, 'open');
      grantedTo(qb, actor.id);
    };
  }
  if (isAdministrator(actor)) return EVERYTHING;
  return (qb) =>
    void qb.where((w) => {
      void w.whereIn(`${alias}.restriction`, ['open', 'view_open']).orWhere(`${alias}.owner_id`, actor.id);
      void w.orWhere((g) => grantedTo(g, actor.id));
    });
}

/** Internal notes never reach a requester, in any list. */
export function visibleComments(actor: MaybeActor, alias = 'comments'): Scope {
  if (actor === null) return NOTHING;
  if (isRequester(actor)) return (qb) => void qb.where(`${alias}.internal`, false);
  return EVERYTHING;
}

export type WidgetDataScope = 'viewer_company' | 'all';

/**
 * The requests a dashboard widget may count or list for a viewer. A customer's widget
 * with the default `viewer_company` scope covers their company's requests only; lists of
 * titles (tables) are further limited to requests the customer may open. Staff see what
 * they may see.
 */
export function widgetRequests(viewer: MaybeActor, dataScope: WidgetDataScope, s: ScopeSettings, listsTitles: boolean): Scope {
  if (viewer === null) return NOTHING;
  if (!isRequester(viewer)) return visibleRequests(viewer, s);
  const companyId = viewer.companyId;
  if (dataScope === 'viewer_company' && companyId === null) return NOTHING;
  const visible = visibleRequests(viewer, s);
  return (qb) => {
    // Customers' figures never reach into projects that are not open to the portal.
    void qb.whereIn('requests.project_id', function portalProjects(this: Knex.QueryBuilder) {
      void this.select('id').from('projects').where('portal_enabled', true);
    });
    if (dataScope === 'viewer_company') void qb.where('requests.company_id', companyId);
    if (listsTitles) visible(qb);
  };
}

/**
 * "Preview as customer": the customer's widget rows, limited to what the staff member
 * previewing may see themselves, so a preview never shows a project hidden from them.
 */
/** Whether a preview by `previewer` is the customer's whole view (the previewer sees every request), or may leave rows out. */
export function previewIsComplete(previewer: MaybeActor, s: ScopeSettings): boolean {
  return visibleRequests(previewer, s) === EVERYTHING;
}

export function previewWidgetRequests(customer: MaybeActor, previewer: MaybeActor, dataScope: WidgetDataScope, s: ScopeSettings, listsTitles: boolean): Scope {
  const asCustomer = widgetRequests(customer, dataScope, s, listsTitles);
  const asPreviewer = visibleRequests(previewer, s);
  return (qb) => {
    asCustomer(qb);
    asPreviewer(qb);
  };
}

/**
 * Direct-access grants a staff member may list: their own, and those on entities they
 * manage (administrators: all; holders of Can grant access; creators who can still see
 * the entity). Matches can(actor, 'manage_access', entity) for the others' grants.
 */
export function visibleEntityPermissions(actor: MaybeActor, s: ScopeSettings, alias = 'ep'): Scope {
  if (!s.directAccess || !isStaff(actor)) return NOTHING;
  if (isAdministrator(actor)) return EVERYTHING;
  const mine = (qb: Knex.QueryBuilder, extra?: (q: Knex.QueryBuilder) => void) =>
    void qb.whereExists(function mineOnSameEntity(this: Knex.QueryBuilder) {
      void this.select('m.id')
        .from('entity_permissions as m')
        .where('m.principal_id', actor.id)
        .andWhereRaw('m.entity_type = ??', [`${alias}.entity_type`])
        .andWhereRaw('m.entity_id = ??', [`${alias}.entity_id`]);
      if (extra) extra(this);
    });
  return (qb) =>
    void qb.where((w) => {
      void w.where(`${alias}.principal_id`, actor.id);
      if (actor.type === 'observer') return;
      void w.orWhere((g) => mine(g, (q) => void q.where('m.can_grant', true)));
      const created = (table: string, typeMatch: (q: Knex.QueryBuilder) => void) =>
        void w.orWhereExists(function createdByActor(this: Knex.QueryBuilder) {
          void this.select('c.id')
            .from(`${table} as c`)
            .whereRaw('c.id = ??', [`${alias}.entity_id`])
            .andWhere('c.creator_id', actor.id);
          typeMatch(this);
          void this.andWhere((v) => {
            whereProjectVisible(v, actor, 'c.project_id');
            void v.orWhere((o) => mine(o));
          });
        });
      created('work_items', (q) => void q.andWhereRaw('c.type = ??', [`${alias}.entity_type`]));
      created('releases', (q) => void q.andWhere(`${alias}.entity_type`, 'release'));
      created('team_iterations', (q) => void q.andWhere(`${alias}.entity_type`, 'team_iteration'));
    });
}

/**
 * A customer's home list: their own requests and their company's that they may see
 * (public requests of other companies belong on the ideas board, not here).
 */
export function ownAndCompanyRequests(actor: MaybeActor, s: ScopeSettings, alias = 'requests'): Scope {
  if (!isRequester(actor)) return NOTHING;
  const visible = visibleRequests(actor, s, alias);
  return (qb) => {
    visible(qb);
    void qb.where((w) => {
      void w.where(`${alias}.requester_id`, actor.id);
      if (actor.companyId !== null) void w.orWhere(`${alias}.company_id`, actor.companyId);
    });
  };
}

/**
 * Projects that hold at least one request the actor may see (the desk queue's project
 * choices). The EXISTS alone is exact; for staff the first clause, which it implies, lets the
 * database skip the projects out of their reach instead of reading all of their requests.
 */
export function projectsWithVisibleRequests(actor: MaybeActor, s: ScopeSettings, alias = 'projects'): Scope {
  const visible = visibleRequests(actor, s, 'vr');
  return (qb) => {
    if (isStaff(actor) && !isAdministrator(actor)) {
      void qb.where((w) => {
        whereProjectVisible(w, actor, `${alias}.id`);
        if (s.directAccess) {
          void w.orWhereIn(`${alias}.id`, function granted(this: Knex.QueryBuilder) {
            void this.select('gr.project_id')
              .from('requests as gr')
              .where((g) => orWhereDirectlyGranted(g, actor, 'gr.id', { value: 'request' }));
          });
        }
      });
    }
    void qb.whereExists(function holds(this: Knex.QueryBuilder) {
      void this.select('vr.id').from('requests as vr').modify(visible).whereRaw('vr.project_id = ??', [`${alias}.id`]);
    });
  };
}

/** Projects the actor may see (admins: all; staff: by membership or type; customers: portal projects). */
export function visibleProjects(actor: MaybeActor, alias = 'projects'): Scope {
  if (actor === null) return NOTHING;
  if (isRequester(actor)) return (qb) => void qb.where(`${alias}.portal_enabled`, true);
  if (isAdministrator(actor)) return EVERYTHING;
  return (qb) => whereProjectVisible(qb, actor, `${alias}.id`);
}
