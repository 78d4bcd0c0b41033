/**
 * Page-size budgets on the site as served (prerendered pages from dist/client, on-demand pages
 * from the built Worker over the seeded D1), the same figures `npm run bench` reports
 * (tests/site/page-weight.ts):
 * - public pages ship no JavaScript at all, search included (a plain form answered from D1);
 * - every town page (overview, progress, tasks, group, plan; Chinese and English) is ≤ 100 KB gzip
 *   in total: HTML + CSS + JavaScript + the images it references, fonts excluded.
 * /console/ is not a public page (the signed-in console, with React islands) and is exempt.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DIST, fetchLive, fileName, livePaths, siteFile, siteOrigin } from './dist.ts';
import { pagePaths, pageWeight, scriptBytes, totalGzipWithoutFonts, type PageWeight } from './page-weight.ts';

const KB = 1024;
const live = livePaths().filter((p) => p.endsWith('/'));
/** A search with results (on demand, per query: not among the town pages above). */
const SEARCH = `/search/?q=${encodeURIComponent('签约')}`;
const pages = [...new Set([...pagePaths(DIST), ...live])].sort();
const isConsole = (p: string) => p.startsWith('/console/');
const publicPages = pages.filter((p) => !isConsole(p));
const townPages = publicPages.filter((p) => /^\/(en\/)?towns\/[^/]+\//.test(p));
const weights = new Map<string, PageWeight>();

beforeAll(async () => {
  await fetchLive();
  for (const p of publicPages) weights.set(p, pageWeight(DIST, p, live.includes(p) ? siteFile(fileName(p)) : undefined));
  const res = await fetch(siteOrigin() + SEARCH);
  if (res.status !== 200) throw new Error(`${SEARCH}: ${res.status}`);
  weights.set(SEARCH, pageWeight(DIST, '/search/', await res.text()));
});

describe('page budgets', () => {
  it('finds the built pages and sees the scripts they load', () => {
    expect(publicPages).toEqual(expect.arrayContaining(['/', '/towns/fengmao/', '/towns/fengmao/progress/', '/en/towns/fengmao/']));
    // The search page is measured with results on it.
    expect(weights.get(SEARCH)!.html.raw).toBeGreaterThan(5000);
  });

  it('every referenced file exists', () => {
    for (const [p, w] of weights) expect(w.missing, p).toEqual([]);
  });

  it('public pages ship 0 KB of JavaScript, search results included', () => {
    for (const [p, w] of weights) {
      expect(w.assets.filter((a) => a.kind === 'script').map((a) => a.path), `${p} loads scripts`).toEqual([]);
      expect(scriptBytes(w).raw, p).toBe(0);
    }
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
