/**
 * `next=` is honoured only when it is a path inside Portico: one leading slash, no scheme,
 * no protocol-relative `//` or `/\`, no control characters.
 */
export function safeNextPath(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2000) return null;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return null;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return null;
  try {
    const url = new URL(value, 'http://portico.invalid');
    if (url.host !== 'portico.invalid') return null;
    const out = url.pathname + url.search;
    // Dot segments normalise away ("/.//evil.test" becomes "//evil.test"): check the result too.
    if (out.startsWith('//') || out.includes('\\')) return null;
    return out;
  } catch {
    return null;
  }
}

/** The realm a path inside Portico belongs to (`/portal…`, `/desk…`, any letter case, as express routes them), or null. */
export function realmOfPath(path: string): 'portal' | 'desk' | null {
  const realm = /^\/(portal|desk)(\/|$)/i.exec(path)?.[1]?.toLowerCase();
  return realm === 'portal' || realm === 'desk' ? realm : null;
}
