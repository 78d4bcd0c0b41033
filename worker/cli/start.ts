/**
 * `npm start`: one command that serves the site and the API at http://127.0.0.1:8787 (PORT
 * overrides the port). Data changes need no rebuild: pages that show the database are rendered
 * on demand from the local D1. Each step is skipped when what it depends on is unchanged, so a
 * warm restart on an unchanged tree only starts `wrangler dev`:
 *   1. build the site (astro build) unless dist/ was built from the same sources;
 *   2. apply the migrations, 3. load content/ (or CONTENT_DIR), 4. create the demo accounts —
 *      each unless the local database already holds that state (recorded in
 *      <persist>/start-state.json, together with the database file it describes). These three run
 *      in this process on miniflare's SQLite file (./d1.ts), holding its exclusive lock: no wrangler
 *      spawn; refused with a message while a `wrangler dev` serves the same folder.
 * Each step prints its time; the line before serving sums them up (bench/start.ts reads it).
 *
 * Options (after `npm start --`):
 *   --persist-to DIR  keep the local D1 in DIR instead of .wrangler/state (as wrangler's flag);
 *                     the console's end-to-end tests use a fresh temporary folder.
 *   --no-build        serve the dist/ that is already built (the end-to-end tests use it because
 *                     the rest of `npm test` reads that dist/ at the same time).
 *   --fresh           redo every step even when nothing changed.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LocalDatabaseBusyError, localDatabaseFile, openLocalD1, type LocalD1 } from './d1.ts';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from './demo-accounts.ts';
import { applyMigrations, MIGRATIONS_DIR } from './migrate.ts';
import { ROOT, wranglerSpawn } from './wrangler.ts';
// The content loader and the account code (zod schemas, the domain rules) are imported only when
// a step runs: a warm start loads neither (issue 23).

const { values } = parseArgs({
  options: { 'persist-to': { type: 'string' }, 'no-build': { type: 'boolean', default: false }, fresh: { type: 'boolean', default: false } },
});
const persistDir = resolve(values['persist-to'] ?? resolve(ROOT, '.wrangler/state'));
const persist = values['persist-to'] ? ['--persist-to', persistDir] : [];
const port = process.env.PORT ?? '8787';
const started = Date.now();
const step = (msg: string) => console.log(`\n▶ ${msg}`);
const skip = (msg: string) => console.log(`✓ ${msg}`);
/** Seconds each step took (0 when skipped), for the summary line. */
const times: [string, number][] = [];
async function timed<T>(name: string, run: () => T | Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await run();
  } finally {
    const s = (performance.now() - t0) / 1000;
    times.push([name, s]);
    console.log(`  ${name}: ${s.toFixed(1)} s`);
  }
}
const secs = (name: string) => times.filter(([n]) => n === name).reduce((a, [, s]) => a + s, 0);

/** A fingerprint of files under the given paths (relative path, size and content). */
function fingerprint(paths: string[]): string {
  const h = createHash('sha256');
  const walk = (p: string) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) if (name !== 'node_modules' && !name.startsWith('.')) walk(join(p, name));
    } else {
      h.update(relative(ROOT, p)).update('\0').update(readFileSync(p)).update('\0');
    }
  };
  for (const p of paths) walk(resolve(ROOT, p));
  return h.digest('hex');
}

/**
 * A cheap fingerprint of files under a folder: each file's path, size, modification and change
 * times and inode — no contents — and the newest of those times. Any write to a file changes its
 * ctime (which no tool can set back) and a replaced file has a new inode; a write within the
 * timestamps' granularity of the moment the print was taken is caught by never trusting a print
 * whose newest time is that recent (git's "racily clean" rule).
 */
function statPrint(dir: string): { print: string; newest: number } {
  const h = createHash('sha256');
  let newest = 0;
  const walk = (p: string) => {
    const st = statSync(p, { bigint: true, throwIfNoEntry: false });
    if (!st) return;
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) if (name !== 'node_modules' && !name.startsWith('.')) walk(join(p, name));
    } else {
      h.update(`${relative(dir, p)}\0${st.size}\0${st.mtimeNs}\0${st.ctimeNs}\0${st.ino}\0`);
      newest = Math.max(newest, Number(st.mtimeMs), Number(st.ctimeMs));
    }
  };
  walk(dir);
  return { print: h.digest('hex'), newest };
}

// ---------------------------------------------------------------- 1. the build
// content/ is not an input: the build reads no town (the pages read D1).
const BUILD_INPUTS = ['site', 'worker', 'astro.config.mjs', 'wrangler.toml', 'package-lock.json', 'tsconfig.json'];
const buildStamp = resolve(ROOT, 'dist/.build-inputs');
if (values['no-build']) {
  if (!existsSync(resolve(ROOT, 'dist/server/wrangler.json'))) {
    console.error('dist/ is not built: run `npm run build` first, or drop --no-build.');
    process.exit(1);
  }
  skip('serving the dist/ already built (--no-build)');
} else {
  const inputs = fingerprint(BUILD_INPUTS);
  const built = existsSync(resolve(ROOT, 'dist/server/wrangler.json')) && existsSync(buildStamp) ? readFileSync(buildStamp, 'utf8') : '';
  if (!values.fresh && built === inputs) {
    skip('site already built from these sources (dist/)');
  } else {
    step('building the site');
    await timed('build', () => {
      const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' } });
      if (r.status !== 0) process.exit(r.status ?? 1);
    });
    writeFileSync(buildStamp, inputs);
  }
}

