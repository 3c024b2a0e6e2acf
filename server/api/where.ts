/**
 * The Targetprocess `where` filter language, as far as Portico supports it:
 *
 *   filter := condition ( "and" condition )*
 *   condition := field "eq" value
 *   field := name ( "." name )*
 *   value := number | "double-quoted" | 'single-quoted' | True | False   (case-insensitive)
 *
 * A tokenizer and a small recursive-descent parser; every error names the token at fault.
 */
export type WhereValue = number | string | boolean;

export interface Condition {
  field: string;
  value: WhereValue;
}

export class WhereError extends Error {}

type Token =
  | { kind: 'word'; text: string; at: number }
  | { kind: 'number'; value: number; text: string; at: number }
  | { kind: 'string'; value: string; text: string; at: number };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let value = '';
      while (j < input.length && input[j] !== c) {
        // A backslash escapes the next character (so a quote can appear inside a string).
        if (input[j] === '\\' && j + 1 < input.length) {
          value += input[j + 1];
          j += 2;
          continue;
        }
        value += input[j];
        j += 1;
      }
      if (j >= input.length) throw new WhereError(`Unterminated string starting at position ${i + 1}: ${input.slice(i)}`);
      tokens.push({ kind: 'string', value, text: input.slice(i, j + 1), at: i + 1 });
      i = j + 1;
      continue;
    }
    const number = /^-?\d+(\.\d+)?(?![\w.])/.exec(input.slice(i));
    if (number) {
      tokens.push({ kind: 'number', value: Number(number[0]), text: number[0], at: i + 1 });
      i += number[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*/.exec(input.slice(i));
    if (word) {
      tokens.push({ kind: 'word', text: word[0], at: i + 1 });
      i += word[0].length;
      continue;
    }
    throw new WhereError(`Unexpected character '${c}' at position ${i + 1}.`);
  }
  return tokens;
}

function describe(t: Token | undefined): string {
  return t ? `'${t.text}' at position ${t.at}` : 'the end of the filter';
}

/**
 * Parses a filter against the fields a resource allows (matched case-insensitively and
 * returned in their canonical spelling).
 */
export function parseWhere(input: string, fields: readonly string[]): Condition[] {
  if (input.length > 2000) throw new WhereError('The where filter is too long (at most 2000 characters).');
  const tokens = tokenize(input);
  if (tokens.length === 0) return [];
  const canonical = new Map(fields.map((f) => [f.toLowerCase(), f]));
  const conditions: Condition[] = [];
  let i = 0;
  for (;;) {
    const fieldToken = tokens[i];
    if (!fieldToken || fieldToken.kind !== 'word') throw new WhereError(`Expected a field name but found ${describe(fieldToken)}.`);
    const field = canonical.get(fieldToken.text.toLowerCase());
    if (!field) throw new WhereError(`Unknown field '${fieldToken.text}' at position ${fieldToken.at}. Known fields: ${fields.join(', ')}.`);
    const op = tokens[i + 1];
    if (!op || op.kind !== 'word' || op.text.toLowerCase() !== 'eq') {
      throw new WhereError(`Expected 'eq' after '${fieldToken.text}' but found ${describe(op)}; only 'eq' is supported.`);
    }
    const v = tokens[i + 2];
    let value: WhereValue;
    if (!v) throw new WhereError(`Expected a value after 'eq' at position ${op.at} but found the end of the filter.`);
    if (v.kind === 'number') value = v.value;
    else if (v.kind === 'string') value = v.value;
    else if (/^(true|false)$/i.test(v.text)) value = v.text.toLowerCase() === 'true';
    else throw new WhereError(`Expected a number, a quoted string, True or False but found ${describe(v)}.`);
    conditions.push({ field, value });
    const next = tokens[i + 3];
    if (!next) return conditions;
    if (next.kind !== 'word' || next.text.toLowerCase() !== 'and') throw new WhereError(`Expected 'and' or the end of the filter but found ${describe(next)}.`);
    i += 4;
    if (conditions.length > 20) throw new WhereError('At most 20 conditions are supported.');
  }
}

/** "True"/"False" strings (any case) and booleans as a boolean; anything else is null. */
export function asBoolean(value: WhereValue): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  return null;
}
