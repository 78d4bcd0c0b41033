/**
 * Loads content/ into D1: validates it with the domain schemas, builds the same idempotent
 * statements the tests use (worker/db/content.ts), writes them to a .sql file and runs it with
 * `wrangler d1 execute`. Running it twice changes nothing.
 *
 * Usage: node worker/cli/load-content.ts [--local | --remote] [--persist-to DIR]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readContent, ContentError } from '../content/read.ts';
import { contentStatements, latestLoadStmt } from '../db/content.ts';
import { renderSql } from '../db/sql.ts';
import { d1Json, ROOT, wrangler } from './wrangler.ts';

/** Writes the load script for `content/` and returns its path. */
export async function writeLoadScript(now = new Date().toISOString()): Promise<string> {
  // CONTENT_DIR selects another content folder, as it does for the build (site/content.config.ts).
  const bundle = readContent(process.env.CONTENT_DIR ? resolve(process.env.CONTENT_DIR) : undefined);
  const stmts = await contentStatements(bundle, now);
  const dir = resolve(ROOT, '.wrangler/tmp');
  mkdirSync(dir, { recursive: true });
  const file = resolve(dir, 'load-content.sql');
  writeFileSync(file, stmts.map(renderSql).join('\n') + '\n');
  return file;
}

if (import.meta.main) {
  const remote = process.argv.includes('--remote');
  const at = process.argv.indexOf('--persist-to');
  const persist = at > 0 && process.argv[at + 1] ? ['--persist-to', process.argv[at + 1]!] : [];
  const target = [remote ? '--remote' : '--local', ...persist];
  try {
    const file = await writeLoadScript();
    wrangler(['d1', 'execute', 'DB', ...target, '--yes', '--file', file], { quiet: true });
    const [[row]] = d1Json<{ hash: string; loaded_at: string }>(target, [latestLoadStmt()]);
    console.log(`content loaded into ${remote ? 'remote' : 'local'} D1 (snapshot ${String(row?.hash).slice(0, 12)}…, first loaded ${row?.loaded_at})`);
  } catch (e) {
    console.error(e instanceof ContentError ? e.message : (e as Error).message);
    process.exit(1);
  }
}
