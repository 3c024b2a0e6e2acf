import crypto from 'node:crypto';
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../app';
import { NotFound } from '../../errors';
import { issueAccessToken, withdrawAccessToken } from '../../commands/accessTokens';
import { listAccessTokens } from '../../repositories/accessTokens';
import { findPrincipalById } from '../../repositories/principals';
import { actorOf, idParam, redirectTo } from '../locals';
import { safeReadForm, typedValues } from '../forms';

/** A name to tell one's tokens apart; left empty it is "personal token". */
const tokenForm = z.object({
  name: z
    .string()
    .trim()
    .max(100, 'A token name is at most 100 characters.')
    .default('')
    .transform((v) => v || 'personal token'),
});

/** Personal access tokens for the REST API: created here, shown once, stored hashed, revocable. */
export function deskTokenRoutes({ db }: AppDeps): Router {
  const router = Router();

  router.post('/profile/tokens', async (req, res) => {
    const actor = actorOf(req)!;
    // The page's form carries a one-time mark: sent a second time (a reload of this answer)
    // it creates nothing more. (A post without one, from a script, is taken as it comes.)
    const nonce = typedValues(req.body, 'nonce').nonce;
    if (nonce && nonce !== req.session.tokenFormNonce) return redirectTo(res, '/desk/profile?already=1#tokens-heading');
    delete req.session.tokenFormNonce;
    const form = safeReadForm(tokenForm, req.body);
    const person = (await findPrincipalById(db, actor.id))!;
    const page = async (status: number, extra: { notice: string | null; newToken: string | null; tokenError?: string; tokenName?: string }) =>
      res.status(status).render('desk/profile', {
        title: 'Your profile',
        person: { name: person.name, email: person.email },
        error: null,
        ...(await tokenSection(db, req)),
        ...extra,
      });
    if (!form.success) return page(422, { notice: null, newToken: null, tokenError: form.error.issues[0]?.message ?? 'Give the token a shorter name.', tokenName: typedValues(req.body, 'name').name });
    const { token } = await issueAccessToken(db, actor.id, actor.id, form.data.name);
    // Shown this once, in this answer; only its hash is kept (never the token in the session).
    await page(201, { notice: 'Token created. Copy it now: it will not be shown again.', newToken: token });
  });

  router.post('/profile/tokens/:id/delete', async (req, res) => {
    if (!(await withdrawAccessToken(db, actorOf(req)!.id, idParam(req.params.id)))) throw new NotFound();
    redirectTo(res, '/desk/profile?revoked=1');
  });

  return router;
}

const TOKEN_NOTICES: Record<string, string> = {
  revoked: 'Token revoked: it no longer works.',
  already: 'No token was made: that form had been sent already (a reload), or the page was out of date. The list below shows your tokens; create one again if you need it.',
};

/** The profile's token section for the signed-in person, with a fresh one-time mark for its form. */
export async function tokenSection(db: AppDeps['db'], req: Request): Promise<Record<string, unknown>> {
  const nonce = crypto.randomBytes(16).toString('base64url');
  req.session.tokenFormNonce = nonce;
  const notice = Object.keys(TOKEN_NOTICES).find((k) => typeof req.query[k] === 'string');
  return { tokens: await listAccessTokens(db, actorOf(req)!.id), newToken: null, tokenError: null, tokenName: '', tokenFormNonce: nonce, ...(notice ? { notice: TOKEN_NOTICES[notice] } : {}) };
}
