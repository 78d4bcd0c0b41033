/** The built site, as the site tests read it. */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/** dist/: the output of `npm run build`. */
export const DIST = resolve(import.meta.dirname, '../../dist');

/** All built HTML files, as paths relative to dist/. */
export function htmlFiles(dir = DIST): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...htmlFiles(p));
    else if (name.endsWith('.html')) out.push(relative(DIST, p));
  }
  return out.sort();
}
