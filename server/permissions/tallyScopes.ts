/**
 * What a dashboard widget's counts may add up from the request tallies, said the same way as
 * widgetRequests / previewWidgetRequests say it for rows: whole projects (a scope on the
 * projects table) in one company's cell or all companies', plus requests counted one by one
 * (never in those projects). test/unit/permissions/tallyScopes.property.test.ts proves the
 * figures equal those counted from the rows, for every viewer, preview and setting.
 */
import type { Knex } from 'knex';
import { isRequester, isStaff, type MaybeActor } from './actor';
import { projectsSeenWhole, requestsSeenApart, type Scope, type ScopeSettings, type WidgetDataScope } from './scopes';

/** The alias under which TallyScope.projects filters the projects table. */
export const TALLY_PROJECTS = 'tp';

export interface TallyScope {
  /** Projects counted whole, as a filter on the projects table aliased TALLY_PROJECTS. */
  projects: Scope;
  /** The company whose cell is counted, or null for every company's. */
  companyId: number | null;
  /** Requests counted one by one beside them, or null for none. */
  apart: Scope | null;
}

const NONE: TallyScope = { projects: (qb) => void qb.whereRaw('1 = 0'), companyId: null, apart: null };

function portalProjects(alias: string): Scope {
  return (qb) => void qb.where(`${alias}.portal_enabled`, true);
}

function both(a: Scope, b: Scope): Scope {
  return (qb) => {
    a(qb);
    b(qb);
  };
}

/** A widget's counts for its viewer (the tally form of widgetRequests with listsTitles off). */
export function widgetTallyScope(viewer: MaybeActor, dataScope: WidgetDataScope, s: ScopeSettings): TallyScope {
  if (viewer === null) return NONE;
  if (isStaff(viewer)) return seenByStaff(viewer, s);
  if (!isRequester(viewer)) return NONE;
  if (dataScope === 'viewer_company' && viewer.companyId === null) return NONE;
  return { projects: portalProjects(TALLY_PROJECTS), companyId: dataScope === 'viewer_company' ? viewer.companyId : null, apart: null };
}

/**
 * The desk queue's tab counts for its viewer (the tally form of visibleRequests for staff):
 * the projects they see whole, every company, plus their direct grants counted one by one.
 * Null for anyone else (customers never see the queue): count the rows then.
 */
export function queueTallyScope(viewer: MaybeActor, s: ScopeSettings): TallyScope | null {
  return isStaff(viewer) ? seenByStaff(viewer, s) : null;
}

/** What a staff member sees, as tallies: every company's cell of the projects seen whole, and the rest apart. */
function seenByStaff(viewer: MaybeActor, s: ScopeSettings): TallyScope {
  return { projects: projectsSeenWhole(viewer, TALLY_PROJECTS), companyId: null, apart: requestsSeenApart(viewer, s) };
}

/**
 * "Preview as customer": the customer's counts within what the staff member previewing may
 * see (the tally form of previewWidgetRequests). Null when it has no tally form (a preview of
 * someone who is not a customer, or by someone who is not staff): count the rows then.
 */
export function previewWidgetTallyScope(customer: MaybeActor, previewer: MaybeActor, dataScope: WidgetDataScope, s: ScopeSettings): TallyScope | null {
  const alias = TALLY_PROJECTS;
  if (customer === null || previewer === null) return NONE;
  if (!isRequester(customer) || !isStaff(previewer)) return null;
  const asCustomer = widgetTallyScope(customer, dataScope, s);
  if (asCustomer === NONE) return NONE;
  const apart = requestsSeenApart(previewer, s);
  const companyId = asCustomer.companyId;
  return {
    projects: both(asCustomer.projects, projectsSeenWhole(previewer, alias)),
    companyId,
    apart: apart && ((qb: Knex.QueryBuilder) => {
      apart(qb);
      void qb.whereIn('requests.project_id', function portal(this: Knex.QueryBuilder) {
        void this.select('pp.id').from('projects as pp').where('pp.portal_enabled', true);
      });
      if (companyId !== null) void qb.where('requests.company_id', companyId);
    }),
  };
}
