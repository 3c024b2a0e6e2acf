/** Companies as administrators manage them: the list with customer counts, create, rename. */
import type { Db } from '../db';
import { insertedId, isSqlite, nowIso, toBool, toDate } from '../db';
import { customerPrincipals } from '../permissions/peopleScopes';
import { nameKey } from './names';

export interface CompanyListItem {
  id: number;
  name: string;
  customers: number;
}

export interface CompanyRow {
  id: number;
  name: string;
  createdAt: Date;
}

/** Every company by name, with how many customers it holds (disabled ones included). */
export async function listCompanies(db: Db): Promise<CompanyListItem[]> {
  const customers = db('principals as p').modify(customerPrincipals('p')).whereRaw('?? = ??', ['p.company_id', 'c.id']).count('*');
  const rows: Record<string, unknown>[] = await db('companies as c').orderBy('c.name').orderBy('c.id').select('c.id', 'c.name', customers.as('customers'));
  return rows.map((r) => ({ id: Number(r.id), name: String(r.name), customers: Number(r.customers) }));
}

/** Every company's id and name, for the person page's choice. */
export async function companyChoices(db: Db): Promise<{ id: number; name: string }[]> {
  const rows: Record<string, unknown>[] = await db('companies').orderBy('name').orderBy('id').select('id', 'name');
  return rows.map((r) => ({ id: Number(r.id), name: String(r.name) }));
}

/** One company; with `lock`, held against concurrent renames until the transaction ends (see findProject). */
export async function findCompany(db: Db, id: number, lock = false): Promise<CompanyRow | null> {
  const q = db('companies').where({ id }).first('id', 'name', 'created_at');
  const row: Record<string, unknown> | undefined = lock && !isSqlite(db) ? await q.forNoKeyUpdate() : await q;
  return row ? { id: Number(row.id), name: String(row.name), createdAt: toDate(row.created_at) } : null;
}

/** The company's customers by name (at most `limit`), for its page. */
export async function listCompanyCustomers(db: Db, id: number, limit: number): Promise<{ id: number; name: string; disabled: boolean }[]> {
  const rows: Record<string, unknown>[] = await db('principals as p')
    .modify(customerPrincipals('p'))
    .where('p.company_id', id)
    .orderBy('p.name')
    .orderBy('p.id')
    .limit(limit)
    .select('p.id', 'p.name', 'p.disabled');
  return rows.map((r) => ({ id: Number(r.id), name: String(r.name), disabled: toBool(r.disabled) }));
}

/** Another company whose name is the same but for case, if any. */
export async function companyNamedLike(db: Db, name: string, exceptId: number | null = null): Promise<{ id: number; name: string } | null> {
  const q = db('companies').where('name_key', nameKey(name));
  if (exceptId !== null) void q.whereNot('id', exceptId);
  const row: Record<string, unknown> | undefined = await q.first('id', 'name');
  return row ? { id: Number(row.id), name: String(row.name) } : null;
}

export async function insertCompany(db: Db, name: string): Promise<number> {
  return insertedId(await db('companies').insert({ name, name_key: nameKey(name), created_at: nowIso() }).returning('id'));
}

export async function renameCompany(db: Db, id: number, name: string): Promise<void> {
  await db('companies').where({ id }).update({ name, name_key: nameKey(name) });
}

/** Moves a customer into a company (or none); their requests keep the company they were raised under. */
export async function setPrincipalCompany(db: Db, principalId: number, companyId: number | null): Promise<void> {
  await db('principals').where({ id: principalId }).update({ company_id: companyId, updated_at: nowIso() });
}
