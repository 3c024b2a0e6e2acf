import type { Knex } from 'knex';
import { isRequester, type MaybeActor } from '../actor';

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
