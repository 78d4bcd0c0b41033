/**
 * What a built page makes a browser download: the HTML document, the stylesheets, scripts and
 * images it references (fonts listed apart), each raw and gzip-compressed (zlib default level).
 * Used by tests/site/budgets.test.ts (the page-size budgets) and by `npm run bench`.
 * Reads files only: references are resolved against the dist folder, as Static Assets serves them.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface Asset {
  /** Site path, e.g. /scripts/freshness.js ("inline" for inline scripts). */
  path: string;
  kind: 'script' | 'stylesheet' | 'image' | 'font';
  raw: number;
  gzip: number;
}

export interface PageWeight {
  /** Site path of the page, e.g. /towns/fengmao/. */
  page: string;
  html: { raw: number; gzip: number };
  /** Inline <style> bytes (already part of the HTML figures). */
  inlineCss: { raw: number; gzip: number };
  assets: Asset[];
  /** Referenced files that do not exist in dist/. */
  missing: string[];
}

const FONT = /\.(woff2?|ttf|otf|eot)$/i;
const IMAGE = /\.(svg|png|jpe?g|gif|webp|avif|ico)$/i;

const size = (buf: Buffer | string) => {
  const b = typeof buf === 'string' ? Buffer.from(buf) : buf;
  return { raw: b.length, gzip: gzipSync(b).length };
};

/** All HTML files under `dist`, as site paths (/, /towns/x/, /404.html). */
export function pagePaths(dist: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.html')) {
        const rel = '/' + relative(dist, p).split('\\').join('/');
        out.push(rel.endsWith('/index.html') ? rel.slice(0, -'index.html'.length) : rel === '/index.html' ? '/' : rel);
      }
    }
  };
  walk(dist);
  return out.sort();
}

const attr = (tag: string, name: string): string | null => {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return m ? (m[1] ?? m[2] ?? m[3] ?? '') : null;
};

/** Resolves a reference from a page to a site path; null for other origins and data: URLs. */
function resolveRef(page: string, ref: string): string | null {
  if (/^(data:|[a-z]+:)?\/\//i.test(ref) || /^[a-z]+:/i.test(ref)) return null;
  const clean = ref.split('#')[0]!.split('?')[0]!;
  if (!clean) return null;
  const dir = page.endsWith('/') ? page : posix.dirname(page) + '/';
  return posix.normalize(clean.startsWith('/') ? clean : dir + clean);
}

function fileFor(dist: string, sitePath: string): string {
  const f = join(dist, sitePath);
  return existsSync(f) && statSync(f).isDirectory() ? join(f, 'index.html') : f;
}

/** The weight of one page of `dist` (its HTML as served may be given, for a page rendered on demand). */
export function pageWeight(dist: string, page: string, served?: string): PageWeight {
  const html = served ?? readFileSync(fileFor(dist, page), 'utf8');
  const assets: Asset[] = [];
  const missing: string[] = [];
  const seen = new Set<string>();
  const add = (ref: string | null, kind: Asset['kind'], from = page) => {
    if (!ref) return;
    const p = resolveRef(from, ref);
    if (!p || seen.has(p)) return;
    seen.add(p);
    const f = fileFor(dist, p);
    if (!existsSync(f)) return void missing.push(p);
    const body = readFileSync(f);
    const k: Asset['kind'] = FONT.test(p) ? 'font' : kind;
    assets.push({ path: p, kind: k, ...size(body) });
    if (k === 'stylesheet') cssRefs(body.toString('utf8'), p);
  };
  const cssRefs = (css: string, from: string) => {
    for (const m of css.matchAll(/url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)/gi)) {
      const ref = m[1] ?? m[2] ?? m[3] ?? '';
      add(ref, FONT.test(ref) ? 'font' : 'image', from);
    }
  };
  let inlineCss = '';
  for (const m of html.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/gi)) {
    inlineCss += m[1];
    cssRefs(m[1]!, page);
  }
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    const tag = `<script${m[1]}>`;
    const type = (attr(tag, 'type') ?? '').toLowerCase();
    if (type && !['module', 'text/javascript', 'application/javascript'].includes(type)) continue; // data blocks (JSON-LD) are not scripts
    const src = attr(tag, 'src');
    if (src) add(src, 'script');
    else if (m[2]!.trim()) assets.push({ path: 'inline', kind: 'script', ...size(m[2]!) });
  }
  for (const m of html.matchAll(/<link\b[^>]*>/gi)) {
    const rel = (attr(m[0], 'rel') ?? '').toLowerCase().split(/\s+/);
    const href = attr(m[0], 'href');
    if (rel.includes('stylesheet')) add(href, 'stylesheet');
    else if (rel.includes('modulepreload') || (rel.includes('preload') && attr(m[0], 'as') === 'script')) add(href, 'script');
    else if (rel.includes('preload') && attr(m[0], 'as') === 'font') add(href, 'font');
    else if (rel.includes('icon') || rel.includes('apple-touch-icon')) add(href, 'image');
  }
  for (const m of html.matchAll(/<(?:img|source|image|use)\b[^>]*>/gi)) {
    add(attr(m[0], 'src') ?? attr(m[0], 'href'), 'image');
    const srcset = attr(m[0], 'srcset');
    if (srcset) for (const part of srcset.split(',')) add(part.trim().split(/\s+/)[0] ?? null, 'image');
  }
  for (const m of html.matchAll(/\sstyle\s*=\s*"([^"]*)"/gi)) cssRefs(m[1]!, page);
  return { page, html: size(html), inlineCss: size(inlineCss), assets: assets.filter((a) => IMAGE.test(a.path) || a.kind !== 'image'), missing };
}

/** Sum of gzip bytes: the HTML and every asset except fonts. */
export const totalGzipWithoutFonts = (w: PageWeight): number => w.html.gzip + w.assets.filter((a) => a.kind !== 'font').reduce((n, a) => n + a.gzip, 0);

/** Script bytes of a page (raw, gzip). */
export const scriptBytes = (w: PageWeight): { raw: number; gzip: number } =>
  w.assets.filter((a) => a.kind === 'script').reduce((n, a) => ({ raw: n.raw + a.raw, gzip: n.gzip + a.gzip }), { raw: 0, gzip: 0 });
