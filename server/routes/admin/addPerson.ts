import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../app';
import { Invalid } from '../../errors';
import { PRINCIPAL_TYPES } from '../../permissions';
import { companiesServed } from '../../permissions/peopleScopes';
import { listRoles } from '../../repositories/people';
import { listCompanies } from '../../repositories/dashboards';
import { isEmailAddress } from '../../repositories/principals';
import { addPerson } from '../../commands/passwordLinks';
import { actorOf, publicBaseUrl, redirectTo, requestScopeSettings } from '../locals';
import { formProblem, idField, safeReadForm, typedValues } from '../forms';

/** An id chosen from a list, or nothing ('' or absent). */
const optionalChoice = (message: string) => z.preprocess((v) => (v === '' || v === undefined ? null : v), idField(message).nullable());

const newPersonForm = z.object({
  name: z.string().trim().min(1, 'Enter a name.').max(200, 'A name can have at most 200 characters.'),
  email: z.string().trim().max(320, 'Enter a valid email address.').refine(isEmailAddress, 'Enter a valid email address.'),
  type: z.enum(PRINCIPAL_TYPES, { message: 'Choose a type from the list.' }),
  company_id: optionalChoice('Choose a company from the list.'),
  default_role_id: optionalChoice('Choose a default role from the list.'),
});

const FIELDS = ['name', 'email', 'type', 'company_id', 'default_role_id'] as const;

/** GET /admin/users/new and POST /admin/users: an administrator adds a person, who is mailed an invitation. */
export function addPersonRoutes({ db, mailer, config }: AppDeps): Router {
  const router = Router();

  const companyChoices = async (req: Request) => companiesServed(actorOf(req), await requestScopeSettings(req, db));

  const renderForm = async (req: Request, res: Response, status: number, error: string | null, values: Record<string, string>) => {
    const [companies, roles] = await Promise.all([listCompanies(db, await companyChoices(req)), listRoles(db)]);
    res.status(status).render('admin/user-new', { title: 'Add a person', types: PRINCIPAL_TYPES, companies, roles, error, values });
  };

  router.get('/users/new', (req, res) => renderForm(req, res, 200, null, { type: 'user' }));

  router.post('/users', async (req, res) => {
    const typed = typedValues(req.body, ...FIELDS);
    const form = safeReadForm(newPersonForm, req.body);
    if (!form.success) return renderForm(req, res, 422, formProblem(form.error), typed);
    const { name, email, type, company_id: companyId, default_role_id: defaultRoleId } = form.data;
    let person;
    try {
      person = await addPerson(db, mailer, actorOf(req)!, { name, email, type, companyId, defaultRoleId }, await companyChoices(req), publicBaseUrl(req, config));
    } catch (err) {
      if (err instanceof Invalid) return renderForm(req, res, 422, err.message, typed);
      throw err;
    }
    redirectTo(res, `/admin/users/${person.id}?invited=1`);
  });

  return router;
}
