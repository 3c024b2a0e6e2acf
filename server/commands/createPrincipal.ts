import type { Db } from '../db';
import { hashPassword, passwordProblem } from '../auth/passwords';
import { emailTaken, insertPrincipal, isEmailAddress, type PrincipalRow } from '../repositories/principals';
import { recordAudit } from '../repositories/audit';
import type { PrincipalType } from '../permissions/actor';
import { Conflict, Invalid } from '../errors';

export interface CreatePrincipalInput {
  type: PrincipalType;
  name: string;
  email: string;
  password: string;
  companyId?: number | null;
  defaultRoleId?: number | null;
}

/** Validates, hashes the password (slowly, salted) and stores the principal. */
export async function createPrincipal(db: Db, input: CreatePrincipalInput, scryptCost: number): Promise<PrincipalRow> {
  const name = input.name.trim();
  const email = input.email.trim();
  if (!name || name.length > 200) throw new Invalid('Name is required (at most 200 characters).', { name: 'required' });
  if (!isEmailAddress(email)) throw new Invalid('Enter a valid email address.', { email: 'invalid' });
  const problem = passwordProblem(input.password);
  if (problem) throw new Invalid(problem, { password: problem });
  if (await emailTaken(db, email)) throw new Conflict('An account with that email already exists.');
  const passwordHash = await hashPassword(input.password, scryptCost);
  // From the command line: nobody signed in made it, so the audit names no actor ("system").
  return db.transaction(async (trx) => {
    const person = await insertPrincipal(trx, { ...input, name, email, passwordHash });
    await recordAudit(trx, { actorId: null, action: 'principal.created', targetType: 'principal', targetId: person.id, before: null, after: { type: person.type, email: person.email } });
    return person;
  });
}
