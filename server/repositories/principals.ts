import { z } from 'zod';
import type { Db } from '../db';
import { isSqlite, nowIso, toBool } from '../db';
import { isPrincipalType, type Actor, type PrincipalType } from '../permissions/actor';

export interface PrincipalRow {
  id: number;
  type: PrincipalType;
  name: string;
  email: string;
  passwordHash: string;
  companyId: number | null;
  defaultRoleId: number | null;
  disabled: boolean;
  /** Sessions that signed in before this moment (ms) are no longer valid. */
  sessionsValidAfter: number;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * A plain mailbox address (zod's email pattern: letters, digits and `._'+-` before the @,
 * a dotted domain), at most 320 characters. Mail software reads forms such as
 * `group:x@evil.test;` or `"x"@evil.test` as x@evil.test, so a looser check let one mailbox
 * hold several accounts.
 */
export function isEmailAddress(text: string): boolean {
  const email = text.trim();
  return email.length <= 320 && z.email().safeParse(email).success;
}

/** A principals row (or a row carrying all its columns) as a PrincipalRow. */
export function principalFromRow(row: Record<string, unknown>): PrincipalRow {
  const type = String(row.type);
  if (!isPrincipalType(type)) throw new Error(`principal ${String(row.id)} has unknown type ${type}`);
  return {
    id: Number(row.id),
    type,
    name: String(row.name),
    email: String(row.email),
    passwordHash: String(row.password_hash),
    companyId: row.company_id == null ? null : Number(row.company_id),
    defaultRoleId: row.default_role_id == null ? null : Number(row.default_role_id),
    disabled: toBool(row.disabled),
    sessionsValidAfter: Number(row.sessions_valid_after ?? 0),
  };
}

export function toActor(p: PrincipalRow): Actor {
  return { id: p.id, type: p.type, name: p.name, email: p.email, companyId: p.companyId, defaultRoleId: p.defaultRoleId };
}

export async function findPrincipalByEmail(db: Db, email: string): Promise<PrincipalRow | null> {
  const row = await db('principals').where({ email_normalized: normalizeEmail(email) }).first();
  return row ? principalFromRow(row) : null;
}

/**
 * The person's row, locked until the transaction ends where the engine can (SQLite's write lock,
 * taken at BEGIN, already serialises): changes that must see each other (a disable, a link
 * mailed to set a password) happen one after the other. Call within a transaction.
 */
export async function findPrincipalForUpdate(db: Db, id: number): Promise<PrincipalRow | null> {
  const q = db('principals').where({ id }).first();
  const row = isSqlite(db) ? await q : await q.forUpdate();
  return row ? principalFromRow(row) : null;
}

export async function findPrincipalById(db: Db, id: number): Promise<PrincipalRow | null> {
  const row = await db('principals').where({ id }).first();
  return row ? principalFromRow(row) : null;
}

export interface NewPrincipal {
  type: PrincipalType;
  name: string;
  email: string;
  passwordHash: string;
  companyId?: number | null;
  defaultRoleId?: number | null;
}

export async function insertPrincipal(db: Db, p: NewPrincipal): Promise<PrincipalRow> {
  const now = nowIso();
  const [row] = await db('principals')
    .insert({
      type: p.type,
      name: p.name,
      email: p.email.trim(),
      email_normalized: normalizeEmail(p.email),
      password_hash: p.passwordHash,
      company_id: p.companyId ?? null,
      default_role_id: p.defaultRoleId ?? null,
      disabled: false,
      created_at: now,
      updated_at: now,
    })
    .returning('*');
  return principalFromRow(row);
}

export async function emailTaken(db: Db, email: string): Promise<boolean> {
  const row = await db('principals').where({ email_normalized: normalizeEmail(email) }).first('id');
  return row !== undefined;
}

/** Stores a new password hash and ends every session that signed in before now. */
export async function updatePassword(db: Db, id: number, passwordHash: string): Promise<number> {
  const cutOff = Date.now();
  await db('principals').where({ id }).update({ password_hash: passwordHash, sessions_valid_after: cutOff, updated_at: nowIso() });
  return cutOff;
}

export async function updateName(db: Db, id: number, name: string): Promise<void> {
  await db('principals').where({ id }).update({ name, updated_at: nowIso() });
}
