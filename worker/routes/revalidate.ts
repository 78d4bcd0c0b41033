/**
 * Revalidation for the GETs the console repeats on every screen (the plan, my tasks, my
 * submissions): the answer carries an ETag (a digest of the body, hono's etag middleware), the
 * client sends it back as If-None-Match and gets a bodiless 304 when nothing changed. On a rural
 * network that turns a 25 KB plan into one round trip with no payload. `no-cache` means "store,
 * but ask before reuse", so a browser never shows a stale plan without asking.
 */
import type { MiddlewareHandler } from 'hono';
import { etag } from 'hono/etag';

const digest = etag();

/** Marks the revalidating middleware, so `contract()` documents the 304 it can answer. */
export const REVALIDATES = Symbol('revalidates');

/** `scope` public: the same for everyone (the plan); private: per account (my tasks), never in a shared cache. */
export const revalidate = (scope: 'public' | 'private'): MiddlewareHandler => {
  const m: MiddlewareHandler = (c, next) =>
    digest(c, async () => {
      await next();
      if (c.res.status !== 200) return;
      c.header('Cache-Control', `${scope}, no-cache`);
      if (scope === 'private') c.header('Vary', 'Authorization');
    });
  return Object.assign(m, { [REVALIDATES]: true });
};

/**
 * The ETag of a JSON answer, set by the route itself (so etag() keeps it): a SHA-1 of the JSON
 * text, as etag() would compute it. Used where the same answer is also handed out elsewhere with
 * its ETag (GET /me/tasks, included in a sign-in that asks for it), so both give the same tag.
 */
export async function jsonEtag(body: unknown): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-1', new TextEncoder().encode(JSON.stringify(body))));
  return `"${[...d].map((b) => b.toString(16).padStart(2, '0')).join('')}"`;
}
