import { isRequester, type MaybeActor } from '../actor';
import type { ProjectTarget } from '../facts';
import { staffCanAdd, staffSeesProject } from './projectEntities';

export const PROJECT_ACTIONS = ['view', 'submit_request', 'add'] as const;
export type ProjectAction = (typeof PROJECT_ACTIONS)[number];

/**
 * `submit_request`: a requester files a request through the portal (portal-enabled
 * projects only). `add`: staff add an entity of the kind the facts were loaded for.
 */
export function canOnProject(actor: MaybeActor, action: ProjectAction, p: ProjectTarget): boolean {
  if (actor === null) return false;
  if (isRequester(actor)) return (action === 'view' || action === 'submit_request') && p.project.portalEnabled;
  switch (action) {
    case 'view':
      return staffSeesProject(actor, p.project);
    case 'submit_request':
      return false;
    case 'add':
      return staffCanAdd(actor, p.project);
  }
}
