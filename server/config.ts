import { z } from 'zod';

/** Why a value was refused, one line per variable, so a wrong deployment fails with a readable message. */
export class ConfigError extends Error {}

const boolish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

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
    TRUST_PROXY: boolish.default(false),
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
    if (env.NODE_ENV === 'production' && !env.PUBLIC_URL) {
      ctx.addIssue({ code: 'custom', path: ['PUBLIC_URL'], message: 'is required when NODE_ENV=production (the address in links of mails)' });
    }
  });

export type Config = Readonly<
  Omit<z.infer<typeof schema>, 'DATABASE_URL'> & {
    /** Either a postgres:// URL or `sqlite:<file>`; never undefined after loading. */
    DATABASE_URL: string;
  }
>;

export const DEFAULT_SQLITE_FILE = 'data/portico.sqlite';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(environment)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return Object.freeze({ ...parsed.data, DATABASE_URL: parsed.data.DATABASE_URL ?? `sqlite:${DEFAULT_SQLITE_FILE}` });
}
