/**
 * Runs wrangler with this project's offline settings: no metrics, no Cloudflare fetches, no banner.
 * Usage: node worker/cli/wrangler.ts <wrangler args…>
 */
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

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

/** Runs wrangler to completion, inheriting stdio; throws on a non-zero exit. */
export function wrangler(args: string[], opts: { quiet?: boolean } = {}): string {
  const r = spawnSync(bin, args, { cwd: ROOT, env: wranglerEnv(), stdio: opts.quiet ? 'pipe' : 'inherit', encoding: 'utf8' });
  if (r.status !== 0) {
    if (opts.quiet) process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}`);
    throw new Error(`wrangler ${args.join(' ')} exited with ${r.status}`);
  }
  return r.stdout ?? '';
}

/** Starts a long-running wrangler (e.g. dev) and returns the child process. */
export function wranglerSpawn(args: string[]) {
  return spawn(bin, args, { cwd: ROOT, env: wranglerEnv(), stdio: 'inherit' });
}

if (import.meta.main) {
  const child = wranglerSpawn(process.argv.slice(2));
  child.on('exit', (code) => process.exit(code ?? 1));
}
