/**
 * Worker entry. Static assets (the built Astro site in dist/) are served by Workers Static
 * Assets; requests under /api/* run this Worker first (see run_worker_first in wrangler.toml).
 * The Cron Trigger runs `scheduled`: the daily overdue snapshot (worker/scheduled.ts).
 */
import { app } from './app.ts';
import type { Env } from './env.ts';
import { recordOverdueSnapshots } from './scheduled.ts';

export default {
  fetch(request, env, ctx) {
    return app.fetch(request, env, ctx);
  },
  async scheduled(controller, env, ctx) {
    ctx.waitUntil(recordOverdueSnapshots(env.DB, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env>;
