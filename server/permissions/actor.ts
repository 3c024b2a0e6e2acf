/** The kinds of people Portico knows (PRODUCT.md section 1). */
export const PRINCIPAL_TYPES = ['administrator', 'user', 'observer', 'contributor', 'requester'] as const;
export type PrincipalType = (typeof PRINCIPAL_TYPES)[number];

export const STAFF_TYPES = ['administrator', 'user', 'observer', 'contributor'] as const;
export type StaffType = (typeof STAFF_TYPES)[number];

/** Who is asking. `null` everywhere means "not signed in". */
export interface Actor {
  readonly id: number;
  readonly type: PrincipalType;
  readonly name: string;
  readonly email: string;
  readonly companyId: number | null;
  readonly defaultRoleId: number | null;
}

export type MaybeActor = Actor | null;

export type Realm = 'portal' | 'desk';

export function isPrincipalType(value: string): value is PrincipalType {
  return (PRINCIPAL_TYPES as readonly string[]).includes(value);
}

export function isStaff(actor: MaybeActor): actor is Actor & { type: StaffType } {
  return actor !== null && actor.type !== 'requester';
}

export function isRequester(actor: MaybeActor): actor is Actor & { type: 'requester' } {
  return actor !== null && actor.type === 'requester';
}

export function isAdministrator(actor: MaybeActor): boolean {
  return actor !== null && actor.type === 'administrator';
}

/** The one sign-in page a principal may use; the other realm answers "invalid email or password". */
export function realmOf(type: PrincipalType): Realm {
  return type === 'requester' ? 'portal' : 'desk';
}

/** Whether a stored principal type is a customer's, for labels in lists of people. */
export function toCustomerFlag(type: string): boolean {
  return type === 'requester';
}
