/**
 * People added by an administrator, and the emailed links with which anyone (staff or customer)
 * chooses their password: the invitation when they are added, and "Send a link to set a
 * password" later. A person is written with no password (NO_PASSWORD: no sign-in until the link
 * is used). A link works once, for PASSWORD_LINK_TTL_MS, only at its person's realm, only while
 * the account is active, and a newer link ends the older ones.
 */
import type { Db } from '../db';
import { Invalid, NotFound } from '../errors';
import type { Mailer } from '../mail/mailer';
import { hashPassword, NO_PASSWORD, passwordProblem } from '../auth/passwords';
import { realmOf, type Actor, type PrincipalType, type Realm } from '../permissions';
import type { Scope } from '../permissions/scopes';
import { recordAudit } from '../repositories/audit';
import { companyAmong, roleExists } from '../repositories/people';
import { createPasswordLink, endPasswordLinksOf, findLivePasswordLink, PASSWORD_LINK_TTL_MS, usePasswordLink } from '../repositories/passwordLinks';
import { emailTaken, findPrincipalById, findPrincipalForUpdate, insertPrincipal, updatePassword, type PrincipalRow } from '../repositories/principals';
import { endResetTokensOf } from '../repositories/accountTokens';

export const EMAIL_IN_USE = 'That email address is already in use.';
export const NO_ROLE_FOR_CUSTOMERS = 'A customer has no default role: leave "Default role" empty.';
export const NO_COMPANY_FOR_STAFF = 'Only customers belong to a company: leave "Company" empty for staff.';
export const DISABLED_NO_LINK = 'This account is disabled: enable it before sending a link.';

const LINK_DAYS = PASSWORD_LINK_TTL_MS / 86_400_000;

export interface NewPerson {
  name: string;
  email: string;
  type: PrincipalType;
  companyId: number | null;
  defaultRoleId: number | null;
}

function linkUrl(baseUrl: string, realm: Realm, token: string): string {
  return `${baseUrl}/${realm}/password/set?token=${token}`;
}

/**
 * Adds a person with no password, audited (who added whom, as what), and mails them an
 * invitation with a link to choose their password. `companies`: the companies the actor may
 * put a customer in. A broken rule (address in use, a company for staff, a role for a
 * customer, an unknown company or role) is an Invalid and writes nothing.
 */
export async function addPerson(db: Db, mailer: Mailer, actor: Actor, input: NewPerson, companies: Scope, baseUrl: string): Promise<PrincipalRow> {
  const realm = realmOf(input.type);
  if (realm === 'portal' && input.defaultRoleId !== null) throw new Invalid(NO_ROLE_FOR_CUSTOMERS, { default_role_id: 'customer' });
  if (realm === 'desk' && input.companyId !== null) throw new Invalid(NO_COMPANY_FOR_STAFF, { company_id: 'staff' });
  const { person, token } = await db.transaction(async (trx) => {
    if (await emailTaken(trx, input.email)) throw new Invalid(EMAIL_IN_USE, { email: 'taken' });
    if (input.companyId !== null && !(await companyAmong(trx, companies, input.companyId))) throw new Invalid('That company does not exist.', { company_id: 'unknown' });
    if (input.defaultRoleId !== null && !(await roleExists(trx, input.defaultRoleId))) throw new Invalid('That role does not exist.', { default_role_id: 'unknown' });
    const added = await insertPrincipal(trx, { ...input, passwordHash: NO_PASSWORD });
    await recordAudit(trx, {
      actorId: actor.id,
      action: 'principal.created',
      targetType: 'principal',
      targetId: added.id,
      before: null,
      after: { type: added.type, email: added.email, companyId: added.companyId, defaultRoleId: added.defaultRoleId },
    });
    return { person: added, token: await issueLink(trx, actor, added.id) };
  });
  await mailer.send({
    to: person.email,
    subject: 'You have a Portico account',
    text:
      `${actor.name} added you to Portico.\n\n` +
      `Choose your password (the link works once, for ${LINK_DAYS} days):\n${linkUrl(baseUrl, realm, token)}\n\n` +
      `Then sign in at ${baseUrl}/${realm}/login with this address.`,
    secrets: [token],
  });
  return person;
}

async function issueLink(trx: Db, actor: Actor, principalId: number): Promise<string> {
  const link = await createPasswordLink(trx, principalId, actor.id);
  await recordAudit(trx, { actorId: actor.id, action: 'principal.password_link_sent', targetType: 'principal', targetId: principalId, before: null, after: { expiresAt: link.expiresAt } });
  return link.token;
}

/** Mails an active person a fresh link to set their password (earlier unused links stop working), audited. */
export async function sendPasswordLink(db: Db, mailer: Mailer, actor: Actor, principalId: number, baseUrl: string): Promise<void> {
  const { person, token } = await db.transaction(async (trx) => {
    // Locked: two sends one after the other (each ends the links before it), never beside a disable.
    const found = await findPrincipalForUpdate(trx, principalId);
    if (!found) throw new NotFound();
    if (found.disabled) throw new Invalid(DISABLED_NO_LINK, { disabled: 'true' });
    return { person: found, token: await issueLink(trx, actor, found.id) };
  });
  const realm = realmOf(person.type);
  await mailer.send({
    to: person.email,
    subject: 'Set your Portico password',
    text:
      `An administrator sent you a link to set your Portico password (it works once, for ${LINK_DAYS} days; any earlier link no longer works):\n` +
      `${linkUrl(baseUrl, realm, token)}\n\nThen sign in at ${baseUrl}/${realm}/login with this address. If you did not expect this, ignore this message.`,
    secrets: [token],
  });
}

/** The person of a link that may be used now at this realm: unused, unexpired, account active and of this realm. */
async function linkHolder(db: Db, realm: Realm, token: string): Promise<{ linkId: number; person: PrincipalRow } | null> {
  const link = await findLivePasswordLink(db, token);
  if (!link) return null;
  const person = await findPrincipalById(db, link.principalId);
  if (!person || person.disabled || realmOf(person.type) !== realm) return null;
  // A link from before the person's last cut-off (a password changed, the account disabled) is dead.
  if (Date.parse(link.createdAt) < person.sessionsValidAfter) return null;
  return { linkId: link.id, person };
}

export async function passwordLinkIsLive(db: Db, realm: Realm, token: string): Promise<boolean> {
  return (await linkHolder(db, realm, token)) !== null;
}

/**
 * Sets the password of a live link's person, uses the link up (with every other link and reset
 * link of theirs) and ends their sessions, as a reset does; false when the link is dead (found
 * before hashing: a made-up token costs one lookup, never a scrypt).
 */
export async function setPasswordFromLink(db: Db, realm: Realm, token: string, password: string, scryptCost: number): Promise<boolean> {
  if (!(await linkHolder(db, realm, token))) return false;
  const problem = passwordProblem(password);
  if (problem) throw new Invalid(problem, { password: problem });
  const hash = await hashPassword(password, scryptCost);
  return db.transaction(async (trx) => {
    const live = await linkHolder(trx, realm, token);
    if (!live || !(await usePasswordLink(trx, live.linkId))) return false;
    await endPasswordLinksOf(trx, live.person.id);
    await endResetTokensOf(trx, live.person.id);
    await updatePassword(trx, live.person.id, hash);
    return true;
  });
}
