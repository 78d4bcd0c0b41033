/**
 * `npm run lighthouse`: Lighthouse (mobile preset) on the built site served locally from dist/,
 * for the home, town, progress and English town pages. Prints the four category scores and the
 * JavaScript bytes each page type loads, and fails when a score is below 95.
 * Not part of `npm test` (about a minute per page on a shared 2-core machine).
 */
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';
import { chromium } from 'playwright-core';
import { serveDist } from './serve.ts';

const PAGES = { home: '/', town: '/towns/fengmao/', progress: '/towns/fengmao/progress/', en_town: '/en/towns/fengmao/', tasks: '/towns/fengmao/tasks/', plan: '/towns/fengmao/plan/', compare: '/compare/', search: '/search/' };
const SCORED = ['home', 'town', 'progress', 'en_town'];
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;

const { origin, close } = await serveDist();
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
  chromeFlags: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
let failed = false;
const rows: string[] = [];
try {
  // JavaScript bytes per page type, as a browser downloads them (transfer size, uncompressed by this server).
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const js: Record<string, number> = {};
  const html: Record<string, number> = {};
  for (const [name, path] of Object.entries(PAGES)) {
    const page = await browser.newPage();
    await page.route('**/api/**', (r) => r.fulfill({ status: 503, body: '' }));
    await page.goto(origin + path, { waitUntil: 'networkidle' });
    const sizes = await page.evaluate(() =>
      (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
        .filter((e) => e.initiatorType === 'script' || /\.(js|wasm)(\?|$)/.test(e.name))
        .reduce((a, e) => a + e.decodedBodySize, 0),
    );
    js[name] = sizes;
    html[name] = await page.evaluate(() => document.documentElement.outerHTML.length);
    await page.close();
  }
  await browser.close();

  for (const name of SCORED) {
    const result = await lighthouse(origin + PAGES[name as keyof typeof PAGES], { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: [...CATEGORIES] });
    const cats = result!.lhr.categories;
    const scores = CATEGORIES.map((c) => Math.round((cats[c]?.score ?? 0) * 100));
    if (scores.some((s) => s < 95)) failed = true;
    rows.push(`| ${name} | ${scores.join(' | ')} | ${(js[name]! / 1024).toFixed(1)} KB | ${(html[name]! / 1024).toFixed(0)} KB |`);
    const low = Object.values(result!.lhr.audits).filter((a) => a.score !== null && a.score < 0.9 && a.scoreDisplayMode !== 'informative' && a.scoreDisplayMode !== 'notApplicable');
    if (low.length) console.error(`${name}: audits below 0.9: ${low.map((a) => a.id).join(', ')}`);
  }
  for (const name of Object.keys(PAGES).filter((n) => !SCORED.includes(n))) rows.push(`| ${name} | – | – | – | – | ${(js[name]! / 1024).toFixed(1)} KB | ${(html[name]! / 1024).toFixed(0)} KB |`);
  console.log('| page | performance | accessibility | best practices | SEO | JavaScript | HTML |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
} finally {
  await chrome.kill();
  await close();
}
process.exit(failed ? 1 : 0);
