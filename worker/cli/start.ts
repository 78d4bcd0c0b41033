/**
 * `npm start`: one command that serves the site and the API at http://127.0.0.1:8787 (PORT
 * overrides the port). Data changes need no rebuild: pages that show the database are rendered
 * on demand from the local D1. Each step is skipped when what it depends on is unchanged, so a
 * warm restart on an unchanged tree only starts `wrangler dev`:
 *   1. build the site (astro build) unless dist/ was built from the same sources;
 *   2. apply the migrations, 3. load content/, 4. create the demo accounts — each unless the
 *      local database already holds that state (recorded in <persist>/start-state.json,
 *      together with the database file it describes).
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
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from './admin.ts';
import { ROOT, wrangler, wranglerSpawn } from './wrangler.ts';

const { values } = parseArgs({
  options: { 'persist-to': { type: 'string' }, 'no-build': { type: 'boolean', default: false }, fresh: { type: 'boolean', default: false } },
});
const persistDir = resolve(values['persist-to'] ?? resolve(ROOT, '.wrangler/state'));
const persist = values['persist-to'] ? ['--persist-to', persistDir] : [];
const port = process.env.PORT ?? '8787';
const started = Date.now();
const step = (msg: string) => console.log(`\n▶ ${msg}`);
const skip = (msg: string) => console.log(`✓ ${msg}`);
const node = (script: string, args: string[]) => {
  const r = spawnSync(process.execPath, [resolve(ROOT, script), ...args], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

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

// ---------------------------------------------------------------- 1. the build
const BUILD_INPUTS = ['site', 'worker', 'content', 'astro.config.mjs', 'wrangler.toml', 'package-lock.json', 'tsconfig.json'];
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
    const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' } });
    if (r.status !== 0) process.exit(r.status ?? 1);
    writeFileSync(buildStamp, inputs);
  }
}

// ---------------------------------------------------------------- 2–4. the local database
/** The local D1's database file (miniflare's SQLite), or null before the first migration. */
function databaseFile(): string | null {
  const dir = join(persistDir, 'v3/d1/miniflare-D1DatabaseObject');
  if (!existsSync(dir)) return null;
  const f = readdirSync(dir).find((n) => n.endsWith('.sqlite') && n !== 'metadata.sqlite');
  return f ? join(dir, f) : null;
}
interface StartState {
  database: string;
  inode: number;
  migrations?: string;
  content?: string;
  demo?: boolean;
}
const stateFile = join(persistDir, 'start-state.json');
const readState = (): StartState | null => {
  const db = databaseFile();
  if (!db || !existsSync(stateFile) || values.fresh) return null;
  const s = JSON.parse(readFileSync(stateFile, 'utf8')) as StartState;
  // The state describes one database file: a deleted or replaced database starts over.
  return s.database === db && s.inode === statSync(db).ino ? s : null;
};
const saveState = (patch: Partial<StartState>) => {
  const db = databaseFile();
  if (!db) return;
  const prev = readState() ?? { database: db, inode: statSync(db).ino };
  mkdirSync(persistDir, { recursive: true });
  writeFileSync(stateFile, JSON.stringify({ ...prev, ...patch, database: db, inode: statSync(db).ino }, null, 1));
};

const migrations = fingerprint(['migrations']);
if (readState()?.migrations === migrations) {
  skip('local D1 migrations already applied');
} else {
  step('applying migrations to the local D1 database');
  wrangler(['d1', 'migrations', 'apply', 'DB', '--local', ...persist], { quiet: true });
  saveState({ migrations, content: undefined });
}

const content = fingerprint(['content']);
if (readState()?.content === content) {
  skip('content/ already loaded into the local database');
} else {
  step('loading content/ into the local database');
  node('worker/cli/load-content.ts', ['--local', ...persist]);
  saveState({ content });
}

if (readState()?.demo) {
  skip(`demo accounts already created (local only; never on deploy): ${DEMO_ACCOUNTS.map((d) => d.username).join(', ')}; password ${DEMO_PASSWORD}`);
} else {
  step('creating the demo accounts (local only; never on deploy)');
  node('worker/cli/admin.ts', ['create-demo-accounts', '--local', ...persist]);
  saveState({ demo: true });
}

// ---------------------------------------------------------------- serve
step(`serving site and API at http://127.0.0.1:${port}/  (API: http://127.0.0.1:${port}/api/health)  — Ctrl+C stops`);
console.log(`  prepared in ${((Date.now() - started) / 1000).toFixed(1)} s; public pages show the local database at each request (no rebuild needed).`);
const dev = wranglerSpawn(['dev', '--ip', '127.0.0.1', '--port', port, '--local', ...persist, '--show-interactive-dev-session=false', '--log-level', 'warn']);
const stop = () => dev.kill('SIGTERM');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
dev.on('exit', (code) => process.exit(code ?? 0));
