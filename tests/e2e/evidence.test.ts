/**
 * Evidence (佐证材料, issue 27) through the console, end to end in real Chromium against the server
 * `npm start` runs (a fresh local D1 and R2 in a temporary folder, `--no-build` on the dist/ already
 * built), on a 360 px phone:
 *
 * - a reporter attaches a camera photo made in the test — 4000×3000 pixels stored sideways with
 *   EXIF Orientation 6 and a GPS position — while offline; it is shrunk in the browser, waits in
 *   IndexedDB with the report, and once the network returns is uploaded once (the photo and its
 *   thumbnail) and the report arrives with it. What went over the wire and what the server stored
 *   carry no EXIF, are ≤ 300 KB and ≤ 1600 px, stood upright (1200×1600);
 * - the office sees the photo in review (full size on tap), publishes it while approving, and the
 *   public address serves it; taking it back to 仅内部 makes that address 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { cameraPhoto, jpegInfo } from '../fixtures/camera-photo.ts';
import { apiToken, consoleSignIn, launchChromium, startConsoleServer, type ConsoleServer } from './harness.ts';

const PORT = Number(process.env.E2E_EVIDENCE_PORT ?? 8826);
const ORIGIN = `http://127.0.0.1:${PORT}`;
const PASSWORD = 'demo-password-2018';
const TOWN = 'fengmao';
const TASK = 'kt2-family-doctor-signing-teams';
const RUN = Date.now().toString(36);
const NARRATIVE = `E2E ${RUN} 签约团队工作照`;
const CAPTION = `签约团队入户服务 ${RUN}`;

let site: ConsoleServer | undefined;
let state: string;
let browser: Browser;

beforeAll(async () => {
  site = await startConsoleServer({ prefix: 'evidence-e2e', port: PORT });
  state = site.state;
  browser = await launchChromium();
}, 200_000);

afterAll(async () => {
  await browser?.close();
  await site?.stop();
}, 30_000);

// ---------------------------------------------------------------- helpers

const token = (username: string) => apiToken(ORIGIN, username);
async function apiAs(username: string, path: string): Promise<any> {
  const r = await fetch(ORIGIN + path, { headers: { authorization: `Bearer ${await token(username)}` } });
  if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return r.headers.get('content-type')?.includes('json') ? r.json() : Buffer.from(await r.arrayBuffer());
}

async function phone(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  return { context, page: await context.newPage() };
}

const signIn = (page: Page, username: string, path: string) => consoleSignIn(page, ORIGIN, username, path);

/** How many files wait in this browser's IndexedDB. */
const keptFiles = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const r = indexedDB.open('dtt-console-files', 1);
        r.onupgradeneeded = () => r.result.createObjectStore('blobs');
        r.onsuccess = () => {
          const q = r.result.transaction('blobs').objectStore('blobs').count();
          q.onsuccess = () => (r.result.close(), resolve(q.result));
        };
        r.onerror = () => reject(r.error);
      }),
  );

/** What a phone user would trip over: sideways scrolling, tap targets under 44 px. */
const layoutProblems = (page: Page) =>
  page.evaluate(() => {
    const out: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth) out.push(`scrolls sideways: ${root.scrollWidth} > ${root.clientWidth}`);
    for (const el of document.querySelectorAll<HTMLElement>('main button, main input, main select, main textarea')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.height < 44 || r.width < 44) out.push(`small target ${el.tagName.toLowerCase()} "${(el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 20)}" ${Math.round(r.width)}×${Math.round(r.height)}`);
    }
    return out;
  });

// ---------------------------------------------------------------- the journey

let sha = '';

