/** A view model as JSON and back, for the floor to render a page captured from Portico (pages.ts). Imports nothing of Portico, so the floor stays bare. */

/** `locals` is encodeLocals' JSON, so the page can be written to a file and read back with its Dates. */
export type FloorPage = { view: string; locals: string; json?: undefined } | { json: unknown; view?: undefined; locals?: undefined };

/** The helpers every Portico view receives as functions; the floor supplies its own (`current`, the header's aria-current, marks nothing there). */
export const VIEW_HELPERS = ['url', 'csrfToken', 'current'];

/**
 * JSON for a view model, keeping Dates (as {"$date": iso}) and Sets (as {"$set": [...]}). Anything JSON would silently
 * change (a Map, a class instance, an unknown function) makes the page not reproducible.
 */
export function encodeLocals(locals: Record<string, unknown>): string {
  const odd: string[] = [];
  const json = JSON.stringify(locals, function replacer(this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key];
    if (raw instanceof Date) return { $date: raw.toISOString() };
    if (raw instanceof Set) return { $set: [...(raw as Set<unknown>)] };
    if (typeof raw === 'function') {
      if (!(this === locals && VIEW_HELPERS.includes(key))) odd.push(key);
      return undefined;
    }
    if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
      const proto: unknown = Object.getPrototypeOf(raw);
      if (proto !== Object.prototype && proto !== null) odd.push(`${key} (${(raw as object).constructor?.name ?? 'object'})`);
    }
    return value;
  });
  if (odd.length) throw new Error(`view model not reproducible from JSON: ${odd.join(', ')}`);
  return json;
}

export function decodeLocals(json: string): Record<string, unknown> {
  return JSON.parse(json, (_key, value: unknown) => {
    if (value && typeof value === 'object' && '$date' in value && typeof (value as { $date: unknown }).$date === 'string') return new Date((value as { $date: string }).$date);
    if (value && typeof value === 'object' && '$set' in value && Array.isArray((value as { $set: unknown }).$set)) return new Set((value as { $set: unknown[] }).$set);
    return value;
  }) as Record<string, unknown>;
}
