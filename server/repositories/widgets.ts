import { insertedId } from '../db';
import type { Db } from '../db';

import type { WidgetDataScope } from '../permissions/scopes';

export const WIDGET_KINDS = {
  requests_by_status: { label: 'Requests by status', chart: 'bar', lists: false },
  requests_by_type: { label: 'Requests by type', chart: 'doughnut', lists: false },
  created_per_week: { label: 'Created per week', chart: 'line', lists: false },
  oldest_open: { label: 'Oldest open requests', chart: null, lists: true },
  top_ideas: { label: 'Top-voted ideas', chart: null, lists: true },
} as const;
export type WidgetKind = keyof typeof WIDGET_KINDS;

export function isWidgetKind(v: string): v is WidgetKind {
  return Object.prototype.hasOwnProperty.call(WIDGET_KINDS, v);
}

export interface WidgetRow {
  id: number;
  dashboardId: number;
  kind: WidgetKind;
  title: string;
  position: number;
  projectId: number | null;
  projectName: string | null;
  dataScope: WidgetDataScope;
}

export async function listWidgets(db: Db, dashboardId: number): Promise<WidgetRow[]> {
  const rows: Record<string, unknown>[] = await db('dashboard_widgets as w')
    .leftJoin('projects as p', 'p.id', 'w.project_id')
    .where('w.dashboard_id', dashboardId)
    .orderBy('w.position')
    .orderBy('w.id')
    .select('w.*', 'p.name as project_name');
  return rows
    .filter((r) => isWidgetKind(String(r.kind)))
    .map((r) => ({
      id: Number(r.id),
      dashboardId: Number(r.dashboard_id),
      kind: String(r.kind) as WidgetKind,
      title: String(r.title),
      position: Number(r.position),
      projectId: r.project_id == null ? null : Number(r.project_id),
      projectName: r.project_name == null ? null : String(r.project_name),
      dataScope: r.data_scope === 'all' ? 'all' : 'viewer_company',
    }));
}

export async function insertWidget(db: Db, w: { dashboardId: number; kind: WidgetKind; title: string; projectId: number | null; dataScope: WidgetDataScope }): Promise<number> {
  const max = await db('dashboard_widgets').where({ dashboard_id: w.dashboardId }).max({ p: 'position' }).first();
  return insertedId(await db('dashboard_widgets')
    .insert({
      dashboard_id: w.dashboardId,
      kind: w.kind,
      title: w.title,
      position: Number(max?.p ?? -1) + 1,
      project_id: w.projectId,
      data_scope: w.dataScope,
      options: '{}',
    })
    .returning('id'));
}

/** Changes what a widget shows (its kind stays); false when the dashboard has no such widget. */
export async function updateWidget(db: Db, dashboardId: number, widgetId: number, w: { title: string; projectId: number | null; dataScope: WidgetDataScope }): Promise<boolean> {
  return (await db('dashboard_widgets').where({ id: widgetId, dashboard_id: dashboardId }).update({ title: w.title, project_id: w.projectId, data_scope: w.dataScope })) > 0;
}

export async function deleteWidget(db: Db, dashboardId: number, widgetId: number): Promise<boolean> {
  return (await db('dashboard_widgets').where({ id: widgetId, dashboard_id: dashboardId }).del()) > 0;
}

/** Swaps a widget with its neighbour above (-1) or below (+1). */
export async function moveWidget(db: Db, dashboardId: number, widgetId: number, direction: -1 | 1): Promise<boolean> {
  const widgets = await listWidgets(db, dashboardId);
  const i = widgets.findIndex((w) => w.id === widgetId);
  const j = i + direction;
  if (i < 0) return false;
  if (j < 0 || j >= widgets.length) return true;
  const order = widgets.map((w) => w.id);
  [order[i], order[j]] = [order[j]!, order[i]!];
  for (const [position, id] of order.entries()) await db('dashboard_widgets').where({ id }).update({ position });
  return true;
}

export type { WidgetDataScope };
