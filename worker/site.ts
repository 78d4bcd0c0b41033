/**
 * The public site as the Worker serves it.
 * - Pages and files that show the database (worker/domain/public-pages.ts) are rendered on
 *   demand by Astro from D1 and kept in the Worker's cache (`caches.default`) for at most
 *   PAGE_TTL seconds; every write that changes what readers see deletes the town's copies
 *   (worker/public-cache.ts), so the next request renders afresh. Browsers revalidate each time
 *   (`no-cache` + ETag → 304).
 * - The search pages (/search/, /en/search/) are rendered on demand for every request and never
 *   cached: the answer depends on the query string.
 * - Everything else (plan, group, comparison, console) is a prerendered file from Workers Static
 *   Assets.
 * Per-reader output is applied after the cache, never stored in it: the reading settings as
 * classes on <html> (HTMLRewriter, from the cookie), the ETag variant, and the security headers.
 */
import type { Env } from './env.ts';
import { prefsFromCookie } from './domain/prefs.ts';
import { isLivePath, isSearchPath, slashed } from './domain/public-pages.ts';
import { pageCacheKey, PAGE_TTL } from './public-cache.ts';
import { restoreInProgress } from './db/health.ts';
import { withHsts } from './transport.ts';
import EARLY_SIGNIN from '../site/islands/console/early.js?raw';

/** Scripts only from the site itself (the public pages have none; the console's are files). Styles are inlined by the build. */
export const SITE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/**
 * The console (/console/…): the same policy. Its scripts are bundled modules,
 * plus one inline script on /console/, the sign-in that works before the app arrives
 * (site/islands/console/early.js), allowed by its SHA-256 and nothing else inline.
 */
let consolePolicy: Promise<string> | undefined;
export async function consoleCsp(): Promise<string> {
  consolePolicy ??= crypto.subtle.digest('SHA-256', new TextEncoder().encode(EARLY_SIGNIN)).then((d) => {
    const hash = btoa(String.fromCharCode(...new Uint8Array(d)));
    return SITE_CSP.replace("script-src 'self'", `script-src 'self' 'sha256-${hash}'`);
  });
  return consolePolicy;
}

/** Renders an on-demand page (Astro's handler). */
export type Render = (request: Request) => Promise<Response>;

