/**
 * Sharing in the large seed: dashboards with one widget of each kind, dashboard grants one
 * person at a time, and Direct Access grants of staff on single requests and work items.
 */
import { WIDGET_KINDS, type WidgetKind } from '../../repositories/widgets';
import type { Row } from '../batch';
import { PROJECT, type SeedContext } from './context';
import type { Organisation } from './organisation';
import type { Activity } from './activity';

const KINDS = Object.keys(WIDGET_KINDS) as WidgetKind[];

/** Writes the dashboards and grants; answers the benchmark's sample dashboard's id. */
export async function seedSharing(ctx: SeedContext, org: Organisation, activity: Activity): Promise<number> {
  const { s, base, rand, int, pick, nowIso, writer, finish } = ctx;
  const { portal, projectId, staffId, itemTypes, workTotal } = org;
  const { requestId } = activity;
  const n = s.requests;
  // Dashboards: 2 in 10 open, 3 view_open, 5 restricted; the first is the benchmark's sample.
  const dashboards = writer('dashboards', ['id', 'name', 'owner_id', 'restriction', 'created_at', 'updated_at']);
  const widgetRows: Row[] = [];
  const dashboardId = (d: number) => base.dashboards + d + 1;
  const shareable: number[] = [];
  const ownerOf = new Int32Array(s.dashboards);
  let widgetId = base.dashboard_widgets;
  for (let d = 0; d < s.dashboards; d += 1) {
    const restriction = d === 0 ? 'restricted' : ['open', 'open', 'view_open', 'view_open', 'view_open'][d % 10] ?? 'restricted';
    if (restriction !== 'open') shareable.push(d);
    ownerOf[d] = d === 0 ? 1 : int(s.staff);
    await dashboards.push([dashboardId(d), `${pick(PROJECT)} ${pick(['health', 'overview', 'backlog', 'SLA', 'ideas'])} ${d + 1}`, staffId(ownerOf[d]!), restriction, nowIso, nowIso]);
    for (const [position, kind] of KINDS.entries()) {
      const project = d === 0 ? 0 : rand() < 0.8 ? portal[int(portal.length)]! : null;
      widgetRows.push([++widgetId, dashboardId(d), kind, WIDGET_KINDS[kind].label, position, project === null ? null : projectId(project), d === 0 || rand() < 0.9 ? 'viewer_company' : 'all', '{}']);
    }
  }
  await finish(dashboards, 'dashboards');
  const widgets = writer('dashboard_widgets', ['id', 'dashboard_id', 'kind', 'title', 'position', 'project_id', 'data_scope', 'options'], 'dashboards');
  for (const row of widgetRows) await widgets.push(row);
  await finish(widgets, 'dashboard_widgets');

  const OBSERVER = 2;
  // Grants, one person at a time: nine in ten to customers (view only), the rest to staff.
  const principalsTotal = s.staff + s.requesters;
  const grantKeys = new Set<number>();
  for (const d of shareable.slice(0, 5)) grantKeys.add(d * principalsTotal + s.staff);
  for (let attempts = 0; shareable.length && grantKeys.size < s.grants && attempts < s.grants * 4; attempts += 1) {
    const d = shareable[int(shareable.length)]!;
    const who = rand() < 0.9 ? s.staff + int(s.requesters) : int(s.staff);
    grantKeys.add(d * principalsTotal + who);
  }
  const grants = writer('dashboard_grants', ['id', 'dashboard_id', 'principal_id', 'level', 'created_by', 'created_at']);
  let grantId = base.dashboard_grants;
  for (const key of Float64Array.from(grantKeys).sort()) {
    const d = Math.floor(key / principalsTotal);
    const who = key % principalsTotal;
    // Customers and the observer (staff 2) only ever hold view (dashboardGranteeProblem).
    await grants.push([++grantId, dashboardId(d), base.principals + who + 1, who >= s.staff || who === OBSERVER || rand() < 0.5 ? 'view' : 'edit', staffId(ownerOf[d]!), nowIso]);
  }
  await finish(grants, 'dashboard_grants');

  // Direct Access grants of staff (not the administrator, who needs none) on single
  // requests (seven in ten) and work items, each mode equally often.
  const entityKeys = new Set<string>();
  for (let attempts = 0; s.staff > 1 && entityKeys.size < s.entityGrants && attempts < s.entityGrants * 4; attempts += 1) {
    // A grant names the entity's own type: 'request', or the work item's type (epic, bug, ...).
    const onRequest = rand() < 0.7 || workTotal === 0;
    const item = int(workTotal);
    const entity = onRequest ? requestId(int(n)) : base.work_items + item + 1;
    entityKeys.add(`${1 + int(s.staff - 1)}:${onRequest ? 'request' : itemTypes[item]}:${entity}`);
  }
  const entityGrants = writer('entity_permissions', ['id', 'entity_type', 'entity_id', 'principal_id', 'can_view', 'can_comment', 'can_edit', 'can_grant', 'created_by', 'created_at'], 'direct access');
  let entityGrantId = base.entity_permissions;
  for (const key of entityKeys) {
    const [who, type, entity] = key.split(':') as [string, string, string];
    const mode = Number(who) === OBSERVER ? 0 : int(4);
    await entityGrants.push([++entityGrantId, type, Number(entity), staffId(Number(who)), true, mode >= 1, mode >= 2, mode >= 3, staffId(0), nowIso]);
  }
  await finish(entityGrants, 'entity_permissions');

  return dashboardId(0);
}
