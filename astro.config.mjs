// @ts-check
import { defineConfig } from 'astro/config';
import react from '@astrojs/react';

// The public site: static pages built from content/ into dist/, served by the Worker's static assets.
export default defineConfig({
  srcDir: './site',
  publicDir: './site/public',
  outDir: './dist',
  output: 'static',
  trailingSlash: 'always',
  build: { format: 'directory', inlineStylesheets: 'always' },
  integrations: [react()],
  devToolbar: { enabled: false },
});
