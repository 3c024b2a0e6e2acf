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

/** Query-string values that are credentials (share links, API tokens) are cut out of logged URLs. */
export function scrubUrl(url: string): string {
  return url.replace(/([?&](?:token|key|_csrf|secret)=)[^&#]*/gi, '$1[redacted]');
}
