// Password hashing with scrypt (node:crypto), in a self-describing string so the cost
// can be raised later without invalidating stored hashes: old ones still verify, and
// needsRehash tells the login to store the password again at today's cost.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** OWASP's recommendation for scrypt (N = 2^17, r = 8, p = 1): 128 MiB and about half a second per hash. */
export const SCRYPT_COST = { N: 131072, r: 8, p: 1 } as const;
const KEYLEN = 32;
/** The most a stored hash may ask for; a hash beyond it does not verify (it cannot be ours). */
const MAX_MEMORY = 256 * 1024 * 1024;
/** Hashes at once: each holds 128 MiB, and the thread pool serves file I/O too. */
const MAX_CONCURRENT = 2;

let running = 0;
const waiting: (() => void)[] = [];

async function scrypt(pw: string, salt: Buffer, len: number, opts: ScryptOptions): Promise<Buffer> {
  if (running >= MAX_CONCURRENT) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await new Promise<Buffer>((resolve, reject) =>
      scryptCb(pw, salt, len, { ...opts, maxmem: MAX_MEMORY }, (err, key) => (err ? reject(err) : resolve(key))));
  } finally {
    // The slot passes straight to the next waiter, or is freed.
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

const format = (cost: { N: number; r: number; p: number }, salt: Buffer, key: Buffer) =>
  `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return format(SCRYPT_COST, salt, await scrypt(password, salt, KEYLEN, SCRYPT_COST));
}

interface Parsed { N: number; r: number; p: number; salt: Buffer; key: Buffer }

function parse(stored: string): Parsed | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [, n, rr, pp, saltB64, keyB64] = parts as [string, string, string, string, string, string];
  const [N, r, p] = [Number(n), Number(rr), Number(pp)];
  if (![N, r, p].every((x) => Number.isSafeInteger(x) && x > 0)) return undefined;
  return { N, r, p, salt: Buffer.from(saltB64, 'base64'), key: Buffer.from(keyB64, 'base64') };
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const h = parse(stored);
  if (!h || h.key.length === 0) return false;
  const key = await scrypt(password, h.salt, h.key.length, { N: h.N, r: h.r, p: h.p }).catch(() => undefined);
  return key !== undefined && key.length === h.key.length && timingSafeEqual(key, h.key);
}

/** True when a stored hash was made at a lower cost than today's (or cannot be read). */
export function needsRehash(stored: string): boolean {
  const h = parse(stored);
  return !h || h.N < SCRYPT_COST.N || h.r < SCRYPT_COST.r || h.p < SCRYPT_COST.p;
}

/** A hash of nothing at today's cost: checked for unknown users, so that timing does not reveal which names exist. */
export const NO_USER_HASH = format(SCRYPT_COST, Buffer.alloc(16), Buffer.alloc(KEYLEN));

/** A random secret for sessions, tokens and one-time passwords. */
export function randomSecret(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/** A password for its user to type once and then replace: 96 random bits, 16 characters. */
export function oneTimePassword(): string {
  return randomSecret(12);
}
