import type { D1Migration } from '@cloudflare/vitest-plugin';
import type { ContentBundle } from '../../worker/domain/content.ts';

// The Worker's bindings (worker/env.ts) plus the test-only ones from tests/vitest.config.ts.
declare global {
  namespace Cloudflare {
    interface Env {
      DB: D1Database;
      ASSETS: Fetcher;
      FILES: R2Bucket;
      TEST_MIGRATIONS: D1Migration[];
      TEST_CONTENT: ContentBundle;
      TEST_ASSET_PATHS: string[];
    }
  }
}
export {};
