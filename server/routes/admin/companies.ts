import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../app';
import { Invalid, NotFound } from '../../errors';
import { findCompany, listCompanies, listCompanyCustomers } from '../../repositories/companies';
import { createCompany, renameCompany } from '../../commands/administerCompanies';
import { actorOf, idParam, redirectTo } from '../locals';
import { readForm, typedValues } from '../forms';
import { nameField } from './names';

const companyForm = z.object({ name: nameField('company') });

/** How many of a company's customers its page lists by name. */
const CUSTOMERS_SHOWN = 100;

/** Companies group customers (PRODUCT.md section 2): created and renamed here, joined on each person's page. */
export function companiesRoutes({ db }: AppDeps): Router {
  const router = Router();

  const renderList = async (req: Request, res: Response, status = 200, error: string | null = null, typed = '') => {
    res.status(status).render('admin/companies', { title: 'Companies', companies: await listCompanies(db), error, typed, saved: status === 200 && req.query.created === '1' });
  };

  const renderCompany = async (req: Request, res: Response, id: number, status = 200, error: string | null = null, typed: string | null = null) => {
    const company = await findCompany(db, id);
    if (!company) throw new NotFound();
    const customers = await listCompanyCustomers(db, id, CUSTOMERS_SHOWN + 1);
    res.status(status).render('admin/company', {
      title: company.name,
      company,
      customers: customers.slice(0, CUSTOMERS_SHOWN),
      more: customers.length > CUSTOMERS_SHOWN,
      error,
      typed: typed ?? company.name,
      saved: status === 200 && req.query.saved === '1',
    });
  };

  router.get('/companies', (req, res) => renderList(req, res));

  router.post('/companies', async (req, res) => {
    try {
      const { name } = readForm(companyForm, req.body);
      await createCompany(db, actorOf(req)!, name);
    } catch (err) {
      if (err instanceof Invalid) return renderList(req, res, 422, err.message, typedValues(req.body, 'name').name);
      throw err;
    }
    redirectTo(res, '/admin/companies?created=1');
  });

  router.get('/companies/:id', (req, res) => renderCompany(req, res, idParam(req.params.id)));

  router.post('/companies/:id', async (req, res) => {
    const id = idParam(req.params.id);
    try {
      const { name } = readForm(companyForm, req.body);
      await renameCompany(db, actorOf(req)!, id, name);
    } catch (err) {
      if (err instanceof Invalid) return renderCompany(req, res, id, 422, err.message, typedValues(req.body, 'name').name);
      throw err;
    }
    redirectTo(res, `/admin/companies/${id}?saved=1`);
  });

  return router;
}