/** The hex SHA-256 of a body, shortened: the strong validator of a rendered page. */
async function digest(body: ArrayBuffer): Promise<string> {
  const h = new Uint8Array(await crypto.subtle.digest('SHA-256', body));
  return [...h.slice(0, 12)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A live page from the cache, or rendered and stored. Only complete 200 answers are stored. */
async function livePage(request: Request, env: Env, ctx: ExecutionContext, render: Render): Promise<Response> {
  const key = pageCacheKey(request.url);
  const cache = caches.default;
  // A query (a list's filter or page) is rendered afresh: a purge could not name every variant.
  const cacheable = !new URL(request.url).search;
  const hit = cacheable ? await cache.match(key) : undefined;
  if (hit) return hit;
  // A restore stopped midway (npm run import) leaves a half-filled database: show none of it.
  if (await restoreInProgress(env.DB)) {
    return new Response('<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>暂停服务</title><p>数据库正在恢复，暂停服务，请稍后再来。</p><p lang="en">The database is being restored; please come back later.</p></html>', {
      status: 503,
      headers: { 'content-type': 'text/html; charset=utf-8', 'Retry-After': '300', 'Cache-Control': 'no-store' },
    });
  }
  const res = await render(new Request(request.url, { method: 'GET', headers: { accept: request.headers.get('accept') ?? '*/*' } }));
  if (res.status !== 200) return res;
  const body = await res.arrayBuffer();
  const stored = new Response(body, { status: 200, headers: { 'content-type': res.headers.get('content-type') ?? 'text/html; charset=utf-8' } });
  stored.headers.set('ETag', `"${await digest(body)}"`);
  stored.headers.set('Cache-Control', `public, max-age=${PAGE_TTL}`);
  stored.headers.set('Last-Modified', new Date().toUTCString());
  if (cacheable) ctx.waitUntil(cache.put(key, stored.clone()));
  return stored;
}

export async function serveSite(request: Request, env: Env, ctx: ExecutionContext, render: Render): Promise<Response> {
  return withHsts(request.url, await sitePage(request, env, ctx, render));
}

async function sitePage(request: Request, env: Env, ctx: ExecutionContext, render: Render): Promise<Response> {
  const url = new URL(request.url);
  // Static Assets redirects prerendered pages to their slashed URL itself; on-demand pages would
  // otherwise answer under both URLs.
  const canonical = slashed(url.pathname);
  if (canonical && (isLivePath(canonical) || isSearchPath(canonical))) return Response.redirect(`${url.origin}${canonical}${url.search}`, 301);
  const classes = prefsFromCookie(request.headers.get('cookie'));
  const read = request.method === 'GET' || request.method === 'HEAD';
  const live = isLivePath(url.pathname) && read;
  const searching = isSearchPath(url.pathname) && read;
  let res: Response;
  if (live) {
    res = await livePage(request, env, ctx, render);
  } else if (searching) {
    res = await render(new Request(request.url, { method: 'GET', headers: { accept: request.headers.get('accept') ?? '*/*' } }));
  } else {
    // The asset's ETag is the same for every setting, so a revalidation (If-None-Match → 304) would
    // hand back a copy with other classes: with settings, ask for the full page and send no ETag.
    let asset = request;
    if (classes.length) {
      const headers = new Headers(request.headers);
      headers.delete('if-none-match');
      headers.delete('if-modified-since');
      asset = new Request(request, { headers });
    }
    res = await env.ASSETS.fetch(asset);
  }
  const isHtml = (res.headers.get('content-type') ?? '').includes('text/html');
  if (!isHtml && !live && !searching) return res;
  const page = isHtml && classes.length
    ? new HTMLRewriter()
        .on('html', {
          element(el) {
            el.setAttribute('class', [el.getAttribute('class'), ...classes].filter(Boolean).join(' '));
          },
        })
        .transform(res)
    : res;
  // A fresh Response: the one from the cache, the assets binding or the transform may have immutable headers.
  let out = new Response(page.body, page);
  if (live && out.status === 200) {
    // Each reading setting is its own variant of the page; browsers revalidate every time.
    const tag = out.headers.get('ETag');
    const etag = tag && classes.length ? tag.replace(/"$/, `-${classes.join('.')}"`) : tag;
    out.headers.delete('Cache-Control');
    out.headers.set('Cache-Control', 'no-cache');
    if (etag) {
      out.headers.set('ETag', etag);
      const match = request.headers.get('if-none-match');
      if (match && match.split(',').some((m) => m.trim().replace(/^W\//, '') === etag)) {
        out = new Response(null, { status: 304, headers: { ETag: etag, 'Cache-Control': 'no-cache' } });
      }
    }
  } else if (searching) {
    out.headers.set('Cache-Control', 'no-store');
  } else if (classes.length) {
    out.headers.delete('ETag');
  }
  const isConsole = url.pathname.startsWith('/console/');
  out.headers.set('Content-Security-Policy', isConsole ? await consoleCsp() : SITE_CSP);
  // The console is for signed-in staff: never indexed.
  if (isConsole) out.headers.set('X-Robots-Tag', 'noindex, nofollow');
  out.headers.set('X-Content-Type-Options', 'nosniff');
  out.headers.set('Referrer-Policy', 'strict-origin-when-cross-origin');
  out.headers.set('X-Frame-Options', 'DENY');
  // The same URL differs by the settings cookie: caches must keep them apart.
  if (isHtml) out.headers.append('Vary', 'Cookie');
  return out;
}
