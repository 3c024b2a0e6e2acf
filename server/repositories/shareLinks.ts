/**
 * Public share links (dashboards here, lists of requests in requestListLinks.ts): only a key's
 * SHA-256 digest is stored (hashToken).
 */
import crypto from 'node:crypto';
import type { Db } from '../db';
import { insertedId, nowIso, toBool, toDate } from '../db';
import { isPrincipalType, type Actor } from '../permissions/actor';
import type { DashboardTarget, GrantLevel, Restriction } from '../permissions/facts';
import { hashToken } from './accessTokens';
import { settingsColumn, settingsFromColumn, readSettings, type Settings } from './settings';

/** A link as its list shows it. */
export interface ShareLinkRow {
  id: number;
  label: string;
  makerName: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
}

/** The ShareLinkRow fields of a `share_links as l` row joined with its maker (MAKER_COLUMNS). */
export function linkRowOf(r: Record<string, unknown>): ShareLinkRow {
  return {
    id: Number(r.id),
    label: String(r.label),
    makerName: String(r.maker_name),
    createdAt: toDate(r.created_at),
    expiresAt: r.expires_at == null ? null : toDate(r.expires_at),
    lastUsedAt: r.last_used_at == null ? null : toDate(r.last_used_at),
  };
}

/** Writes a new link with a fresh key (`psl_` and 256 random bits) and returns the key, which is never stored. */
export async function insertLink(db: Db, l: { label: string; createdBy: number; expiresAt: Date | null }, fields: Record<string, unknown>): Promise<{ id: number; key: string }> {
  const key = `psl_${crypto.randomBytes(32).toString('base64url')}`;
  const id = insertedId(
    await db('share_links')
      .insert({ ...fields, key_hash: hashToken(key), label: l.label, created_by: l.createdBy, created_at: nowIso(), expires_at: l.expiresAt?.toISOString() ?? null })
      .returning('id'),
  );
  return { id, key };
}

export function insertShareLink(db: Db, l: { dashboardId: number; label: string; createdBy: number; expiresAt: Date | null }): Promise<{ id: number; key: string }> {
  return insertLink(db, l, { kind: 'dashboard', dashboard_id: l.dashboardId });
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
    .select('l.*', 'd.owner_id', 'd.restriction', 'g.level', ...MAKER_COLUMNS);
  return rows.map((r) => ({ ...linkRowOf(r), maker: makerOf(r), dashboard: dashboardOf(dashboardId, r, portalDashboards) }));
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
export const MAKER_COLUMNS = [
  'p.id as maker_id',
  'p.type as maker_type',
  'p.name as maker_name',
  'p.email as maker_email',
  'p.company_id as maker_company_id',
  'p.default_role_id as maker_default_role_id',
  'p.disabled as maker_disabled',
];

/** A link's maker as an actor, from MAKER_COLUMNS; null when their account is disabled. */
export function makerOf(row: Record<string, unknown>): Actor | null {
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

/** What every link's visit is decided on, as it is now. */
export interface LinkVisit {
  id: number;
  revoked: boolean;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  /** The maker as an actor; null when their account is disabled. */
  maker: Actor | null;
  settings: Settings;
}

/** The LinkVisit of a `share_links as l` row read with MAKER_COLUMNS and settingsColumn(db, 'settings_json'). */
export async function linkVisitOf(db: Db, row: Record<string, unknown>): Promise<LinkVisit> {
  return {
    id: Number(row.id),
    revoked: row.revoked_at != null,
    expiresAt: row.expires_at == null ? null : toDate(row.expires_at),
    lastUsedAt: row.last_used_at == null ? null : toDate(row.last_used_at),
    maker: makerOf(row),
    settings: settingsFromColumn(row.settings_json) ?? (await readSettings(db)),
  };
}

export interface ShareLinkVisit extends LinkVisit {
  dashboardId: number;
  /** The dashboard with the maker's own grant on it. */
  dashboard: DashboardTarget;
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
    .first('l.*', 'd.owner_id', 'd.restriction', 'g.level', ...MAKER_COLUMNS, settingsColumn(db, 'settings_json'));
  if (!row) return null;
  const visit = await linkVisitOf(db, row);
  return { ...visit, dashboardId: Number(row.dashboard_id), dashboard: dashboardOf(Number(row.dashboard_id), row, visit.settings['portal.dashboards']) };
}

/** A link's last opening, written at most once a minute (a visit stays a read). */
export const SHARE_LINK_USE_INTERVAL_MS = 60_000;

export async function recordShareLinkUse(db: Db, visit: { id: number; lastUsedAt: Date | null }, now = new Date()): Promise<void> {
  if (visit.lastUsedAt && now.getTime() - visit.lastUsedAt.getTime() < SHARE_LINK_USE_INTERVAL_MS) return;
  await db('share_links').where({ id: visit.id }).update({ last_used_at: now.toISOString() });
}
