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

const CONTENT_FILE = /\.(ya?ml|md|txt)$/;

/** Adds every .yaml, .md and .txt file under `dir`/`sub` to `files`, keyed by its path relative to `dir` (with /). */
function addFiles(files: Record<string, string>, dir: string, sub: string, skip?: (rel: string) => boolean): void {
  for (const d of readdirSync(join(dir, sub), { recursive: true, withFileTypes: true })) {
    if (!d.isFile() || !CONTENT_FILE.test(d.name) || d.name === 'README.md') continue;
    const abs = join(d.parentPath, d.name);
    const rel = relative(dir, abs).split(sep).join('/');
    if (!skip?.(rel)) files[rel] = readFileSync(abs, 'utf8');
  }
}

/** Every .yaml, .md and .txt file under `dir`, keyed by its path relative to `dir` (with /). */
export function readContentFiles(dir: string): Record<string, string> {
  if (!existsSync(dir)) throw new ContentError([`${dir}: no such folder`]);
  const files: Record<string, string> = {};
  addFiles(files, dir, '.');
  return files;
}

/** The files of `dir` outside towns/ (what parseGlobals reads), keyed as readContentFiles keys them. */
export function readGlobalFiles(dir: string): Record<string, string> {
  if (!existsSync(dir)) throw new ContentError([`${dir}: no such folder`]);
  const files: Record<string, string> = {};
  addFiles(files, dir, '.', (rel) => rel.startsWith('towns/'));
  return files;
}

/** The town folders' names under `dir`/towns, sorted (the ids parseContent finds). */
export function townFolders(dir: string): string[] {
  const towns = join(dir, 'towns');
  if (!existsSync(towns)) return [];
  return readdirSync(towns, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/** One town folder's files (towns/<id>/…), keyed as readContentFiles keys them. */
export function readTownFiles(dir: string, id: string): Record<string, string> {
  const files: Record<string, string> = {};
  addFiles(files, dir, `towns/${id}`);
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
