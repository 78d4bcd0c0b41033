/**
 * The static site as the Worker serves it: files come from Workers Static Assets (dist/);
 * HTML pages get the reader's settings as classes on <html> (HTMLRewriter, from the cookie)
 * and a strict Content-Security-Policy (no inline script anywhere on the site).
 */
import type { Env } from './env.ts';
import { prefsFromCookie } from './domain/prefs.ts';

/** Scripts only from the site itself; pagefind's search needs WebAssembly on /search/. Styles are inlined by the build. */
export const SITE_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/** The console (/console/…): the same policy without WebAssembly; its one script is a bundled module. */
export const CONSOLE_CSP = SITE_CSP.replace(" 'wasm-unsafe-eval'", '');

export async function serveSite(request: Request, env: Env): Promise<Response> {
  const classes = prefsFromCookie(request.headers.get('cookie'));
  // The asset's ETag is the same for every setting, so a revalidation (If-None-Match → 304) would
  // hand back a copy with other classes: with settings, ask for the full page and send no ETag.
  let asset = request;
  if (classes.length) {
    const headers = new Headers(request.headers);
    headers.delete('if-none-match');
    headers.delete('if-modified-since');
    asset = new Request(request, { headers });
  }
  const res = await env.ASSETS.fetch(asset);
  if (!(res.headers.get('content-type') ?? '').includes('text/html')) return res;
  const page = classes.length
    ? new HTMLRewriter()
        .on('html', {
          element(el) {
            el.setAttribute('class', [el.getAttribute('class'), ...classes].filter(Boolean).join(' '));
          },
        })
        .transform(res)
    : res;
  // A fresh Response: the one from the assets binding (and its transform) may have immutable headers.
  const out = new Response(page.body, page);
  if (classes.length) out.headers.delete('ETag');
  const isConsole = new URL(request.url).pathname.startsWith('/console/');
  out.headers.set('Content-Security-Policy', isConsole ? CONSOLE_CSP : SITE_CSP);
  // The console is for signed-in staff: never indexed.
  if (isConsole) out.headers.set('X-Robots-Tag', 'noindex, nofollow');
  out.headers.set('X-Content-Type-Options', 'nosniff');
  out.headers.set('Referrer-Policy', 'strict-origin-when-cross-origin');
  out.headers.set('X-Frame-Options', 'DENY');
  // The same URL differs by the settings cookie: caches must keep them apart.
  out.headers.append('Vary', 'Cookie');
  return out;
}
