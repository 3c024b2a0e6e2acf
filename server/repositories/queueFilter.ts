/** The desk queue's filter: what it names, and how it narrows a query on requests. */
import type { Knex } from 'knex';
import { containsClause } from '../db';

export interface QueueFilter {
  status?: string;
  type?: string;
  projectId?: number;
  companyId?: number;
  /** Part of a company's name, for desks with too many companies to list (COMPANY_CHOICES_MAX). */
  companyName?: string;
  requesterId?: number;
  /** A staff id, or 'none' for unassigned requests. */
  assignee?: number | 'none';
  q?: string;
  /** Only requests whose customer wrote last, with no staff reply or status change since. */
  waiting?: boolean;
}

export function applyFilter(qb: Knex.QueryBuilder, f: QueueFilter, withStatus: boolean): void {
  if (withStatus && f.status) void qb.where('requests.status', f.status);
  if (f.type) void qb.where('requests.type', f.type);
  if (f.projectId) void qb.where('requests.project_id', f.projectId);
  if (f.companyId) void qb.where('requests.company_id', f.companyId);
  if (f.companyName) {
    const name = f.companyName;
    void qb.whereIn('requests.company_id', function companiesNamed(this: Knex.QueryBuilder) {
      void this.select('id').from('companies').whereRaw(...containsClause(qb, 'name', name));
    });
  }
  if (f.requesterId) void qb.where('requests.requester_id', f.requesterId);
  if (f.waiting) void qb.whereNotNull('requests.customer_replied_at');
  if (f.assignee === 'none') void qb.whereNull('requests.assignee_id');
  else if (f.assignee) void qb.where('requests.assignee_id', f.assignee);
  if (f.q) {
    const text = f.q;
    const asId = /^#?(\d{1,9})$/.exec(f.q.trim());
    void qb.where((w) => {
      void w.whereRaw(...containsClause(qb, 'requests.title', text));
      if (asId) void w.orWhere('requests.id', Number(asId[1]));
    });
  }
}

/** Whether a filter (its status aside) names only what the request tallies count by: project, company, type. */
export function talliedFilter(f: QueueFilter): boolean {
  return f.companyName === undefined && f.requesterId === undefined && f.assignee === undefined && f.q === undefined && !f.waiting;
}
