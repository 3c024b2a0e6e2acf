import pino, { Logger } from 'pino';

export type { Logger };

/** Paths that must never reach a log line, whatever logs them. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
];

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
}

const SECRET_PARAM = /token|key|secret|password|csrf|code/i;

/**
 * Query-string values that are credentials (API tokens, share keys, reset tokens) are cut
 * out of logged URLs. Names are decoded first, so `%74oken=` or `access_token=` are caught.
 */
export function scrubUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(url.slice(q + 1));
  } catch {
    return `${url.slice(0, q)}?[unparsed]`;
  }
  const out: string[] = [];
  for (const [name, value] of params) out.push(`${encodeURIComponent(name)}=${SECRET_PARAM.test(name) ? '[redacted]' : encodeURIComponent(value)}`);
  return `${url.slice(0, q)}?${out.join('&')}`;
}
