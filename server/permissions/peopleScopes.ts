/**
 * Scopes over people and companies: whom a staff member may find, which companies they
 * serve, and principals by kind. The scopes over requests and other entities are in scopes.ts.
 */
import type { Knex } from 'knex';
import { isAdministrator, isStaff, STAFF_TYPES, type MaybeActor } from './actor';
import { EVERYTHING, NOTHING, visibleRequests, type Scope, type ScopeSettings } from './scopes';

/** Principals who are customers (requesters), for counts such as "N customers will lose access". */
export function customerPrincipals(alias = 'principals'): Scope {
  return (qb) => void qb.where(`${alias}.type`, 'requester');
}

/** Principals who are administrators (for the "at least one administrator" rule). */
export function administratorPrincipals(alias = 'principals'): Scope {
  return (qb) => void qb.where(`${alias}.type`, 'administrator');
}

/**
 * Companies a staff member serves: those with at least one request the actor sees
 * (administrators every company; customers none). The queue's company filter and the
 * dashboard sharing page's "add a company's customers" offer, and accept, only these.
 */
export function companiesServed(actor: MaybeActor, s: ScopeSettings, alias = 'companies'): Scope {
  if (!isStaff(actor)) return NOTHING;
  if (isAdministrator(actor)) return EVERYTHING;
  const requests = visibleRequests(actor, s, 'served');
  return (qb) =>
    void qb.whereExists(function servedRequest(this: Knex.QueryBuilder) {
      void this.select(this.client.raw('1')).from('requests as served').whereRaw('?? = ??', ['served.company_id', `${alias}.id`]).modify(requests);
    });
}

/**
 * Whom a staff member may find by typing part of a name or email (the dashboard sharing
 * picker): staff, and customers too for administrators, who manage every account anyway.
 * Anyone else reaches a customer only by their whole email address, so the customer base of
 * every company cannot be browsed a fragment at a time.
 */
export function peopleFoundByFragment(actor: MaybeActor, alias = 'principals'): Scope {
  if (!isStaff(actor)) return NOTHING;
  if (isAdministrator(actor)) return EVERYTHING;
  return staffPrincipals(alias);
}

/**
 * Whether a staff member is shown the email address of a person of this type where Portico
 * lists people (the dashboard sharing page): staff addresses to all staff, who find them by
 * any fragment anyway; a customer's only to administrators. Everyone else reaches a customer
 * by typing their whole address, and "add every customer of a company" must not hand them the
 * addresses of a company's whole customer base.
 */
export function seesEmailOf(actor: MaybeActor, principalType: string): boolean {
  if (!isStaff(actor)) return false;
  return isAdministrator(actor) || principalType !== 'requester';
}

/** Staff principals (the API's Users resource never lists customers). */
export function staffPrincipals(alias = 'principals'): Scope {
  // The staff types by name (not `<> 'requester'`), so an index on type can be used.
  return (qb) => void qb.whereIn(`${alias}.type`, STAFF_TYPES);
}
