/**
 * Customer self-service: sign-up confirmed by email, password reset, profile. Every
 * answer that could tell whether an email is known is the same either way.
 */
import type { Db } from '../db';
import { Invalid } from '../errors';
import type { Mailer } from '../mail/mailer';
import { hashPassword, passwordProblem, verifyPassword } from '../auth/passwords';
import { isRequester, type Actor } from '../permissions';
import {
  createPendingSignup,
  createResetToken,
  endResetTokensOf,
  findPendingSignup,
  forgetExpiredSignupPasswords,
  findResetToken,
  useResetTokens,
  useSignup,
} from '../repositories/accountTokens';
import { endPasswordLinksOf } from '../repositories/passwordLinks';
import { emailTaken, findPrincipalByEmail, findPrincipalForUpdate, isEmailAddress, findPrincipalById, insertPrincipal, toActor, updateName, updatePassword, type PrincipalRow } from '../repositories/principals';

export interface SignupInput {
  name: string;
  email: string;
  password: string;
}

export function signupProblem(input: SignupInput): string | null {
  if (!input.name.trim() || input.name.trim().length > 200) return 'Enter your name (at most 200 characters).';
  if (!isEmailAddress(input.email)) return 'Enter a valid email address.';
  return passwordProblem(input.password);
}

/**
 * Mails a confirmation link to a new address, or a "you already have an account" note to
 * a known one; the caller answers the same page in both cases, before this runs (mailer.later),
 * and the password is hashed in both (the same work either way). The account is created only
 * from the link, by someone who types the same password there (confirmSignup).
 */
export async function requestSignup(db: Db, mailer: Mailer, input: SignupInput, baseUrl: string, scryptCost: number): Promise<void> {
  const email = input.email.trim();
  const passwordHash = await hashPassword(input.password, scryptCost);
  await forgetExpiredSignupPasswords(db);
  if (await emailTaken(db, email)) {
    // The way back in that this account has: a customer's portal (with its reset), or the desk (staff have no self-service reset).
    const known = await findPrincipalByEmail(db, email);
    const way = known && !isRequester(toActor(known))
      ? `Sign in to the desk: ${baseUrl}/desk/login\nForgot your password? Ask your Portico administrator.`
      : `Sign in: ${baseUrl}/portal/login\nForgot your password? ${baseUrl}/portal/password/forgot`;
    await mailer.send({
      to: email,
      subject: 'You already have a Portico account',
      text: `Someone (perhaps you) tried to sign up with this address, which already has an account.\n\n${way}\n\nIf it was not you, ignore this message.`,
    });
    return;
  }
  const token = await createPendingSignup(db, { email, name: input.name.trim(), passwordHash });
  await mailer.send({
    to: email,
    subject: 'Confirm your Portico account',
    text: `Welcome, ${input.name.trim()}.\n\nConfirm your address to finish signing up (the link works once, for 24 hours; you will be asked for the password you chose):\n${baseUrl}/portal/signup/confirm?token=${token}\n\nIf you did not sign up, ignore this message: nobody can use the link without that password.`,
    secrets: [token],
  });
}

/**
 * How a live sign-up link is confirmed (with the password chosen on the form, or, for sign-ups
 * from before it was asked there, by choosing one now), or null when the link is dead (used,
 * expired, or its address has an account by now).
 */
export async function signupConfirmation(db: Db, token: string): Promise<'chosen' | 'choose' | null> {
  const pending = await findPendingSignup(db, token);
  if (!pending || (await emailTaken(db, pending.email))) return null;
  return pending.passwordHash ? 'chosen' : 'choose';
}

const NOT_THE_PASSWORD = 'That is not the password chosen when signing up. Sign up again if you have forgotten it.';

/**
 * Creates the customer account of a live sign-up token; null when the link is dead (found
 * before hashing anything: a made-up token costs no scrypt). The password must be the one
 * chosen on the sign-up form (refused otherwise, the link stays usable); a sign-up from
 * before the form asked for one takes a new password, checked like every new password.
 */
