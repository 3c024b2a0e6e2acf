/** Personal access tokens for the REST API, each created or revoked with its audit event in one transaction. */
import type { Db } from '../db';
import { createAccessToken, revokeAccessToken } from '../repositories/accessTokens';
import { recordAudit } from '../repositories/audit';

/**
 * A new token for `principalId`, issued by `actorId` (null: the command line). The token is
 * returned this once; neither it nor its digest reaches the audit, only its id and name.
 */
export async function issueAccessToken(db: Db, actorId: number | null, principalId: number, name: string): Promise<{ id: number; token: string }> {
  return db.transaction(async (trx) => {
    const created = await createAccessToken(trx, principalId, name);
    await recordAudit(trx, { actorId, action: 'token.created', targetType: 'access_token', targetId: created.id, before: null, after: { principalId, name } });
    return created;
  });
}

/** Revokes one of `principalId`'s own live tokens; false when there is no such token. */
export async function withdrawAccessToken(db: Db, principalId: number, tokenId: number): Promise<boolean> {
  return db.transaction(async (trx) => {
    if (!(await revokeAccessToken(trx, principalId, tokenId))) return false;
    await recordAudit(trx, { actorId: principalId, action: 'token.revoked', targetType: 'access_token', targetId: tokenId, before: { principalId }, after: null });
    return true;
  });
}
