import { Router } from 'express';
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
    const form = safeReadForm(tokenForm, req.body);
    const person = (await findPrincipalById(db, actor.id))!;
    const page = async (status: number, extra: { notice: string | null; newToken: string | null; tokenError?: string; tokenName?: string }) =>
      res.status(status).render('desk/profile', {
        title: 'Your profile',
        person: { name: person.name, email: person.email },
        error: null,
        ...(await tokenSection(db, actor.id)),
        ...extra,
      });
    if (!form.success) return page(422, { notice: null, newToken: null, tokenError: form.error.issues[0]?.message ?? 'Give the token a shorter name.', tokenName: typedValues(req.body, 'name').name });
    const { token } = await issueAccessToken(db, actor.id, actor.id, form.data.name);
    // Shown this once; only its hash is kept.
    await page(201, { notice: 'Token created. Copy it now: it will not be shown again.', newToken: token });
  });

  router.post('/profile/tokens/:id/delete', async (req, res) => {
    if (!(await withdrawAccessToken(db, actorOf(req)!.id, idParam(req.params.id)))) throw new NotFound();
    redirectTo(res, '/desk/profile?saved=1');
  });

  return router;
}

export async function tokenSection(db: AppDeps['db'], principalId: number): Promise<Record<string, unknown>> {
  return { tokens: await listAccessTokens(db, principalId), newToken: null, tokenError: null, tokenName: '' };
}
