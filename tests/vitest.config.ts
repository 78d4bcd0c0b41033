/**
 * Three projects, all on the site as `npm test` builds it first:
 * - `worker` runs the built Worker (dist/server: API, on-demand pages and prerendered pages)
 *   inside workerd against a real local D1 with the real migrations (@cloudflare/vitest-plugin);
 * - `site` reads the public pages over HTTP from the built Worker under `wrangler dev` with a
 *   seeded local D1 (tests/site/live-site.ts), in Chromium where a reader's view matters;
 * - `node` checks content, domain rules, the CLI and the console end to end.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { readContent } from '../worker/content/read.ts';

const root = resolve(import.meta.dirname, '..');

/** Every URL path of the prerendered site (dist/client, as npm test builds it first): pages as `/dir/`, files as themselves. */
function assetPaths(): string[] {
  const dist = resolve(root, 'dist/client');
  if (!existsSync(dist)) return [];
  return (readdirSync(dist, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((d) => d.isFile() && !d.name.startsWith('_') && !d.name.startsWith('.'))
    .map((d) => `/${relative(dist, resolve(d.parentPath, d.name)).split('\\').join('/')}`.replace(/(^|\/)index\.html$/, '$1'))
    .sort();
}

/**
 * The built Worker's config (dist/server/wrangler.json, written by astro build) for the test pool,
 * less `rules` and `no_bundle`: with them the pool loads node_modules' CommonJS packages that test
 * files import (exceljs, zod through @hono/zod-openapi) as ES modules, unbundled.
 */
function builtConfig(): string {
  const built = resolve(root, 'dist/server/wrangler.json');
  if (!existsSync(built)) throw new Error('dist/server/wrangler.json is missing: run `npm run build` first (npm test does)');
  const { rules: _rules, no_bundle: _noBundle, ...config } = JSON.parse(readFileSync(built, 'utf8')) as Record<string, any>;
  // Kept outside dist/ (a rebuild empties it while tests run), so its paths are made absolute.
  const abs = (p: string) => resolve(root, 'dist/server', p);
  config.main = abs(config.main);
  if (config.assets?.directory) config.assets.directory = abs(config.assets.directory);
  for (const d of config.d1_databases ?? []) if (d.migrations_dir) d.migrations_dir = abs(d.migrations_dir);
  const dir = resolve(root, '.wrangler/vitest');
  mkdirSync(dir, { recursive: true });
  const out = resolve(dir, 'wrangler.json');
  writeFileSync(out, JSON.stringify(config));
  return out;
}

export default defineConfig(async () => {
  const migrations = await readD1Migrations(resolve(root, 'migrations'));
  const content = readContent(resolve(root, 'content'));
  return {
    test: {
      // Vitest's default on a 2-core machine is one file at a time (cores - 1). Most slow files wait
      // on other processes (wrangler dev, workerd, Chromium, LibreOffice), so two at a time roughly
      // halves the wall time there; every test waits for conditions, not for times, so they hold
      // under the extra load. Each file uses its own ports and temporary folders.
      maxWorkers: 2,
      projects: [
        {
          plugins: [
            cloudflareTest({
              // The Worker as built (astro build bundles worker/index.ts with the on-demand pages).
              wrangler: { configPath: builtConfig() },
              miniflare: {
                // Test-only bindings: the migrations to apply, content/ as parsed on the host, the built site's paths.
                bindings: { TEST_MIGRATIONS: migrations, TEST_CONTENT: content, TEST_ASSET_PATHS: assetPaths() },
              },
            }),
          ],
          test: {
            name: 'worker',
            root,
            include: ['tests/worker/**/*.test.ts'],
            setupFiles: ['tests/worker/apply-migrations.ts'],
            // A bound for a hung test, not a speed check: the suite runs on loaded 2-core machines.
            testTimeout: 60_000,
            hookTimeout: 60_000,
          },
        },
        {
          test: {
            name: 'node',
            root,
            environment: 'node',
            include: ['tests/api/**/*.test.ts', 'tests/content/**/*.test.ts', 'tests/domain/**/*.test.ts', 'tests/cli/**/*.test.ts', 'tests/e2e/**/*.test.ts'],
            testTimeout: 120_000,
            // expect.poll waits for what a user waits for; on a loaded machine that can take longer than vitest's 1 s default (as Playwright's 30 s).
            expect: { poll: { timeout: 30_000 } },
          },
        },
        {
          test: {
            name: 'site',
            root,
            environment: 'node',
            include: ['tests/site/**/*.test.ts'],
            globalSetup: ['tests/site/live-site.ts'],
            testTimeout: 120_000,
            expect: { poll: { timeout: 30_000 } },
            hookTimeout: 180_000,
          },
        },
      ],
    },
  };
});
