/** The scopes of public share links: what a link may show, as SQL (same rules as ./scopes.ts). */
import type { MaybeActor } from './actor';
import { LINK_HOLDER } from './policies/shareLinks';
import { previewWidgetRequests, visibleProjects, type Scope, type ScopeSettings } from './scopes';

/**
 * The requests a public link may show, listed or counted: what anyone holding the link may see
 * (public requests of portal projects), within what the link's maker sees now. A dashboard's
 * link narrows it further per widget (previewWidgetRequests with the link holder as the customer).
 */
export function linkedRequests(maker: MaybeActor, s: ScopeSettings): Scope {
  const scope = previewWidgetRequests(LINK_HOLDER, maker, 'all', s, true);
  return (qb) => {
    // Implied by the scope (the link holder owns no request and is in no company), said first
    // so that the planners walk the (visibility, vote_count) index instead of an OR of three.
    void qb.where('requests.visibility', 'public');
    scope(qb);
  };
}

/** Projects a public link may name or be limited to: those its maker sees that are open to the portal. */
export function linkableProjects(maker: MaybeActor, alias = 'projects'): Scope {
  const byMaker = visibleProjects(maker, alias);
  const byHolder = visibleProjects(LINK_HOLDER, alias);
  return (qb) => {
    byMaker(qb);
    byHolder(qb);
  };
}
