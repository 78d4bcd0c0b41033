/**
 * `npm start`: apply migrations to the local D1, load content/, snapshot the approved progress,
 * build the site from it, then serve
 * site + API with one `wrangler dev` at http://127.0.0.1:8787 (PORT overrides the port).
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { ROOT, wrangler, wranglerSpawn } from './wrangler.ts';

const port = process.env.PORT ?? '8787';
const step = (msg: string) => console.log(`\n▶ ${msg}`);

step('applying migrations to the local D1 database');
wrangler(['d1', 'migrations', 'apply', 'DB', '--local'], { quiet: true });

step('loading content/ into the local database');
const load = spawnSync(process.execPath, [resolve(ROOT, 'worker/cli/load-content.ts'), '--local'], { cwd: ROOT, stdio: 'inherit' });
if (load.status !== 0) process.exit(load.status ?? 1);

step('creating the demo accounts (local only; never on deploy)');
const demo = spawnSync(process.execPath, [resolve(ROOT, 'worker/cli/admin.ts'), 'create-demo-accounts', '--local'], { cwd: ROOT, stdio: 'inherit' });
if (demo.status !== 0) process.exit(demo.status ?? 1);

step('taking a snapshot of the approved progress (.snapshot/)');
const snap = spawnSync(process.execPath, [resolve(ROOT, 'worker/cli/snapshot.ts'), '--local'], { cwd: ROOT, stdio: 'inherit' });
if (snap.status !== 0) process.exit(snap.status ?? 1);

step('building the site (astro build, then the pagefind search index)');
const build = spawnSync(resolve(ROOT, 'node_modules/.bin/astro'), ['build', '--silent'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' } });
if (build.status !== 0) process.exit(build.status ?? 1);
const index = spawnSync(resolve(ROOT, 'node_modules/.bin/pagefind'), ['--site', 'dist', '--silent'], { cwd: ROOT, stdio: 'inherit' });
if (index.status !== 0) process.exit(index.status ?? 1);

step(`serving site and API at http://127.0.0.1:${port}/  (API: http://127.0.0.1:${port}/api/health)  — Ctrl+C stops`);
const dev = wranglerSpawn(['dev', '--ip', '127.0.0.1', '--port', port, '--local', '--show-interactive-dev-session=false', '--log-level', 'warn']);
const stop = () => dev.kill('SIGTERM');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
dev.on('exit', (code) => process.exit(code ?? 0));
