import type { RequestDetail } from '../repositories/requestDetails';

const VISIBILITY_TEXT: Record<string, string> = {
  private: 'Only you and the support team',
  company: 'Everyone in your company',
  public: 'Every customer of the portal',
};

/** What a customer may read of a request: no assignee, no other person's email. */
export function presentPortalRequest(r: RequestDetail) {
  return {
    id: r.id,
    title: r.title,
    description: r.description,
    type: r.type,
    status: r.status,
    statusText: r.status.replace('_', ' '),
    projectName: r.projectName,
    requesterName: r.requesterName,
    visibilityText: VISIBILITY_TEXT[r.visibility] ?? r.visibility,
    voteCount: r.voteCount,
    createdAt: r.createdAt,
  };
}
