import { isAdministrator, isRequester, isStaff, type MaybeActor } from '../actor';

/** The three areas of the product, each with its own gate. */
export type Area = 'portal' | 'desk' | 'admin';

export function canEnter(actor: MaybeActor, area: Area): boolean {
  switch (area) {
    case 'portal':
      return isRequester(actor);
    case 'desk':
      return isStaff(actor);
    case 'admin':
      return isAdministrator(actor);
  }
}
