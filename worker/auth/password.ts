/**
 * Passwords and tokens, with Web Crypto only (works in workerd and in Node ≥ 20, so the admin
 * CLI hashes exactly as the Worker does).
 *
 * Passwords: PBKDF2-SHA-256, 16-byte random salt, 32-byte derived key, PBKDF2_ITERATIONS rounds
 * (100,000: the most Cloudflare Workers allows in production; one derivation costs 13–19 ms
 * of CPU in workerd — see README, "Accounts and sign-in"). The iteration count is stored with
 * each hash so it can be raised later without invalidating existing passwords.
 *
 * Tokens (sessions, activation links): 32 random bytes as base64url; only their SHA-256 (hex)
 * is stored.
 */

/** PBKDF2 rounds for new passwords. Cloudflare Workers refuses more than 100,000 in production. */
export const PBKDF2_ITERATIONS = 100_000;
/** Stored hashes asking for more rounds than this are refused rather than derived (a DoS guard). */
export const PBKDF2_MAX_ITERATIONS = 100_000;
const SALT_BYTES = 16;
const KEY_BITS = 256;

/** What is stored for a password. */
export interface PasswordHash {
  /** base64url of the 32-byte derived key */
  hash: string;
  /** base64url of the 16-byte salt */
  salt: string;
  iterations: number;
}

/** Bytes → base64url without padding. */
export function base64url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** base64url (with or without padding) → bytes; throws on malformed input. */
export function fromBase64url(s: string): Uint8Array {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
}

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, KEY_BITS);
  return new Uint8Array(bits);
}

/** Hashes a password with a fresh random salt. */
export async function hashPassword(password: string, iterations = PBKDF2_ITERATIONS): Promise<PasswordHash> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  return { hash: base64url(await derive(password, salt, iterations)), salt: base64url(salt), iterations };
}

/** Compares two byte strings in time that depends only on their length. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/** True when `password` matches the stored hash. Malformed or out-of-range stored values never match. */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  if (!Number.isInteger(stored.iterations) || stored.iterations < 1 || stored.iterations > PBKDF2_MAX_ITERATIONS) return false;
  let salt: Uint8Array, expected: Uint8Array;
  try {
    salt = fromBase64url(stored.salt);
    expected = fromBase64url(stored.hash);
  } catch {
    return false;
  }
  return constantTimeEqual(await derive(password, salt, stored.iterations), expected);
}

/**
 * Spends the same work as verifying a password, for unknown usernames: the answer and the time it
 * takes are the same whether or not the account exists.
 */
export async function verifyNothing(password: string): Promise<false> {
  await derive(password, new Uint8Array(SALT_BYTES), PBKDF2_ITERATIONS);
  return false;
}

/** A new random token: 32 bytes (256 bits) as base64url (43 characters). */
export function randomToken(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** Hex SHA-256 of a token: what the database stores instead of the token. */
export async function sha256Hex(token: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
