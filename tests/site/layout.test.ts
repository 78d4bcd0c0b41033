/**
 * The built pages as laid out by a real browser (Debian's chromium, headless; .ci/run installs it):
 * at 320 px and at 1024 px wide no page scrolls sideways, body text is at least 18 px with a line
 * height of at least 1.5, every piece of text has a contrast of at least 4.5:1 against its
 * background, and the navigation links are at least 44 px tall.
 *
 * Each page is loaded into an <iframe> of the exact width (headless chromium will not make a
 * window narrower than 500 px), measured by a script in the harness page — the site's own pages
 * stay script-free — and the results are read back from the harness DOM.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIST, fetchLive, htmlFiles, siteFile } from './dist.ts';

const WIDTHS = [320, 1024];

function findChromium(): string | undefined {
  for (const c of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${c}`], { encoding: 'utf8' }).trim() || undefined;
    } catch {
      /* not installed */
    }
  }
  return undefined;
}


interface Measure {
  page: string;
  width: number;
  scrollWidth: number;
  clientWidth: number;
  overflowing: string[];
  bodyFontPx: number;
  bodyLineHeightPx: number;
  smallText: string[];
  lowContrast: string[];
  shortNavLinks: string[];
}

/** Runs in the harness page: measures every iframe once all have loaded. */
const MEASURE = String.raw`
function lum(rgb) {
  const c = rgb.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}
function parse(c) { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null; const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number); return { rgb: p.slice(0, 3), a: p.length > 3 ? p[3] : 1 }; }
function bg(win, el) {
  for (let e = el; e; e = e.parentElement) { const c = parse(win.getComputedStyle(e).backgroundColor); if (c && c.a > 0) return c.rgb; }
  return [255, 255, 255];
}
function ratio(a, b) { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); }
function describe(e) { return e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : '') + ' "' + (e.textContent || '').trim().slice(0, 20) + '"'; }
function measure(frame) {
  const win = frame.contentWindow, doc = frame.contentDocument, root = doc.documentElement, cw = root.clientWidth;
  const all = [...doc.body.querySelectorAll('*')];
  const visible = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && win.getComputedStyle(e).visibility !== 'hidden'; };
  const inScroller = (e) => { for (let p = e.parentElement; p; p = p.parentElement) if (/(auto|scroll)/.test(win.getComputedStyle(p).overflowX)) return true; return false; };
  const overflowing = all.filter((e) => visible(e) && e.getBoundingClientRect().right > cw + 1 && !inScroller(e) && !e.closest('.visually-hidden,.skip-link')).map(describe);
  const texts = all.filter((e) => visible(e) && [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()) && !e.closest('.visually-hidden,.skip-link'));
  const bs = win.getComputedStyle(doc.body);
  const smallText = texts.filter((e) => parseFloat(win.getComputedStyle(e).fontSize) < 17.5).map((e) => describe(e) + ' ' + win.getComputedStyle(e).fontSize);
  const lowContrast = texts.filter((e) => { const c = parse(win.getComputedStyle(e).color); return ratio(c.rgb, bg(win, e)) < 4.5; }).map((e) => describe(e) + ' ' + win.getComputedStyle(e).color);
  const shortNavLinks = [...doc.querySelectorAll('.site-nav a, .town-nav a, .breadcrumbs a, .site-name')].filter((a) => a.getBoundingClientRect().height < 44).map(describe);
  return { page: frame.dataset.page, width: Number(frame.width), scrollWidth: root.scrollWidth, clientWidth: cw, overflowing, bodyFontPx: parseFloat(bs.fontSize), bodyLineHeightPx: parseFloat(bs.lineHeight), smallText, lowContrast, shortNavLinks };
}
window.addEventListener('load', () => {
  const out = [...document.querySelectorAll('iframe')].map(measure);
  document.getElementById('result').textContent = JSON.stringify(out);
});
`;

const chromium = findChromium();
let results: Measure[] = [];

beforeAll(async () => {
  if (!existsSync(join(DIST, '404.html'))) throw new Error('dist/ is missing: run `npm run build` before these tests');
  if (!chromium) throw new Error('chromium is not installed (apt-get install chromium); .ci/run installs it');
  await fetchLive();
  const dir = mkdtempSync(join(tmpdir(), 'site-layout-'));
  try {
    // Every page as served (on-demand pages from the Worker), copied beside the harness: pages are
    // self-contained (inlined styles, no scripts), and same-origin frames can be measured.
    for (const f of htmlFiles()) {
      mkdirSync(dirname(join(dir, 'site', f)), { recursive: true });
      writeFileSync(join(dir, 'site', f), siteFile(f) ?? '');
    }
    const frames = WIDTHS.flatMap((w) =>
      htmlFiles().map(
        (f) => `<iframe data-page="${f}" width="${w}" height="600" src="${pathToFileURL(join(dir, 'site', f)).href}"></iframe>`,
      ),
    );
    const harness = join(dir, 'harness.html');
    writeFileSync(harness, `<!doctype html><html><body>${frames.join('\n')}<pre id="result"></pre><script>${MEASURE}</script></body></html>`);
    const dom = execFileSync(
      chromium,
      ['--headless', '--no-sandbox', '--disable-gpu', '--allow-file-access-from-files', '--window-size=1200,800', '--virtual-time-budget=15000', '--dump-dom', pathToFileURL(harness).href],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 90_000 },
    );
    const json = dom.match(/<pre id="result">([\s\S]*?)<\/pre>/)?.[1];
    if (!json) throw new Error('the layout harness produced no result');
    results = JSON.parse(json.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);

describe('layout in a browser', () => {
  it('measured every page at every width', () => {
    expect(results.length).toBe(htmlFiles().length * WIDTHS.length);
  });

  it('no page scrolls sideways at 320 px or 1024 px', () => {
    for (const r of results) {
      expect(r.scrollWidth, `${r.page} at ${r.width}px`).toBeLessThanOrEqual(r.clientWidth);
      expect(r.overflowing, `${r.page} at ${r.width}px`).toEqual([]);
    }
  });

  it('body text is at least 18 px with line height at least 1.5, and no visible text is smaller', () => {
    for (const r of results) {
      expect(r.bodyFontPx, r.page).toBeGreaterThanOrEqual(18);
      expect(r.bodyLineHeightPx / r.bodyFontPx, r.page).toBeGreaterThanOrEqual(1.5);
      expect(r.smallText, `${r.page} at ${r.width}px`).toEqual([]);
    }
  });

  it('every piece of text has a contrast of at least 4.5:1', () => {
    for (const r of results) expect(r.lowContrast, `${r.page} at ${r.width}px`).toEqual([]);
  });

  it('navigation links are at least 44 px tall', () => {
    for (const r of results) expect(r.shortNavLinks, `${r.page} at ${r.width}px`).toEqual([]);
  });
});
