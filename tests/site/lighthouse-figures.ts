/**
 * Lighthouse (mobile preset, all four categories) on a running site, for `npm run lighthouse`
 * (tests/site/lighthouse.ts) and `npm run bench` (bench/site.ts).
 */
export interface LighthouseFigure {
  page: string;
  path: string;
  performance: number;
  accessibility: number;
  best_practices: number;
  seo: number;
  lcp_ms: number;
  tbt_ms: number;
  cls: number;
  fcp_ms: number;
  /** Audits scored below 0.9 (what costs points). */
  low_audits: string[];
}

/** The pages Lighthouse scores: the home page and the town pages readers land on (on demand), and a prerendered plan page. */
export const LIGHTHOUSE_PAGES = { home: '/', town: '/towns/fengmao/', progress: '/towns/fengmao/progress/', tasks: '/towns/fengmao/tasks/', en_town: '/en/towns/fengmao/', plan: '/towns/fengmao/plan/', region: '/regions/shanting/', search: '/search/?q=%E7%AD%BE%E7%BA%A6' } as const;
export const LIGHTHOUSE_CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;

/**
 * Lighthouse (mobile preset, all four categories) on the built Worker at `origin` (wrangler dev:
 * on-demand pages from D1 through the page cache, prerendered pages from Static Assets, the
 * Worker's headers). Lighthouse's own simulated throttling; no compression (wrangler dev sends none).
 */
export async function lighthouseFigures(origin: string, pages: Record<string, string> = LIGHTHOUSE_PAGES): Promise<LighthouseFigure[]> {
  const { default: lighthouse } = await import('lighthouse');
  const chromeLauncher = await import('chrome-launcher');
  const chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    chromeFlags: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const out: LighthouseFigure[] = [];
  try {
    for (const [page, path] of Object.entries(pages)) {
      const r = await lighthouse(origin + path, { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: [...LIGHTHOUSE_CATEGORIES] });
      const a = r!.lhr.audits;
      const v = (id: string) => Math.round((a[id]?.numericValue ?? NaN) * 1000) / 1000;
      const score = (c: string) => Math.round((r!.lhr.categories[c]?.score ?? 0) * 100);
      out.push({
        page,
        path,
        performance: score('performance'),
        accessibility: score('accessibility'),
        best_practices: score('best-practices'),
        seo: score('seo'),
        lcp_ms: Math.round(v('largest-contentful-paint')),
        tbt_ms: Math.round(v('total-blocking-time')),
        cls: v('cumulative-layout-shift'),
        fcp_ms: Math.round(v('first-contentful-paint')),
        low_audits: Object.values(a)
          .filter((x) => x.score !== null && x.score < 0.9 && x.scoreDisplayMode !== 'informative' && x.scoreDisplayMode !== 'notApplicable' && x.scoreDisplayMode !== 'manual')
          .map((x) => x.id),
      });
      console.log(`    ${page.padEnd(10)} ${path.padEnd(28)} ${LIGHTHOUSE_CATEGORIES.map((c) => `${c} ${score(c)}`).join(', ')}`);
    }
  } finally {
    await chrome.kill();
  }
  return out;
}
