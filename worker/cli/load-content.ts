/**
 * Loads content/ (or the folder CONTENT_DIR names) into D1: validates it with the domain schemas
 * and runs the same idempotent statements the tests use (worker/db/content.ts) as one transaction.
 * Running it twice changes nothing.
 *
 * Town by town (issue 23): the files outside towns/ are read and checked first; then each town
 * folder is read, and only a town whose files changed since the database last loaded it
 * (content_towns, migrations/0023) is parsed, checked and written. Every rule of
 * `npm run content:check` relates one town to the files outside towns/, never two towns
 * (worker/content/parse.ts), and a change outside towns/ — or a new migration, or a new
 * LOADER_SCHEME — changes every town's digest, so every town is re-read then. Adding one town to a
 * thousand therefore reads and writes one town. Locally the statements run as each town is read,
 * inside one transaction: a town that fails its checks rolls the whole load back, as before.
 *
 * Local (default): in this process, on miniflare's SQLite file (./d1.ts), holding its exclusive
 * lock: refused while `wrangler dev` has the database open, and a failure leaves it as it was.
 * Remote: the statements as one .sql file through `wrangler d1 execute --remote`.
 *
 * Usage: node worker/cli/load-content.ts [--local | --remote] [--persist-to DIR] [--full]
 *   --full  re-read and rewrite every town, changed or not.
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CONTENT_DIR, ContentError, readGlobalFiles, readTownFiles, townFolders } from '../content/read.ts';
import { parseGlobals, parseTown } from '../content/parse.ts';
import {
  closingStatements,
  contentHashOf,
  contentTownsStmt,
  headStatements,
  jurisdictionStatements,
  latestLoadStmt,
  loadAuditStmt,
  loadSummary,
  townContentStatements,
  townHash,
  townIdsStmt,
  townLoadSummary,
  type TownLoadSummary,
} from '../db/content.ts';
import { appliedMigrationsStmt } from '../db/migrations.ts';
import type { Stmt } from '../db/sql.ts';
import { DEMO_TOWNS, demoTown } from '../content/demo.ts';
import type { TownBundle } from '../domain/content.ts';
import { LocalDatabaseBusyError, openD1, type D1Client, type LocalD1 } from './d1.ts';
import { digestFiles, townReader } from './town-reader.ts';

/** The content folder to load: CONTENT_DIR when set (as for the build, site/content.config.ts), else content/. */
export const contentDir = (): string | undefined => (process.env.CONTENT_DIR ? resolve(process.env.CONTENT_DIR) : undefined);

/** Part of every town's digest: change it when the loader writes a town differently, so every town is written again. */
export const LOADER_SCHEME = 'content-towns-1';

/** What one load did. */
export interface LoadResult {
  /** The content snapshot now recorded, and when it was first loaded. */
  hash: string;
  loaded_at: string;
  /** Towns in the content (with the demonstration towns when asked). */
  towns: number;
  /** Towns read, checked and written because their files changed (the others were unchanged). */
  reread: number;
  statements: number;
}

interface StoredTown {
  town_id: string;
  source_digest: string;
  town_hash: string;
  summary_json: string;
  demo: number;
}

/**
 * Loads the content folder into `db` as one transaction; returns the snapshot now recorded. Towns
 * whose files are unchanged since the database loaded them are skipped unless `full`.
 */
