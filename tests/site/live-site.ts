/**
 * The built Worker (dist/server, as `npm test` builds it) served by `wrangler dev` over a fresh
 * local D1 in a temporary folder: migrations applied, content/ loaded, and the synthetic public
 * data of tests/fixtures/public seeded. The site tests read every page from it over HTTP, the
 * way a reader does: on-demand pages from D1, prerendered pages from static assets.
 *
 * Used as the node project's globalSetup (tests/vitest.config.ts): one server for all site
 * tests, its origin given to them as `inject('siteOrigin')`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { parseFixture, seedSql } from '../fixtures/public-seed.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURES = resolve(ROOT, 'tests/fixtures/public');

const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true', ...extra });

/** Runs a project script (of the project at `root`) with this Node (22, as npm test runs it); throws with its output on failure. */
function run(script: string, args: string[], root = ROOT, extra: Record<string, string> = {}): void {
  const r = spawnSync(process.execPath, [resolve(root, script), ...args], { cwd: root, env: env(extra), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${script} ${args.join(' ')} exited with ${r.status}:\n${r.stdout}\n${r.stderr}`);
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => res(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

export interface LiveSite {
  origin: string;
  /** The local D1's folder (for `wrangler d1 execute --persist-to`). */
  persist: string;
  close: () => Promise<void>;
}

/**
 * Starts the built Worker over a fresh, seeded local D1; `seed: false` leaves the progress empty;
 * `port` defaults to a free one. `root` serves another copy of the project (built there), `env`
 * is given to its content loader (e.g. CONTENT_DIR for another content folder).
 */
export async function startLiveSite(opts: { seed?: boolean; port?: number; root?: string; env?: Record<string, string> } = {}): Promise<LiveSite> {
  const root = opts.root ?? ROOT;
  if (!existsSync(resolve(root, 'dist/server/wrangler.json'))) throw new Error('dist/server is missing: run `npm run build` first (npm test does)');
  const persist = mkdtempSync(join(tmpdir(), 'live-site-'));
  const target = ['--local', '--persist-to', persist];
  // Migrated as npm start does (one process; tests/cli/local-db.test.ts shows wrangler then finds nothing to apply).
  run('worker/cli/migrate.ts', target, root);
  run('worker/cli/load-content.ts', target, root, opts.env);
  if (opts.seed !== false) {
    const sql = readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.json'))
      .map((f) => seedSql(parseFixture(JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')))))
      .join('');
    const file = join(persist, 'seed.sql');
    writeFileSync(file, sql);
    run('worker/cli/wrangler.ts', ['d1', 'execute', 'DB', ...target, '--yes', '--file', file], root);
  }
  // Two servers started at the same instant can pick the same port for one of wrangler's internal
  // sockets ("Address already in use"): start again on fresh ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await serve(root, persist, target, opts.port);
    } catch (e) {
      if (!(e instanceof Error && /Address already in use/.test(e.message)) || attempt === 3 || opts.port) {
        rmSync(persist, { recursive: true, force: true });
        throw e;
      }
    }
  }
}

async function serve(root: string, persist: string, target: string[], fixedPort?: number): Promise<LiveSite> {
  const port = fixedPort ?? (await freePort());
  const origin = `http://127.0.0.1:${port}`;
  let log = '';
  // Its own process group, so close() ends exactly what it started (wrangler and workerd).
  const child: ChildProcess = spawn(
    resolve(ROOT, 'node_modules/.bin/wrangler'),
    ['dev', '--ip', '127.0.0.1', '--port', String(port), ...target, '--show-interactive-dev-session=false', '--log-level', 'warn'],
    { cwd: root, env: env(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const until = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}:\n${log}`);
    try {
      if ((await fetch(`${origin}/api/health`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > until) throw new Error(`wrangler dev did not answer within 120 s:\n${log}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  const close = async () => {
    if (child.pid && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* ended by SIGTERM */
      }
    }
    rmSync(persist, { recursive: true, force: true });
  };
  return { origin, persist, close };
}

/** globalSetup: one seeded site for the node project's site tests. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const site = await startLiveSite();
  project.provide('siteOrigin', site.origin);
  return site.close;
}
