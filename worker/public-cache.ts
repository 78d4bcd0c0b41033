/**
 * The Worker's cache of on-demand public pages (`caches.default`, per data centre). A write that
 * changes what readers see calls purgeTown before it answers, so the writer's next request (and
 * every reader served by the same data centre) gets a fresh page; copies held by other data
 * centres expire after PAGE_TTL seconds. The key carries the build id, so a new deploy never
 * serves pages rendered by the previous one.
 */
import type { MiddlewareHandler } from 'hono';
import { listTownIds } from './db/supervision.ts';
import { listTownIndicators } from './db/public.ts';
import { markSummaryStale } from './db/summaries.ts';
import { townRegionIds } from './db/regions.ts';
import { regionPaths, townPublicPaths } from './domain/public-pages.ts';
import type { AppEnv } from './env.ts';

/** Seconds a rendered page may be served from the cache (the bound on staleness elsewhere). */
export const PAGE_TTL = 60;

declare const __BUILD_ID__: string | undefined;
/** Set at build time by astro.config.mjs (vite `define`); absent when the source runs unbundled. */
const BUILD = typeof __BUILD_ID__ === 'string' ? __BUILD_ID__ : 'source';

/** The cache key of a page: its origin and path (no query, no cookie) and the build. */
export function pageCacheKey(url: string): Request {
  const u = new URL(url);
  return new Request(`${u.origin}${u.pathname}?build=${BUILD}`, { method: 'GET' });
}

/**
 * Deletes the cached copies of every page and file that shows this town's data, and marks the
 * town's summary stale: the next list of towns that shows it recomputes it (worker/db/summaries.ts).
 */
export async function purgeTown(db: D1Database, origin: string, town: string): Promise<void> {
  const o = new URL(origin).origin;
  const [indicators, regions] = await Promise.all([listTownIndicators(db, town), townRegionIds(db, town)]);
  const paths = townPublicPaths(town, indicators, regions);
  await Promise.all([markSummaryStale(db, town), ...paths.map((p) => caches.default.delete(pageCacheKey(`${o}${p}`)))]);
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * After a successful write under /api/v1, purges the public pages of the town it concerns: the
 * caller's town, or for an admin (no town) the town in the path, else every town; for a region
 * supervisor, its region's pages and files. Writes that
 * change nothing public (a submission awaiting review, a draft) purge too: a needless re-render
 * is cheap, a missed purge is a stale public page.
 */
export const purgeAfterWrite: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  if (!WRITES.has(c.req.method) || c.res.status >= 300) return;
  const caller = c.get('caller');
  if (!caller) return;
  // A region supervisor writes only its region's bulletins: its region's pages and feed, no town's.
  if (caller.role === 'region_supervisor' && caller.region_id) {
    const o = new URL(c.req.url).origin;
    await Promise.all(regionPaths(caller.region_id).map((p) => caches.default.delete(pageCacheKey(`${o}${p}`))));
    return;
  }
  const inPath = /\/towns\/([^/]+)\//.exec(c.req.path)?.[1];
  const towns = caller.town_id ? [caller.town_id] : inPath ? [decodeURIComponent(inPath)] : await listTownIds(c.env.DB);
  await Promise.all(towns.map((t) => purgeTown(c.env.DB, c.req.url, t)));
};
