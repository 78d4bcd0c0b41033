/**
 * Reads content/ from disk (Node only) into a validated, source-checked ContentBundle.
 * Used by the Astro content collections, the content loader CLI and the tests; `npm run content:check`
 * runs it as a CLI. The rules live in worker/content/parse.ts and worker/domain/content-faithful.ts.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { ContentBundle } from '../domain/content.ts';
import { ContentError, parseContent } from './parse.ts';

export { ContentError } from './parse.ts';

/** Default location of content/, relative to the repository root. */
export const CONTENT_DIR = resolve(import.meta.dirname, '../../content');

/** Every .yaml, .md and .txt file under `dir`, keyed by its path relative to `dir` (with /). */
export function readContentFiles(dir: string): Record<string, string> {
  if (!existsSync(dir)) throw new ContentError([`${dir}: no such folder`]);
  const files: Record<string, string> = {};
  for (const d of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!d.isFile() || !/\.(ya?ml|md|txt)$/.test(d.name) || d.name === 'README.md') continue;
    const abs = join(d.parentPath, d.name);
    files[relative(dir, abs).split(sep).join('/')] = readFileSync(abs, 'utf8');
  }
  return files;
}

/** Reads, validates and checks everything under `dir`; throws ContentError listing all problems. */
export function readContent(dir: string = CONTENT_DIR): ContentBundle {
  return parseContent(readContentFiles(dir));
}

// CLI: `node worker/content/read.ts [dir]` validates content/ (or dir) and prints a summary.
if (import.meta.main) {
  try {
    const b = readContent(process.argv[2] ? resolve(process.argv[2]) : CONTENT_DIR);
    console.log(
      `content OK: ${b.indicators.length} indicators, ` +
        b.towns.map((t) => `${t.town.id} (${t.tasks.length} tasks, ${t.indicators.length} indicators, ${t.leading_group.members.length} members)`).join(', ') +
        `, ${b.jurisdictions.length} jurisdictions (${b.jurisdictions.reduce((n, j) => n + j.reports.reduce((m, r) => m + r.figures.length, 0), 0)} figures)`,
    );
  } catch (e) {
    console.error(e instanceof ContentError ? e.message : e);
    process.exit(1);
  }
}
