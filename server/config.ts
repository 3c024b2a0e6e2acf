import { isIP } from 'node:net';
import { z } from 'zod';

/** Why a value was refused, one line per variable, so a wrong deployment fails with a readable message. */
export class ConfigError extends Error {}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** An address, a CIDR range or one of express's names for a range. */
function proxyAddress(entry: string): boolean {
  if (PROXY_NAMES.includes(entry)) return true;
  const [address, bits, extra] = entry.split('/');
  const family = isIP(address ?? '');
  if (!family || extra !== undefined) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

/**
 * Whose X-Forwarded-For/-Proto to believe (express's `trust proxy`): `false` (nobody, the
 * default); a number of proxies in front of Portico (the client's address is the one the
 * outermost of them saw); `true`, which means one; or a comma-separated list of the proxies'
 * addresses, CIDR ranges or `loopback`, `linklocal`, `uniquelocal`. Trusting every hop (express's
 * own `true`) would take the client's address from the left-most entry, which the client
 * writes itself, and let it pick a new address for every sign-in attempt.
 */
const trustProxy = z
  .string()
  .trim()
  .transform((v, ctx): false | number | string => {
    const lower = v.toLowerCase();
    if (['false', '0', 'no', 'off', ''].includes(lower)) return false;
    if (['true', 'yes', 'on'].includes(lower)) return 1;
    if (/^\d{1,2}$/.test(lower)) return Number(lower);
    const entries = lower.split(',').map((e) => e.trim());
    if (entries.every(proxyAddress)) return entries.join(',');
    ctx.addIssue({ code: 'custom', message: 'must be false, a number of proxies (true: 1), or a list of proxy addresses, CIDR ranges or loopback/linklocal/uniquelocal' });
    return z.NEVER;
  });

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATABASE_URL: z
      .string()
      .refine((v) => /^(postgres(ql)?:\/\/|sqlite:)/.test(v), 'must start with postgres://, postgresql:// or sqlite:')
      .optional(),
    SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    BASE_PATH: z
      .string()
      .default('/')
      .refine((v) => /^\/([A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*)?\/?$/.test(v), 'must be a local path such as / or /support')
      .transform((v) => (v === '/' ? '' : v.replace(/\/$/, ''))),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    TRUST_PROXY: trustProxy.default(false),
    SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).default(120),
    SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).default(12),
    LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
    LOGIN_RATE_WINDOW_MINUTES: z.coerce.number().int().min(1).default(15),
    SCRYPT_COST: z.coerce
      .number()
      .int()
      .refine((n) => n >= 2 && (n & (n - 1)) === 0, 'must be a power of two')
      .default(32768),
    SMTP_URL: z.string().url().optional(),
    MAIL_FROM: z.string().min(3).default('Portico <portico@localhost>'),
    PUBLIC_URL: z
      .string()
      .url()
      .refine((v) => /^https?:\/\//.test(v), 'must be an http(s) URL')
      .transform((v) => v.replace(/\/$/, ''))
      .optional(),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.SESSION_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['SESSION_SECRET'], message: 'is required when NODE_ENV=production' });
    }
  });

export type Config = Readonly<
  Omit<z.infer<typeof schema>, 'DATABASE_URL'> & {
    /** Either a postgres:// URL or `sqlite:<file>`; never undefined after loading. */
    DATABASE_URL: string;
  }
>;

export const DEFAULT_SQLITE_FILE = 'data/portico.sqlite';

/**
 * Reads the environment. A variable set to nothing (`PORT=`, as compose files write for an
 * unset `${PORT}`) counts as unset and gets its default, instead of `PORT=` meaning port 0
 * (a free port of the system's choosing) or a puzzling refusal.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = schema.safeParse(given);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(environment)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return Object.freeze({ ...parsed.data, DATABASE_URL: parsed.data.DATABASE_URL ?? `sqlite:${DEFAULT_SQLITE_FILE}` });
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]']);

/**
 * Where links point without PUBLIC_URL: HOST:PORT, an IPv6 address in brackets, and a
 * wildcard bind address (0.0.0.0, ::), which is no place to browse to, as localhost.
 */
export function fallbackBaseUrl(config: Pick<Config, 'HOST' | 'PORT' | 'BASE_PATH'>): string {
  const host = WILDCARD_HOSTS.has(config.HOST) ? 'localhost' : isIP(config.HOST) === 6 ? `[${config.HOST}]` : config.HOST;
  return `http://${host}:${config.PORT}${config.BASE_PATH}`;
}

/**
 * What an operator should hear about at start-up, though Portico runs: without PUBLIC_URL in
 * production, or anywhere while listening on every address, links in mail and the API's Next
 * point at fallbackBaseUrl (PRODUCT.md section 10 requires only SESSION_SECRET; links are never
 * taken from a request's Host header).
 */
export function configWarnings(config: Config): string[] {
  const out: string[] = [];
  if (!config.PUBLIC_URL && (config.NODE_ENV === 'production' || WILDCARD_HOSTS.has(config.HOST))) {
    out.push(`PUBLIC_URL is not set: links in mail and the API's Next point at ${fallbackBaseUrl(config)}; set it to the address people use, e.g. https://support.example.com`);
  }
  return out;
}
