import { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../app';
import { NotFound } from '../../errors';
import { createAccessToken, listAccessTokens, revokeAccessToken } from '../../repositories/accessTokens';
import { findPrincipalById } from '../../repositories/principals';
import { actorOf, idParam, redirectTo } from '../locals';

const tokenForm = z.object({ name: z.string().trim().min(1).max(100).catch('personal token') });

/** Personal access tokens for the REST API: created here, shown once, stored hashed, revocable. */
export function deskTokenRoutes({ db }: AppDeps): Router {
  const router = Router();

  router.post('/profile/tokens', async (req, res) => {
    const actor = actorOf(req)!;
    const { name } = tokenForm.parse(req.body ?? {});
    const { token } = await createAccessToken(db, actor.id, name);
    const person = (await findPrincipalById(db, actor.id))!;
    // Shown this once; only its hash is kept.
    res.status(201).render('desk/profile', {
      title: 'Your profile',
      person: { name: person.name, email: person.email },
      error: null,
      notice: 'Token created. Copy it now: it will not be shown again.',
      tokens: await listAccessTokens(db, actor.id),
      newToken: token,
    });
  });

  router.post('/profile/tokens/:id/delete', async (req, res) => {
    if (!(await revokeAccessToken(db, actorOf(req)!.id, idParam(req.params.id)))) throw new NotFound();
    redirectTo(res, '/desk/profile?saved=1');
  });

  return router;
}

export async function tokenSection(db: AppDeps['db'], principalId: number): Promise<Record<string, unknown>> {
  return { tokens: await listAccessTokens(db, principalId), newToken: null };
}
