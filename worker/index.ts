/**
 * Worker entry. Static assets (the built Astro site in dist/) are served by Workers Static
 * Assets; requests under /api/* run this Worker first (see run_worker_first in wrangler.toml).
 */
import { app } from './app.ts';
import type { Env } from './env.ts';

export default {
  fetch(request, env, ctx) {
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