describe('evidence from a phone', () => {
  it('attaches a camera photo offline; back online it is uploaded once, shrunk, upright and without EXIF, and the report arrives with it', async () => {
    const { context, page } = await phone();
    await signIn(page, 'demo-reporter', '/console/tasks/');
    await page.evaluate(async () => void (await navigator.serviceWorker.ready));
    const photo = await cameraPhoto(page, 4000, 3000);
    expect(jpegInfo(photo).segments).toContain('APP1:Exif');
    expect(photo.includes(Buffer.from('Exif\0\0MM'))).toBe(true);

    const group = page.locator(`details.task-group[data-tasks~="${TASK}"]`);
    await group.locator('> summary').click();
    const card = page.locator(`.task-card[data-task="${TASK}"]`);
    await card.getByRole('button', { name: /填写进展/ }).click();
    const form = card.locator('form');
    await form.getByLabel('进展说明').fill(NARRATIVE);
    await form.getByLabel('完成比例（0–100）').fill('60');
    expect(await form.locator('.attachments').innerText()).toContain('默认“仅内部”可见');

    // No network from here: picking, shrinking and queueing need none.
    await context.setOffline(true);
    await form.getByLabel('添加照片或文件').setInputFiles({ name: 'IMG_20181220_101500.jpg', mimeType: 'image/jpeg', buffer: photo });
    const item = form.locator('.attachment-list > li');
    await item.waitFor({ timeout: 30_000 });
    // The preview is the thumbnail, upright: 240×320 for a 3000×4000 portrait.
    expect(await item.innerText()).toMatch(/已压缩：\d\.\d MB → \d+ KB，1200×1600/);
    await expect.poll(() => item.locator('img').evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBe(240);
    expect(await keptFiles(page)).toBe(2);

    // The caption is required: it is the photo's alt text.
    await form.getByRole('button', { name: '提交进展' }).click();
    await expect.poll(() => form.locator('.error-summary').innerText()).toContain('佐证材料 第1个文件的说明：请写一句说明');
    await form.getByLabel('第1个文件的说明（必填）').fill(CAPTION);
    expect(await item.locator('img').getAttribute('alt')).toBe(CAPTION);
    expect(await layoutProblems(page)).toEqual([]);
    await form.locator('.attachments').screenshot({ path: join(tmpdir(), `evidence-form-${RUN}.png`) });
    await form.getByRole('button', { name: '提交进展' }).click();

    const queued = page.locator('.outbox li', { hasText: NARRATIVE });
    await queued.waitFor();
    expect(await queued.locator('[data-file-state]').innerText()).toMatch(/等待上传|正在上传/);
    await expect.poll(() => queued.innerText()).toMatch(/已尝试 \d+ 次/);
    await queued.screenshot({ path: join(tmpdir(), `evidence-outbox-${RUN}.png`) });
    const stored = await page.evaluate(() => Object.entries(localStorage).filter(([k]) => k.startsWith('dtt.console.outbox.')).flatMap(([, v]) => JSON.parse(v)));
    expect(stored).toHaveLength(1);
    expect(stored[0].files).toMatchObject([{ caption: CAPTION, kind: 'photo', width: 1200, height: 1600 }]);
    expect(stored[0].files[0].bytes).toBeLessThanOrEqual(300 * 1024);

    // Back online: each file goes up once (the photo and its thumbnail), then the report.
    const uploads: { size: number; body: Buffer }[] = [];
    const order: string[] = [];
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (r.method() !== 'POST') return;
      if (path === `/api/v1/towns/${TOWN}/files`) {
        const body = r.postDataBuffer()!;
        uploads.push({ size: body.length, body });
        order.push('file');
      } else if (path.endsWith('/updates')) order.push('update');
    });
    await context.setOffline(false);
    await page.getByText('已送达 1 份报送').waitFor({ timeout: 60_000 });
    expect(order.slice(0, 2)).toEqual(['file', 'file']);
    expect(order.filter((o) => o === 'update')).toHaveLength(1);
    expect(uploads).toHaveLength(2);
    const [main, thumb] = [...uploads].sort((a, b) => b.size - a.size) as [(typeof uploads)[0], (typeof uploads)[0]];
    // On the wire: no EXIF (so no GPS), ≤ 300 KB, ≤ 1600 px, upright.
    expect(jpegInfo(main.body).segments.filter((s) => s.startsWith('APP1'))).toEqual([]);
    expect(main.body.includes(Buffer.from('Exif'))).toBe(false);
    expect(main.size).toBeLessThanOrEqual(300 * 1024);
    expect(jpegInfo(main.body)).toMatchObject({ width: 1200, height: 1600 });
    expect(thumb.size).toBeLessThanOrEqual(30 * 1024);
    expect(jpegInfo(thumb.body)).toMatchObject({ width: 240, height: 320 });

    // The server has the update with its file; the stored bytes carry no EXIF either.
    const mine = await apiAs('demo-reporter', '/api/v1/me/updates');
    const u = mine.updates.find((x: { narrative: string }) => x.narrative === NARRATIVE);
    expect(u.attachments).toMatchObject([{ caption: CAPTION, type: 'image/jpeg', width: 1200, height: 1600, visibility: 'internal' }]);
    sha = u.attachments[0].file;
    const file = (await apiAs('demo-office', `/api/v1/towns/${TOWN}/files/${sha}`)) as Buffer;
    expect(file.length).toBeLessThanOrEqual(300 * 1024);
    // No EXIF or XMP (APP1), no IPTC (APP13), no comment; Chromium's encoder writes its colour profile (APP2 ICC_PROFILE), which says nothing of where or who.
    expect(jpegInfo(file).segments.filter((s) => /^(APP1|COM)/.test(s))).toEqual([]);
    expect(jpegInfo(file)).toMatchObject({ width: 1200, height: 1600 });
    // The bytes left this browser once the report was accepted.
    await expect.poll(() => keptFiles(page)).toBe(0);
    // 我的报送 shows the photo with who may see it.
    await expect.poll(() => page.locator('.submissions li', { hasText: NARRATIVE }).innerText()).toContain(`${CAPTION}（仅内部）`);
    await context.close();
  }, 150_000);

  it('the office sees the photo in review, full size on tap, publishes it when approving, and can take it back', async () => {
    expect(sha).not.toBe('');
    const { context, page } = await phone();
    await signIn(page, 'demo-office', '/console/review/');
    const item = page.locator('.review-queue > li', { hasText: NARRATIVE });
    await item.waitFor();
    expect(await item.innerText()).toContain('照片里可能有老人等人物');
    const thumb = item.getByRole('img', { name: CAPTION });
    await expect.poll(() => thumb.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBe(240);
    // The choice starts at 仅内部.
    expect(await item.getByRole('radio', { name: '仅内部' }).isChecked()).toBe(true);
    await item.getByRole('button', { name: `查看大图：${CAPTION}` }).click();
    await expect.poll(() => item.locator('img.attachment-full').evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBe(1200);
    expect(await layoutProblems(page)).toEqual([]);
    await page.screenshot({ path: join(tmpdir(), `evidence-review-${RUN}.png`), fullPage: true });
    const publicUrl = `${ORIGIN}/towns/${TOWN}/files/${sha}.jpg`;
    expect((await fetch(publicUrl)).status).toBe(404);

    await item.getByRole('radio', { name: '公开' }).check();
    await item.getByRole('button', { name: '通过' }).click();
    await page.getByText(/已通过：.*（佐证材料 1 个，其中公开 1 个）/).waitFor();
    const pub = await fetch(publicUrl);
    expect(pub.status).toBe(200);
    expect(pub.headers.get('content-type')).toBe('image/jpeg');

    // Approved files: visibility can still be changed; 仅内部 takes it off the public address.
    const approved = page.locator('.approved-files > li', { hasText: CAPTION });
    await approved.waitFor();
    expect(await approved.getByRole('radio', { name: '公开' }).isChecked()).toBe(true);
    await approved.getByRole('radio', { name: '仅内部' }).check();
    await page.getByText(`“${CAPTION}”现在仅内部可见`).waitFor();
    await expect.poll(async () => (await fetch(publicUrl)).status).toBe(404);
    await context.close();
  }, 90_000);

  it('a supervisor records an inspection with a photo of the problem; it is stored with its caption, internal', async () => {
    const { context, page } = await phone();
    await signIn(page, 'demo-supervisor', '/console/inspections/');
    const photo = await cameraPhoto(page, 1200, 900, 0.9);
    const title = `E2E ${RUN} 养老服务中心消防检查`;
    const caption = `安全出口堆放杂物 ${RUN}`;
    await page.getByLabel('检查名称').fill(title);
    await page.getByLabel('检查人员').fill('王督导');
    await page.getByLabel('发现的问题').fill('安全出口堆放杂物');
    expect(await page.locator('.attachments').innerText()).toContain('检查的佐证材料仅内部可见');
    await page.getByLabel('添加照片或文件').setInputFiles({ name: 'fire-exit.jpg', mimeType: 'image/jpeg', buffer: photo });
    await page.locator('.attachment-list > li').waitFor({ timeout: 30_000 });
    await page.getByLabel('第1个文件的说明（必填）').fill(caption);
    await page.getByRole('button', { name: '保存检查记录' }).click();
    await page.getByText(`已记录检查“${title}”，附佐证材料 1 个。`).waitFor({ timeout: 30_000 });
    const list = await apiAs('demo-supervisor', `/api/v1/towns/${TOWN}/inspections`);
    const rec = list.inspections.find((i: { title: string }) => i.title === title);
    // Stood upright by its EXIF orientation: 900×1200.
    expect(rec.attachments).toMatchObject([{ caption, type: 'image/jpeg', width: 900, height: 1200, visibility: 'internal' }]);
    // The list shows it, and the bytes left this browser.
    await page.locator('li', { hasText: title }).getByRole('img', { name: caption }).waitFor();
    await expect.poll(() => keptFiles(page)).toBe(0);
    await context.close();
  }, 90_000);

  it('a HEIC photo this browser cannot open is refused with what to do; a file lost from the phone is refused in the outbox, and 移除 sends the report without it', async () => {
    const task = 'kt1-health-assessment-assessment-system';
    const narrative = `E2E ${RUN} 健康评估体系`;
    const { context, page } = await phone();
    await signIn(page, 'demo-reporter', '/console/tasks/');
    await page.evaluate(async () => void (await navigator.serviceWorker.ready));
    await page.locator(`details.task-group[data-tasks~="${task}"] > summary`).click();
    const card = page.locator(`.task-card[data-task="${task}"]`);
    await card.getByRole('button', { name: /填写进展/ }).click();
    const form = card.locator('form');
    await form.getByLabel('进展说明').fill(narrative);
    await form.getByLabel('完成比例（0–100）').fill('30');

    // An iPhone photo in HEIC (an ISO box "ftyp" of brand heic): Chromium cannot decode it, so the form says how to get a JPEG.
    const heic = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic\0\0\0\0mif1heic'), Buffer.alloc(2000, 7)]);
    await form.getByLabel('添加照片或文件').setInputFiles({ name: 'IMG_0420.HEIC', mimeType: 'image/heic', buffer: heic });
    await expect.poll(() => form.locator('.attachments').innerText(), { timeout: 30_000 }).toContain('IMG_0420.HEIC：这个浏览器打不开 HEIC 格式的照片');
    expect(await form.locator('.attachment-list > li').count()).toBe(0);

    // A photo it can open, attached offline; then the phone's browser data is cleared before the network returns.
    const photo = await cameraPhoto(page, 800, 600, 0.9);
    await context.setOffline(true);
    await form.getByLabel('添加照片或文件').setInputFiles({ name: 'assessment.jpg', mimeType: 'image/jpeg', buffer: photo });
    await form.locator('.attachment-list > li').waitFor({ timeout: 30_000 });
    await form.getByLabel('第1个文件的说明（必填）').fill('评估表');
    await form.getByRole('button', { name: '提交进展' }).click();
    const queued = page.locator('.outbox li', { hasText: narrative });
    await queued.waitFor();
    expect(await keptFiles(page)).toBe(2);
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const r = indexedDB.open('dtt-console-files', 1);
          r.onsuccess = () => {
            const tx = r.result.transaction('blobs', 'readwrite');
            tx.objectStore('blobs').clear();
            tx.oncomplete = () => (r.result.close(), resolve());
          };
          r.onerror = () => reject(r.error);
        }),
    );
    await context.setOffline(false);
    // The file cannot be sent: its own message, and the two ways on; the report waits meanwhile.
    await queued.getByText('本机保存的文件已丢失').waitFor({ timeout: 60_000 });
    expect(await queued.innerText()).toContain('有文件未能上传：重试或移除后，这份报送会继续发送。');
    // Retrying cannot bring lost bytes back: refused again.
    await queued.getByRole('button', { name: '重试第1个文件' }).click();
    await queued.getByText('本机保存的文件已丢失').waitFor({ timeout: 60_000 });
    await queued.getByRole('button', { name: '重试第1个文件' }).waitFor();
    expect(await layoutProblems(page)).toEqual([]);
    await queued.getByRole('button', { name: '移除第1个文件，报送其余内容' }).click();
    await page.getByText(/已送达 \d+ 份报送/).waitFor({ timeout: 60_000 });
    const mine = await apiAs('demo-reporter', '/api/v1/me/updates');
    const u = mine.updates.find((x: { narrative: string }) => x.narrative === narrative);
    expect(u).toMatchObject({ percent: 30, attachments: [] });
    await context.close();
  }, 150_000);
});
