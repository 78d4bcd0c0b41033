/**
 * 方案起草 end to end, as a county office's admin does it: in real Chromium against the server `npm start`
 * runs (a fresh local D1, the demo accounts, the dist/ just built), sign in, pick the town's plan as a Word
 * document, name the town, download the draft, open the zip. On a 320 px phone: no axe-core violations, no
 * sideways scrolling. Then a .doc is refused next to its field with how to save it as .docx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { parse } from 'yaml';
import { type Browser } from 'playwright-core';
import { docxFromText } from '../fixtures/plan-draft/docx.ts';
import { launchChromium, startConsoleServer, type ConsoleServer } from './harness.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const PORT = Number(process.env.E2E_DRAFT_PORT ?? 8834);
const ORIGIN = `http://127.0.0.1:${PORT}`;
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let site: ConsoleServer | undefined;
let state: string;
let browser: Browser;

beforeAll(async () => {
  site = await startConsoleServer({ prefix: 'draft-e2e', port: PORT, needs: 'console/draft/index.html' });
  state = site.state;
  browser = await launchChromium();
}, 200_000);

afterAll(async () => {
  await browser?.close();
  await site?.stop();
}, 30_000);

describe('方案起草 in the console', () => {
  it('lets an admin upload a Word plan and download its draft as a zip, readable at 320 px', async () => {
    const context = await browser.newContext({ viewport: { width: 320, height: 700 }, deviceScaleFactor: 2, acceptDownloads: true, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${ORIGIN}/console/draft/`);
    await page.getByLabel('用户名').fill('demo-admin');
    await page.getByLabel('密码').fill('demo-password-2018');
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.getByRole('heading', { name: '从工作方案生成新乡镇草稿' }).waitFor();
    await expect.poll(() => page.getByText('草稿不会直接发布').count()).toBe(1);

    const plan = readFileSync(resolve(ROOT, 'tests/fixtures/plan-draft/liuxi-plan.txt'), 'utf8');
    await page.getByLabel('工作方案文件').setInputFiles({ name: '柳溪镇实施方案.docx', mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', buffer: Buffer.from(docxFromText(plan)) });
    await page.getByLabel('乡镇标识').fill('liuxi');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '生成草稿并下载' }).click()]);
    expect(download.suggestedFilename()).toBe('liuxi-draft.zip');
    const files = unzipSync(new Uint8Array(readFileSync((await download.path())!)));
    expect(Object.keys(files).sort()).toEqual(['DRAFT.md', 'indicators.yaml', 'leading-group.yaml', 'plan.md', 'tasks.yaml', 'town.yaml', 'units.yaml'].map((f) => `liuxi/${f}`));
    // the Word table came through the browser's converter as the 任务分解表
    const tasks = parse(strFromU8(files['liuxi/tasks.yaml']!)) as { title: string; units_basis: string; due: string }[];
    expect(tasks.find((t) => t.title === '建设村级养老服务站')).toMatchObject({ units_basis: 'stated', due: 'y2025' });
    expect(strFromU8(files['liuxi/plan.md']!)).toContain('| 2 | 改造提升敬老院医疗室 | 社会事务办 | 财政所 | 2024年12月底 |');
    await expect.poll(() => page.locator('.console-notice-ok').innerText()).toContain('已生成 liuxi-draft.zip');

    await page.addScriptTag({ content: AXE });
    const violations = await page.evaluate(async () => {
      const r = await (window as unknown as { axe: { run: (o: unknown) => Promise<{ violations: { id: string }[] }> } }).axe.run({ runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa'] });
      return r.violations.map((v) => v.id);
    });
    expect(violations).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

    // a .doc is refused beside its field, with how to save it as .docx
    await page.getByLabel('工作方案文件').setInputFiles({ name: '方案.doc', mimeType: 'application/msword', buffer: Buffer.from('x') });
    await page.getByRole('button', { name: '生成草稿并下载' }).click();
    await expect.poll(() => page.locator('.error-summary').innerText()).toContain('另存为');
    await context.close();
  }, 120_000);
});
