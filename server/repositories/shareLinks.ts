/** Public share links of dashboards: only a key's SHA-256 digest is stored (hashToken). */
import crypto from 'node:crypto';
import type { Db } from '../db';
import { insertedId, nowIso, toBool, toDate } from '../db';
import { isPrincipalType, type Actor } from '../permissions/actor';
import type { DashboardTarget, GrantLevel, Restriction } from '../permissions/facts';
import { hashToken } from './accessTokens';
import { settingsColumn, settingsFromColumn, readSettings, type Settings } from './settings';
import { OPEN_STATUSES, REQUEST_TYPES, type RequestType } from './requestDetails';
import type { Scope } from '../permissions/scopes';

export interface ShareLinkRow {
  id: number;
  label: string;
  makerName: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
}

export async function insertShareLink(db: Db, l: { dashboardId: number; label: string; createdBy: number; expiresAt: Date | null }): Promise<{ id: number; key: string }> {
  const key = `psl_${crypto.randomBytes(32).toString('base64url')}`;
  const id = insertedId(
    await db('share_links')
      .insert({ kind: 'dashboard', dashboard_id: l.dashboardId, key_hash: hashToken(key), label: l.label, created_by: l.createdBy, created_at: nowIso(), expires_at: l.expiresAt?.toISOString() ?? null })
      .returning('id'),
  );
  return { id, key };
}

export interface DashboardLinkRow extends ShareLinkRow {
  /** The maker as they are now (null: disabled) and the dashboard as it is to them: whether the link works. */
  maker: Actor | null;
  dashboard: DashboardTarget;
}

/** A dashboard's links that are not revoked (expired ones included, marked by their date), oldest first. */
export async function listShareLinks(db: Db, dashboardId: number, portalDashboards: boolean): Promise<DashboardLinkRow[]> {
  const rows: Record<string, unknown>[] = await db('share_links as l')
    .join('principals as p', 'p.id', 'l.created_by')
    .join('dashboards as d', 'd.id', 'l.dashboard_id')
    .leftJoin('dashboard_grants as g', (j) => void j.on('g.dashboard_id', 'd.id').andOn('g.principal_id', 'p.id'))
    .where('l.dashboard_id', dashboardId)
    .whereNull('l.revoked_at')
    .orderBy('l.id')
    .select('l.id', 'l.label', 'l.created_at', 'l.expires_at', 'l.last_used_at', 'd.owner_id', 'd.restriction', 'g.level', ...MAKER_COLUMNS);
  return rows.map((r) => ({
    id: Number(r.id),
    label: String(r.label),
    makerName: String(r.maker_name),
    createdAt: toDate(r.created_at),
    expiresAt: r.expires_at == null ? null : toDate(r.expires_at),
    lastUsedAt: r.last_used_at == null ? null : toDate(r.last_used_at),
    maker: makerOf(r),
    dashboard: dashboardOf(dashboardId, r, portalDashboards),
  }));
}

/** The dashboard as it is to a link's maker, from `d.owner_id`, `d.restriction` and their grant's `g.level`. */
function dashboardOf(id: number, r: Record<string, unknown>, portalDashboards: boolean): DashboardTarget {
  const grant: GrantLevel | null = r.level == null ? null : r.level === 'edit' ? 'edit' : 'view';
  return { kind: 'dashboard', id, ownerId: Number(r.owner_id), restriction: String(r.restriction) as Restriction, grant, portalDashboards };
}

export async function findLiveShareLink(db: Db, dashboardId: number, id: number): Promise<{ id: number; label: string } | null> {
  const row = await db('share_links').where({ id, dashboard_id: dashboardId }).whereNull('revoked_at').first('id', 'label');
  return row ? { id: Number(row.id), label: String(row.label) } : null;
}

export async function markShareLinkRevoked(db: Db, id: number): Promise<void> {
  await db('share_links').where({ id }).update({ revoked_at: nowIso() });
}

/** The maker's columns (principals aliased `p`) that makerOf reads. */
const MAKER_COLUMNS = [
  'p.id as maker_id',
  'p.type as maker_type',
  'p.name as maker_name',
  'p.email as maker_email',
  'p.company_id as maker_company_id',
  'p.default_role_id as maker_default_role_id',
  'p.disabled as maker_disabled',
];

/** A link's maker as an actor, from MAKER_COLUMNS; null when their account is disabled. */
function makerOf(row: Record<string, unknown>): Actor | null {
  const type = String(row.maker_type);
  if (toBool(row.maker_disabled) || !isPrincipalType(type)) return null;
  return {
    id: Number(row.maker_id),
    type,
    name: String(row.maker_name),
    email: String(row.maker_email),
    companyId: row.maker_company_id == null ? null : Number(row.maker_company_id),
    defaultRoleId: row.maker_default_role_id == null ? null : Number(row.maker_default_role_id),
  };
}

/** Revokes every live link a person made (their account is being disabled); returns how many. */
export async function revokeShareLinksOf(db: Db, principalId: number): Promise<number> {
  return db('share_links').where({ created_by: principalId }).whereNull('revoked_at').update({ revoked_at: nowIso() });
}

