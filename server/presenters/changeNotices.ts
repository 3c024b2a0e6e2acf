/**
 * What a page's query says the last change did (`?granted=<id>`, `?added=N`): read back as
 * numbers, and a grant only when the page's own list holds it, so a link cannot make a page
 * claim a grant that is not there.
 */

/** A whole number of up to ten digits from a query value, else null. */
export function wholeNumberParam(value: unknown): number | null {
  return typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : null;
}

/** The grant `?granted=` names, among the page's own grants; undefined for anything else. */
export function grantNamedIn<G extends { id: number }>(query: Record<string, unknown>, grants: readonly G[]): G | undefined {
  const id = wholeNumberParam(query.granted);
  return id === null ? undefined : grants.find((g) => g.id === id);
}

export const grantedQuery = (grantId: number) => `?granted=${grantId}`;