export async function confirmSignup(db: Db, token: string, password: string, scryptCost: number): Promise<PrincipalRow | null> {
  const pending = await findPendingSignup(db, token);
  if (!pending || (await emailTaken(db, pending.email))) return null;
  let passwordHash: string;
  if (pending.passwordHash) {
    if (!(await verifyPassword(password, pending.passwordHash))) throw new Invalid(NOT_THE_PASSWORD, { password: NOT_THE_PASSWORD });
    passwordHash = pending.passwordHash;
  } else {
    const problem = passwordProblem(password);
    if (problem) throw new Invalid(problem, { password: problem });
    passwordHash = await hashPassword(password, scryptCost);
  }
  return db.transaction(async (trx) => {
    const live = await findPendingSignup(trx, token);
    if (!live || live.id !== pending.id || !(await useSignup(trx, live.id))) return null;
    if (await emailTaken(trx, live.email)) return null;
    return insertPrincipal(trx, { type: 'requester', name: live.name, email: live.email, passwordHash });
  });
}

/** Mails a reset link to a known, active customer; does nothing visible otherwise. */
export async function requestPasswordReset(db: Db, mailer: Mailer, email: string, baseUrl: string): Promise<void> {
  const found = await findPrincipalByEmail(db, email);
  if (!found || found.disabled || !isRequester(toActor(found))) return;
  // Written under the person's row lock, so a disable at the same moment ends this link or refuses it.
  const issued = await db.transaction(async (trx) => {
    const person = await findPrincipalForUpdate(trx, found.id);
    return person && !person.disabled ? { person, token: await createResetToken(trx, person.id) } : null;
  });
  if (!issued) return;
  const { person, token } = issued;
  await mailer.send({
    to: person.email,
    subject: 'Reset your Portico password',
    text: `Choose a new password (the link works once, for one hour):\n${baseUrl}/portal/password/reset?token=${token}\n\nIf you did not ask for this, ignore this message.`,
    secrets: [token],
  });
}

export async function resetTokenIsLive(db: Db, token: string): Promise<boolean> {
  return (await findResetToken(db, token)) !== null;
}

/** Sets the new password, uses up the token and ends every existing session. */
export async function resetPassword(db: Db, token: string, password: string, scryptCost: number): Promise<boolean> {
  // A dead or made-up token costs one indexed lookup, never a scrypt (which anyone could
  // otherwise make the server compute without limit by posting random tokens).
  if (!(await findResetToken(db, token))) return false;
  const problem = passwordProblem(password);
  if (problem) throw new Invalid(problem, { password: problem });
  const hash = await hashPassword(password, scryptCost);
  return db.transaction(async (trx) => {
    const live = await findResetToken(trx, token);
    // A link mailed before the account was disabled sets nothing (enabled again, it stays dead).
    const person = live ? await findPrincipalById(trx, live.principalId) : null;
    // Nor a link from before the person's last cut-off (a password changed since, the account disabled).
    const current = live && person && !person.disabled && Date.parse(live.createdAt) >= person.sessionsValidAfter;
    if (!live || !current || !(await useResetTokens(trx, live.id, live.principalId))) return false;
    // Links an administrator mailed to set a password end too: the password is chosen now.
    await endPasswordLinksOf(trx, live.principalId);
    await updatePassword(trx, live.principalId, hash);
    return true;
  });
}

/**
 * Changes one's own password; the current one is required. Returns the cut-off after
 * which sessions stay valid (the caller keeps its own session alive with it).
 */
export async function changeOwnPassword(db: Db, actor: Actor, current: string, next: string, scryptCost: number): Promise<number> {
  const person = await findPrincipalById(db, actor.id);
  if (!person || !(await verifyPassword(current, person.passwordHash))) throw new Invalid('Your current password is not right.', { current_password: 'wrong' });
  const problem = passwordProblem(next);
  if (problem) throw new Invalid(problem, { password: problem });
  const hash = await hashPassword(next, scryptCost);
  // Links mailed to set or reset the password end with the old password: none can replace the new one.
  return db.transaction(async (trx) => {
    await endPasswordLinksOf(trx, actor.id);
    await endResetTokensOf(trx, actor.id);
    return updatePassword(trx, actor.id, hash);
  });
}

export async function changeOwnName(db: Db, actor: Actor, name: string): Promise<void> {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 200) throw new Invalid('Enter a name of at most 200 characters.', { name: 'length' });
  await updateName(db, actor.id, trimmed);
}
