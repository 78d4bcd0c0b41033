/**
 * Two projects: `worker` runs inside workerd against a real local D1 with the real
 * migrations (@cloudflare/vitest-plugin); `node` checks content, domain rules and the built site.
 */
import { existsSync, readdirSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { readContent } from '../worker/content/read.ts';

const root = resolve(import.meta.dirname, '..');

/** Every URL path of the built site (dist/, as npm test builds it first): pages as `/dir/`, files as themselves. */
function assetPaths(): string[] {
  const dist = resolve(root, 'dist');
  if (!existsSync(dist)) return [];
  return (readdirSync(dist, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((d) => d.isFile() && !d.name.startsWith('_'))
    .map((d) => `/${relative(dist, resolve(d.parentPath, d.name)).split('\\').join('/')}`.replace(/(^|\/)index\.html$/, '$1'))
    .sort();
}

export default defineConfig(async () => {
  const migrations = await readD1Migrations(resolve(root, 'migrations'));
  const content = readContent(resolve(root, 'content'));
  return {
    test: {
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: resolve(root, 'wrangler.toml') },
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
          },
        },
        {
          test: {
            name: 'node',
            root,
            environment: 'node',
            include: ['tests/api/**/*.test.ts', 'tests/content/**/*.test.ts', 'tests/domain/**/*.test.ts', 'tests/site/**/*.test.ts', 'tests/cli/**/*.test.ts', 'tests/e2e/**/*.test.ts'],
            testTimeout: 120_000,
          },
        },
      ],
    },
  };
});
