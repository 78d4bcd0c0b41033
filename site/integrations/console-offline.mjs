/**
 * Astro integration for the console's offline shell, run when the build is done (`dir` is the
 * build's client output, wherever the adapter puts it: dist/ today, dist/client/ with
 * @astrojs/cloudflare):
 *
 * 1. writes the precache list into the build's copy of console/sw.js (site/public/console/sw.js):
 *    /console/ (the shell: it opens each role's first screen), the web app manifest and icon, and
 *    every /_astro/*.js|css (only the console has scripts), with a version hashed from them, so a
 *    new build installs a new cache and drops the old one;
 * 2. adds <link rel="modulepreload"> to each console page for the scripts its entry imports
 *    statically and, on a screen's own page, that screen's chunk and its imports (on /console/,
 *    我的任务's, the first screen of most who sign in there). Without them the
 *    browser finds react-dom only after the entry has arrived, and the screen only after that:
 *    three round trips instead of one, each 2 s on a rural network.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Relative imports of a built chunk ("./x.js"), static ones only.
 * @param {string} code
 * @returns {string[]}
 */
const staticImports = (code) => [...code.matchAll(/(?:\bimport|\bfrom)\s*["']\.\/([^"']+\.js)["']/g)].map((m) => m[1]);

/**
 * A console page's screen (data-screen) → the chunk name Vite gives its module (screens/Tasks.tsx → Tasks.<hash>.js).
 * @param {string} screen
 */
const chunkName = (screen) => screen.charAt(0).toUpperCase() + screen.slice(1);

/**
 * @param {string} dir
 * @returns {Promise<string[]>}
 */
async function htmlFiles(dir) {
  /** @type {string[]} */
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await htmlFiles(p)));
    else if (e.name === 'index.html') out.push(p);
  }
  return out;
}

/** @returns {import('astro').AstroIntegration} */
export default function consoleOffline() {
  return {
    name: 'console-offline',
    hooks: {
      'astro:build:done': async ({ dir, logger }) => {
        const root = fileURLToPath(dir);
        const consoleDir = join(root, 'console');
        const swPath = join(consoleDir, 'sw.js');
        if (!existsSync(swPath)) throw new Error(`console-offline: ${swPath} missing (site/public/console/sw.js is copied there by the build)`);
        const astroDir = join(root, '_astro');
        const assets = existsSync(astroDir) ? (await readdir(astroDir)).filter((f) => /\.(js|css)$/.test(f)).sort() : [];
        // The .docx converter (mammoth, ~100 KB gzip) is loaded only when an admin drafts a plan: not precached for everyone.
        const onDemand = (f) => /^docx-text\./.test(f);
        const code = new Map(await Promise.all(assets.filter((f) => f.endsWith('.js')).map(async (f) => /** @type {[string, string]} */ ([f, await readFile(join(astroDir, f), 'utf8')]))));
        const closure = (start) => {
          const seen = new Set();
          const walk = (f) => {
            if (seen.has(f) || !code.has(f)) return;
            seen.add(f);
            staticImports(code.get(f)).forEach(walk);
          };
          walk(start);
          return [...seen];
        };

        const pages = await htmlFiles(consoleDir);
        for (const file of pages) {
          let html = await readFile(file, 'utf8');
          const entry = /<script type="module" src="\/_astro\/([^"]+\.js)"/.exec(html)?.[1];
          if (!entry) continue;
          // /console/ opens each role's first screen in place after sign-in; most who sign in there are
          // reporters, so it preloads 我的任务 (its data is asked for before the app arrives, early.js).
          const page = /data-screen="([a-z]+)"/.exec(html)?.[1] ?? 'home';
          const screen = page === 'home' ? 'tasks' : page;
          const screenChunk = assets.find((f) => f.startsWith(`${chunkName(screen)}.`) && f.endsWith('.js'));
          const preload = [...new Set([...closure(entry), ...(screenChunk ? closure(screenChunk) : [])])].filter((f) => f !== entry);
          const links = preload.map((f) => `<link rel="modulepreload" href="/_astro/${f}">`).join('');
          html = html.replace(/<link rel="modulepreload"[^>]*>/g, '').replace('</head>', `${links}</head>`);
          await writeFile(file, html);
        }

        const urls = ['/console/', '/console/manifest.webmanifest', '/console/icon.svg', ...assets.filter((f) => !onDemand(f)).map((f) => `/_astro/${f}`)];
        const hash = createHash('sha256');
        for (const u of urls) hash.update(u);
        hash.update(await readFile(join(consoleDir, 'index.html')));
        const manifest = { version: hash.digest('hex').slice(0, 16), urls };
        const sw = await readFile(swPath, 'utf8');
        const out = sw.replace(/\/\*PRECACHE\*\/[\s\S]*?\/\*END\*\//, `/*PRECACHE*/ ${JSON.stringify(manifest)} /*END*/`);
        if (out === sw) throw new Error('console-offline: no /*PRECACHE*/ … /*END*/ placeholder in sw.js');
        await writeFile(swPath, out);
        logger.info(`precache ${urls.length} files (version ${manifest.version}), modulepreload on ${pages.length} console pages (${relative(process.cwd(), consoleDir).split(sep).join('/')})`);
      },
    },
  };
}
