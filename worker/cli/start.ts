/**
 * `npm start`: apply migrations to the local D1, load content/, snapshot the approved progress,
 * build the site from it, then serve
 * site + API with one `wrangler dev` at http://127.0.0.1:8787 (PORT overrides the port).
 *
 * Options (after `npm start --`):
 *   --persist-to DIR  keep the local D1 in DIR instead of .wrangler/state (as wrangler's flag);
 *                     the console's end-to-end tests use a fresh temporary folder.
 *   --no-build        serve the dist/ that is already built (no snapshot, no astro build); the
 *                     end-to-end tests use it because the rest of `npm test` reads that dist/.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, wrangler, wranglerSpawn } from './wrangler.ts';

const { values } = parseArgs({ options: { 'persist-to': { type: 'string' }, 'no-build': { type: 'boolean', default: false } } });
const persist = values['persist-to'] ? ['--persist-to', resolve(values['persist-to'])] : [];
const port = process.env.PORT ?? '8787';
const step = (msg: string) => console.log(`\n▶ ${msg}`);
const node = (script: string, args: string[]) => {
  const r = spawnSync(process.execPath, [resolve(ROOT, script), ...args], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

step('applying migrations to the local D1 database');
wrangler(['d1', 'migrations', 'apply', 'DB', '--local', ...persist], { quiet: true });

step('loading content/ into the local database');
node('worker/cli/load-content.ts', ['--local', ...persist]);

step('creating the demo accounts (local only; never on deploy)');
node('worker/cli/admin.ts', ['create-demo-accounts', '--local', ...persist]);

if (!values['no-build']) {
  step('taking a snapshot of the approved progress (.snapshot/)');
  node('worker/cli/snapshot.ts', ['--local', ...persist]);

  step('building the site (astro build, then the pagefind search index)');
  const build = spawnSync(resolve(ROOT, 'node_modules/.bin/astro'), ['build', '--silent'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' } });
  if (build.status !== 0) process.exit(build.status ?? 1);
  const index = spawnSync(resolve(ROOT, 'node_modules/.bin/pagefind'), ['--site', 'dist', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (index.status !== 0) process.exit(index.status ?? 1);
}

step(`serving site and API at http://127.0.0.1:${port}/  (API: http://127.0.0.1:${port}/api/health)  — Ctrl+C stops`);
const dev = wranglerSpawn(['dev', '--ip', '127.0.0.1', '--port', port, '--local', ...persist, '--show-interactive-dev-session=false', '--log-level', 'warn']);
const stop = () => dev.kill('SIGTERM');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
dev.on('exit', (code) => process.exit(code ?? 0));
