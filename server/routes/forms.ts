/**
 * Reading forms and query strings with zod, and the fields Portico's forms share. A form that
 * does not parse becomes an `Invalid` (422) with a sentence a person can act on: the schema's
 * own message where it gives one, otherwise one written here from the issue (zod's defaults,
 * "expected string, received array", are for developers).
 */
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { Invalid } from '../errors';

/** The largest id a table can hold (both engines' 32-bit integer columns). */
export const MAX_ID = 2 ** 31 - 1;

/**
 * The last value of a field sent more than once: a checkbox follows a hidden "false" of the
 * same name, so a ticked box arrives as `disabled=false&disabled=true`.
 */
export function lastValue(v: unknown): unknown {
  return Array.isArray(v) ? v[v.length - 1] : v;
}

/** A positive row id from a form or query field ("12"); anything else fails with `message`. */
export function idField(message = 'Choose one of the listed options.') {
  return z.coerce.number({ message }).int({ message }).positive({ message }).max(MAX_ID, { message });
}

/** A page number: out-of-range or malformed pages fall back to the first. */
export function pageField(max: number) {
  return z.coerce.number().int().min(1).max(max).catch(1);
}

function label(path: readonly PropertyKey[]): string {
  const name = String(path[0] ?? 'the form').replace(/_id$/, '').replace(/_/g, ' ');
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** What to tell a person about an issue the schema gave no message for. */
function sentenceFor(issue: z.core.$ZodRawIssue): string {
  const field = label(issue.path ?? []);
  switch (issue.code) {
    case 'invalid_type':
      if (Array.isArray(issue.input)) return `${field} was sent more than once; send the form again from the page.`;
      if (issue.input === undefined) return `${field} is missing.`;
      return `Check ${field.toLowerCase()}.`;
    case 'too_big':
      return issue.origin === 'string' ? `${field} can have at most ${Number(issue.maximum).toLocaleString('en')} characters.` : `Check ${field.toLowerCase()}.`;
    case 'too_small':
      return issue.origin === 'string' ? `${field} needs at least ${Number(issue.minimum).toLocaleString('en')} characters.` : `Check ${field.toLowerCase()}.`;
    case 'invalid_value':
      return `Choose one of the listed options for ${field.toLowerCase()}.`;
    default:
      return `Check ${field.toLowerCase()}.`;
  }
}

/** What to tell the person about a failed parse: its first problem. */
export function formProblem(error: z.ZodError): string {
  return error.issues[0]?.message ?? 'Check the form.';
}

/** Every field's first problem, by field name, for a form that marks each field it refuses. */
export function fieldProblems(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) fields[String(issue.path[0] ?? '')] ??= issue.message;
  return fields;
}

/** The Invalid to throw for a failed parse: the first problem as its message, one per field. */
export function invalidFrom(error: z.ZodError): Invalid {
  return new Invalid(formProblem(error), fieldProblems(error));
}

/** Parses `input` (a body or query, or nothing) or throws an Invalid a person can read. */
export function readForm<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = safeReadForm(schema, input);
  if (result.success) return result.data;
  throw invalidFrom(result.error);
}

/** safeParse with the sentences above for issues the schema left without a message. */
export function safeReadForm<T>(schema: z.ZodType<T>, input: unknown): z.ZodSafeParseResult<T> {
  return schema.safeParse(input ?? {}, { error: sentenceFor });
}

/** The token of an emailed link (sign-up, reset, set a password) as sent, or '' when it cannot be one. */
export function linkTokenOf(value: unknown): string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{20,100}$/.test(value) ? value : '';
}

/** What was typed into the named fields, to put back into a form shown again (never a password). */
export function typedValues(body: unknown, ...names: string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of names) {
    const v = (body as Record<string, unknown> | undefined)?.[name];
    values[name] = typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '';
  }
  return values;
}

/**
 * `value` with every NUL character (U+0000) removed from its strings, however deeply nested.
 * PostgreSQL cannot store NUL in text and SQLite would keep it invisibly, so it is taken out of
 * every query string and body before anything reads them: both engines then store the same text.
 */
export function withoutNul<T>(value: T): T {
  if (!hasNul(value)) return value;
  if (typeof value === 'string') return value.replace(/\0/g, '') as T;
  if (Array.isArray(value)) return value.map(withoutNul) as T;
  const out = {};
  // Own properties, as JSON.parse makes them: a "__proto__" key must not become the prototype.
  for (const [k, v] of Object.entries(value as object)) Object.defineProperty(out, withoutNul(k), { value: withoutNul(v), enumerable: true, writable: true, configurable: true });
  return out as T;
}

/** How deeply a body may nest arrays and objects: far past any form or API body Portico reads. */
export const MAX_BODY_DEPTH = 32;

/**
 * Whether `value` nests arrays or objects deeper than `max` levels, found without recursion
 * (a 10 kB body of 5,000 brackets must not overflow the stack of whatever walks it next).
 */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (!v || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Object.values(v)) if (child && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0');
  // Its values, not its length: a sparse array's holes are never walked.
  if (Array.isArray(value)) return Object.values(value).some(hasNul);
  if (value && typeof value === 'object') return Object.entries(value).some(([k, v]) => k.includes('\0') || hasNul(v));
  return false;
}

/** Middleware: the parsed body without NUL characters (see withoutNul). */
export const bodyWithoutNul: RequestHandler = (req, _res, next) => {
  if (req.body !== undefined) req.body = withoutNul(req.body);
  next();
};

/** A request's title, as customers submit it and staff correct it. */
export const requestTitleField = () => z.string().trim().min(3, 'The title needs at least 3 characters.').max(300, 'The title can have at most 300 characters.');

/** A staff comment's text: a reply or note on a request, a comment on a work item. */
export const staffCommentField = () => z.string().trim().min(1, 'Write something first.').max(20_000, 'At most 20,000 characters.');

/** A comment's text where files may come instead of it (empty allowed here; the route asks for one or the other: NOTHING_TO_SEND). */
export const commentTextField = () => z.string().trim().max(20_000, 'A comment can have at most 20,000 characters.').default('');
export const NOTHING_TO_SEND = 'Write something first, or attach a file.';
