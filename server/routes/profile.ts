import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../app';
import { Invalid } from '../errors';
import { changeOwnName, changeOwnPassword } from '../commands/accounts';
import { findPrincipalById } from '../repositories/principals';
import { emailNotificationsOn, setEmailNotifications } from '../repositories/emailPreferences';
import { actorOf, redirectTo } from './locals';
import { passwordChangeLimiter } from '../auth/loginLimiter';
import { readForm, typedValues } from './forms';

const nameForm = z.object({ name: z.string().max(200).default('') });
/** The email form's one checkbox: ticked sends `on` (or `true`), unticked sends nothing. */
const emailForm = z.object({ email_notifications: z.enum(['on', 'true', 'false'], { message: 'Tick the box or leave it empty.' }).optional() });
const passwordForm = z.object({ current_password: z.string().max(4096).default(''), password: z.string().max(4096).default('') });

/**
 * GET/POST <realm>/profile, POST <realm>/profile/email and POST <realm>/profile/password, for customers and staff
 * alike; `extra` lets the desk add its token section to the same page.
 */
export function profileRoutes(deps: AppDeps, realm: 'portal' | 'desk', extra: (req: Request) => Promise<Record<string, unknown>> = async () => ({})): Router {
  const { db, config } = deps;
  const router = Router();
  const view = `${realm}/profile`;

  const render = async (req: Request, res: Response, status = 200, error: string | null = null, notice: string | null = null, typedName?: string) => {
    const [person, emailOn] = await Promise.all([findPrincipalById(db, actorOf(req)!.id), emailNotificationsOn(db, actorOf(req)!.id)]);
    res.status(status).render(view, { title: 'Your profile', person: { name: typedName ?? person!.name, email: person!.email, emailOn }, error, notice, ...(await extra(req)) });
  };

  router.get('/profile', (req, res) => render(req, res, 200, null, typeof req.query.saved === 'string' ? 'Saved.' : null));

  router.post('/profile', async (req, res) => {
    try {
      await changeOwnName(db, actorOf(req)!, readForm(nameForm, req.body).name);
    } catch (err) {
      if (err instanceof Invalid) return render(req, res, 422, err.message, null, typedValues(req.body, 'name').name);
      throw err;
    }
    redirectTo(res, `/${realm}/profile?saved=1`);
  });

  router.post('/profile/email', async (req, res) => {
    try {
      const { email_notifications: choice } = readForm(emailForm, req.body);
      await setEmailNotifications(db, actorOf(req)!.id, choice === 'on' || choice === 'true');
    } catch (err) {
      if (err instanceof Invalid) return render(req, res, 422, err.message);
      throw err;
    }
    redirectTo(res, `/${realm}/profile?saved=1`);
  });

  const tooMany = (req: Request, res: Response) => void render(req, res, 429, 'Too many wrong passwords. Wait a few minutes and try again.').catch(() => res.status(429).end());

  router.post('/profile/password', passwordChangeLimiter(db, config, tooMany), async (req, res, next) => {
    let cutOff: number;
    try {
      const form = readForm(passwordForm, req.body);
      cutOff = await changeOwnPassword(db, actorOf(req)!, form.current_password, form.password, config.SCRYPT_COST);
    } catch (err) {
      if (err instanceof Invalid) return render(req, res, 422, err.message);
      throw err;
    }
    // Other sessions end; this one stays signed in, under a new session id (as at sign-in), so
    // whoever may have copied the old cookie is signed out with the others.
    req.login(actorOf(req)!, (loginErr) => {
      if (loginErr) return next(loginErr);
      req.session.authenticatedAt = cutOff;
      req.session.save((saveErr) => (saveErr ? next(saveErr) : redirectTo(res, `/${realm}/profile?saved=1`)));
    });
  });

  return router;
}
