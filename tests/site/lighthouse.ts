/**
 * `npm run lighthouse`: Lighthouse (mobile preset) on the built Worker (dist/server under
 * `wrangler dev`, over a fresh local D1 seeded with tests/fixtures/public, as the site tests read
 * it), so the pages rendered on demand are scored as readers get them: the home, town, progress,
 * tasks and English town pages, the prerendered plan page, a county's page and a search's answers. Prints the four category scores and
 * the JavaScript bytes each page loads, and fails when a score is below 95.
 * Needs `npm run build` first. Not part of `npm test` (about a minute per page on a shared 2-core machine).
 * PORT sets the port of the server (default: a free one).
 */
import { chromium } from 'playwright-core';
import { LIGHTHOUSE_CATEGORIES, LIGHTHOUSE_PAGES, lighthouseFigures } from './lighthouse-figures.ts';
import { startLiveSite } from './live-site.ts';

const PAGES: Record<string, string> = { ...LIGHTHOUSE_PAGES, compare: '/compare/' };

const site = await startLiveSite({ port: process.env.PORT ? Number(process.env.PORT) : undefined });
let failed = false;
try {
  // JavaScript bytes per page, as a browser downloads them (decoded size).
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const js: Record<string, number> = {};
  const html: Record<string, number> = {};
  for (const [name, path] of Object.entries(PAGES)) {
    const page = await browser.newPage();
    await page.goto(site.origin + path, { waitUntil: 'networkidle' });
    js[name] = await page.evaluate(() =>
      (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
        .filter((e) => e.initiatorType === 'script' || /\.(js|wasm)(\?|$)/.test(e.name))
        .reduce((a, e) => a + e.decodedBodySize, 0),
    );
    html[name] = await page.evaluate(() => document.documentElement.outerHTML.length);
    await page.close();
  }
  await browser.close();

  const figures = await lighthouseFigures(site.origin);
  console.log('| page | performance | accessibility | best practices | SEO | JavaScript | HTML |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const f of figures) {
    const scores = [f.performance, f.accessibility, f.best_practices, f.seo];
    if (scores.some((s) => s < 95)) failed = true;
    console.log(`| ${f.page} | ${scores.join(' | ')} | ${(js[f.page]! / 1024).toFixed(1)} KB | ${(html[f.page]! / 1024).toFixed(0)} KB |`);
  }
  for (const name of Object.keys(PAGES).filter((n) => !(n in LIGHTHOUSE_PAGES))) console.log(`| ${name} | – | – | – | – | ${(js[name]! / 1024).toFixed(1)} KB | ${(html[name]! / 1024).toFixed(0)} KB |`);
  if (failed) console.error(`a score is below 95 (categories: ${LIGHTHOUSE_CATEGORIES.join(', ')})`);
} finally {
  await site.close();
}
process.exit(failed ? 1 : 0);
