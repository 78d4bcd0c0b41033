/**
 * HTTPS only, once a browser has seen the site over HTTPS: `Strict-Transport-Security` on every
 * https response the Worker gives (API, pages, redirects). Sent only over https, as RFC 6797 says
 * (a browser ignores it over http anyway); one year, subdomains included. Static files served
 * without the Worker get the same header from site/public/_headers.
 */
export const HSTS = 'max-age=31536000; includeSubDomains';

/** Sets Strict-Transport-Security on `res` when `url` is https; returns `res` (mutable headers) or a copy. */
export function withHsts(url: string, res: Response): Response {
  if (!url.startsWith('https:')) return res;
  try {
    res.headers.set('Strict-Transport-Security', HSTS);
    return res;
  } catch {
    // Immutable headers (a response straight from fetch, the cache or the assets binding).
    const copy = new Response(res.body, res);
    copy.headers.set('Strict-Transport-Security', HSTS);
    return copy;
  }
}
