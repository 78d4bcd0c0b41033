// @ts-check
import { defineConfig } from 'astro/config';
import react from '@astrojs/react';
import sitemap from '@astrojs/sitemap';
import consoleOffline from './site/integrations/console-offline.mjs';

// The public site: static pages built from content/ into dist/, served by the Worker's static assets.
export default defineConfig({
  // Placeholder origin for absolute URLs (sitemap, Atom feed); set SITE_ORIGIN for a real deploy (README).
  site: process.env.SITE_ORIGIN ?? 'https://demo-town-tracker.example.org',
  srcDir: './site',
  publicDir: './site/public',
  outDir: './dist',
  output: 'static',
  trailingSlash: 'always',
  build: { format: 'directory', inlineStylesheets: 'always' },
  integrations: [react(), consoleOffline(), sitemap({ filter: (page) => !page.endsWith('/404/') && !new URL(page).pathname.startsWith('/console/') })],
  devToolbar: { enabled: false },
});
