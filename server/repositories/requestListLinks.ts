/** Public links to lists of requests (`kind` = 'requests' in share_links): what they list and how they are read. */
import type { Db } from '../db';
import { toDate } from '../db';
import type { Actor } from '../permissions/actor';
import type { Scope } from '../permissions/scopes';
import { hashToken } from './accessTokens';
import { OPEN_STATUSES, REQUEST_TYPES, type RequestType } from './requestDetails';
import { settingsColumn } from './settings';
import { insertLink, linkRowOf, linkVisitOf, MAKER_COLUMNS, makerOf, type LinkVisit, type ShareLinkRow } from './shareLinks';

export const STATUS_GROUPS = ['open', 'done', 'all'] as const;
/** Open: new, open, in progress; done: resolved and closed; all: every status. */
export type StatusGroup = (typeof STATUS_GROUPS)[number];
export const LIST_SORTS = ['votes', 'newest'] as const;
export type ListSort = (typeof LIST_SORTS)[number];

/** What a request-list link lists, besides what its scope allows. */
export interface RequestListFilter {
  projectId: number | null;
  type: RequestType | null;
  statusGroup: StatusGroup;
  sort: ListSort;
}

export interface RequestListLinkRow extends ShareLinkRow {
  makerId: number;
  /** The maker as they are now; null when disabled. */
  maker: Actor | null;
  filter: RequestListFilter;
  projectName: string | null;
}

function filterOf(row: Record<string, unknown>): RequestListFilter {
  const type = String(row.request_type ?? '');
  const group = String(row.status_group ?? '');
  return {
    projectId: row.project_id == null ? null : Number(row.project_id),
    type: (REQUEST_TYPES as readonly string[]).includes(type) ? (type as RequestType) : null,
    statusGroup: (STATUS_GROUPS as readonly string[]).includes(group) ? (group as StatusGroup) : 'all',
    sort: row.sort === 'newest' ? 'newest' : 'votes',
  };
}

export function insertRequestListLink(db: Db, l: { label: string; createdBy: number; expiresAt: Date | null; filter: RequestListFilter }): Promise<{ id: number; key: string }> {
  const f = l.filter;
  return insertLink(db, l, { kind: 'requests', project_id: f.projectId, request_type: f.type, status_group: f.statusGroup, sort: f.sort });
}

/** Request-list links that are not revoked: one maker's, or everyone's (null), oldest first. */
export async function listRequestListLinks(db: Db, makerId: number | null): Promise<RequestListLinkRow[]> {
  const q = db('share_links as l')
    .join('principals as p', 'p.id', 'l.created_by')
    .leftJoin('projects as pr', 'pr.id', 'l.project_id')
    .where('l.kind', 'requests')
    .whereNull('l.revoked_at')
    .orderBy('l.id');
  if (makerId !== null) void q.where('l.created_by', makerId);
  const rows: Record<string, unknown>[] = await q.select('l.*', ...MAKER_COLUMNS, 'pr.name as project_name');
  return rows.map((r) => ({
    ...linkRowOf(r),
    makerId: Number(r.created_by),
    maker: makerOf(r),
    filter: filterOf(r),
    projectName: r.project_name == null ? null : String(r.project_name),
  }));
}

export async function findLiveRequestListLink(db: Db, id: number): Promise<{ id: number; label: string; makerId: number } | null> {
  const row = await db('share_links').where({ id, kind: 'requests' }).whereNull('revoked_at').first('id', 'label', 'created_by');
  return row ? { id: Number(row.id), label: String(row.label), makerId: Number(row.created_by) } : null;
}

export interface RequestListVisit extends LinkVisit {
  label: string;
  filter: RequestListFilter;
}

/** The request-list link with this key, its maker and the settings: one statement. */
export async function findRequestListVisit(db: Db, key: string): Promise<RequestListVisit | null> {
  const row: Record<string, unknown> | undefined = await db('share_links as l')
    .join('principals as p', 'p.id', 'l.created_by')
    .where('l.key_hash', hashToken(key))
    .where('l.kind', 'requests')
    .first('l.*', ...MAKER_COLUMNS, settingsColumn(db, 'settings_json'));
  if (!row) return null;
  return { ...(await linkVisitOf(db, row)), label: String(row.label), filter: filterOf(row) };
}

export const SHARED_LIST_LIMIT = 100;

export interface SharedRequestRow {
  id: number;
  title: string;
  type: string;
  status: string;
  voteCount: number;
  createdAt: Date;
  projectName: string;
}

/** The first SHARED_LIST_LIMIT requests of `scope` that match the link's filter, in its order. */
export async function listSharedRequests(db: Db, scope: Scope, f: RequestListFilter): Promise<SharedRequestRow[]> {
  const q = db('requests').modify(scope).join('projects as sp', 'sp.id', 'requests.project_id');
  if (f.projectId !== null) void q.where('requests.project_id', f.projectId);
  if (f.type !== null) void q.where('requests.type', f.type);
  if (f.statusGroup === 'open') void q.whereIn('requests.status', OPEN_STATUSES);
  if (f.statusGroup === 'done') void q.whereNotIn('requests.status', OPEN_STATUSES);
  if (f.sort === 'votes') void q.orderBy('requests.vote_count', 'desc');
  void q.orderBy('requests.created_at', 'desc').orderBy('requests.id', 'desc');
  const rows: Record<string, unknown>[] = await q
    .limit(SHARED_LIST_LIMIT)
    .select('requests.id', 'requests.title', 'requests.type', 'requests.status', 'requests.vote_count', 'requests.created_at', 'sp.name as project_name');
  return rows.map((r) => ({
    id: Number(r.id),
    title: String(r.title),
    type: String(r.type),
    status: String(r.status),
    voteCount: Number(r.vote_count),
    createdAt: toDate(r.created_at),
    projectName: String(r.project_name),
  }));
}

/** The name of a link's project while the link may list it (seen by the maker, open to the portal); null otherwise. */
export async function linkableProjectName(db: Db, scope: Scope, projectId: number): Promise<string | null> {
  const row = await db('projects').where('projects.id', projectId).modify(scope).first('projects.name');
  return row ? String(row.name) : null;
}
