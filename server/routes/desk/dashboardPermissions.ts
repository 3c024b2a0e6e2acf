import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../app';
import { Invalid, NotFound } from '../../errors';
import { customerAccessProblem, isRequester, LINK_STOP_TEXT, RESTRICTIONS, RESTRICTION_TEXT, shareLinkStop, toCustomerFlag } from '../../permissions';
import { loadDashboardTarget } from '../../repositories/accessFacts';
import { companiesServed, peopleFoundByFragment, seesEmailOf } from '../../permissions/peopleScopes';
import { previewIsComplete } from '../../permissions/scopes';
import { countRequesterGrants, findDashboard, listCompanies, listGrants, searchPeople, type GrantRow } from '../../repositories/dashboards';
import { findPrincipalByEmail, toActor } from '../../repositories/principals';
import { listWidgets } from '../../repositories/widgets';
import { presentWidgets } from '../../presenters/dashboards';
import { authorizeDashboard } from '../../commands/dashboards';
import { grantCompanyMembers, grantDashboardAccess, revokeDashboardGrant, setDashboardRestriction } from '../../commands/dashboardAccess';
import { createShareLink, revokeShareLink } from '../../commands/shareLinks';
import { listShareLinks } from '../../repositories/shareLinks';
import { actorOf, idParam, publicBaseUrl, redirectTo, requestScopeSettings, requestSettings } from '../locals';
import { formProblem, idField, readForm, safeReadForm, typedValues } from '../forms';
import { issueShareFormNonce, spendShareFormNonce } from '../formNonces';
import { expiresAtOf, LINK_ALREADY_NOTICE, LINK_REVOKED_NOTICE, SHARE_LINK_DAYS, shareLinkForm } from './shareLinkForm';
import { grantedQuery, grantNamedIn, wholeNumberParam } from '../../presenters/changeNotices';

const restrictionForm = z.object({ restriction: z.enum(RESTRICTIONS, { message: 'Choose one of the three access levels.' }), confirm: z.string().optional() });
const grantForm = z.object({
  email: z.string().trim().min(3, 'Enter the email of the person to add.').max(320),
  level: z.enum(['view', 'edit'], { message: 'Choose view or edit.' }),
});
const companyForm = z.object({ company_id: idField('Choose a company.') });
/** What the share-link section shows besides the list: the link just made (once), or why none was. */
interface ShareOutcome {
  newLinkUrl?: string;
  shareError?: string;
  shareValues?: Record<string, string>;
}

/**
 * What the last change did, from the page's query: `?added=N` (a company's customers),
 * `?granted=<grant id>` (named from the dashboard's own grants, so a link cannot make the page
 * claim a grant that does not exist), `?removed=1`, `?saved=1`; nothing for anything else.
 */
function changeNotice(query: Request['query'], grants: GrantRow[]): string | null {
  const added = wholeNumberParam(query.added);
  if (added !== null) {
    const already = wholeNumberParam(query.already);
    const had = already ? ` ${already.toLocaleString('en')} already had access.` : '';
    return `${added.toLocaleString('en')} customer${added === 1 ? '' : 's'} added.${had}`;
  }
  const grant = grantNamedIn(query, grants);
  if (grant) return `${grant.name} can now ${grant.level === 'edit' ? 'edit' : 'view'} this dashboard.`;
  if (query.removed === '1') return 'Access removed.';
  if (query.saved === '1') return 'Access level saved.';
  if (query.link_revoked === '1') return LINK_REVOKED_NOTICE;
  if (query.link_already === '1') return LINK_ALREADY_NOTICE;
  return null;
}

