/**
 * Page-size budgets on the built site (dist/, as `npm test` builds it), the same figures
 * `npm run bench` reports (tests/site/page-weight.ts):
 * - public pages ship no JavaScript, except the freshness island (≤ 10 KB gzip) and, on /search/,
 *   the search UI (pagefind), which is what that page is for;
 * - every town page (overview, progress, tasks, group, plan; Chinese and English) is ≤ 100 KB gzip
 *   in total: HTML + CSS + JavaScript + the images it references, fonts excluded.
 * /console/ is not a public page (the signed-in console, with React islands) and is exempt.
 */
import { describe, expect, it } from 'vitest';
import { DIST } from './dist.ts';
import { pagePaths, pageWeight, scriptBytes, totalGzipWithoutFonts } from './page-weight.ts';

const KB = 1024;
const FRESHNESS = '/scripts/freshness.js';
const pages = pagePaths(DIST);
const isConsole = (p: string) => p.startsWith('/console/');
const isSearch = (p: string) => p === '/search/' || p.startsWith('/search/');
const publicPages = pages.filter((p) => !isConsole(p));
const townPages = publicPages.filter((p) => /^\/(en\/)?towns\/[^/]+\//.test(p));
const weights = new Map(publicPages.map((p) => [p, pageWeight(DIST, p)]));

describe('page budgets', () => {
  it('finds the built pages and sees the scripts they load', () => {
    expect(publicPages).toEqual(expect.arrayContaining(['/', '/towns/fengmao/', '/towns/fengmao/progress/', '/en/towns/fengmao/', '/search/']));
    // The measurement is not blind: the progress page's island and the search UI are found.
    expect(weights.get('/towns/fengmao/progress/')!.assets.map((a) => a.path)).toContain(FRESHNESS);
    expect(weights.get('/search/')!.assets.some((a) => a.kind === 'script' && a.path.startsWith('/pagefind/'))).toBe(true);
  });

  it('every referenced file exists', () => {
    for (const [p, w] of weights) expect(w.missing, p).toEqual([]);
  });

  it('public pages ship 0 KB of JavaScript, except the freshness island (and pagefind on /search/)', () => {
    for (const [p, w] of weights) {
      if (isSearch(p)) continue;
      const scripts = w.assets.filter((a) => a.kind === 'script').map((a) => a.path);
      expect(scripts.filter((s) => s !== FRESHNESS), `${p} loads scripts`).toEqual([]);
    }
  });

  it('the freshness island is at most 10 KB gzip', () => {
    const island = weights.get('/towns/fengmao/progress/')!.assets.find((a) => a.path === FRESHNESS)!;
    expect(island.gzip).toBeGreaterThan(0);
    expect(island.gzip).toBeLessThanOrEqual(10 * KB);
  });

  it('/search/ loads only the search UI: pagefind and its own small starter', () => {
    const scripts = weights.get('/search/')!.assets.filter((a) => a.kind === 'script').map((a) => a.path);
    expect(scripts.every((s) => s.startsWith('/pagefind/') || s === '/scripts/search.js'), scripts.join(', ')).toBe(true);
  });

  it('every town page is at most 100 KB gzip in total (HTML + CSS + JS + images; fonts excluded)', () => {
    expect(townPages.length).toBeGreaterThanOrEqual(6);
    for (const p of townPages) {
      const w = weights.get(p)!;
      const total = totalGzipWithoutFonts(w);
      expect(total, `${p}: ${(total / KB).toFixed(1)} KB gzip (HTML ${(w.html.gzip / KB).toFixed(1)} KB, JS ${(scriptBytes(w).gzip / KB).toFixed(1)} KB)`).toBeLessThanOrEqual(100 * KB);
    }
  });
});
