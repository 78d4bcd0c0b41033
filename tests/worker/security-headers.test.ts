/**
 * Security headers on every response the Worker and its static assets give, cookies, and the
 * reading-settings redirect. Routes come from the app's own route table and files from the built
 * site (dist/, listed on the host by tests/vitest.config.ts), so a new route or page is covered
 * without editing this file. Needs the built site (npm test builds it first).
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { env, SELF } from 'cloudflare:test';
import { app } from '../../worker/app.ts';
import { consoleCsp, SITE_CSP } from '../../worker/site.ts';
import { townPublicPaths } from '../../worker/domain/public-pages.ts';
import { loadContent } from './helpers.ts';
import { createAccount, signIn } from './auth-helpers.ts';

const ORIGIN = 'http://localhost';

/** The headers every response must carry, HTML or JSON, page or file. */
function expectSecurityHeaders(res: Response, what: string) {
  expect(res.headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(res.headers.get('referrer-policy'), what).toBe('strict-origin-when-cross-origin');
  expect(res.headers.get('x-frame-options'), what).toBe('DENY');
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp, what).toMatch(/frame-ancestors 'none'/);
  expect(csp, what).toMatch(/object-src 'none'|default-src 'none'/);
  // No inline script is ever allowed: no 'unsafe-inline' (nor 'unsafe-eval') for scripts.
  const script = /(?:^|;)\s*script-src ([^;]*)/.exec(csp)?.[1] ?? /(?:^|;)\s*default-src ([^;]*)/.exec(csp)?.[1] ?? '';
  expect(script, what).not.toMatch(/'unsafe-inline'|'unsafe-eval'|\*/);
  // Sessions are Bearer tokens: nothing but the reading-settings cookie is ever set.
  for (const c of res.headers.getSetCookie()) expect(c, what).toMatch(/^reading=/);
}

/** A request path for a route template: its parameters filled with plausible values. */
const fill = (path: string) => path.replace(':town', 'fengmao').replace(':task', 'fengmao:no-such-task').replace(/:(\w+)/g, 'no-such-$1');

const tally = { responses: 0, inline: 0 };

describe('security headers', () => {
  it('on every API route, for an anonymous and a signed-in caller, whatever the answer', async () => {
    await loadContent();
    const token = await signIn('office');
    const routes = [...new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`))];
    expect(routes.length).toBeGreaterThan(30);
    const statuses = new Set<number>();
    for (const route of routes) {
      const [method, path] = route.split(' ') as [string, string];
      for (const auth of [null, token]) {
        const res = await SELF.fetch(`${ORIGIN}${fill(path)}`, {
          method,
          redirect: 'manual',
          headers: { ...(auth ? { authorization: `Bearer ${auth}` } : {}), ...(method !== 'GET' ? { 'content-type': 'application/json', 'idempotency-key': `headers-${crypto.randomUUID()}` } : {}) },
          body: method !== 'GET' ? '{}' : undefined,
        });
        await res.arrayBuffer();
        statuses.add(res.status);
        expectSecurityHeaders(res, `${route} (${auth ? 'signed in' : 'anonymous'}) → ${res.status}`);
        tally.responses++;
      }
    }
    // The sweep saw successes and refusals alike.
    for (const s of [200, 303, 400, 401, 404]) expect(statuses).toContain(s);
    // And an unknown API path, and a login's answer.
    const missing = await SELF.fetch(`${ORIGIN}/api/v1/no-such-thing`);
    expect(missing.status).toBe(404);
    expectSecurityHeaders(missing, 'unknown API path');
  });

  it('on every page and file of the built site, prerendered or rendered on demand from D1; pages carry the site CSP and no inline script but the console sign-in its CSP names by hash', async () => {
    await loadContent();
    const paths = env.TEST_ASSET_PATHS;
    expect(paths.length, 'the site must be built first (npm run build)').toBeGreaterThan(20);
    for (const p of [...new Set([...paths, ...townPublicPaths('fengmao')])].concat('/no-such-page/', '/no-such-file.js', '/towns/no-such-town/')) {
      const res = await SELF.fetch(`${ORIGIN}${p}`, { headers: { 'sec-fetch-mode': p.endsWith('/') ? 'navigate' : 'no-cors' } });
      const body = await res.text();
      expect(res.status, p).toBe(p.includes('no-such') ? 404 : 200);
      expectSecurityHeaders(res, p);
      tally.responses++;
      if ((res.headers.get('content-type') ?? '').includes('text/html')) {
        // The console's policy is the site's without WebAssembly, plus the hash of its one inline script (docs/console.md).
        const csp = res.headers.get('content-security-policy')!;
        expect(csp, p).toBe(p.startsWith('/console/') ? await consoleCsp() : SITE_CSP);
        // Every <script> has a src and no body, except /console/'s sign-in, which the CSP allows by its SHA-256.
        for (const tag of body.match(/<script\b[^>]*>[\s\S]*?<\/script>/gi) ?? []) {
          const inline = /^<script>([\s\S]+)<\/script>$/.exec(tag)?.[1];
          if (p === '/console/' && inline) {
            const hash = btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(inline)))));
            expect(csp, p).toContain(`script-src 'self' 'sha256-${hash}';`);
            tally.inline++;
          } else expect(tag, p).toMatch(/^<script\b[^>]*\bsrc="\/[^"]*"[^>]*><\/script>$/);
        }
        expect(body, p).not.toMatch(/\son[a-z]+\s*=/i);
      }
    }
    expect(tally.inline, 'the sign-in script inlined into /console/').toBe(1);
  });
});

describe('cookies', () => {
  it('signing in sets no cookie: the session is the Bearer token in the answer', async () => {
    await loadContent();
    const a = await createAccount('reporter', 'weijiban');
    const res = await SELF.fetch(`${ORIGIN}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: a.username, password: a.password }) });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(((await res.json()) as { token: string }).token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
  });

  it('the reading-settings cookie is SameSite=Lax, HttpOnly, Path=/, a year long, and Secure over https', async () => {
    const plain = (await SELF.fetch(`${ORIGIN}/api/prefs?text=large&return=/`, { redirect: 'manual' })).headers.getSetCookie();
    expect(plain).toHaveLength(1);
    expect(plain[0]).toMatch(/^reading=text-large; /);
    for (const attr of ['Path=/', 'SameSite=Lax', 'HttpOnly', 'Max-Age=31536000']) expect(plain[0]).toContain(attr);
    expect(plain[0]).not.toContain('Secure');
    const https = (await SELF.fetch('https://town.example/api/prefs?contrast=high&return=/', { redirect: 'manual' })).headers.getSetCookie();
    expect(https[0]).toMatch(/; Secure$|; Secure;/);
  });
});

