/**
 * `npm run deploy`: publish to Cloudflare (Workers + D1 + R2). Needs `wrangler login` (or
 * CLOUDFLARE_API_TOKEN), a D1 database whose id is in wrangler.toml, and SITE_ORIGIN, the
 * public address (absolute links in the sitemap, feeds and hreflang).
 * Steps: build the site, make sure the evidence files' R2 bucket exists (`wrangler r2 bucket
 * list`, and `wrangler r2 bucket create` when the account has none of that name), apply remote
 * migrations, load content/ into the remote database, `wrangler deploy`. Never creates demo accounts.
 *
 * What the public pages show comes from the remote database at request time: the build reads
 * content/ only, never a local database, so nothing of this machine's local data is published.
 *
 * Usage: SITE_ORIGIN=https://… node worker/cli/deploy.ts [--dry-run]
 *   --dry-run  check the settings and build, but touch nothing remote (the deploy test uses it).
 */
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { bucketName } from './r2.ts';
import { ROOT, wrangler, wranglerOutput } from './wrangler.ts';

/** The origin astro.config.mjs falls back to: never a real deploy's. */
export const PLACEHOLDER_ORIGIN = 'https://demo-town-tracker.example.org';

/** Why SITE_ORIGIN cannot be deployed with, or null when it can. */
export function originProblem(origin: string | undefined): string | null {
  if (!origin) return 'SITE_ORIGIN is not set.';
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    return `SITE_ORIGIN is not a URL: ${origin}`;
  }
  if (u.origin === new URL(PLACEHOLDER_ORIGIN).origin) return `SITE_ORIGIN is the placeholder ${PLACEHOLDER_ORIGIN}.`;
  if (u.protocol !== 'https:') return `SITE_ORIGIN must be https: ${origin}`;
  if (u.pathname !== '/' || u.search || u.hash) return `SITE_ORIGIN must be an origin only (no path): ${origin}`;
  return null;
}

/** The bucket names `wrangler r2 bucket list` printed (a "name:  …" line per bucket). */
export function listedBuckets(output: string): string[] {
  return [...output.matchAll(/^name:\s+(\S+)\s*$/gm)].map((m) => m[1]!);
}

/** Makes sure the evidence files' bucket exists: creates it when the account has none of that name. */
function ensureBucket(name: string): void {
  if (listedBuckets(wranglerOutput(['r2', 'bucket', 'list'])).includes(name)) {
    console.log(`✓ R2 bucket ${name} exists`);
    return;
  }
  console.log(`▶ creating the R2 bucket ${name} (the account has none of that name)`);
  wrangler(['r2', 'bucket', 'create', name]);
}

if (import.meta.main) {
  const dryRun = process.argv.includes('--dry-run');
  const fail = (lines: string[]) => {
    console.error(lines.join('\n'));
    process.exit(1);
  };
  const problem = originProblem(process.env.SITE_ORIGIN);
  if (problem) {
    fail([
      problem,
      'Set it to the public address of the site, e.g.',
      '',
      '    SITE_ORIGIN=https://yiyang.example.gov.cn npm run deploy',
      '',
      'It is used for the absolute links of the sitemap, the Atom feeds and the language alternates.',
    ]);
  }
  const toml = readFileSync(resolve(ROOT, 'wrangler.toml'), 'utf8');
  if (!dryRun && toml.includes('database_id = "00000000-0000-0000-0000-000000000000"')) {
    fail([
      'wrangler.toml still has the placeholder D1 database id.',
      'Create the database once, then put the id it prints into wrangler.toml ([[d1_databases]] database_id):',
      '',
      '    npx wrangler login',
      '    npx wrangler d1 create demo-town-tracker',
      '',
      'Then run `npm run deploy` again.',
    ]);
  }

  console.log(`▶ building the site for ${new URL(process.env.SITE_ORIGIN!).origin}`);
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' } });
  if (build.status !== 0) process.exit(build.status ?? 1);
  const bucket = bucketName(toml);
  if (dryRun) {
    console.log(`✓ dry run: built dist/; nothing remote was touched (R2 bucket ${bucket} check, remote migrations, content load and \`wrangler deploy\` skipped).`);
    process.exit(0);
  }
  console.log(`▶ checking the R2 bucket ${bucket} for evidence files`);
  ensureBucket(bucket);
  console.log('▶ applying migrations to the remote D1 database');
  wrangler(['d1', 'migrations', 'apply', 'DB', '--remote']);
  console.log('▶ loading content/ into the remote database');
  const load = spawnSync(process.execPath, [resolve(ROOT, 'worker/cli/load-content.ts'), '--remote'], { cwd: ROOT, stdio: 'inherit' });
  if (load.status !== 0) process.exit(load.status ?? 1);
  console.log('▶ deploying the Worker and the site');
  wrangler(['deploy']);
}
