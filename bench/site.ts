/**
 * The public site: build time and pages per second for 1, 100 and 1,000 synthetic towns (the
 * prerendered pages: plan, group, comparison, search, console shell); bytes per page type (raw and
 * gzip; pages rendered on demand are fetched from the built Worker); the JavaScript and weight
 * budgets over every public page; Lighthouse (mobile) on the built Worker under `wrangler dev`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readContent } from '../worker/content/read.ts';
import { townPublicPaths } from '../worker/domain/public-pages.ts';
import { DATA, ROOT, writeSyntheticContent } from './synthetic.ts';
import { pagePaths, pageWeight, scriptBytes, totalGzipWithoutFonts } from '../tests/site/page-weight.ts';
export { LIGHTHOUSE_CATEGORIES, LIGHTHOUSE_PAGES, lighthouseFigures, type LighthouseFigure } from '../tests/site/lighthouse-figures.ts';

/** dist/client: what `npm run build` prerenders, served by Workers Static Assets. */
export const CLIENT = resolve(ROOT, 'dist/client');

export interface BuildFigure {
  towns: number;
  html_pages: number;
  files: number;
  astro_seconds: number;
  /** 0 since search reads D1 (issue 23: no pagefind step); kept so earlier results still render. */
  pagefind_seconds: number;
  total_seconds: number;
  /** HTML pages per second of the whole build, as `npm run build` runs it. */
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

/** The normal site (content/) into dist/, as `npm run build` builds it; returns its build figure (pages of dist/client). */
export function buildNormalSite(): BuildFigure {
  const astro = run(bin('astro'), ['build', '--silent']);
  return figure(1, CLIENT, astro, 0);
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

/**
 * `astro build` of the content folder `contentDir` into `out` (out/client, out/server); returns its
 * seconds. The Cloudflare build points wrangler at its output (.wrangler/deploy/config.json): that
 * file is put back, so `wrangler dev` in this checkout keeps serving dist/.
 */
export function astroBuild(contentDir: string, out: string): number {
  const redirect = resolve(ROOT, '.wrangler/deploy/config.json');
  const kept = existsSync(redirect) ? readFileSync(redirect, 'utf8') : null;
  try {
    return run(bin('astro'), ['build', '--silent', '--outDir', out], { CONTENT_DIR: contentDir });
  } finally {
    if (kept !== null) writeFileSync(redirect, kept);
  }
}

/**
 * Builds `n` synthetic towns (content in bench/data/site-<n>/) into bench/data/site-<n>/dist, as
 * `npm run build` does (astro build); pages = prerendered HTML files.
 */
export function buildSynthetic(n: number): BuildFigure {
  const dir = resolve(DATA, `site-${n}`);
  const { contentDir } = writeSyntheticContent(dir, n);
  const out = join(dir, 'dist');
  const astro = astroBuild(contentDir, out);
  return figure(n, join(out, 'client'), astro, 0);
}

/** Every URL path of content/'s towns rendered on demand (pages and open-data files). */
export const livePaths = (): string[] => [...new Set(readContent().towns.flatMap((t) => townPublicPaths(t.town.id, t.indicators.map((i) => i.indicator))))].sort();

async function servedHtml(origin: string, path: string): Promise<string> {
  const r = await fetch(origin + path);
  const body = await r.text();
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${body.slice(0, 200)}`);
  return body;
}

export interface LiveWeight {
  path: string;
  html_gzip: number;
  total_gzip_without_fonts: number;
  scripts: string[];
}

/** The weight of on-demand pages as the Worker at `origin` serves them (assets resolved in dist/client). */
export async function liveWeights(origin: string, paths: string[]): Promise<LiveWeight[]> {
  const out: LiveWeight[] = [];
  for (const p of paths) {
    const w = pageWeight(CLIENT, p, await servedHtml(origin, p));
    out.push({ path: p, html_gzip: w.html.gzip, total_gzip_without_fonts: totalGzipWithoutFonts(w), scripts: w.assets.filter((a) => a.kind === 'script').map((a) => a.path) });
  }
  return out;
}

export interface PageBudgetFigure {
  /** Public HTML pages checked: prerendered (dist/client, console excluded) and on demand (fetched). */
  pages: number;
  prerendered: number;
  on_demand: number;
  /** Pages that load any JavaScript (inline or file). */
  withJs: string[];
  /** JavaScript of /search/, gzip: 0 since search is a plain form (issue 23); kept so earlier results still render. */
  search_js_gzip: number;
  heaviest: { page: string; gzip: number };
}

/**
 * The JavaScript and weight budgets over every public page: the prerendered pages of dist/client
 * (not /console/, which is for signed-in staff) and every on-demand page of content/'s towns as the
 * Worker at `origin` serves them.
 */
export async function publicPageBudget(origin: string): Promise<PageBudgetFigure> {
  const prerendered = pagePaths(CLIENT).filter((p) => !p.startsWith('/console/'));
  const onDemand = livePaths().filter((p) => p.endsWith('/'));
  const withJs: string[] = [];
  let searchJs = 0;
  let heaviest = { page: '', gzip: 0 };
  const check = (p: string, html?: string) => {
    const w = pageWeight(CLIENT, p, html);
    const js = scriptBytes(w);
    if (p.startsWith('/search/')) searchJs = js.gzip;
    if (w.assets.some((a) => a.kind === 'script')) withJs.push(p);
    if (/^\/(en\/)?towns\/[^/]+\//.test(p)) {
      const t = totalGzipWithoutFonts(w);
      if (t > heaviest.gzip) heaviest = { page: p, gzip: t };
    }
  };
  for (const p of prerendered) check(p);
  for (const p of onDemand) check(p, await servedHtml(origin, p));
  // Search is rendered per query: measured with results on it.
  check('/search/', await servedHtml(origin, `/search/?q=${encodeURIComponent('签约')}`));
  return { pages: prerendered.length + onDemand.length, prerendered: prerendered.length, on_demand: onDemand.length, withJs, search_js_gzip: searchJs, heaviest };
}

/** Bytes per page type: prerendered pages from dist/client, on-demand pages fetched from `origin`. */
export async function pageTypes(origin: string): Promise<PageTypeFigure[]> {
  const live = new Set(livePaths());
  const out: PageTypeFigure[] = [];
  for (const [type, path] of Object.entries(PAGE_TYPES)) {
    const w = pageWeight(CLIENT, path, live.has(path) ? await servedHtml(origin, path) : undefined);
    const sum = (kind: string) => w.assets.filter((a) => a.kind === kind).reduce((n, a) => ({ raw: n.raw + a.raw, gzip: n.gzip + a.gzip }), { raw: 0, gzip: 0 });
    const css = sum('stylesheet');
    const img = sum('image');
    const js = scriptBytes(w);
    out.push({
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
    });
  }
  return out;
}

