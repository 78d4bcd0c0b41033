/**
 * Evidence on the public pages (issue 27), as a reader on a phone sees them: six published photos
 * of approved updates show on the progress page as thumbnails (width and height set, lazy, alt
 * text = caption, no script), each links to a page of its own with the photo and its caption,
 * date and unit; the page with six thumbnails stays within the 100 KB budget; nothing internal
 * shows. The files are seeded into the built Worker's local D1 and R2 (wrangler dev), the photos
 * made by Chromium's JPEG encoder from photo-like noise (the worst case for size).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { startLiveSite, type LiveSite } from './live-site.ts';
import { pageWeight, totalGzipWithoutFonts } from './page-weight.ts';
import { DIST } from './dist.ts';
import { axeViolations } from './axe.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const KB = 1024;
const BUCKET = 'demo-town-tracker-files';

/** Photo-like JPEGs (noise over gradients: hard to compress) made by Chromium at a given size and quality. */
async function photos(browser: Browser, n: number, w: number, h: number, quality: number): Promise<Buffer[]> {
  const page = await browser.newPage();
  const out = await page.evaluate(
    async ({ n, w, h, quality }) => {
      const list: string[] = [];
      for (let k = 0; k < n; k++) {
        const c = document.createElement('canvas');
        c.width = w;
        c.height = h;
        const x = c.getContext('2d')!;
        const g = x.createLinearGradient(0, 0, w, h);
        g.addColorStop(0, `hsl(${k * 50}, 50%, 60%)`);
        g.addColorStop(1, `hsl(${k * 50 + 120}, 40%, 30%)`);
        x.fillStyle = g;
        x.fillRect(0, 0, w, h);
        const img = x.getImageData(0, 0, w, h);
        let seed = 12345 + k;
        for (let i = 0; i < img.data.length; i += 4) {
          seed = (seed * 1103515245 + 12345) & 0x7fffffff;
          const d = (seed % 48) - 24;
          img.data[i] += d;
          img.data[i + 1] += d;
          img.data[i + 2] += d;
        }
        x.putImageData(img, 0, 0);
        const blob: Blob = await new Promise((r) => c.toBlob((b) => r(b!), 'image/jpeg', quality));
        const bytes = new Uint8Array(await blob.arrayBuffer());
        let s = '';
        for (const v of bytes) s += String.fromCharCode(v);
        list.push(btoa(s));
      }
      return list;
    },
    { n, w, h, quality },
  );
  await page.close();
  return out.map((b64) => Buffer.from(b64, 'base64'));
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const lit = (v: string | number | null) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${v.replace(/'/g, "''")}'`);
const wrangler = (args: string[]) => {
  const r = spawnSync(process.execPath, [resolve(ROOT, 'worker/cli/wrangler.ts'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true' } });
  if (r.status !== 0) throw new Error(`wrangler ${args.join(' ')}: ${r.stdout}\n${r.stderr}`);
};

/** Approved updates of the public fixture that get photos (one each), and one internal photo. */
const PUBLISHED = ['fx-u01', 'fx-u02', 'fx-u03', 'fx-u04', 'fx-u05', 'fx-u07'];
const CAPTIONS = ['领导小组成立会议现场', '家庭医生签约团队入户', '日间照料中心改造后的活动室', '签约服务公示栏', '医养联动座谈会', '健康档案录入现场'];

let site: LiveSite;
let browser: Browser;
let tmp: string;
const seeded: { id: string; photo: string; thumb: string; update: string; caption: string }[] = [];
let internalPhoto = '';

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  site = await startLiveSite();
  tmp = mkdtempSync(join(tmpdir(), 'evidence-site-'));
  // As the console makes them: a photo (longest side 1600 px) and a thumbnail (240 px), JPEG.
  const big = await photos(browser, 7, 1600, 1200, 0.6);
  const small = await photos(browser, 7, 240, 180, 0.6);
  const sql: string[] = [];
  const file = (b: Buffer, w: number, h: number) => {
    const h256 = sha(b);
    const f = join(tmp, h256);
    writeFileSync(f, b);
    wrangler(['r2', 'object', 'put', `${BUCKET}/sha256/${h256}`, '--file', f, '--content-type', 'image/jpeg', '--local', '--persist-to', site.persist]);
    sql.push(`INSERT INTO files (town_id, sha256, type, bytes, width, height, uploaded_by, uploaded_at) VALUES ('fengmao', ${lit(h256)}, 'image/jpeg', ${b.length}, ${w}, ${h}, 'fixture-reporter', '2021-01-01T00:00:00Z') ON CONFLICT DO NOTHING;`);
    return h256;
  };
  for (let i = 0; i < 7; i++) {
    const photo = file(big[i]!, 1600, 1200);
    const thumb = file(small[i]!, 240, 180);
    const update = i < 6 ? PUBLISHED[i]! : 'fx-u08';
    const id = `att_fixture${i}`;
    const caption = i < 6 ? CAPTIONS[i]! : '内部照片：老人面部清晰';
    sql.push(
      `INSERT INTO attachments (id, town_id, owner_kind, owner_id, ordinal, sha256, thumb_sha256, caption, visibility, created_at) VALUES (${lit(id)}, 'fengmao', 'update', ${lit(update)}, 0, ${lit(photo)}, ${lit(thumb)}, ${lit(caption)}, ${lit(i < 6 ? 'public' : 'internal')}, '2021-01-01T00:00:00Z');`,
    );
    if (i < 6) seeded.push({ id, photo, thumb, update, caption });
    else internalPhoto = photo;
  }
  const f = join(tmp, 'evidence.sql');
  writeFileSync(f, sql.join('\n'));
  wrangler(['d1', 'execute', 'DB', '--local', '--persist-to', site.persist, '--yes', '--file', f]);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('published evidence on the progress page', () => {
  it('six thumbnails with their captions as alt text, sizes set, lazy, linking to their own pages; nothing internal; no script', async () => {
    const html = await (await fetch(`${site.origin}/towns/fengmao/progress/`)).text();
    expect(html).not.toMatch(/<script\b/i);
    for (const s of seeded) {
      const img = new RegExp(`<a href="/towns/fengmao/evidence/${s.id}/"[^>]*>\\s*<img src="/towns/fengmao/files/${s.thumb}\\.jpg" width="240" height="180" alt="${s.caption}" loading="lazy"`);
      expect(html).toMatch(img);
    }
    expect(html).not.toContain(internalPhoto);
    expect(html).not.toContain('老人面部清晰');
    // The internal photo has no public address.
    expect((await fetch(`${site.origin}/towns/fengmao/files/${internalPhoto}.jpg`)).status).toBe(404);
    expect((await fetch(`${site.origin}/towns/fengmao/evidence/att_fixture6/`)).status).toBe(404);
  });

  it('the page with six thumbnails is at most 100 KB gzip in total, images included', async () => {
    const html = await (await fetch(`${site.origin}/towns/fengmao/progress/`)).text();
    const w = pageWeight(DIST, '/towns/fengmao/progress/', html);
    let images = 0;
    // A thumbnail shown twice (in the update list and with its task's latest update) is fetched once.
    const srcs = [...new Set([...html.matchAll(/<img\b[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1]!).filter((s) => s.includes('/files/')))];
    expect(srcs).toHaveLength(6);
    for (const src of srcs) {
      const r = await fetch(`${site.origin}${src}`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('image/jpeg');
      const body = Buffer.from(await r.arrayBuffer());
      images += Math.min(body.length, gzipSync(body).length);
    }
    const total = totalGzipWithoutFonts(w) + images;
    console.log(`progress page with six thumbnails: ${(total / KB).toFixed(1)} KB gzip (HTML ${(w.html.gzip / KB).toFixed(1)} KB, thumbnails ${(images / KB).toFixed(1)} KB)`);
    expect(total).toBeLessThanOrEqual(100 * KB);
  });

  it("a photo's own page: the photo, its caption, approval date, task and unit; the public open data lists it", async () => {
    const s = seeded[2]!;
    const res = await fetch(`${site.origin}/towns/fengmao/evidence/${s.id}/`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`<h1>${s.caption}</h1>`);
    expect(html).toMatch(new RegExp(`<img src="/towns/fengmao/files/${s.photo}\\.jpg" width="1600" height="1200" alt="${s.caption}"`));
    expect(html).toContain('日间照料');
    expect(html).not.toMatch(/<script\b/i);
    const data = await (await fetch(`${site.origin}/towns/fengmao/data.json`)).json();
    const u = data.updates.find((x: { id: string }) => x.id === s.update);
    expect(u.attachments).toMatchObject([{ caption: s.caption, type: 'image/jpeg', url: `/towns/fengmao/files/${s.photo}.jpg` }]);
    expect(JSON.stringify(data)).not.toContain(internalPhoto);
  });

  it('axe-core finds no accessibility violations on the progress page with thumbnails and on a photo\'s page, at 320 and 1280 px', async () => {
    for (const path of ['/towns/fengmao/progress/', `/towns/fengmao/evidence/${seeded[1]!.id}/`]) {
      for (const width of [320, 1280]) {
        // bypassCSP only so the test can inject axe-core; the pages themselves run no script.
        const page = await browser.newPage({ viewport: { width, height: 900 }, bypassCSP: true });
        await page.goto(`${site.origin}${path}`, { waitUntil: 'load' });
        expect(await axeViolations(page), `${path} at ${width}px`).toEqual([]);
        await page.close();
      }
    }
  }, 120_000);

  it('at 1280 px: thumbnails in a row under their update', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${site.origin}/towns/fengmao/progress/`);
    await page.locator('.timeline .evidence').first().scrollIntoViewIfNeeded();
    const tops = await page.evaluate(() => [...document.querySelectorAll('.timeline .evidence')].map((e) => e.getBoundingClientRect().width));
    expect(tops.length).toBeGreaterThan(0);
    await page.screenshot({ path: join(tmpdir(), 'evidence-progress-1280.png'), fullPage: false });
    await page.close();
  });

  it('reads well on a phone: no sideways scrolling at 320 and 360 px, thumbnails two a row, space kept before they load', async () => {
    for (const width of [320, 360]) {
      const page = await browser.newPage({ viewport: { width, height: 740 } });
      await page.goto(`${site.origin}/towns/fengmao/progress/#timeline`);
      const m = await page.evaluate(() => {
        const imgs = [...document.querySelectorAll('.evidence-list img')] as HTMLImageElement[];
        return {
          scroll: document.documentElement.scrollWidth,
          client: document.documentElement.clientWidth,
          heights: imgs.map((i) => i.getBoundingClientRect().height),
          widths: imgs.map((i) => i.getBoundingClientRect().width),
        };
      });
      expect(m.scroll, `${width} px`).toBeLessThanOrEqual(m.client);
      expect(m.heights.every((h) => h > 50)).toBe(true);
      if (width === 360) {
        await page.locator('.timeline .evidence').first().scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(tmpdir(), 'evidence-progress-360.png'), fullPage: false });
      }
      await page.goto(`${site.origin}/towns/fengmao/evidence/${seeded[0]!.id}/`);
      const e = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth, img: (document.querySelector('.evidence-photo img') as HTMLImageElement).getBoundingClientRect().width }));
      expect(e.scroll).toBeLessThanOrEqual(e.client);
      expect(e.img).toBeGreaterThan(width * 0.7);
      if (width === 360) await page.screenshot({ path: join(tmpdir(), 'evidence-page-360.png'), fullPage: false });
      await page.close();
    }
  });
});