export function deskDashboardPermissionRoutes({ db, config }: AppDeps): Router {
  const router = Router();

  const render = async (req: Request, res: Response, status = 200, error: string | null = null, pending: string | null = null, values: Record<string, string> = {}, share: ShareOutcome = {}) => {
    const id = idParam(req.params.id);
    const actor = actorOf(req)!;
    await authorizeDashboard(db, actor, id, 'manage_grants');
    const served = companiesServed(actor, await requestScopeSettings(req, db));
    const settings = await requestSettings(req, db);
    const [dashboard, grants, customers, companies, links, widgets] = await Promise.all([
      findDashboard(db, id),
      listGrants(db, id),
      countRequesterGrants(db, id),
      listCompanies(db, served),
      listShareLinks(db, id, settings['portal.dashboards']),
      listWidgets(db, id),
    ]);
    const now = new Date();
    const shareLinks = links.map((l) => {
      const stop = shareLinkStop({ enabled: settings['share_links.enabled'], revoked: false, expiresAt: l.expiresAt, maker: l.maker, dashboard: l.dashboard }, now);
      return { id: l.id, label: l.label, makerName: l.makerName, createdAt: l.createdAt, expiresAt: l.expiresAt, lastUsedAt: l.lastUsedAt, state: stop ? LINK_STOP_TEXT[stop] : null };
    });
    const shareLinkNonce = issueShareFormNonce(req);
    res.status(status).render('desk/dashboard-permissions', {
      shareLinks,
      shareLinksEnabled: settings['share_links.enabled'],
      customerAccessOn: settings['portal.dashboards'],
      // Widgets scoped to the viewing customer's company have nothing to show on a link (no company).
      companyWidgets: widgets.filter((w) => w.dataScope === 'viewer_company').length,
      shareLinkDays: SHARE_LINK_DAYS,
      shareLinkNonce,
      newLinkUrl: share.newLinkUrl ?? null,
      shareError: share.shareError ?? null,
      shareValues: share.shareValues ?? {},
      now,
      title: `Access to ${dashboard!.name}`,
      dashboard: dashboard!,
      grants: grants.map((g) => ({ ...g, email: seesEmailOf(actor, g.principalType) ? g.email : null, customer: toCustomerFlag(g.principalType) })),
      customers,
      companies,
      restrictions: RESTRICTIONS,
      restrictionText: RESTRICTION_TEXT,
      error,
      pending,
      values,
      notice: changeNotice(req.query, grants),
    });
  };

  const change = (fn: (req: Request, id: number) => Promise<string | void>) => async (req: Request, res: Response) => {
    const id = idParam(req.params.id);
    let next: string | void;
    try {
      next = await fn(req, id);
    } catch (err) {
      if (err instanceof Invalid) return render(req, res, 422, err.message, null, typedValues(req.body, 'email', 'level'));
      throw err;
    }
    redirectTo(res, next || `/desk/dashboards/${id}/permissions`);
  };

  router.get('/dashboards/:id/permissions', (req, res) => render(req, res));

  router.post('/dashboards/:id/permissions', async (req, res) => {
    const id = idParam(req.params.id);
    const target = await authorizeDashboard(db, actorOf(req)!, id, 'manage_grants');
    const form = safeReadForm(restrictionForm, req.body);
    if (!form.success) return render(req, res, 422, formProblem(form.error));
    const { restriction, confirm } = form.data;
    // Switching to "Anyone can view and edit" silences every customer grant: say so first.
    if (restriction === 'open' && target.restriction !== 'open' && confirm !== 'yes') {
      const customers = await countRequesterGrants(db, id);
      if (customers > 0) return render(req, res, 200, null, restriction);
    }
    await setDashboardRestriction(db, actorOf(req)!, id, restriction);
    redirectTo(res, `/desk/dashboards/${id}/permissions?saved=1`);
  });

  router.post(
    '/dashboards/:id/grants',
    change(async (req, id) => {
      await authorizeDashboard(db, actorOf(req)!, id, 'manage_grants');
      const form = readForm(grantForm, req.body);
      const grantId = await grantDashboardAccess(db, actorOf(req)!, id, form.email, form.level);
      return `/desk/dashboards/${id}/permissions${grantedQuery(grantId)}`;
    }),
  );

  router.post(
    '/dashboards/:id/grants/company',
    change(async (req, id) => {
      await authorizeDashboard(db, actorOf(req)!, id, 'manage_grants');
      const { added, already } = await grantCompanyMembers(db, actorOf(req)!, id, readForm(companyForm, req.body).company_id, await requestScopeSettings(req, db));
      return `/desk/dashboards/${id}/permissions?added=${added}${already ? `&already=${already}` : ''}`;
    }),
  );

  router.post(
    '/dashboards/:id/grants/:grantId/delete',
    change(async (req, id) => {
      await revokeDashboardGrant(db, actorOf(req)!, id, idParam(req.params.grantId));
      return `/desk/dashboards/${id}/permissions?removed=1`;
    }),
  );

  router.post('/dashboards/:id/share-links', async (req, res) => {
    const id = idParam(req.params.id);
    const actor = actorOf(req)!;
    await authorizeDashboard(db, actor, id, 'manage_grants');
    // A reload of the answer that showed a new link makes no second one (as with API tokens).
    const nonce = typedValues(req.body, 'nonce').nonce;
    if (nonce && !spendShareFormNonce(req, nonce)) return redirectTo(res, `/desk/dashboards/${id}/permissions?link_already=1#share-links`);
    const shareValues = typedValues(req.body, 'label', 'expires_days');
    const form = safeReadForm(shareLinkForm, req.body);
    if (!form.success) return render(req, res, 422, null, null, {}, { shareError: formProblem(form.error), shareValues });
    try {
      const { key } = await createShareLink(db, actor, id, { label: form.data.label, expiresAt: expiresAtOf(form.data.expires_days) });
      // Shown this once, in this answer: only the key's digest is kept.
      await render(req, res, 201, null, null, {}, { newLinkUrl: `${publicBaseUrl(req, config)}/share/dashboard?key=${key}` });
    } catch (err) {
      if (err instanceof Invalid) return render(req, res, 422, null, null, {}, { shareError: err.message, shareValues });
      throw err;
    }
  });

  router.post('/dashboards/:id/share-links/:linkId/revoke', async (req, res) => {
    const id = idParam(req.params.id);
    await revokeShareLink(db, actorOf(req)!, id, idParam(req.params.linkId));
    redirectTo(res, `/desk/dashboards/${id}/permissions?link_revoked=1#share-links`);
  });

  router.get('/dashboards/:id/people', async (req, res) => {
    await authorizeDashboard(db, actorOf(req)!, idParam(req.params.id), 'manage_grants');
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 100) : '';
    const people = q.trim().length >= 2 ? await searchPeople(db, q, peopleFoundByFragment(actorOf(req))) : [];
    res.json(people.map((p) => ({ name: p.name, email: p.email, customer: toCustomerFlag(p.type) })));
  });

  router.get('/dashboards/:id/preview', async (req, res) => {
    const id = idParam(req.params.id);
    await authorizeDashboard(db, actorOf(req)!, id, 'manage_grants');
    const dashboard = (await findDashboard(db, id))!;
    // From the sharing page's list: a customer already added, named by their grant (its email may be hidden from the viewer).
    const grantId = wholeNumberParam(req.query.grant);
    const granted = grantId === null ? undefined : (await listGrants(db, id)).find((g) => g.id === grantId && toCustomerFlag(g.principalType));
    const email = granted ? granted.email : typeof req.query.customer === 'string' ? req.query.customer.trim().slice(0, 320) : '';
    let problem: string | null = null;
    let widgets = null;
    let customerName: string | null = null;
    let complete = false;
    if (email) {
      const person = await findPrincipalByEmail(db, email);
      const customer = person && !person.disabled ? toActor(person) : null;
      if (!customer || !isRequester(customer)) problem = 'No active customer has that email address.';
      else {
        customerName = customer.name;
        const settings = await requestScopeSettings(req, db);
        const asCustomer = await loadDashboardTarget(db, customer, id, settings);
        if (!asCustomer) throw new NotFound();
        problem = customerAccessProblem(customer, asCustomer);
        if (!problem) widgets = await presentWidgets(db, customer, await listWidgets(db, id), settings, actorOf(req));
        complete = previewIsComplete(actorOf(req), settings);
      }
    }
    // The form shows back only an address the viewer typed, never one the grant named.
    res.render('desk/dashboard-preview', { title: `Preview: ${dashboard.name}`, dashboard, email: granted ? '' : email, problem, widgets, customerName, complete });
  });

  return router;
}
