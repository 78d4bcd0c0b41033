/**
 * Runs wrangler with this project's offline settings: no metrics, no Cloudflare fetches, no banner.
 * Usage: node worker/cli/wrangler.ts <wrangler args…>
 *
 * Nothing wrangler prints is held in a pipe buffer: a quiet call sends stdout and stderr to a
 * temporary file (Node's default 1 MiB `maxBuffer` made every call that printed more fail with
 * ENOBUFS), and a query's JSON is read from that file. Every query the CLIs run is bounded by
 * the query itself (LIMIT 1, or one page of worker/cli/backup.ts), never by the database's size.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, fstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { renderSql, type Stmt } from '../db/sql.ts';

/** Repository root. */
export const ROOT = resolve(import.meta.dirname, '../..');

/** Environment for every wrangler call. */
export const wranglerEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_HIDE_BANNER: 'true',
});

const bin = resolve(ROOT, 'node_modules/.bin/wrangler');
/** The script wrangler's bin runs (node_modules/wrangler/bin/wrangler.js → wrangler-dist/cli.js). */
const cli = resolve(ROOT, 'node_modules/wrangler/wrangler-dist/cli.js');

/** The last `n` bytes of a file, as text (what a failing call printed last). */
function tail(fd: number, n = 64 * 1024): string {
  const size = fstatSync(fd).size;
  const len = Math.min(size, n);
  const buf = Buffer.alloc(len);
  readSync(fd, buf, 0, len, size - len);
  return (size > len ? '…\n' : '') + buf.toString('utf8');
}

/**
 * Runs wrangler to completion and throws on a non-zero exit. Not quiet: stdio is inherited.
 * Quiet: stdout goes to a temporary file, passed to `read` (when given) before it is removed;
 * stderr goes to another, whose last 64 KiB are shown if wrangler fails.
 */
export function wrangler(args: string[], opts: { quiet?: boolean } = {}): void {
  wranglerRead(args, opts.quiet ? () => undefined : undefined);
}

function wranglerRead<T>(args: string[], read: ((stdoutFile: string) => T) | undefined): T | undefined {
  if (!read) {
    const r = spawnSync(bin, args, { cwd: ROOT, env: wranglerEnv(), stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`wrangler ${args.join(' ')} exited with ${r.status}`);
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'dtt-wrangler-'));
  const outFile = join(dir, 'stdout');
  const out = openSync(outFile, 'w+');
  const err = openSync(join(dir, 'stderr'), 'w+');
  try {
    const r = spawnSync(bin, args, { cwd: ROOT, env: wranglerEnv(), stdio: ['ignore', out, err] });
    if (r.status !== 0) {
      process.stderr.write(`${tail(out)}${tail(err)}`);
      throw new Error(`wrangler ${args.slice(0, 3).join(' ')} … exited with ${r.status ?? r.signal}${r.error ? ` (${r.error.message})` : ''}`);
    }
    return read(outFile);
  } finally {
    closeSync(out);
    closeSync(err);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs wrangler quietly and returns what it printed on stdout, read from a file after it exits
 * (no pipe buffer to overflow). Whole output in memory: only for output bounded by the command.
 */
export function wranglerOutput(args: string[]): string {
  return wranglerRead(args, (f) => readFileSync(f, 'utf8'))!;
}

/**
 * Runs SQL statements in one `wrangler d1 execute --json --command` and returns each statement's
 * rows. The caller bounds the result (LIMIT, or a page); the output is read from a file, so its
 * size meets no pipe buffer.
 */
export function d1Json<T = Record<string, unknown>>(target: string[], stmts: Stmt[]): T[][] {
  const sql = stmts.map(renderSql).join('\n');
  const parsed = wranglerRead(['d1', 'execute', 'DB', ...target, '--json', '--command', sql], (f) => JSON.parse(readFileSync(f, 'utf8')) as { results: T[] }[]);
  return parsed!.map((r) => r.results);
}

/** Starts a long-running wrangler (e.g. dev) and returns the child process. */
export function wranglerSpawn(args: string[], env: NodeJS.ProcessEnv = {}) {
  // wrangler's own bin only starts a second Node on wrangler-dist/cli.js with --no-warnings: run
  // that directly (one Node start fewer before `wrangler dev` serves; this Node is ≥ 22, as it needs).
  return spawn(process.execPath, ['--no-warnings', cli, ...args], { cwd: ROOT, env: { ...wranglerEnv(), ...env }, stdio: 'inherit' });
}

if (import.meta.main) {
  const child = wranglerSpawn(process.argv.slice(2));
  child.on('exit', (code) => process.exit(code ?? 1));
}
