/**
 * What the console keeps in this browser between screens and visits: the last answer of each GET
 * it repeats (the plan, my tasks, my submissions, public progress) with its ETag. A screen shows
 * the kept copy at once — on a 2-second round trip, or with no network at all — then asks the
 * server "changed since this ETag?" and gets either a bodiless 304 or the new copy.
 *
 * Per account for private data (`scope` = account id), shared for public data (`public`).
 * Signing out removes the account's copies; drafts and the outbox are kept (queue.ts).
 *
 * A screen asking for what was asked ahead for it (by /console/'s sign-in script before the app
 * arrived, early.js, or right after signing in, `prefetch`) gets that answer instead of a second
 * round trip.
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

/** Keeps an answer that came another way (with a sign-in, `?include=`) as if the GET had answered it now. */
export function keepAnswer<T>(scope: string, path: string, data: T, etag: string | null): void {
  keep(scope, path, { data, etag, at: new Date().toISOString() });
}

function keep<T>(scope: string, path: string, k: Kept<T>): void {
  try {
    localStorage.setItem(keyOf(scope, path), JSON.stringify(k));
  } catch {
    // Storage full: the screen still works online, it just has nothing to show offline next time.
  }
}

/**
 * GETs started ahead of the screen that needs them: by /console/'s sign-in script before the app
 * arrived (early.js, `window.dttEarly`), or by `prefetch` here. Each settles once its answer is
 * kept, and is taken once, by the next `revalidate` of the same GET.
 */
interface Ahead {
  loads?: Record<string, { at: number; done: Promise<void> }>;
}
const ahead = (): Record<string, { at: number; done: Promise<void> }> => {
  const g = globalThis as { dttEarly?: Ahead };
  g.dttEarly ??= {};
  return (g.dttEarly.loads ??= {});
};

/** How old a GET started ahead may be and still count as the server's answer. */
const AHEAD_FRESH_MS = 60_000;

/** The GET of this path started ahead, if recent (taken once). */
function takeAhead(scope: string, path: string): Promise<void> | null {
  const loads = ahead();
  const key = `${scope} ${path}`;
  const e = loads[key];
  if (!e) return null;
  delete loads[key];
  return Date.now() - e.at < AHEAD_FRESH_MS ? e.done : null;
}

/** Starts a GET the next screen will ask for (its `revalidate` then waits for this answer instead of asking again). */
export function prefetch(scope: string, path: string): void {
  const key = `${scope} ${path}`;
  if (ahead()[key]) return;
  const done = revalidate(scope, path).then(() => undefined);
  done.catch(() => undefined);
  ahead()[key] = { at: Date.now(), done };
}

/**
 * Asks the server for a GET, revalidating the kept copy. Resolves with the fresh (or confirmed)
 * copy; throws NetworkFailure / ApiFailure like `request` (the caller still has `kept()`).
 */
export async function revalidate<T>(scope: string, path: string): Promise<Kept<T>> {
  const early = takeAhead(scope, path);
  if (early) {
    try {
      await early;
      const k = kept<T>(scope, path);
      if (k) return k;
    } catch {
      // It failed (no network, or refused): ask again, so the caller gets request()'s own failure.
    }
  }
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
