import { z } from 'zod';

export const NAME_MAX = 200;

/** A company's or project's name: trimmed, 1 to 200 characters (the columns' size). */
export function nameField(what: 'company' | 'project') {
  return z
    .string()
    .trim()
    .min(1, `Give the ${what} a name.`)
    .max(NAME_MAX, `A ${what} name can have at most ${NAME_MAX} characters.`);
}
