import { z } from 'zod';
import { nameKey } from '../../repositories/names';

export const NAME_MAX = 200;

/** A company's or project's name: trimmed, 1 to 200 characters (the columns' size). */
export function nameField(what: 'company' | 'project') {
  return z
    .string()
    .trim()
    .min(1, `Give the ${what} a name.`)
    .max(NAME_MAX, `A ${what} name can have at most ${NAME_MAX} characters.`)
    // The name as compared (lower-cased) must fit its column too: lower-casing can lengthen
    // a name ("İ" becomes two characters), which PostgreSQL refused with a 500.
    .refine((name) => nameKey(name).length <= NAME_MAX, `A ${what} name can have at most ${NAME_MAX} characters.`);
}
