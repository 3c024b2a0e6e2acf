import type { Db } from '../db';
import type { MaybeActor } from '../permissions';
import { previewWidgetRequests, visibleProjects, widgetRequests, type ScopeSettings } from '../permissions/scopes';
import { projectIdsAmong } from '../repositories/people';
import { COUNTING_KINDS, tallyFigures, widgetFigures, type WidgetFigures } from '../repositories/widgetData';
import { previewWidgetTallyScope, widgetTallyScope } from '../permissions/tallyScopes';
import { WIDGET_KINDS, type WidgetRow } from '../repositories/widgets';

export interface WidgetView {
  id: number;
  kind: string;
  title: string;
  chart: string | null;
  projectName: string | null;
  dataScope: string;
  figures: WidgetFigures;
}

/**
 * The widgets' projects that every one of `readers` may see: a widget names its project only
 * to them (a private or non-portal project's name is not a customer's business, nor a
 * non-member's). A preview has two readers: the customer and the staff member previewing.
 */
async function projectsNamedTo(db: Db, readers: MaybeActor[], widgets: WidgetRow[]): Promise<Set<number>> {
  let named = new Set(widgets.flatMap((w) => (w.projectId === null ? [] : [w.projectId])));
  for (const reader of readers) named = await projectIdsAmong(db, visibleProjects(reader), [...named]);
  return named;
}

export interface WidgetListItem extends WidgetRow {
  /** The widget counts one project, which its reader may not see: its name is left out. */
  projectHidden: boolean;
}

/** The widgets as the dashboard's edit page lists them to `editor`: projects named as presentWidgets names them. */
export async function presentWidgetList(db: Db, editor: MaybeActor, widgets: WidgetRow[]): Promise<WidgetListItem[]> {
  const named = await projectsNamedTo(db, [editor], widgets);
  return widgets.map((w) => {
    const hidden = w.projectId !== null && !named.has(w.projectId);
    return { ...w, projectName: hidden ? null : w.projectName, projectHidden: hidden };
  });
}

/**
 * Each widget's figures as the viewer (or the customer being previewed) may see them.
 * Carries titles and numbers only: no emails, no internal fields.
 */
export async function presentWidgets(db: Db, viewer: MaybeActor, widgets: WidgetRow[], settings: ScopeSettings, previewer?: MaybeActor): Promise<WidgetView[]> {
  const named = await projectsNamedTo(db, previewer === undefined ? [viewer] : [viewer, previewer], widgets);
  return Promise.all(
    widgets.map(async (w) => {
      const kind = WIDGET_KINDS[w.kind];
      // Counting widgets add up the request tallies where the scope has a tally form; lists read rows.
      const tallies = !COUNTING_KINDS.includes(w.kind)
        ? null
        : previewer === undefined
          ? widgetTallyScope(viewer, w.dataScope, settings)
          : previewWidgetTallyScope(viewer, previewer, w.dataScope, settings);
      const scope =
        previewer === undefined
          ? widgetRequests(viewer, w.dataScope, settings, kind.lists)
          : previewWidgetRequests(viewer, previewer, w.dataScope, settings, kind.lists);
      return {
        id: w.id,
        kind: w.kind,
        title: w.title,
        chart: kind.chart,
        projectName: w.projectId !== null && named.has(w.projectId) ? w.projectName : null,
        dataScope: w.dataScope,
        figures: tallies ? await tallyFigures(db, w.kind, tallies, w.projectId) : await widgetFigures(db, w.kind, scope, w.projectId),
      };
    }),
  );
}
