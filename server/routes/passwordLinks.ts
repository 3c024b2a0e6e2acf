import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../app';
import { Invalid } from '../errors';
import type { Realm } from '../permissions';
import { linkLimiters } from '../auth/loginLimiter';
import { passwordLinkIsLive, setPasswordFromLink } from '../commands/passwordLinks';
import { redirectTo } from './locals';
import { formProblem, linkTokenOf, safeReadForm, typedValues } from './forms';

const tokenForm = z.object({ token: z.string().max(200).default(''), password: z.string().max(4096).default('') });

const TITLE = 'Choose your password';
const DEAD_LINK = 'This link has expired or was already used. Ask an administrator for a new one.';

/**
 * GET/POST <realm>/password/set: the page of a link an administrator mailed (an invitation, or
 * "Send a link to set a password"), outside the area's sign-in gate, like the portal's reset page.
 * A link works only at its person's realm; once used, they sign in there (it signs nobody in).
 */
export function passwordLinkRoutes(deps: AppDeps, realm: Realm): Router {
  const { db, config } = deps;
  const router = Router();
  const view = `${realm}/password-set`;
  const render = (res: Response, status: number, token: string, error: string | null) => res.status(status).render(view, { title: TITLE, token, error });

  router.get('/password/set', async (req, res) => {
    const token = linkTokenOf(req.query.token);
    const live = token ? await passwordLinkIsLive(db, realm, token) : false;
    render(res, live ? 200 : 410, live ? token : '', live ? null : DEAD_LINK);
  });

  // Refusals counted per link and, more loosely, per address, as on the reset page.
  const limited = (_req: Request, res: Response) => render(res, 429, '', 'Too many attempts. Wait a few minutes and try again.');

  router.post('/password/set', ...linkLimiters(db, config, `password-set:${realm}`, limited), async (req, res) => {
    const parsed = safeReadForm(tokenForm, req.body);
    const token = linkTokenOf(typedValues(req.body, 'token').token);
    // A dead link says so whatever was typed, as the reset page does.
    if (!token || !(await passwordLinkIsLive(db, realm, token))) return render(res, 410, '', DEAD_LINK);
    if (!parsed.success) return render(res, 422, token, formProblem(parsed.error));
    try {
      if (await setPasswordFromLink(db, realm, token, parsed.data.password, config.SCRYPT_COST)) return redirectTo(res, `/${realm}/login?set=1`);
    } catch (err) {
      if (err instanceof Invalid) return render(res, 422, token, err.message);
      throw err;
    }
    render(res, 410, '', DEAD_LINK);
  });

  return router;
}
