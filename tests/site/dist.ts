/**
 * The site as the site tests read it: prerendered files from dist/client (as `npm run build`
 * writes them) and the on-demand pages and files fetched from the built Worker over a seeded D1
 * (tests/site/live-site.ts, origin injected as `siteOrigin`).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { inject } from 'vitest';
import { readContent } from '../../worker/content/read.ts';
import { regionPaths, townPublicPaths } from '../../worker/domain/public-pages.ts';

/** dist/client: the prerendered pages and static files of `npm run build`. */
export const DIST = resolve(import.meta.dirname, '../../dist/client');

/** All prerendered HTML files, as paths relative to dist/client. */
function builtHtml(dir = DIST): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...builtHtml(p));
    else if (name.endsWith('.html')) out.push(relative(DIST, p));
  }
  return out;
}

/** Every URL path rendered on demand from D1: the comparison, the towns' sitemap, every page of every town and region of content/. */
export function livePaths(): string[] {
  const c = readContent();
  const towns = c.towns.flatMap((t) => townPublicPaths(t.town.id, t.indicators.map((i) => i.indicator)));
  return [...new Set(['/compare/', '/sitemap-towns.xml', ...towns, ...c.regions.flatMap((r) => regionPaths(r.id))])].sort();
}

/** A URL path as the file name the tests use for it ("/towns/x/" → "towns/x/index.html"). */
export const fileName = (path: string): string => (path.endsWith('/') ? `${path.slice(1)}index.html` : path.slice(1));

/** All HTML pages of the site, prerendered and on demand, as file names relative to the site root. */
export function htmlFiles(): string[] {
  return [...new Set([...builtHtml(), ...livePaths().filter((p) => p.endsWith('/')).map(fileName)])].sort();
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set by the site project's globalSetup (tests/site/live-site.ts). */
    siteOrigin: string;
  }
}

/** The origin of the live site the tests read. */
export const siteOrigin = (): string => inject('siteOrigin');

const live = new Map<string, string>();

/** Fetches every on-demand page and file once (call in beforeAll); prerendered files are read from disk. */
export async function fetchLive(): Promise<void> {
  for (const p of livePaths()) {
    const res = await fetch(siteOrigin() + p);
    if (res.status !== 200) throw new Error(`${p}: ${res.status}`);
    live.set(fileName(p), await res.text());
  }
}

/** The content of a site file by its name (e.g. "towns/fengmao/index.html"); undefined if there is none. */
export function siteFile(name: string): string | undefined {
  if (live.has(name)) return live.get(name);
  const f = join(DIST, name);
  return existsSync(f) && statSync(f).isFile() ? readFileSync(f, 'utf8') : undefined;
}
