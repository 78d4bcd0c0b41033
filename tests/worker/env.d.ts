import type { D1Migration } from '@cloudflare/vitest-plugin';
import type { ContentBundle } from '../../worker/domain/content.ts';
import type { Env } from '../../worker/env.ts';

declare global {
  namespace Cloudflare {
    interface Env extends import('../../worker/env.ts').Env {
      TEST_MIGRATIONS: D1Migration[];
      TEST_CONTENT: ContentBundle;
    }
  }
}
declare module 'cloudflare:test' {
  interface ProvidedEnv extends Env {
    TEST_MIGRATIONS: D1Migration[];
    TEST_CONTENT: ContentBundle;
  }
}
export {};
