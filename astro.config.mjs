// @ts-check
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'astro/config';
import cloudflare from '@astrojs/cloudflare';
import react from '@astrojs/react';
import sitemap from '@astrojs/sitemap';
import consoleOffline from './site/integrations/console-offline.mjs';

/**
 * The public site. Pages that come from content/ alone (plan text, leading group, comparison,
 * search, the console shell) are prerendered into dist/client; pages and files that show what
 * the database holds (`export const prerender = false`) are rendered on demand from D1 by the
 * same Worker (worker/index.ts, worker/site.ts), so an approval is public at the next request.
 */
const BUILD_ID = createHash('sha256').update(`${Date.now()}:${process.pid}:${Math.random()}`).digest('hex').slice(0, 12);

const SITE = process.env.SITE_ORIGIN ?? 'https://demo-town-tracker.example.org';
/** The on-demand pages are not in the build's page list: the sitemap gets them per town of content/. */
const townIds = readdirSync(resolve(process.env.CONTENT_DIR ?? 'content', 'towns'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
const livePages = ['/', '/en/', ...townIds.flatMap((id) => [`/towns/${id}/`, `/towns/${id}/progress/`, `/towns/${id}/tasks/`, `/en/towns/${id}/`])].map((p) => new URL(p, SITE).href);

export default defineConfig({
  // Absolute URLs (sitemap, Atom feed, hreflang). `npm run deploy` refuses to run without a real SITE_ORIGIN.
  site: SITE,
  srcDir: './site',
  publicDir: './site/public',
  outDir: './dist',
  output: 'static',
  adapter: cloudflare({ prerenderEnvironment: 'node', imageService: 'passthrough' }),
  session: false,
  trailingSlash: 'always',
  build: { format: 'directory', inlineStylesheets: 'always' },
  integrations: [react(), consoleOffline(), sitemap({ customPages: livePages, filter: (page) => !page.endsWith('/404/') && !new URL(page).pathname.startsWith('/console/') })],
  devToolbar: { enabled: false },
  // Each build's id keys the Worker's page cache, so a new build never serves an old build's pages.
  vite: { define: { __BUILD_ID__: JSON.stringify(BUILD_ID) } },
});
