import type { Db } from '../db';
import { Invalid, NotFound } from '../errors';
import { isRequester, type Actor } from '../permissions';
import { recordAudit } from '../repositories/audit';
import { companyNamedLike, findCompany, insertCompany, renameCompany as writeCompanyName, setPrincipalCompany } from '../repositories/companies';
import { findPrincipalById, toActor } from '../repositories/principals';

export const STAFF_HAVE_NO_COMPANY = 'Staff accounts belong to no company: only customers (requesters) are members of one.';

const taken = (name: string) => new Invalid(`There is already a company named "${name}" (names are compared without regard to case).`, { name: 'taken' });

/** A new company, audited; its name unique case-insensitively. */
export async function createCompany(db: Db, actor: Actor, name: string): Promise<number> {
  return db.transaction(async (trx) => {
    const existing = await companyNamedLike(trx, name);
    if (existing) throw taken(existing.name);
    const id = await insertCompany(trx, name);
    await recordAudit(trx, { actorId: actor.id, action: 'company.created', targetType: 'company', targetId: id, before: null, after: { name } });
    return id;
  });
}

/** Renames a company, audited with the old and new names. Its customers and requests stay as they are. */
export async function renameCompany(db: Db, actor: Actor, id: number, name: string): Promise<void> {
  await db.transaction(async (trx) => {
    const company = await findCompany(trx, id, true);
    if (!company) throw new NotFound();
    if (company.name === name) return;
    const existing = await companyNamedLike(trx, name, id);
    if (existing) throw taken(existing.name);
    await writeCompanyName(trx, id, name);
    await recordAudit(trx, { actorId: actor.id, action: 'company.renamed', targetType: 'company', targetId: id, before: { name: company.name }, after: { name } });
  });
}

/**
 * Moves a customer into another company, or into none. Only the person changes: requests keep
 * the company they were raised under (requests.company_id), as organisations' tickets do in
 * Jira Service Management and Zammad, so the request tallies, which count by that company, stay
 * exact without a recount. What the customer sees follows from the request rules, on their
 * very next request (the person is read afresh with the session): the new company's shared
 * requests, no longer the old one's (their own requests stay theirs), and dashboard widgets
 * scoped to the viewer's company count the new company's requests.
 */
export async function moveCustomer(db: Db, actor: Actor, principalId: number, companyId: number | null): Promise<void> {
  await db.transaction(async (trx) => {
    const person = await findPrincipalById(trx, principalId);
    if (!person) throw new NotFound();
    if (!isRequester(toActor(person))) throw new Invalid(STAFF_HAVE_NO_COMPANY, { company_id: 'staff' });
    if (companyId !== null && !(await findCompany(trx, companyId))) throw new Invalid('That company does not exist.', { company_id: 'unknown' });
    if (person.companyId === companyId) return;
    await setPrincipalCompany(trx, principalId, companyId);
    await recordAudit(trx, {
      actorId: actor.id,
      action: 'principal.company_changed',
      targetType: 'principal',
      targetId: principalId,
      before: { companyId: person.companyId },
      after: { companyId },
    });
  });
}
