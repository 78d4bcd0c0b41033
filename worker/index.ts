/**
 * Worker entry. /api/* is the Hono app; HTML paths of the site run this Worker too (see
 * run_worker_first in wrangler.toml) so pages carry the reader's settings (worker/site.ts);
 * every other static file is served by Workers Static Assets without running it.
 * The Cron Trigger runs `scheduled`: the daily overdue snapshot (worker/scheduled.ts).
 */
import { app } from './app.ts';
import type { Env } from './env.ts';
import { recordOverdueSnapshots } from './scheduled.ts';
import { serveSite } from './site.ts';

export default {
  fetch(request, env, ctx) {
    const { pathname } = new URL(request.url);
    if (pathname === '/api' || pathname.startsWith('/api/')) return app.fetch(request, env, ctx);
    return serveSite(request, env);
  },
  async scheduled(controller, env, ctx) {
    ctx.waitUntil(recordOverdueSnapshots(env.DB, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env>;
