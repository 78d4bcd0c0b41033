/**
 * `npm run deploy`: publish to Cloudflare (Workers + D1). Needs `wrangler login` (or
 * CLOUDFLARE_API_TOKEN) and a D1 database whose id is in wrangler.toml. Steps: build the site,
 * apply remote migrations, load content/ into the remote database, `wrangler deploy`.
 * Never creates demo accounts.
 */
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { ROOT, wrangler } from './wrangler.ts';

const toml = readFileSync(resolve(ROOT, 'wrangler.toml'), 'utf8');
if (toml.includes('database_id = "00000000-0000-0000-0000-000000000000"')) {
  console.error(
    [
      'wrangler.toml still has the placeholder D1 database id.',
      'Create the database once, then put the id it prints into wrangler.toml ([[d1_databases]] database_id):',
      '',
      '    npx wrangler login',
      '    npx wrangler d1 create demo-town-tracker',
      '',
      'Then run `npm run deploy` again.',
    ].join('\n'),
  );
  process.exit(1);
}

const run = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' } });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

console.log('▶ building the site');
run(resolve(ROOT, 'node_modules/.bin/astro'), ['build']);
console.log('▶ applying migrations to the remote D1 database');
wrangler(['d1', 'migrations', 'apply', 'DB', '--remote']);
console.log('▶ loading content/ into the remote database');
run(process.execPath, [resolve(ROOT, 'worker/cli/load-content.ts'), '--remote']);
console.log('▶ deploying the Worker and the site');
wrangler(['deploy']);
