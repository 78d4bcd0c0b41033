/**
 * A county's supervisor (县（市、区）督导) on a phone (360×740), in real Chromium (playwright-core +
 * Debian's chromium) against the server `npm start` runs on a free port, with a fresh local D1, its
 * demo accounts and the dist/ built before (`--no-build`): `demo-region-supervisor` (山亭区) signs
 * in, lands on the cross-town board, sees 冯卯镇's overdue tasks by unit, opens 地区通报, drafts a
 * bulletin whose figures are the public region page's, issues it (number 山亭区医养督〔年〕1号),
 * publishes it and opens its public A4 print page. The admin creates a region supervisor in 账号管理.
 * axe-core finds no violations, nothing scrolls sideways and every control is at least 44 px tall.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { consoleProblems, consoleSignIn, launchChromium, startConsoleServer, type ConsoleServer } from './harness.ts';

const PASSWORD = 'demo-password-2018';

let origin = '';
let site: ConsoleServer | undefined;
let browser: Browser;

beforeAll(async () => {
  site = await startConsoleServer({ prefix: 'region-e2e' });
  origin = site.origin;
  browser = await launchChromium();
}, 200_000);

afterAll(async () => {
  await browser?.close();
  await site?.stop();
}, 30_000);

const tokenOf = async (username: string) =>
  ((await (await fetch(`${origin}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) })).json()) as { token: string }).token;

async function phone(bypassCSP = false) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, bypassCSP });
  return { context, page: await context.newPage() };
}

const signIn = (page: Page, username: string, path: string) => consoleSignIn(page, origin, username, path, PASSWORD);

const problems = (page: Page) => consoleProblems(page, 'main button, main input, main select, main summary');

describe("a county's supervisor on a phone", () => {
  it('signs in to the cross-town board, then drafts, issues, publishes and prints a region bulletin', async () => {
    const { context, page } = await phone(true);
    await signIn(page, 'demo-region-supervisor', '/console/');
    // The first screen is the region's board, as of today: every 2018 task of 冯卯镇 is overdue.
    await page.waitForURL(/\/console\/region-board\//);
    const town = page.locator('details.board-group[data-town="fengmao"]');
    await town.waitFor();
    expect(await page.locator('#region-board-title').innerText()).toContain('山亭区各镇督办情况');
    expect(await town.locator('summary').innerText()).toMatch(/冯卯镇：逾期 [1-9]\d*/);
    // A town's overdue tasks are fetched when its line is opened.
    await town.locator('summary').click();
    await town.locator('.board-items li').first().waitFor();
    // The board is the API's (the same rules as the town's own board).
    const token = await tokenOf('demo-region-supervisor');
    const board = (await (await fetch(`${origin}/api/v1/regions/shanting/board`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      towns: { town: { id: string }; counts: { overdue: number } }[];
      units: { town: { id: string } }[];
    };
    expect(await town.locator('summary').innerText()).toContain(`逾期 ${board.towns.find((t) => t.town.id === 'fengmao')!.counts.overdue}，`);
    // The unit ranking (every unit of the region's three towns, more than 20) shows its first 20 lines, then all on request.
    const ranking = page.locator('.unit-ranking li');
    expect(board.units.length).toBeGreaterThan(20);
    expect(await ranking.count()).toBe(20);
    await page.getByRole('button', { name: `显示全部 ${board.units.length} 个单位` }).click();
    await expect.poll(() => ranking.count()).toBe(board.units.length);
    expect(await page.locator('.unit-ranking li[data-town="fengmao"]').count()).toBe(board.units.filter((u) => u.town.id === 'fengmao').length);
    expect(await problems(page)).toEqual([]);

    // Region bulletins: draft, preview (the public page's figures), issue after a second confirmation.
    await page.getByRole('link', { name: '地区通报' }).click();
    await page.waitForURL(/\/console\/region-bulletins\//);
    await page.getByLabel('说明（可不填）').fill('请各镇对照逾期任务抓紧推进。');
    await page.getByRole('button', { name: '生成草稿并预览' }).click();
    await page.getByRole('heading', { name: '预览草稿' }).waitFor();
    const pub = (await (await fetch(`${origin}/api/v1/regions/shanting`)).json()) as { towns_total: number; towns_reported: number };
    expect(await page.locator('.bulletin-preview').innerText()).toContain(`共 ${pub.towns_total} 个镇，${pub.towns_reported} 个已有审核通过的报告`);
    expect(await problems(page)).toEqual([]);
    await page.getByRole('button', { name: /^印发（编号并定稿）/ }).click();
    const year = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 4);
    expect(await page.locator('.warning-text').innerText()).toContain(`山亭区医养督〔${year}〕1号`);
    await page.getByRole('button', { name: '确认印发' }).click();
    await page.getByRole('heading', { name: `已印发的通报 山亭区医养督〔${year}〕1号` }).waitFor();
    await page.getByRole('button', { name: '在网站公开' }).click();
    await page.getByText('已在网站公开。').waitFor();
    expect(await problems(page)).toEqual([]);

    // The public print page: anyone, A4, the number and the towns.
    const href = await page.getByRole('link', { name: '公开的打印页' }).getAttribute('href');
    const anon = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const print = await anon.newPage();
    const res = await print.goto(origin + href!);
    expect(res!.status()).toBe(200);
    expect(await print.locator('h1').innerText()).toContain('山亭区医养结合示范镇创建工作进展情况的通报');
    expect(await print.locator('.number').innerText()).toBe(`山亭区医养督〔${year}〕1号`);
    expect(await print.locator('body').innerText()).toContain('冯卯镇');
    expect(await print.locator('script').count()).toBe(0);
    await anon.close();
    await context.close();
  }, 180_000);

  it('the admin creates a region supervisor in 账号管理, who activates it on their phone; then disables, re-enables and resets it', async () => {
    const { context, page } = await phone(true);
    await signIn(page, 'demo-admin', '/console/accounts/');
    const section = page.locator('section[aria-labelledby="region-accounts-title"]');
    await section.waitFor();
    await section.getByLabel('地区', { exact: true }).selectOption('tengzhou');
    await section.getByLabel('用户名', { exact: true }).fill('teng-e2e');
    await section.getByLabel('姓名', { exact: true }).fill('滕州督导');
    await section.getByRole('button', { name: '建立督导账号' }).click();
    const link = await section.locator('.activation-link').innerText();
    expect(link).toMatch(new RegExp(`^${origin}/console/activate/#token=[A-Za-z0-9_-]{43}$`));
    await section.getByText('滕州督导').waitFor();
    expect(await problems(page)).toEqual([]);

    // The supervisor sets a password with the link on their own phone and reaches 滕州市's board.
    const signInApi = (password: string) =>
      fetch(`${origin}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'teng-e2e', password }) });
    const own = await phone();
    // Both links are opened in the same tab: the second changes only the address's fragment.
    const activate = async (url: string, password: string) => {
      await own.page.goto(url);
      await own.page.getByLabel('新密码（至少 10 个字符）').fill(password);
      await own.page.getByLabel('再输入一次').fill(password);
      await own.page.getByRole('button', { name: '激活账号' }).click();
      await own.page.getByText('账号 teng-e2e 已激活').waitFor();
    };
    await activate(link, 'teng-password-2019');
    const session = ((await (await signInApi('teng-password-2019')).json()) as { token: string }).token;
    const board = await fetch(`${origin}/api/v1/regions/tengzhou/board`, { headers: { authorization: `Bearer ${session}` } });
    expect(board.status).toBe(200);
    expect((await fetch(`${origin}/api/v1/regions/shanting/board`, { headers: { authorization: `Bearer ${session}` } })).status).toBe(403);

    // Disabled after a confirmation: the session ends and sign-in is refused; re-enabled, the password works again.
    // The admin's list shows the activation once read again (the screen reads it when opened), on the region chosen before.
    await page.reload();
    await expect.poll(() => section.getByLabel('地区', { exact: true }).inputValue()).toBe('tengzhou');
    const entry = section.locator('li[data-account="teng-e2e"]');
    await expect.poll(() => entry.innerText()).toContain('正常');
    page.once('dialog', (d) => void d.accept());
    await entry.getByRole('button', { name: /^停用/ }).click();
    await expect.poll(() => entry.innerText()).toContain('已停用');
    expect((await fetch(`${origin}/api/v1/me`, { headers: { authorization: `Bearer ${session}` } })).status).toBe(401);
    expect((await signInApi('teng-password-2019')).status).toBe(403);
    await entry.getByRole('button', { name: /^恢复/ }).click();
    await expect.poll(() => entry.innerText()).toContain('正常');
    expect((await signInApi('teng-password-2019')).status).toBe(200);

    // Reset: the old password stops working; the new one-time link, shown once, sets another.
    page.once('dialog', (d) => void d.accept());
    await entry.getByRole('button', { name: /^重置密码/ }).click();
    await expect.poll(() => entry.innerText()).toContain('待激活');
    const again = await page.locator('.activation-link').innerText();
    expect(again).toMatch(new RegExp(`^${origin}/console/activate/#token=[A-Za-z0-9_-]{43}$`));
    expect(again).not.toBe(link);
    expect((await signInApi('teng-password-2019')).status).toBe(401);
    expect(await problems(page)).toEqual([]);
    await activate(again, 'teng-password-2020');
    expect((await signInApi('teng-password-2020')).status).toBe(200);
    await own.context.close();
    await context.close();
  }, 180_000);
});
