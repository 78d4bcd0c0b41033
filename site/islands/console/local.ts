/**
 * What the console keeps in this browser between screens and visits: the last answer of each GET
 * it repeats (the plan, my tasks, my submissions, public progress) with its ETag. A screen shows
 * the kept copy at once — on a 2-second round trip, or with no network at all — then asks the
 * server "changed since this ETag?" and gets either a bodiless 304 or the new copy.
 *
 * Per account for private data (`scope` = account id), shared for public data (`public`).
 * Signing out removes the account's copies; drafts and the outbox are kept (queue.ts).
 */
import { request } from './api.ts';

/** A kept answer: the body, its ETag, and when the server last confirmed it. */
export interface Kept<T> {
  data: T;
  etag: string | null;
  /** ISO time the server last answered (200 or 304). */
  at: string;
}

const PREFIX = 'dtt.console.cache.';
const keyOf = (scope: string, path: string) => `${PREFIX}${scope}.${path}`;

/** The kept copy of a GET, or null. */
export function kept<T>(scope: string, path: string): Kept<T> | null {
  try {
    return JSON.parse(localStorage.getItem(keyOf(scope, path)) ?? 'null') as Kept<T> | null;
  } catch {
    return null;
  }
}

function keep<T>(scope: string, path: string, k: Kept<T>): void {
  try {
    localStorage.setItem(keyOf(scope, path), JSON.stringify(k));
  } catch {
    // Storage full: the screen still works online, it just has nothing to show offline next time.
  }
}

/**
 * Asks the server for a GET, revalidating the kept copy. Resolves with the fresh (or confirmed)
 * copy; throws NetworkFailure / ApiFailure like `request` (the caller still has `kept()`).
 */
export async function revalidate<T>(scope: string, path: string): Promise<Kept<T>> {
  const old = kept<T>(scope, path);
  const res = await request(path, { anonymous: scope === 'public', headers: old?.etag ? { 'If-None-Match': old.etag } : {} });
  const at = new Date().toISOString();
  const k: Kept<T> = res.status === 304 && old ? { ...old, at } : { data: (await res.json()) as T, etag: res.headers.get('etag'), at };
  keep(scope, path, k);
  return k;
}

/** Forgets an account's kept answers (sign-out on a shared phone). */
export function forget(scope: string): void {
  for (const k of Object.keys(localStorage)) if (k.startsWith(`${PREFIX}${scope}.`)) localStorage.removeItem(k);
}