/** Everything a visit is decided on, as it is now. */
export interface ShareLinkVisit {
  id: number;
  dashboardId: number;
  revoked: boolean;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  /** The maker as an actor; null when their account is disabled. */
  maker: Actor | null;
  /** The dashboard with the maker's own grant on it. */
  dashboard: DashboardTarget;
  settings: Settings;
}

/**
 * The link with this key, its dashboard, its maker and the maker's grant on it, and the
 * settings: one statement. Null for a key that is no link's.
 */
export async function findShareLinkVisit(db: Db, key: string): Promise<ShareLinkVisit | null> {
  const row: Record<string, unknown> | undefined = await db('share_links as l')
    .join('dashboards as d', 'd.id', 'l.dashboard_id')
    .join('principals as p', 'p.id', 'l.created_by')
    .leftJoin('dashboard_grants as g', (j) => void j.on('g.dashboard_id', 'd.id').andOn('g.principal_id', 'p.id'))
    .where('l.key_hash', hashToken(key))
    .where('l.kind', 'dashboard')
    .first(
      'l.id',
      'l.dashboard_id',
      'l.revoked_at',
      'l.expires_at',
      'l.last_used_at',
      'd.owner_id',
      'd.restriction',
      'g.level',
      ...MAKER_COLUMNS,
      settingsColumn(db, 'settings_json'),
    );
  if (!row) return null;
  const maker = makerOf(row);
  const settings = settingsFromColumn(row.settings_json) ?? (await readSettings(db));
  return {
    id: Number(row.id),
    dashboardId: Number(row.dashboard_id),
    revoked: row.revoked_at != null,
    expiresAt: row.expires_at == null ? null : toDate(row.expires_at),
    lastUsedAt: row.last_used_at == null ? null : toDate(row.last_used_at),
    maker,
    dashboard: dashboardOf(Number(row.dashboard_id), row, settings['portal.dashboards']),
    settings,
  };
}

/** A link's last opening, written at most once a minute (a visit stays a read). */
export const SHARE_LINK_USE_INTERVAL_MS = 60_000;

export async function recordShareLinkUse(db: Db, visit: { id: number; lastUsedAt: Date | null }, now = new Date()): Promise<void> {
  if (visit.lastUsedAt && now.getTime() - visit.lastUsedAt.getTime() < SHARE_LINK_USE_INTERVAL_MS) return;
  await db('share_links').where({ id: visit.id }).update({ last_used_at: now.toISOString() });
}

// Links to lists of requests.

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

export async function insertRequestListLink(db: Db, l: { label: string; createdBy: number; expiresAt: Date | null; filter: RequestListFilter }): Promise<{ id: number; key: string }> {
  const key = `psl_${crypto.randomBytes(32).toString('base64url')}`;
  const id = insertedId(
    await db('share_links')
      .insert({
        kind: 'requests',
        project_id: l.filter.projectId,
        request_type: l.filter.type,
        status_group: l.filter.statusGroup,
        sort: l.filter.sort,
        key_hash: hashToken(key),
        label: l.label,
        created_by: l.createdBy,
        created_at: nowIso(),
        expires_at: l.expiresAt?.toISOString() ?? null,
      })
      .returning('id'),
  );
  return { id, key };
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
    id: Number(r.id),
    label: String(r.label),
    makerName: String(r.maker_name),
    makerId: Number(r.created_by),
    maker: makerOf(r),
    createdAt: toDate(r.created_at),
    expiresAt: r.expires_at == null ? null : toDate(r.expires_at),
    lastUsedAt: r.last_used_at == null ? null : toDate(r.last_used_at),
    filter: filterOf(r),
    projectName: r.project_name == null ? null : String(r.project_name),
  }));
}

export async function findLiveRequestListLink(db: Db, id: number): Promise<{ id: number; label: string; makerId: number } | null> {
  const row = await db('share_links').where({ id, kind: 'requests' }).whereNull('revoked_at').first('id', 'label', 'created_by');
  return row ? { id: Number(row.id), label: String(row.label), makerId: Number(row.created_by) } : null;
}

export interface RequestListVisit {
  id: number;
  label: string;
  revoked: boolean;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  maker: Actor | null;
  filter: RequestListFilter;
  settings: Settings;
}

/** The request-list link with this key, its maker and the settings: one statement. */
export async function findRequestListVisit(db: Db, key: string): Promise<RequestListVisit | null> {
  const row: Record<string, unknown> | undefined = await db('share_links as l')
    .join('principals as p', 'p.id', 'l.created_by')
    .where('l.key_hash', hashToken(key))
    .where('l.kind', 'requests')
    .first('l.*', ...MAKER_COLUMNS, settingsColumn(db, 'settings_json'));
  if (!row) return null;
  return {
    id: Number(row.id),
    label: String(row.label),
    revoked: row.revoked_at != null,
    expiresAt: row.expires_at == null ? null : toDate(row.expires_at),
    lastUsedAt: row.last_used_at == null ? null : toDate(row.last_used_at),
    maker: makerOf(row),
    filter: filterOf(row),
    settings: settingsFromColumn(row.settings_json) ?? (await readSettings(db)),
  };
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
