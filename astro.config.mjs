// @ts-check
import { createHash } from 'node:crypto';
import { defineConfig } from 'astro/config';
import cloudflare from '@astrojs/cloudflare';
import react from '@astrojs/react';
import sitemap from '@astrojs/sitemap';
import consoleOffline from './site/integrations/console-offline.mjs';

/**
 * The public site. Every page that shows a town (plan, group, progress, lists, comparison, search)
 * is rendered on demand from D1 by the same Worker (worker/index.ts, worker/site.ts): the build
 * reads no town, so it and the Worker bundle cost the same for one town as for a thousand, and a
 * town loaded into D1 (`npm run db:load`) is live at the next request. Only the console shell and
 * the 404 page are prerendered into dist/client.
 */
const BUILD_ID = createHash('sha256').update(`${Date.now()}:${process.pid}:${Math.random()}`).digest('hex').slice(0, 12);

const SITE = process.env.SITE_ORIGIN ?? 'https://demo-town-tracker.example.org';
/** The towns' pages are listed by /sitemap-towns.xml, rendered from D1 (site/pages/sitemap-towns.xml.ts). */
const townsSitemap = new URL('/sitemap-towns.xml', SITE).href;

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
  integrations: [react(), consoleOffline(), sitemap({ customSitemaps: [townsSitemap], filter: (page) => !page.endsWith('/404/') && !new URL(page).pathname.startsWith('/console/') })],
  devToolbar: { enabled: false },
  // Each build's id keys the Worker's page cache, so a new build never serves an old build's pages.
  vite: { define: { __BUILD_ID__: JSON.stringify(BUILD_ID) } },
});
