import { isRequester, type Actor } from '../actor';
import { rankOf, type DirectMode } from '../facts';

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

/**
 * Why `granter` cannot give (or change) this grant, or null: the grantee's own rules, and
 * nobody grants themselves. A creator manages access to their entity, but a grant to
 * themselves would lift them past what their project role allows (a comment-only creator
 * editing by their own say-so); the grant holders' "up to its own mode" rule, which a
 * self-grant could only repeat, stays as it is.
 */
export function grantProblem(granter: Actor, grantee: Actor, disabled: boolean, mode: DirectMode): string | null {
  if (granter.id === grantee.id) return 'You cannot give yourself direct access; another manager of this entity or an administrator can.';
  return granteeProblem(grantee, disabled, mode);
}

/**
 * Why `granter` cannot change an existing grant from `current` to `mode`, or null. The rules
 * of a new grant apply, except that a disabled account's grant may still be narrowed: taking
 * access away is never a reason to refuse (its holder gets nothing while disabled anyway, and
 * keeps the narrower grant if enabled again).
 */
export function grantChangeProblem(granter: Actor, grantee: Actor, disabled: boolean, current: DirectMode, mode: DirectMode): string | null {
  return grantProblem(granter, grantee, disabled && rankOf(mode) >= rankOf(current), mode);
}
