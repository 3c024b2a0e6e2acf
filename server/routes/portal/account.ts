import { Router, type Request, type Response, type NextFunction } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../app';
import { NotFound } from '../../errors';
import { readSetting } from '../../repositories/settings';
import { toActor } from '../../repositories/principals';
import { confirmSignup, requestPasswordReset, requestSignup, resetPassword, resetTokenIsLive, signupConfirmation, signupProblem } from '../../commands/accounts';
import { linkLimiters, loginLimiters } from '../../auth/loginLimiter';
import { Invalid } from '../../errors';
import { publicBaseUrl, redirectTo } from '../locals';
import { formProblem, linkTokenOf, safeReadForm, typedValues as typed } from '../forms';

const signupForm = z.object({ name: z.string().max(200).default(''), email: z.string().max(320).default(''), password: z.string().max(4096).default('') });
const emailForm = z.object({ email: z.string().trim().max(320).default('') });
const tokenForm = z.object({ token: z.string().max(200).default(''), password: z.string().max(4096).default('') });

const tokenOf = linkTokenOf;

/** The customer portal's public account pages: sign-up, confirmation, password reset. */
export function portalAccountRoutes(deps: AppDeps): Router {
  const { db, mailer, config } = deps;
  const router = Router();
  const limited = (view: string, title: string) => (_req: Request, res: Response) =>
    res.status(429).render(view, { title, error: 'Too many attempts. Wait a few minutes and try again.', values: {}, sent: false });

  const signupEnabled = async (_req: Request, _res: Response, next: NextFunction) => {
    if (!(await readSetting(db, 'portal.signup'))) return next(new NotFound());
    next();
  };

  router.get('/signup', signupEnabled, (_req, res) => res.render('portal/signup', { title: 'Sign up', error: null, values: {}, sent: false }));

  router.post('/signup', signupEnabled, ...loginLimiters(db, config, 'signup', limited('portal/signup', 'Sign up'), { countAll: true }), async (req, res) => {
    const parsed = safeReadForm(signupForm, req.body);
    const form = parsed.success ? parsed.data : null;
    const problem = form ? signupProblem(form) : parsed.error && formProblem(parsed.error);
    if (!form || problem) return res.status(422).render('portal/signup', { title: 'Sign up', error: problem, values: typed(req.body, 'name', 'email'), sent: false });
    // After the answer: a known address (mailed "you already have an account") and a new one
    // (a pending sign-up written, a link mailed) must not differ in how long the page takes.
    const base = publicBaseUrl(req, config);
    mailer.later(() => requestSignup(db, mailer, form, base, config.SCRYPT_COST));
    res.render('portal/signup', { title: 'Check your email', error: null, values: { email: form.email.trim() }, sent: true });
  });

  const deadLink = 'This link has expired or was already used. Sign up again to get a new one.';

  // With sign-up turned off, links already mailed stop working too (until it is turned on again).
  router.get('/signup/confirm', signupEnabled, async (req, res) => {
    const token = tokenOf(req.query.token);
    const how = token ? await signupConfirmation(db, token) : null;
    res.status(how ? 200 : 410).render('portal/signup-confirm', { title: 'Confirm your account', token: how ? token : '', how, error: how ? null : deadLink });
  });

  // Refusals counted per link and, more loosely, per address (linkLimiters).
  const tokenPage = (view: string, title: string) => (_req: Request, res: Response) =>
    res.status(429).render(view, { title, token: '', how: null, error: 'Too many attempts. Wait a few minutes and try again.' });

  router.post('/signup/confirm', signupEnabled, ...linkLimiters(db, config, 'signup', tokenPage('portal/signup-confirm', 'Confirm your account')), async (req, res, next) => {
    const parsed = safeReadForm(tokenForm, req.body);
    const token = tokenOf(typed(req.body, 'token').token);
    const refuse = async (error: string) => {
      const how = token ? await signupConfirmation(db, token) : null;
      res.status(how ? 422 : 410).render('portal/signup-confirm', { title: 'Confirm your account', token: how ? token : '', how, error: how ? error : deadLink });
    };
    if (!parsed.success) return refuse(formProblem(parsed.error));
    let person: Awaited<ReturnType<typeof confirmSignup>>;
    try {
      person = token ? await confirmSignup(db, token, parsed.data.password, config.SCRYPT_COST) : null;
    } catch (err) {
      if (err instanceof Invalid) return refuse(err.message);
      throw err;
    }
    if (!person) return res.status(410).render('portal/signup-confirm', { title: 'Confirm your account', token: '', how: null, error: deadLink });
    req.login(toActor(person), (err) => {
      if (err) return next(err);
      req.session.authenticatedAt = Date.now();
      req.session.save((saveErr) => (saveErr ? next(saveErr) : redirectTo(res, '/portal')));
    });
  });

  router.get('/password/forgot', (_req, res) => res.render('portal/password-forgot', { title: 'Forgot your password', error: null, values: {}, sent: false }));

  router.post('/password/forgot', ...loginLimiters(db, config, 'reset', limited('portal/password-forgot', 'Forgot your password'), { countAll: true }), async (req, res) => {
    const parsed = safeReadForm(emailForm, req.body);
    if (!parsed.success) return res.status(422).render('portal/password-forgot', { title: 'Forgot your password', error: formProblem(parsed.error), values: typed(req.body, 'email'), sent: false });
    const { email } = parsed.data;
    // After the answer: looking the address up, writing a token and a mail, or nothing, must
    // not show in how long the page takes.
    const base = publicBaseUrl(req, config);
    mailer.later(() => requestPasswordReset(db, mailer, email, base));
    res.render('portal/password-forgot', { title: 'Check your email', error: null, values: { email }, sent: true });
  });

  router.get('/password/reset', async (req, res) => {
    const token = tokenOf(req.query.token);
    const live = token ? await resetTokenIsLive(db, token) : false;
    res.status(live ? 200 : 410).render('portal/password-reset', { title: 'Choose a new password', token: live ? token : '', error: live ? null : 'This link has expired or was already used.' });
  });

  router.post('/password/reset', ...linkLimiters(db, config, 'reset', tokenPage('portal/password-reset', 'Choose a new password')), async (req, res) => {
    const parsed = safeReadForm(tokenForm, req.body);
    const token = tokenOf(typed(req.body, 'token').token);
    // A dead link says so whatever was typed (a new password for it would be lost anyway), as the sign-up link does.
    const expired = () => res.status(410).render('portal/password-reset', { title: 'Choose a new password', token: '', error: 'This link has expired or was already used.' });
    if (!parsed.success) {
      if (!token || !(await resetTokenIsLive(db, token))) return expired();
      return res.status(422).render('portal/password-reset', { title: 'Choose a new password', token, error: formProblem(parsed.error) });
    }
    try {
      if (token && (await resetPassword(db, token, parsed.data.password, config.SCRYPT_COST))) return redirectTo(res, '/portal/login?reset=1');
    } catch (err) {
      if (err instanceof Invalid) return res.status(422).render('portal/password-reset', { title: 'Choose a new password', token, error: err.message });
      throw err;
    }
    expired();
  });

  return router;
}
