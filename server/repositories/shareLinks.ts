/** Public share links of dashboards: only a key's SHA-256 digest is stored (hashToken). */
import crypto from 'node:crypto';
import type { Db } from '../db';
import { insertedId, nowIso, toBool, toDate } from '../db';
import { isPrincipalType, type Actor } from '../permissions/actor';
import type { DashboardTarget, GrantLevel, Restriction } from '../permissions/facts';
import { hashToken } from './accessTokens';
import { settingsColumn, settingsFromColumn, readSettings, type Settings } from './settings';

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
      .insert({ dashboard_id: l.dashboardId, key_hash: hashToken(key), label: l.label, created_by: l.createdBy, created_at: nowIso(), expires_at: l.expiresAt?.toISOString() ?? null })
      .returning('id'),
  );
  return { id, key };
}

/** A dashboard's links that are not revoked (expired ones included, marked by their date), oldest first. */
export async function listShareLinks(db: Db, dashboardId: number): Promise<ShareLinkRow[]> {
  const rows: Record<string, unknown>[] = await db('share_links as l')
    .join('principals as p', 'p.id', 'l.created_by')
    .where('l.dashboard_id', dashboardId)
    .whereNull('l.revoked_at')
    .orderBy('l.id')
    .select('l.id', 'l.label', 'l.created_at', 'l.expires_at', 'l.last_used_at', 'p.name as maker_name');
  return rows.map((r) => ({
    id: Number(r.id),
    label: String(r.label),
    makerName: String(r.maker_name),
    createdAt: toDate(r.created_at),
    expiresAt: r.expires_at == null ? null : toDate(r.expires_at),
    lastUsedAt: r.last_used_at == null ? null : toDate(r.last_used_at),
  }));
}

export async function findLiveShareLink(db: Db, dashboardId: number, id: number): Promise<{ id: number; label: string } | null> {
  const row = await db('share_links').where({ id, dashboard_id: dashboardId }).whereNull('revoked_at').first('id', 'label');
  return row ? { id: Number(row.id), label: String(row.label) } : null;
}

export async function markShareLinkRevoked(db: Db, id: number): Promise<void> {
  await db('share_links').where({ id }).update({ revoked_at: nowIso() });
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
    .first(
      'l.id',
      'l.dashboard_id',
      'l.revoked_at',
      'l.expires_at',
      'l.last_used_at',
      'd.owner_id',
      'd.restriction',
      'g.level',
      'p.id as maker_id',
      'p.type as maker_type',
      'p.name as maker_name',
      'p.email as maker_email',
      'p.company_id as maker_company_id',
      'p.default_role_id as maker_default_role_id',
      'p.disabled as maker_disabled',
      settingsColumn(db, 'settings_json'),
    );
  if (!row) return null;
  const type = String(row.maker_type);
  const maker: Actor | null =
    toBool(row.maker_disabled) || !isPrincipalType(type)
      ? null
      : {
          id: Number(row.maker_id),
          type,
          name: String(row.maker_name),
          email: String(row.maker_email),
          companyId: row.maker_company_id == null ? null : Number(row.maker_company_id),
          defaultRoleId: row.maker_default_role_id == null ? null : Number(row.maker_default_role_id),
        };
  const settings = settingsFromColumn(row.settings_json) ?? (await readSettings(db));
  const grant: GrantLevel | null = row.level == null ? null : row.level === 'edit' ? 'edit' : 'view';
  return {
    id: Number(row.id),
    dashboardId: Number(row.dashboard_id),
    revoked: row.revoked_at != null,
    expiresAt: row.expires_at == null ? null : toDate(row.expires_at),
    lastUsedAt: row.last_used_at == null ? null : toDate(row.last_used_at),
    maker,
    dashboard: {
      kind: 'dashboard',
      id: Number(row.dashboard_id),
      ownerId: Number(row.owner_id),
      restriction: String(row.restriction) as Restriction,
      grant,
      portalDashboards: settings['portal.dashboards'],
    },
    settings,
  };
}

/** A link's last opening, written at most once a minute (a visit stays a read). */
export const SHARE_LINK_USE_INTERVAL_MS = 60_000;

export async function recordShareLinkUse(db: Db, visit: ShareLinkVisit, now = new Date()): Promise<void> {
  if (visit.lastUsedAt && now.getTime() - visit.lastUsedAt.getTime() < SHARE_LINK_USE_INTERVAL_MS) return;
  await db('share_links').where({ id: visit.id }).update({ last_used_at: now.toISOString() });
}
