import crypto from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(crypto.scrypt) as (
  password: crypto.BinaryLike,
  salt: crypto.BinaryLike,
  keylen: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;
const KEY_LENGTH = 32;
const BLOCK_SIZE = 8;

/** A short list of the passwords that are tried first; refusing them costs nothing. */
const COMMON = new Set([
  'password', 'password1', 'password123', '12345678', '123456789', '1234567890', 'qwertyuiop',
  'qwerty123', 'iloveyou', 'sunshine1', 'football', 'baseball', 'welcome1', 'admin123',
  'letmein1', 'abc12345', 'passw0rd', 'p@ssw0rd', '11111111', '00000000', 'changeme',
  'trustno1', 'superman', 'princess', 'dragon12', 'monkey12', 'portico1', 'portico123',
]);

/** Why a password is refused, or null. Lengths count characters, and nothing is ever truncated. */
export function passwordProblem(password: string): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN) return `Password must be at least ${PASSWORD_MIN} characters.`;
  if (length > PASSWORD_MAX) return `Password must be at most ${PASSWORD_MAX} characters.`;
  if (COMMON.has(password.toLowerCase())) return 'That password is too common; choose another.';
  return null;
}

/**
 * What an account without a password stores (someone added by an administrator, until they
 * use the emailed link): no password verifies against it, and sign-in treats it as an unknown
 * email (a dummy check, the same work), so it cannot be told from a wrong password either.
 */
export const NO_PASSWORD = '';

/** Whether a stored hash is a password at all (NO_PASSWORD, or anything but scrypt, is not). */
export function hasPassword(stored: string): boolean {
  return stored.startsWith('scrypt$');
}

/** Format: scrypt$N$r$p$salt$hash, so the cost can be raised later without breaking old hashes. */
export async function hashPassword(password: string, cost: number): Promise<string> {
  const salt = crypto.randomBytes(16);
  const key = await scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, {
    N: cost,
    r: BLOCK_SIZE,
    p: 1,
    maxmem: 256 * cost * BLOCK_SIZE,
  });
  return ['scrypt', cost, BLOCK_SIZE, 1, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltB64, keyB64] = parts as [string, string, string, string, string, string];
  const N = Number(n);
  const R = Number(r);
  const expected = Buffer.from(keyB64, 'base64');
  const key = await scrypt(password.normalize('NFKC'), Buffer.from(saltB64, 'base64'), expected.length, {
    N,
    r: R,
    p: Number(p),
    maxmem: 256 * N * R,
  });
  return key.length === expected.length && crypto.timingSafeEqual(key, expected);
}

/**
 * Spends the same time as a real check, so an unknown email cannot be told apart from a
 * wrong password by timing.
 */
export function makeDummyVerifier(cost: number): (password: string) => Promise<false> {
  const dummy = hashPassword(crypto.randomBytes(12).toString('hex'), cost);
  return async (password: string) => {
    await verifyPassword(password, await dummy);
    return false;
  };
}