describe('the reading-settings redirect never leaves the site', () => {
  const pieces = ['/', '\\', '\t', '\n', '\r', ' ', '%2f', '%5c', '%09', 'evil.example', ':', '@', '.', '..', '?', '#', 'javascript:', 'https:', '%00', '\u3000', '／'];
  it('for any return value (fast-check, 400 values), the Location resolves to this origin, as a browser reads it', async () => {
    const site = 'https://town.example';
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 8 }), fc.string({ maxLength: 6 }), async (parts, tail) => {
        const ret = parts.join('') + tail;
        const res = await SELF.fetch(`${site}/api/prefs?text=large&return=${encodeURIComponent(ret)}`, { redirect: 'manual' });
        tally.responses++;
        if (res.status === 400) return; // e.g. longer than allowed: refused, nowhere to go
        expect(res.status).toBe(303);
        const loc = res.headers.get('location')!;
        expect(new URL(loc, `${site}/towns/`).origin, JSON.stringify(ret)).toBe(site);
        expect(loc, JSON.stringify(ret)).toMatch(/^\/(?![/\\])/);
      }),
      { numRuns: 400, seed: 1809 },
    );
  });

  it('known tricks end on the home page or a path of this site', async () => {
    for (const r of ['//evil.example/', '/\\evil.example', '/\t/evil.example', '/\n/evil.example', '\t//evil.example', '/%09/evil.example', 'https://evil.example', '/.//evil.example', '/..//evil.example']) {
      const loc = (await SELF.fetch(`${ORIGIN}/api/prefs?text=large&return=${encodeURIComponent(r)}`, { redirect: 'manual' })).headers.get('location')!;
      expect(new URL(loc, 'https://town.example/x/').origin, JSON.stringify(r)).toBe('https://town.example');
    }
  });
});

describe('user text is inert in what staff print and download', () => {
  it('a bulletin title with markup and a formula comes out as text in its print page and as a neutralised cell in its CSV', async () => {
    await loadContent();
    const token = await signIn('supervisor');
    const title = '=HYPERLINK("http://evil.example","<script>alert(1)</script>")';
    const made = await SELF.fetch(`${ORIGIN}/api/v1/towns/fengmao/bulletins`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': `inert-${crypto.randomUUID()}` },
      body: JSON.stringify({ title, period_from: '2019-01-01', period_to: '2019-03-31' }),
    });
    expect(made.status).toBe(201);
    const { id } = (await made.json()) as { id: string };
    const get = (p: string) => SELF.fetch(`${ORIGIN}/api/v1/bulletins/${id}${p}`, { headers: { authorization: `Bearer ${token}` } });
    const page = await (await get('/print')).text();
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).toContain('=HYPERLINK(&quot;http://evil.example&quot;,&quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;)');
    const csv = await (await get('/export.csv')).text();
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"",""<script>alert(1)</script>"")"`);
    expect(csv).not.toMatch(/(^|,)"?=HYPERLINK/m);
  });
});

afterAll(() => console.log(`security headers: ${tally.responses} responses checked`));
