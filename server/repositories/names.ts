/**
 * Company and project names are unique case-insensitively: `name_key` is the name as compared
 * (trimmed, lower-cased by JavaScript, so both engines compare alike), under a unique index
 * (migrations/20261204000000_name_keys.ts folds existing names the same way).
 */
export function nameKey(name: string): string {
  return name.trim().toLowerCase();
}
