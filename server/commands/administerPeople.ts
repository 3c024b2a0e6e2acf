import type { Db } from '../db';
import { isSqlite } from '../db';
import { Invalid, NotFound } from '../errors';
import { isAdministrator, isRequester, STAFF_TYPES, type Actor, type StaffType } from '../permissions';
import { recordAudit } from '../repositories/audit';
import { revokeAllAccessTokens } from '../repositories/accessTokens';
import { revokeShareLinksOf } from '../repositories/shareLinks';
import { endPasswordLinksOf } from '../repositories/passwordLinks';
import { endResetTokensOf } from '../repositories/accountTokens';
import { findPrincipalById, findPrincipalForUpdate, toActor } from '../repositories/principals';
import {
  countActiveAdministrators,
  deleteMembership,
  findMembership,
  projectExists,
  roleExists,
  updatePrincipalFields,
  upsertMembership,
} from '../repositories/people';

export interface PrincipalChanges {
  type?: StaffType;
  defaultRoleId?: number | null;
  disabled?: boolean;
}

export const LAST_ADMIN = 'Portico needs at least one active administrator: this is the last one.';

/**
 * Changes a person's type, default role or disabled flag in one transaction, with one
 * audit event per changed value. Customers stay customers; the last active
 * administrator can be neither demoted nor disabled.
 */
export async function changePrincipal(db: Db, actor: Actor, id: number, changes: PrincipalChanges): Promise<void> {
  await db.transaction(async (trx) => {
    // Locked first: a link mailed meanwhile is either ended by this disable or refused by it.
    const person = await findPrincipalForUpdate(trx, id);
    if (!person) throw new NotFound();
    const current = toActor(person);
    if (changes.type !== undefined && changes.type !== person.type) {
      if (isRequester(current)) throw new Invalid('A customer account cannot become a staff account.', { type: 'customer' });
      if (!(STAFF_TYPES as readonly string[]).includes(changes.type)) throw new Invalid('Unknown user type.', { type: 'unknown' });
    }
    if (changes.defaultRoleId != null && !(await roleExists(trx, changes.defaultRoleId))) {
      throw new Invalid('That role does not exist.', { default_role_id: 'unknown' });
    }
    const losesAdmin =
      isAdministrator(current) && !person.disabled && ((changes.type !== undefined && changes.type !== person.type) || changes.disabled === true);
    if (losesAdmin && (await countActiveAdministrators(trx, !isSqlite(trx))) <= 1) {
      throw new Invalid(LAST_ADMIN, { type: 'last administrator' });
    }

    const audit = (action: string, before: unknown, after: unknown) =>
      recordAudit(trx, { actorId: actor.id, action, targetType: 'principal', targetId: id, before, after });
    const fields: Parameters<typeof updatePrincipalFields>[2] = {};
    if (changes.type !== undefined && changes.type !== person.type) {
      fields.type = changes.type;
      await audit('principal.type_changed', { type: person.type }, { type: changes.type });
    }
    if (changes.defaultRoleId !== undefined && changes.defaultRoleId !== person.defaultRoleId) {
      fields.default_role_id = changes.defaultRoleId;
      await audit('principal.default_role_changed', { defaultRoleId: person.defaultRoleId }, { defaultRoleId: changes.defaultRoleId });
    }
    if (changes.disabled !== undefined && changes.disabled !== person.disabled) {
      fields.disabled = changes.disabled;
      // Disabling ends every session, API token and public link the person made, for good:
      // enabling the account again revives none (its owner signs in afresh and makes new ones).
      let tokensRevoked = 0;
      let shareLinksRevoked = 0;
      if (changes.disabled) {
        fields.sessions_valid_after = Date.now();
        tokensRevoked = await revokeAllAccessTokens(trx, id);
        shareLinksRevoked = await revokeShareLinksOf(trx, id);
        // Links mailed to set or reset a password end too: enabling the account again revives none.
        await endPasswordLinksOf(trx, id);
        await endResetTokensOf(trx, id);
      }
      await audit(
        changes.disabled ? 'principal.disabled' : 'principal.enabled',
        { disabled: person.disabled },
        changes.disabled ? { disabled: true, tokensRevoked, shareLinksRevoked } : { disabled: false },
      );
    }
    if (Object.keys(fields).length > 0) await updatePrincipalFields(trx, id, fields);
  });
}

async function staffMember(db: Db, id: number) {
  const person = await findPrincipalById(db, id);
  if (!person) throw new NotFound();
  if (isRequester(toActor(person))) throw new Invalid('Customers cannot be project members.', { principal: 'customer' });
  return person;
}

export async function setMembership(db: Db, actor: Actor, principalId: number, projectId: number, roleId: number): Promise<void> {
  await db.transaction(async (trx) => {
    await staffMember(trx, principalId);
    if (!(await projectExists(trx, projectId))) throw new Invalid('That project does not exist.', { project_id: 'unknown' });
    if (!(await roleExists(trx, roleId))) throw new Invalid('That role does not exist.', { role_id: 'unknown' });
    const before = await findMembership(trx, principalId, projectId);
    if (before?.roleId === roleId) return;
    await upsertMembership(trx, principalId, projectId, roleId);
    await recordAudit(trx, {
      actorId: actor.id,
      action: before ? 'membership.changed' : 'membership.added',
      targetType: 'principal',
      targetId: principalId,
      before: before ? { projectId, roleId: before.roleId } : null,
      after: { projectId, roleId },
    });
  });
}

export async function removeMembership(db: Db, actor: Actor, principalId: number, projectId: number): Promise<void> {
  await db.transaction(async (trx) => {
    await staffMember(trx, principalId);
    const before = await findMembership(trx, principalId, projectId);
    if (!before) throw new NotFound();
    await deleteMembership(trx, principalId, projectId);
    await recordAudit(trx, {
      actorId: actor.id,
      action: 'membership.removed',
      targetType: 'principal',
      targetId: principalId,
      before: { projectId, roleId: before.roleId },
      after: null,
    });
  });
}
