/**
 * The public site: build time and pages per second for 1, 100 and 1,000 synthetic towns; bytes
 * per page type (raw and gzip); Lighthouse mobile metrics of the home and town pages.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DATA, ROOT, writeSyntheticContent } from './synthetic.ts';
import { pagePaths, pageWeight, scriptBytes, totalGzipWithoutFonts } from '../tests/site/page-weight.ts';

export interface BuildFigure {
  towns: number;
  html_pages: number;
  files: number;
  astro_seconds: number;
  pagefind_seconds: number;
  total_seconds: number;
  /** HTML pages per second of the whole build (astro build + pagefind), as `npm run build` runs. */
  pages_per_second: number;
  astro_pages_per_second: number;
}

export interface PageTypeFigure {
  type: string;
  path: string;
  html_raw: number;
  html_gzip: number;
  inline_css_raw: number;
  inline_css_gzip: number;
  css_raw: number;
  css_gzip: number;
  js_raw: number;
  js_gzip: number;
  images_raw: number;
  images_gzip: number;
  total_gzip_without_fonts: number;
  scripts: string[];
}

export interface LighthouseFigure {
  page: string;
  path: string;
  performance: number;
  lcp_ms: number;
  tbt_ms: number;
  cls: number;
  fcp_ms: number;
}

export const PAGE_TYPES: Record<string, string> = {
  home: '/',
  town: '/towns/fengmao/',
  progress: '/towns/fengmao/progress/',
  tasks: '/towns/fengmao/tasks/',
  group: '/towns/fengmao/group/',
  plan: '/towns/fengmao/plan/',
  compare: '/compare/',
  en_home: '/en/',
  en_town: '/en/towns/fengmao/',
  search: '/search/',
  not_found: '/404.html',
};

const bin = (name: string) => resolve(ROOT, 'node_modules/.bin', name);

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): number {
  const t = performance.now();
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1', ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
  return (performance.now() - t) / 1000;
}

const countFiles = (dir: string): number =>
  readdirSync(dir).reduce((n, f) => n + (statSync(join(dir, f)).isDirectory() ? countFiles(join(dir, f)) : 1), 0);

/** The normal site (content/, fixture snapshot) into dist/, as `npm test` builds it; returns its build figure. */
export function buildNormalSite(): BuildFigure {
  const env = { SNAPSHOT_DIR: 'tests/fixtures/snapshot' };
  const astro = run(bin('astro'), ['build', '--silent'], env);
  const pagefind = run(bin('pagefind'), ['--site', 'dist', '--silent']);
  return figure(1, resolve(ROOT, 'dist'), astro, pagefind);
}

function figure(towns: number, dist: string, astro: number, pagefind: number): BuildFigure {
  const html = pagePaths(dist).length;
  const r = (x: number) => Math.round(x * 100) / 100;
  return {
    towns,
    html_pages: html,
    files: countFiles(dist),
    astro_seconds: r(astro),
    pagefind_seconds: r(pagefind),
    total_seconds: r(astro + pagefind),
    pages_per_second: r(html / (astro + pagefind)),
    astro_pages_per_second: r(html / astro),
  };
}

/** Builds `n` synthetic towns (content + snapshots in bench/data/site-<n>/) into bench/data/site-<n>/dist. */
export function buildSynthetic(n: number): BuildFigure {
  const dir = resolve(DATA, `site-${n}`);
  const { contentDir, snapshotDir } = writeSyntheticContent(dir, n);
  const out = join(dir, 'dist');
  const astro = run(bin('astro'), ['build', '--silent', '--outDir', out], { CONTENT_DIR: contentDir, SNAPSHOT_DIR: snapshotDir });
  const pagefind = run(bin('pagefind'), ['--site', out, '--silent']);
  return figure(n, out, astro, pagefind);
}

/** Bytes per page type of dist/. */
export function pageTypes(dist = resolve(ROOT, 'dist')): PageTypeFigure[] {
  return Object.entries(PAGE_TYPES).map(([type, path]) => {
    const w = pageWeight(dist, path);
    const sum = (kind: string) => w.assets.filter((a) => a.kind === kind).reduce((n, a) => ({ raw: n.raw + a.raw, gzip: n.gzip + a.gzip }), { raw: 0, gzip: 0 });
    const css = sum('stylesheet');
    const img = sum('image');
    const js = scriptBytes(w);
    return {
      type,
      path,
      html_raw: w.html.raw,
      html_gzip: w.html.gzip,
      inline_css_raw: w.inlineCss.raw,
      inline_css_gzip: w.inlineCss.gzip,
      css_raw: css.raw,
      css_gzip: css.gzip,
      js_raw: js.raw,
      js_gzip: js.gzip,
      images_raw: img.raw,
      images_gzip: img.gzip,
      total_gzip_without_fonts: totalGzipWithoutFonts(w),
      scripts: w.assets.filter((a) => a.kind === 'script').map((a) => a.path),
    };
  });
}

/** Lighthouse (mobile preset, performance only) on dist/ served locally: home and town pages. */
export async function lighthouseFigures(): Promise<LighthouseFigure[]> {
  const { default: lighthouse } = await import('lighthouse');
  const chromeLauncher = await import('chrome-launcher');
  const { serveDist } = await import('../tests/site/serve.ts');
  const { origin, close } = await serveDist();
  const chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    chromeFlags: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const out: LighthouseFigure[] = [];
  try {
    for (const [page, path] of [['home', '/'], ['town', '/towns/fengmao/']] as const) {
      const r = await lighthouse(origin + path, { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: ['performance'] });
      const a = r!.lhr.audits;
      const v = (id: string) => Math.round((a[id]?.numericValue ?? NaN) * 1000) / 1000;
      out.push({
        page,
        path,
        performance: Math.round((r!.lhr.categories.performance?.score ?? 0) * 100),
        lcp_ms: Math.round(v('largest-contentful-paint')),
        tbt_ms: Math.round(v('total-blocking-time')),
        cls: v('cumulative-layout-shift'),
        fcp_ms: Math.round(v('first-contentful-paint')),
      });
    }
  } finally {
    await chrome.kill();
    await close();
  }
  return out;
}
