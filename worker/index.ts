/**
 * Worker entry, bundled by the Astro build (@astrojs/cloudflare keeps wrangler's `main`).
 * /api/* is the Hono app; site paths (run_worker_first in wrangler.toml) go through
 * worker/site.ts, which serves prerendered pages from Workers Static Assets and renders the
 * pages that show the database on demand with Astro, from D1. Every other static file is served
 * by Workers Static Assets without running this Worker. A public evidence file
 * (/towns/<town>/files/<sha256>.<ext>) is served from R2 by worker/routes/files.ts.
 * The Cron Triggers run `scheduled`: the night's run in parts (worker/scheduled.ts), each town's
 * overdue snapshot and summary judged on the new day, then the housekeeping.
 */
import astro from '@astrojs/cloudflare/entrypoints/server';
import { app } from './app.ts';
import type { Env } from './env.ts';
import { START_CRON, nightlyStep } from './scheduled.ts';
import { serveSite } from './site.ts';
import { PUBLIC_FILE_PATH, servePublicFile } from './routes/files.ts';

export default {
  fetch(request, env, ctx) {
    const { pathname } = new URL(request.url);
    if (pathname === '/api' || pathname.startsWith('/api/')) return app.fetch(request, env, ctx);
    if (PUBLIC_FILE_PATH.test(pathname)) return servePublicFile(request, env, ctx);
    return serveSite(request, env, ctx, (req) => astro.fetch(req as Parameters<typeof astro.fetch>[0], env as never, ctx));
  },
  async scheduled(controller, env, ctx) {
    ctx.waitUntil(nightlyStep(env.DB, controller.scheduledTime, { start: controller.cron === START_CRON }).then(() => undefined));
  },
} satisfies ExportedHandler<Env>;
