/**
 * Loads content/ (or the folder CONTENT_DIR names) into D1: validates it with the domain schemas
 * and runs the same idempotent statements the tests use (worker/db/content.ts) as one transaction.
 * Running it twice changes nothing.
 *
 * Local (default): in this process, on miniflare's SQLite file (./d1.ts), holding its exclusive
 * lock: refused while `wrangler dev` has the database open, and a failure leaves it as it was.
 * Remote: the statements as one .sql file through `wrangler d1 execute --remote`.
 *
 * Usage: node worker/cli/load-content.ts [--local | --remote] [--persist-to DIR]
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readContent, ContentError } from '../content/read.ts';
import { contentStatements, latestLoadStmt } from '../db/content.ts';
import { withDemoTowns } from '../content/demo.ts';
import { LocalDatabaseBusyError, openD1, type D1Client } from './d1.ts';

/** The content folder to load: CONTENT_DIR when set (as for the build, site/content.config.ts), else content/. */
export const contentDir = (): string | undefined => (process.env.CONTENT_DIR ? resolve(process.env.CONTENT_DIR) : undefined);

/** Loads the content folder into `db` in one batch; returns the snapshot now recorded and the number of towns. */
export async function loadContent(db: D1Client, now = new Date().toISOString(), opts: { demo?: boolean } = {}): Promise<{ hash: string; loaded_at: string; towns: number; statements: number }> {
  const read = readContent(contentDir());
  // Demonstration towns only where asked (a local `npm start`): never a deploy's or --remote load.
  const bundle = opts.demo ? withDemoTowns(read) : read;
  const stmts = await contentStatements(bundle, now);
  await db.batch(stmts);
  const [row] = await db.objects<{ hash: string; loaded_at: string }>(latestLoadStmt());
  return { hash: row!.hash, loaded_at: row!.loaded_at, towns: bundle.towns.length, statements: stmts.length };
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { local: { type: 'boolean' }, remote: { type: 'boolean' }, 'persist-to': { type: 'string' } } });
  const remote = values.remote === true;
  try {
    if (remote && (values.local || values['persist-to'])) throw new Error('--remote excludes --local and --persist-to (a local database)');
    const db = await openD1({ remote, persistTo: values['persist-to'] }, { exclusive: true });
    try {
      const r = await loadContent(db);
      console.log(`content loaded into ${remote ? "remote" : "local"} D1 (snapshot ${r.hash.slice(0, 12)}…, first loaded ${r.loaded_at}; ${r.towns} town(s))`);
    } finally {
      await db.close();
    }
  } catch (e) {
    console.error(e instanceof ContentError || e instanceof LocalDatabaseBusyError ? e.message : `db:load: ${(e as Error).message}`);
    process.exit(1);
  }
}