export async function loadContent(db: D1Client, now = new Date().toISOString(), opts: { demo?: boolean; full?: boolean } = {}): Promise<LoadResult> {
  const dir = contentDir() ?? CONTENT_DIR;
  const globalFiles = readGlobalFiles(dir);
  const { globals, problems } = parseGlobals(globalFiles);
  const migrations = (await db.objects<{ name: string }>(appliedMigrationsStmt())).map((m) => m.name);
  // Whatever every town is read and written with: a change to any of it re-reads every town.
  const prefix = digestFiles(`${LOADER_SCHEME}\0${migrations.at(-1) ?? ''}`, globalFiles);
  const stored = new Map(opts.full ? [] : (await db.objects<StoredTown>(contentTownsStmt())).map((r) => [r.town_id, r]));
  const existing = new Set((await db.objects<{ id: string }>(townIdsStmt())).map((r) => r.id));

  const hashes: string[] = [];
  const summaries: TownLoadSummary[] = [];
  let reread = 0;
  let statements = 0;
  const body = async (run: (stmts: Stmt[]) => void) => {
    const write = (stmts: Stmt[]) => {
      statements += stmts.length;
      if (!problems.length) run(stmts);
    };
    write(headStatements(globals));
    const unchanged = (id: string) => {
      const known = stored.get(id)!;
      hashes.push(known.town_hash);
      summaries.push(JSON.parse(known.summary_json) as TownLoadSummary);
    };
    const written = (t: { hash: string; summary: TownLoadSummary; stmts: Stmt[] }) => {
      reread++;
      hashes.push(t.hash);
      summaries.push(t.summary);
      write(t.stmts);
    };
    // The first real town, which the demonstration towns are made from (worker/content/demo.ts).
    let real: { id: string; digest: string } | undefined;
    const ids = townFolders(dir);
    const reader = townReader({ dir, prefix, globals, recorded: Object.fromEntries([...stored].map(([id, r]) => [id, r.source_digest])), existing: [...existing], now }, ids);
    try {
      for (let k = 0; k < ids.length; k++) {
        const r = await reader.next();
        if (r.empty) continue;
        problems.push(...r.problems);
        if (r.unchanged) unchanged(r.id);
        else if (r.town) written(r.town);
        const demo = r.unchanged ? !!stored.get(r.id)!.demo : r.town?.demo;
        if (!real && demo === false) real = { id: r.id, digest: r.digest };
      }
    } finally {
      await reader.close();
    }
    if (opts.demo && real) {
      let bundle: TownBundle | undefined;
      for (const d of DEMO_TOWNS.filter((x) => !ids.includes(x.id))) {
        const digest = createHash('sha256').update(`demo\0${d.id}\0${d.root}\0${real.digest}`).digest('hex');
        if (stored.get(d.id)?.source_digest === digest) {
          unchanged(d.id);
          continue;
        }
        bundle ??= parseTown(readTownFiles(dir, real.id), real.id, globals).town;
        if (!bundle) continue;
        const t = demoTown(bundle, d.id, d.root);
        const hash = await townHash(t);
        written({ hash, summary: townLoadSummary(t), stmts: await townContentStatements(t, globals, now, { digest, hash, fresh: !existing.has(d.id) }) });
      }
    }
    if (problems.length) throw new ContentError(problems);
    const hash = await contentHashOf(globals, hashes);
    const summary = loadSummary(globals, summaries);
    write([...jurisdictionStatements(globals), loadAuditStmt(hash, summary, now), ...closingStatements(hash, summary, now)]);
  };

  if (db.how === 'sqlite') {
    await (db as LocalD1).transactionAsync((tx) => body((stmts) => stmts.forEach(tx.run)));
  } else {
    const all: Stmt[] = [];
    await body((stmts) => all.push(...stmts));
    await db.batch(all);
  }
  const [row] = await db.objects<{ hash: string; loaded_at: string }>(latestLoadStmt());
  return { hash: row!.hash, loaded_at: row!.loaded_at, towns: hashes.length, reread, statements };
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { local: { type: 'boolean' }, remote: { type: 'boolean' }, 'persist-to': { type: 'string' }, full: { type: 'boolean' } } });
  const remote = values.remote === true;
  try {
    if (remote && (values.local || values['persist-to'])) throw new Error('--remote excludes --local and --persist-to (a local database)');
    const db = await openD1({ remote, persistTo: values['persist-to'] }, { exclusive: true });
    try {
      const r = await loadContent(db, undefined, { full: values.full });
      console.log(
        `content loaded into ${remote ? 'remote' : 'local'} D1 (snapshot ${r.hash.slice(0, 12)}…, first loaded ${r.loaded_at}; ${r.towns} town(s), ${r.reread} read and written, the others unchanged)`,
      );
    } finally {
      await db.close();
    }
  } catch (e) {
    console.error(e instanceof ContentError || e instanceof LocalDatabaseBusyError ? e.message : `db:load: ${(e as Error).message}`);
    process.exit(1);
  }
}
