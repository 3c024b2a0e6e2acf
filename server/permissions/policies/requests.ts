import type { Knex } from 'knex';
import { isRequester, type MaybeActor } from '../actor';
import type { RequestTarget } from '../facts';
import { staffEntityCan } from './projectEntities';

export const REQUEST_VISIBILITIES = ['private', 'company', 'public'] as const;
export type RequestVisibility = (typeof REQUEST_VISIBILITIES)[number];

/** What the requester rules need to know about a request (PRODUCT.md section 3). */
export interface RequestFacts {
  requesterId: number;
  companyId: number | null;
  visibility: RequestVisibility;
  projectPortalEnabled: boolean;
}

/** A requester sees their own requests, their company's shared ones and public ones of portal projects. */
export function requesterCanSeeRequest(actor: MaybeActor, r: RequestFacts): boolean {
  if (!isRequester(actor)) return false;
  if (r.requesterId === actor.id) return true;
  if (r.visibility === 'company') return actor.companyId !== null && r.companyId === actor.companyId;
  if (r.visibility === 'public') return r.projectPortalEnabled;
  return false;
}

/**
 * The same rule as a knex filter over `requests` (aliased as given), so lists, counts and
 * searches show exactly what the item rule allows.
 */
export function requesterRequestScope(actor: MaybeActor, alias = 'requests') {
  return (qb: Knex.QueryBuilder): void => {
    if (!isRequester(actor)) {
      void qb.whereRaw('1 = 0');
      return;
    }
    void qb.where((w) => {
      void w.where(`${alias}.requester_id`, actor.id);
      if (actor.companyId !== null) {
        void w.orWhere((c) => c.where(`${alias}.visibility`, 'company').andWhere(`${alias}.company_id`, actor.companyId));
      }
      void w.orWhere((p) =>
        p.where(`${alias}.visibility`, 'public').whereIn(`${alias}.project_id`, function portalProjects(this: Knex.QueryBuilder) {
          void this.select('id').from('projects').where('portal_enabled', true);
        }),
      );
    });
  };
}

/** What may be done to a request, by requesters and staff alike. */
export const REQUEST_ACTIONS = ['view', 'vote', 'comment', 'internal_note', 'edit', 'delete', 'manage_access', 'manage_notifications'] as const;
export type RequestAction = (typeof REQUEST_ACTIONS)[number];

/**
 * Requesters: view, vote and comment on what they may see, nothing else, ever; the one who
 * raised a request (the customer it mails) also chooses whether it mails them. Staff: the
 * project-entity rules; an internal note is a comment only staff can write, and staff
 * do not vote (their mail is chosen in their profile, for all their projects at once).
 */
export function canOnRequest(actor: MaybeActor, action: RequestAction, r: RequestTarget): boolean {
  if (actor === null) return false;
  if (isRequester(actor)) {
    const sees = requesterCanSeeRequest(actor, {
      requesterId: r.requesterId,
      companyId: r.companyId,
      visibility: r.visibility,
      projectPortalEnabled: r.project.portalEnabled,
    });
    if (action === 'manage_notifications') return sees && r.requesterId === actor.id;
    return sees && (action === 'view' || action === 'vote' || action === 'comment');
  }
  switch (action) {
    case 'vote':
    case 'manage_notifications':
      return false;
    case 'internal_note':
      return staffEntityCan(actor, 'comment', r.project, r.direct);
    default:
      return staffEntityCan(actor, action, r.project, r.direct);
  }
}

/**
 * Who may remove a file attached to a request: whoever may change the request (staff), and
 * whoever attached it while they may still see the request (a customer who attached the
 * wrong file takes it back), as in Jira Service Management. Seeing the file itself (its
 * comment) is asked first, by the comment scope.
 */
export function canRemoveAttachment(actor: MaybeActor, request: RequestTarget, uploaderId: number): boolean {
  if (actor === null || !canOnRequest(actor, 'view', request)) return false;
  return canOnRequest(actor, 'edit', request) || uploaderId === actor.id;
}
