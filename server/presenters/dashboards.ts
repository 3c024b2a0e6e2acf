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
 * Each widget's figures as the viewer (or the customer being previewed) may see them.
 * Carries titles and numbers only: no emails, no internal fields.
 */
export async function presentWidgets(db: Db, viewer: MaybeActor, widgets: WidgetRow[], settings: ScopeSettings, previewer?: MaybeActor): Promise<WidgetView[]> {
  // A widget names its project only to a viewer who may see that project (a private or
  // non-portal project's name is not the customer's business, nor a non-member's).
  const named = await projectIdsAmong(db, visibleProjects(viewer), [...new Set(widgets.flatMap((w) => (w.projectId === null ? [] : [w.projectId])))]);
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
