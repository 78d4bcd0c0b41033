/*
 * The console's service worker (scope /console/). Small and our own rather than Workbox: it needs
 * exactly three rules, must run under the console's strict CSP with no build plugin, and adds
 * nothing to the first visit's JavaScript (the page never imports it).
 *
 * - Install: precache the console shell — /console/ (which opens each role's first screen) and
 *   every console script — listed at build time by site/integrations/console-offline.mjs, which
 *   writes the list (and a version made from the files' hashes) into the copy of this file in the
 *   build output. A new build is a new version: a new cache, the old one deleted on activate.
 * - /_astro/* (fingerprinted, never change): from the cache, else the network (then kept).
 * - A console page: the kept copy at once (a slow network costs nothing), refreshed in the
 *   background; never kept: the network; no network: the /console/ shell. The reading settings
 *   (大字, 高对比度) live in <html class> from a cookie, so after a background refresh whose class
 *   differs, the page is told the new class (entry.tsx applies it).
 * The API is never cached here: its data is per account and lives in the page's localStorage.
 */
const MANIFEST = /*PRECACHE*/ { version: 'dev', urls: [] } /*END*/;
const CACHE = `dtt-console-${MANIFEST.version}`;
const SHELL = '/console/';

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(MANIFEST.urls)));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k.startsWith('dtt-console-') && k !== CACHE).map((k) => caches.delete(k)))));
});

const htmlClass = (html) => (/<html[^>]*\sclass="([^"]*)"/.exec(html) || [])[1] || '';

async function page(event) {
  const cache = await caches.open(CACHE);
  const url = new URL(event.request.url);
  const key = url.origin + url.pathname;
  const cached = await cache.match(key, { ignoreSearch: true, ignoreVary: true });
  const refresh = fetch(event.request).then(async (res) => {
    if (!res.ok || !(res.headers.get('content-type') || '').includes('text/html')) return res;
    const copy = res.clone();
    if (cached) {
      const [was, now] = await Promise.all([cached.clone().text(), copy.clone().text()]);
      if (htmlClass(was) !== htmlClass(now)) {
        const client = await self.clients.get(event.resultingClientId || event.clientId);
        client?.postMessage({ type: 'html-class', value: htmlClass(now) });
      }
    }
    await cache.put(key, copy);
    return res;
  });
  if (cached) {
    event.waitUntil(refresh.catch(() => undefined));
    return cached;
  }
  try {
    return await refresh;
  } catch {
    return (await cache.match(SHELL, { ignoreVary: true })) || Response.error();
  }
}

async function asset(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  const res = await fetch(request);
  if (res.ok) await cache.put(request, res.clone());
  return res;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate' && url.pathname.startsWith('/console/')) event.respondWith(page(event));
  else if (url.pathname.startsWith('/_astro/')) event.respondWith(asset(request));
});
