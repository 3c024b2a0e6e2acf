import { isRequester, type Actor } from '../actor';
import type { DirectMode } from '../facts';

/**
 * Why a person cannot hold a direct grant of this mode, or null. Customers never hold
 * one; observers are view-only whatever they are granted; disabled accounts get nothing.
 */
export function granteeProblem(grantee: Actor, disabled: boolean, mode: DirectMode): string | null {
  if (isRequester(grantee)) return 'Customers (requesters) cannot be given direct access.';
  if (disabled) return 'That account is disabled.';
  if (grantee.type === 'observer' && mode !== 'view') return 'Observers are view-only: they can only be given View.';
  return null;
}