// ---------------------------------------------------------------- 2–4. the local database
/** The local D1's database file (miniflare's SQLite), or null before the first migration. */
function databaseFile(): string | null {
  const f = localDatabaseFile(persistDir);
  return existsSync(f) ? f : null;
}
interface StartState {
  database: string;
  inode: number;
  migrations?: string;
  /** statPrint of the content folder taken before it was loaded, and when. */
  content_stat?: string;
  content_stat_at?: number;
  demo?: boolean;
}
const stateFile = join(persistDir, 'start-state.json');
const readState = (fresh = values.fresh): StartState | null => {
  const db = databaseFile();
  if (!db || !existsSync(stateFile) || fresh) return null;
  const s = JSON.parse(readFileSync(stateFile, 'utf8')) as StartState;
  // The state describes one database file: a deleted or replaced database starts over.
  return s.database === db && s.inode === statSync(db).ino ? s : null;
};
const saveState = (patch: Partial<StartState>) => {
  const db = databaseFile();
  if (!db) return;
  const prev = readState(false) ?? { database: db, inode: statSync(db).ino };
  mkdirSync(persistDir, { recursive: true });
  writeFileSync(stateFile, JSON.stringify({ ...prev, ...patch, database: db, inode: statSync(db).ino }, null, 1));
};

// The database steps' time runs from here: deciding what to skip (fingerprints), opening (and
// creating) the file, the steps, and closing it (SQLite's checkpoint); CPU time too, which the
// other work on a shared machine does not inflate.
const dbStarted = performance.now();
const dbCpu = process.cpuUsage();
const migrations = fingerprint([MIGRATIONS_DIR]);
/** The content folder: CONTENT_DIR when set, as ./load-content.ts's contentDir() reads it. */
const contentFolder = process.env.CONTENT_DIR ? resolve(process.env.CONTENT_DIR) : undefined;
// The content step is skipped when no file of the folder was written since it was last loaded;
// otherwise the loader compares each town's files by content and reads only the towns that changed
// (a checkout that rewrote files with the same text costs reading them, no writes).
const contentStatAt = Date.now();
const content = statPrint(resolve(ROOT, contentFolder ?? 'content'));
const before = readState();
const contentUnchanged = before?.content_stat === content.print && content.newest < (before.content_stat_at ?? 0) - 2000;
const todo = { migrations: before?.migrations !== migrations, content: !contentUnchanged || before?.migrations !== migrations, demo: !before?.demo };
let db: LocalD1 | null = null;
let dbSeconds = 0;
let dbCpuSeconds = 0;
try {
  // Opened once for the three steps, and only when one of them has work to do.
  if (todo.migrations || todo.content || todo.demo) db = await openLocalD1(persistDir, { create: true, exclusive: true });
  if (!todo.migrations) {
    skip('local D1 migrations already applied');
  } else {
    step('applying migrations to the local D1 database');
    const applied = await timed('migrations', () => applyMigrations(db!));
    console.log(`  ${applied.length ? `applied ${applied.join(', ')}` : 'none to apply'}`);
    saveState({ migrations, content_stat: undefined });
  }
  if (!todo.content) {
    skip(`${contentFolder ?? 'content/'} already loaded into the local database`);
  } else {
    step(`loading ${contentFolder ?? 'content/'} into the local database`);
    const { loadContent } = await import('./load-content.ts');
    // With two demonstration towns in the real town's county (worker/content/demo.ts), so the region pages show towns side by side.
    // Only the towns whose files changed since this database loaded them are read and written (--fresh: all).
    const r = await timed('content', () => loadContent(db!, undefined, { demo: true, full: values.fresh }));
    console.log(
      `  ${r.towns} town(s), ${r.reread} read and written (the others unchanged), ${r.statements.toLocaleString('en')} statements in one transaction (snapshot ${r.hash.slice(0, 12)}…)`,
    );
    saveState({ content_stat: content.print, content_stat_at: contentStatAt });
  }
  if (!todo.demo) {
    skip(`demo accounts already created (local only; never on deploy): ${DEMO_ACCOUNTS.map((d) => d.username).join(', ')}; password ${DEMO_PASSWORD}`);
  } else {
    step('creating the demo accounts (local only; never on deploy)');
    const { createDemoAccounts } = await import('./admin.ts');
    await timed('demo accounts', () => createDemoAccounts(db!));
    saveState({ demo: true });
  }
} catch (e) {
  // ContentError by name: its module is loaded only when content is (see the imports).
  console.error(`\n${e instanceof LocalDatabaseBusyError || (e as Error).name === 'ContentError' ? (e as Error).message : (e as Error).stack}`);
  process.exit(1);
} finally {
  await db?.close();
  dbSeconds = (performance.now() - dbStarted) / 1000;
  const cpu = process.cpuUsage(dbCpu);
  dbCpuSeconds = (cpu.user + cpu.system) / 1e6;
}

// ---------------------------------------------------------------- serve
step(`serving site and API at http://127.0.0.1:${port}/  (API: http://127.0.0.1:${port}/api/health)  — Ctrl+C stops`);
console.log(
  `  prepared in ${((Date.now() - started) / 1000).toFixed(1)} s (build ${secs('build').toFixed(1)} s; database ${dbSeconds.toFixed(1)} s, ${dbCpuSeconds.toFixed(1)} s CPU: ` +
    `migrations ${secs('migrations').toFixed(1)} s, content ${secs('content').toFixed(1)} s, demo accounts ${secs('demo accounts').toFixed(1)} s); ` +
    'public pages show the local database at each request (no rebuild needed).',
);
const dev = wranglerSpawn(['dev', '--ip', '127.0.0.1', '--port', port, '--local', ...persist, '--show-interactive-dev-session=false', '--log-level', 'warn']);
const stop = () => dev.kill('SIGTERM');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
dev.on('exit', (code) => process.exit(code ?? 0));
