/**
 * Reading settings (适老化) without an account or script: the links set a cookie and send the
 * reader back; every HTML page the Worker serves then carries the settings as classes on
 * <html>. Needs the built site (npm test builds it first).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { SELF } from 'cloudflare:test';
import { loadContent } from './helpers.ts';

// The town pages are rendered from D1: every test starts from the loaded plan.
beforeEach(() => loadContent());

const ORIGIN = 'http://localhost';
const get = (path: string, cookie?: string) => SELF.fetch(`${ORIGIN}${path}`, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0]!;
const htmlClass = async (res: Response) => (await res.text()).match(/<html[^>]*>/)![0];

describe('reading settings', () => {
  it('the large-text link sets a lasting cookie and sends the reader back to the page', async () => {
    const res = await get('/api/prefs?text=large&return=%2Ftowns%2Ffengmao%2Fprogress%2F');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/towns/fengmao/progress/');
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^reading=text-large;/);
    expect(setCookie).toMatch(/Max-Age=31536000/);
    expect(setCookie).toMatch(/Path=\//);
  });

  it('settings add up, and "normal" removes one', async () => {
    const both = await get('/api/prefs?contrast=high&return=/', 'reading=text-large');
    expect(cookieOf(both)).toBe('reading=text-large.contrast-high');
    const back = await get('/api/prefs?text=normal&return=/', 'reading=text-large.contrast-high');
    expect(cookieOf(back)).toBe('reading=contrast-high');
    const none = await get('/api/prefs?contrast=normal&return=/', 'reading=contrast-high');
    expect(none.headers.get('set-cookie')).toMatch(/^reading=; .*Max-Age=0/);
  });

  it('never redirects to another site', async () => {
    for (const r of ['//evil.example/', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
      const res = await get(`/api/prefs?text=large&return=${encodeURIComponent(r)}`);
      expect(res.headers.get('location'), r).toBe('/');
    }
  });

  it('refuses an unknown setting with a 400 naming the field', async () => {
    const res = await get('/api/prefs?text=huge');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { fields: { path: string }[] } };
    expect(body.error.fields.map((f) => f.path)).toContain('text');
  });

  it('pages carry the settings from the cookie as classes on <html>, on every page type', async () => {
    for (const path of ['/', '/towns/fengmao/', '/towns/fengmao/progress/', '/en/towns/fengmao/', '/compare/']) {
      const plain = await get(path);
      expect(plain.status, path).toBe(200);
      expect(await htmlClass(plain), path).not.toMatch(/class=/);
      const res = await get(path, 'other=1; reading=text-large.contrast-high');
      expect(res.status, path).toBe(200);
      expect(await htmlClass(res), path).toMatch(/class="text-large contrast-high"/);
      expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
      expect(res.headers.get('vary')).toMatch(/Cookie/i);
    }
  });

  it('unknown cookie values change nothing, and unknown pages still get the 404 page', async () => {
    expect(await htmlClass(await get('/', 'reading=<script>'))).not.toMatch(/class=/);
    const missing = await get('/towns/nowhere/', 'reading=text-large');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('页面不存在');
  });
});

describe('the console pages (/console/)', () => {
  it('get a strict CSP (no inline script but the hashed sign-in script, no WebAssembly), and are never indexed', async () => {
    for (const path of ['/console/', '/console/tasks/', '/console/activate/']) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      const csp = res.headers.get('content-security-policy')!;
      // Scripts from the site only, plus the console's inlined sign-in script by its hash (tests/worker/security-headers.test.ts checks which).
      expect(csp, path).toMatch(/script-src 'self'( 'sha256-[A-Za-z0-9+/]+=*')*;/);
      expect(csp, path).not.toMatch(/script-src[^;]*(unsafe-inline|unsafe-eval|wasm-unsafe-eval)/);
      expect(csp, path).toMatch(/connect-src 'self'/);
      expect(csp, path).toMatch(/frame-ancestors 'none'/);
      expect(res.headers.get('x-robots-tag'), path).toBe('noindex, nofollow');
      expect(await res.text(), path).toMatch(/<div id="console-app" data-screen=/);
    }
    // Public pages keep their own policy and stay indexable.
    expect((await get('/towns/fengmao/')).headers.get('x-robots-tag')).toBeNull();
  });
});

describe('revalidating a page after changing a setting', () => {
  it('answers the full page with the classes (never a 304 of the other copy, never an error)', async () => {
    for (const path of ['/towns/fengmao/progress/', '/console/tasks/']) {
      const first = await get(path);
      const etag = first.headers.get('etag');
      await first.text();
      expect(etag, path).toBeTruthy();
      const res = await SELF.fetch(`${ORIGIN}${path}`, { headers: { cookie: 'reading=text-large', 'if-none-match': etag! } });
      expect(res.status, path).toBe(200);
      expect(await htmlClass(res), path).toMatch(/class="text-large"/);
      // A prerendered page with settings has no validator; an on-demand page has one per setting.
      const tag = res.headers.get('etag');
      if (tag !== null) expect(tag, path).not.toBe(etag);
      else expect(path).toMatch(/^\/console\//);
      expect(res.headers.get('content-security-policy'), path).toMatch(/script-src 'self'/);
    }
  });
});
