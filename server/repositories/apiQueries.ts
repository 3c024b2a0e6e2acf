/** Read-only queries behind the REST API's Users and Requests resources. */
import type { Db } from '../db';
import { toDate } from '../db';
import { type Scope } from '../permissions/scopes';
import { staffPrincipals } from '../permissions/peopleScopes';

export interface ApiUserFilter {
  id?: number;
  email?: string;
  name?: string;
  type?: string;
}

export async function listApiUsers(db: Db, f: ApiUserFilter, take: number, skip: number) {
  const q = db('principals').modify(staffPrincipals()).where('disabled', false).orderBy('id').limit(take).offset(skip).select('id', 'name', 'email', 'type');
  if (f.id !== undefined) void q.where('id', f.id);
  if (f.email !== undefined) void q.where('email_normalized', f.email.trim().toLowerCase());
  if (f.name !== undefined) void q.where('name', f.name);
  if (f.type !== undefined) void q.where('type', f.type.toLowerCase());
  const rows: Record<string, unknown>[] = await q;
  return rows.map((r) => ({ Id: Number(r.id), Name: String(r.name), Email: String(r.email), Type: String(r.type) }));
}

export interface ApiRequestFilter {
  id?: number;
  status?: string;
  type?: string;
  visibility?: string;
  projectId?: number;
}

export async function listApiRequests(db: Db, scope: Scope, f: ApiRequestFilter, take: number, skip: number) {
  const q = db('requests')
    .join('projects', 'projects.id', 'requests.project_id')
    .join('principals as requester', 'requester.id', 'requests.requester_id')
    .leftJoin('companies', 'companies.id', 'requests.company_id')
    .leftJoin('principals as assignee', 'assignee.id', 'requests.assignee_id')
    .modify(scope)
    .orderBy('requests.id')
    .limit(take)
    .offset(skip)
    .select(
      'requests.id',
      'requests.title',
      'requests.description',
      'requests.type',
      'requests.status',
      'requests.visibility',
      'requests.vote_count',
      'requests.created_at',
      'requests.updated_at',
      'projects.id as project_id',
      'projects.name as project_name',
      'requester.id as requester_id',
      'requester.name as requester_name',
      'companies.id as company_id',
      'companies.name as company_name',
      'assignee.id as assignee_id',
      'assignee.name as assignee_name',
    );
  if (f.id !== undefined) void q.where('requests.id', f.id);
  if (f.status !== undefined) void q.where('requests.status', f.status.toLowerCase());
  if (f.type !== undefined) void q.where('requests.type', f.type.toLowerCase());
  if (f.visibility !== undefined) void q.where('requests.visibility', f.visibility.toLowerCase());
  if (f.projectId !== undefined) void q.where('requests.project_id', f.projectId);
  const rows: Record<string, unknown>[] = await q;
  return rows.map((r) => ({
    Id: Number(r.id),
    Name: String(r.title),
    Description: String(r.description ?? ''),
    Type: String(r.type),
    Status: String(r.status),
    Visibility: String(r.visibility),
    Votes: Number(r.vote_count),
    Project: { Id: Number(r.project_id), Name: String(r.project_name) },
    // Names only: a customer's email address never leaves the desk through the API.
    Requester: { Id: Number(r.requester_id), Name: String(r.requester_name) },
    Company: r.company_id == null ? null : { Id: Number(r.company_id), Name: String(r.company_name) },
    Assignee: r.assignee_id == null ? null : { Id: Number(r.assignee_id), Name: String(r.assignee_name) },
    CreateDate: toDate(r.created_at).toISOString(),
    ModifyDate: toDate(r.updated_at).toISOString(),
  }));
}
