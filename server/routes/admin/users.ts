import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../app';
import { Invalid, NotFound } from '../../errors';
import { PRINCIPAL_TYPES, STAFF_TYPES, isRequester } from '../../permissions';
import { findPrincipalById, toActor } from '../../repositories/principals';
import { listMemberships, listPeople, listProjects, listRoles } from '../../repositories/people';
import { changePrincipal, removeMembership, setMembership } from '../../commands/administerPeople';
import { sendPasswordLink } from '../../commands/passwordLinks';
import { hasPassword } from '../../auth/passwords';
import { moveCustomer } from '../../commands/administerCompanies';
import { companyChoices } from '../../repositories/companies';
import { visibleProjects } from '../../permissions/scopes';
import { actorOf, publicBaseUrl, redirectTo } from '../locals';
import { lastValue, typedValues } from '../forms';

const listQuery = z.object({
  q: z.string().trim().max(200).catch(''),
  type: z.enum(PRINCIPAL_TYPES).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});

const idParam = z.coerce.number().int().positive().max(2 ** 31 - 1);
const optionalId = z.union([z.literal('').transform(() => null), idParam]);

const personForm = z.object({
  type: z.enum(STAFF_TYPES).optional(),
  default_role_id: optionalId.optional(),
  // The page sends a hidden "false" and then the checkbox: a ticked box is both, the last wins.
  disabled: z.preprocess(lastValue, z.enum(['true', 'false', 'on'])).optional(),
});

const membershipForm = z.object({ project_id: idParam, role_id: idParam });

/** '' is "no company". */
const companyForm = z.object({ company_id: optionalId });

function parseId(value: unknown): number {
  const parsed = idParam.safeParse(value);
  if (!parsed.success) throw new NotFound();
  return parsed.data;
}

/** What the person's page says after a change, by the flag it was reached with. */
const NOTICES = {
  saved: () => 'Saved.',
  invited: (email: string) => `Added. An invitation to choose a password was mailed to ${email}.`,
  linksent: (email: string) => `A link to set a password was mailed to ${email}; any earlier link no longer works.`,
} as const;

export function usersRoutes({ db, mailer, config }: AppDeps): Router {
  const router = Router();

  router.get('/users', async (req, res) => {
    const q = listQuery.parse(req.query);
    const result = await listPeople(db, { q: q.q || undefined, type: q.type, page: q.page, pageSize: 50 });
    res.render('admin/users', { title: 'People', result, q: q.q, type: q.type ?? '', types: PRINCIPAL_TYPES });
  });

  /** What the refused form said, to show it again as chosen (fields the form did not send: as stored). */
  const typedChoices = (body: unknown): Record<string, string> => {
    const sent = (body ?? {}) as Record<string, unknown>;
    const names = ['type', 'default_role_id', 'project_id', 'role_id', 'company_id'].filter((n) => sent[n] !== undefined);
    const typed = typedValues(sent, ...names);
    const disabled = lastValue(sent.disabled);
    return typeof disabled === 'string' ? { ...typed, disabled } : typed;
  };

  const renderPerson = async (req: Request, res: Response, id: number, status = 200, error: string | null = null, typed: Record<string, string> = {}) => {
    const person = await findPrincipalById(db, id);
    if (!person) throw new NotFound();
    const customer = isRequester(toActor(person));
    const [roles, projects, memberships, companies] = await Promise.all([
      listRoles(db),
      listProjects(db, visibleProjects(actorOf(req))),
      listMemberships(db, id),
      customer ? companyChoices(db) : [],
    ]);
    res.status(status).render('admin/user', {
      title: person.name,
      person,
      customer,
      companies,
      staffTypes: STAFF_TYPES,
      roles,
      projects,
      memberships,
      error,
      typed,
      passwordSet: hasPassword(person.passwordHash),
      notice: status === 200 ? (Object.entries(NOTICES).find(([flag]) => typeof req.query[flag] === 'string')?.[1](person.email) ?? null) : null,
    });
  };

  /** Runs a change; a broken rule re-renders the page with its message and nothing written. */
  const change = (fn: (req: Request, id: number) => Promise<void>, done: keyof typeof NOTICES = 'saved') => async (req: Request, res: Response) => {
    const id = parseId(req.params.id);
    try {
      await fn(req, id);
    } catch (err) {
      if (err instanceof Invalid) return renderPerson(req, res, id, 422, err.message, typedChoices(req.body));
      throw err;
    }
    redirectTo(res, `/admin/users/${id}?${done}=1`);
  };

  router.get('/users/:id', async (req, res) => renderPerson(req, res, parseId(req.params.id)));

  router.post(
    '/users/:id',
    change(async (req, id) => {
      const form = personForm.safeParse(req.body ?? {});
      if (!form.success) throw new Invalid('Choose a user type and role from the lists.');
      await changePrincipal(db, actorOf(req)!, id, {
        type: form.data.type,
        defaultRoleId: form.data.default_role_id,
        disabled: form.data.disabled === undefined ? undefined : form.data.disabled !== 'false',
      });
    }),
  );

  router.post(
    '/users/:id/memberships',
    change(async (req, id) => {
      const form = membershipForm.safeParse(req.body ?? {});
      if (!form.success) throw new Invalid('Choose a project and a role.');
      await setMembership(db, actorOf(req)!, id, form.data.project_id, form.data.role_id);
    }),
  );

  router.post(
    '/users/:id/company',
    change(async (req, id) => {
      const form = companyForm.safeParse(req.body ?? {});
      if (!form.success) throw new Invalid('Choose a company from the list, or none.');
      await moveCustomer(db, actorOf(req)!, id, form.data.company_id);
    }),
  );

  router.post(
    '/users/:id/memberships/:projectId/delete',
    change(async (req, id) => {
      await removeMembership(db, actorOf(req)!, id, parseId(req.params.projectId));
    }),
  );

  router.post(
    '/users/:id/password-link',
    change(async (req, id) => {
      await sendPasswordLink(db, mailer, actorOf(req)!, id, publicBaseUrl(req, config));
    }, 'linksent'),
  );

  return router;
}
