/**
 * The console (工作台) end to end, in real Chromium (playwright-core + Debian's chromium) against
 * the server `npm start` runs: a fresh local D1 in a temporary folder (`--persist-to`), the demo
 * accounts it creates, and the dist/ that `npm test` has just built (`--no-build`, because the
 * other site tests read that dist/ at the same time).
 *
 * Each role's main journey, as a person would do it on a phone (360 px):
 * - reporter: signs in, sees field-level errors from the API's zod schema, submits an update;
 *   submits another while offline (queued, shown as 待发送), then reconnects through a network that
 *   loses the first answer, and the update arrives exactly once (checked through the API);
 *   a stale task version (412) keeps the text for resubmission; an expired session keeps the draft;
 * - office: sees what the update changes, approves it (the public progress API, the progress
 *   page, the English page and the open data show it at the next request), rejects another with a reason (the reporter sees it), creates
 *   an account whose activation link works, reads the audit log;
 * - supervisor: finds an overdue 2018 task on the board as of 2019-01-15, records an inspection,
 *   drafts, previews, issues and downloads a bulletin (CSV with BOM and Chinese, XLSX).
 * Every console screen: axe-core finds no violations at 360 px and at 200 % zoom (a 640 px window
 * at 200 %: a 320 CSS px viewport with deviceScaleFactor 2), no sideways scrolling, and every
 * control is at least 44 px tall.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { consoleSignIn, launchChromium, startConsoleServer, type ConsoleServer } from './harness.ts';

const PORT = Number(process.env.E2E_PORT ?? 8823);
const ORIGIN = `http://127.0.0.1:${PORT}`;
const PASSWORD = 'demo-password-2018';
const TOWN = 'fengmao';
const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const RUN = Date.now().toString(36);

let site: ConsoleServer | undefined;
let state: string;
let browser: Browser;

beforeAll(async () => {
  site = await startConsoleServer({ prefix: 'console-e2e', port: PORT });
  state = site.state;
  browser = await launchChromium();
}, 200_000);

afterAll(async () => {
  await browser?.close();
  await site?.stop();
}, 30_000);

// ---------------------------------------------------------------- helpers

/** Calls the API directly (as the test's own check, not through the console). */
async function apiAs(username: string, path: string, init: RequestInit = {}): Promise<any> {
  const login = await fetch(`${ORIGIN}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) });
  const { token } = (await login.json()) as { token: string };
  const r = await fetch(ORIGIN + path, { ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) } });
  if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return r.json();
}

const cspErrors: string[] = [];
/** A phone-sized browser. `bypassCSP` only where axe-core's script has to be injected. */
async function phone(opts: { width?: number; scale?: number; bypassCSP?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: opts.width ?? 360, height: 780 }, deviceScaleFactor: opts.scale ?? 1, acceptDownloads: true, bypassCSP: opts.bypassCSP ?? false });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
  });
  return { context, page };
}

const signIn = (page: Page, username: string, path = '/console/') => consoleSignIn(page, ORIGIN, username, path, PASSWORD);

/** The task card of a task on the reporter's screen (in the list grouped by key task). */
const card = (page: Page, task: string) => page.locator(`.task-card[data-task="${task}"]`);

/** Opens the key-task group holding a task (one tap, unless it is open already) and returns the task's card. */
async function openCard(page: Page, task: string) {
  // A closed group lists its tasks' ids, and renders their cards only once opened.
  const group = page.locator(`details.task-group[data-tasks~="${task}"]`);
  await group.waitFor({ state: 'attached' });
  if (!(await group.evaluate((d) => (d as HTMLDetailsElement).open))) await group.locator('> summary').click();
  await card(page, task).waitFor();
  return card(page, task);
}

/** Waits until this page's service worker is active, i.e. the console shell is precached. */
const shellReady = (page: Page) => page.evaluate(async () => void (await navigator.serviceWorker.ready));

async function axe(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
    const r = await (window as any).axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } });
    return r.violations.map((v: any) => `${v.id}: ${v.nodes.map((n: any) => n.target.join(' ')).slice(0, 3).join(' | ')}`);
  });
}

/** What a phone user would trip over: sideways scrolling, small tap targets, small text. */
async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth) out.push(`scrolls sideways: ${root.scrollWidth} > ${root.clientWidth}`);
    for (const el of document.querySelectorAll<HTMLElement>('main button, main input, main select, main textarea, .console-bar a, .site-name')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.height < 44 || r.width < 44) out.push(`small target ${el.tagName.toLowerCase()} "${(el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 20)}" ${Math.round(r.width)}×${Math.round(r.height)}`);
    }
    for (const el of document.querySelectorAll<HTMLElement>('main *')) {
      if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent!.trim())) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0) continue;
      const px = parseFloat(getComputedStyle(el).fontSize);
      if (px < 17.5) out.push(`small text ${el.tagName.toLowerCase()} ${px}px`);
    }
    return out;
  });
}

// ---------------------------------------------------------------- the journeys

const FIRST = 'kt2-family-doctor-signing-teams'; // 二.1, due 2018-12-31, delivers 老年人家庭医生签约率 (numeric)
const OFFLINE = 'kt1-health-assessment-baseline-survey'; // 一.2, due 2018-12-31
const STALE = 'kt1-health-assessment-graded-service-norms'; // 一.3
const narrative1 = `E2E ${RUN} 已组建家庭医生签约团队 12 个`;
const narrative2 = `E2E ${RUN} 离线时填写：基线调查已完成入户`;
const narrative3 = `E2E ${RUN} 版本冲突后保留的文字`;

describe('reporter', () => {
  it('signs in, gets field-level messages from the schema, and submits an update with an indicator value', async () => {
    const { context, page } = await phone();
    await page.goto(`${ORIGIN}/console/tasks/`);
    // No session: the sign-in form, with its own validation.
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await expect.poll(() => page.locator('#login-username-error').innerText()).toContain('请填写用户名');
    expect(await page.getByLabel('用户名').getAttribute('aria-describedby')).toContain('login-username-error');
    await page.getByLabel('用户名').fill('demo-reporter');
    await page.getByLabel('密码').fill('wrong-password');
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.getByText('用户名或密码不正确。').waitFor();
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByRole('button', { name: '登录', exact: true }).click();

    // My tasks open on what needs the reporter now: every 2018 task is overdue today.
    const first = page.locator('.task-card').first();
    await first.waitFor();
    expect(await first.innerText()).toMatch(/已逾期 \d+ 天/);
    const c = await openCard(page, FIRST);
    expect(await c.locator('.part').innerText()).toBe('牵头');
    expect(await c.innerText()).toContain('2018年年底（2018-12-31）');
    // The card shows before the town's public progress arrives (正在读取……); the reader waits for the value line.
    await expect.poll(() => c.innerText()).toContain('老年人家庭医生签约率：暂无审核通过的数值');

    // Empty narrative and a bad percent: messages next to the fields, a summary that gets the focus.
    await c.getByRole('button', { name: /填写进展/ }).click();
    const form = c.locator('form');
    await form.getByLabel('完成比例（0–100）').fill('140');
    await form.getByRole('button', { name: '提交进展' }).click();
    const summary = form.locator('.error-summary');
    await summary.waitFor();
    expect(await page.evaluate(() => document.activeElement?.className)).toContain('error-summary');
    expect(await summary.innerText()).toContain('进展说明：请填写进展说明');
    expect(await summary.innerText()).toContain('完成比例：完成比例不能大于100');
    const narrativeBox = form.getByLabel('进展说明');
    expect(await narrativeBox.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await narrativeBox.getAttribute('aria-describedby'))!.split(' ');
    expect(await page.locator(`[id="${describedBy.at(-1)}"]`).innerText()).toBe('请填写进展说明');

    await form.getByLabel('完成比例（0–100）').fill('40');
    await narrativeBox.fill(narrative1);
    await form.getByRole('button', { name: '添加指标值' }).click();
    await form.getByLabel('第1项 指标').selectOption({ label: '老年人家庭医生签约率（%）' });
    await form.getByLabel('数值').fill('abc');
    await form.getByLabel('数据日期').fill('2018-12-20');
    await form.getByLabel('数据来源').fill('镇卫生院2018年报表');
    await form.getByRole('button', { name: '添加佐证链接' }).click();
    await form.getByLabel('第1个 链接').fill('ftp://files.example/签约名单.xlsx');
    await form.getByRole('button', { name: '提交进展' }).click();
    await expect.poll(() => summary.innerText()).toContain('数值必须是数字');
    expect(await summary.innerText()).toContain('链接必须以 http:// 或 https:// 开头');
    await form.getByLabel('数值').fill('62.5');
    await form.getByLabel('第1个 链接').fill('https://files.example/签约名单.xlsx');
    await form.getByLabel('标题（可不填）').fill('签约名单');
    await form.getByRole('button', { name: '提交进展' }).click();

    await page.getByText('已送达 1 份报送').waitFor();
    const sent = page.locator('.submissions li', { hasText: narrative1 });
    expect(await sent.innerText()).toContain('已送达，待审核');
    await context.close();
  }, 60_000);

  it('reaches a given task in two taps from sign-in, with no stop-off page, and 我的报送 in one', async () => {
    const { context, page } = await phone();
    await page.goto(`${ORIGIN}/console/`);
    // The sign-in form is in the page itself: typing can start before the script arrives.
    await page.getByLabel('用户名').fill('demo-reporter');
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    // Straight to 我的任务 (the address says so), not a page of links.
    await page.getByRole('heading', { name: /现在需要处理/ }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/tasks/');
    expect(await page.locator('main h1').innerText()).toBe('我的任务');
    let taps = 0;
    const tap = async (l: ReturnType<Page['locator']>) => (taps++, l.click());
    // Tap 1: the key task the family-doctor task belongs to; tap 2: 填写进展 on it.
    await tap(page.locator(`details.task-group[data-tasks~="${FIRST}"] > summary`));
    await tap(card(page, FIRST).getByRole('button', { name: /填写进展/ }));
    await card(page, FIRST).locator('form').getByLabel('进展说明').waitFor();
    expect(taps).toBe(2);
    // The search finds it too, by any words of its title.
    await page.getByLabel('搜索任务（编号或标题中的字词）').fill('家庭医生 签约');
    await expect.poll(() => page.locator('.task-card[data-task]').count()).toBeGreaterThan(0);
    const found = await page.locator('.task-card[data-task]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.task));
    expect(found).toContain(FIRST);
    expect(await page.locator('.task-card[data-task]').allInnerTexts()).toEqual(expect.arrayContaining([expect.stringContaining('家庭医生')]));
    // 我的报送 is one tap from the top of the screen.
    await page.getByRole('link', { name: /^我的报送/ }).click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#mine-title');
    expect(await page.getByRole('heading', { name: '我的报送', exact: true }).isVisible()).toBe(true);
    await context.close();
  }, 60_000);

  it('signs in on /console/ before the app’s scripts arrive, and the app then opens 我的任务 from what that sign-in kept', async () => {
    const { context, page } = await phone();
    // A slow network, exaggerated: no script of the app arrives until the sign-in is done.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/_astro/*.js', async (route) => {
      await held;
      await route.continue();
    });
    const plan: string[] = [];
    const mine: string[] = [];
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (path === `/api/v1/towns/${TOWN}/plan`) plan.push(path);
      if (path === '/api/v1/me/tasks') mine.push(r.headers()['if-none-match'] ?? '');
    });
    // (Not even DOMContentLoaded comes: it waits for the module scripts.)
    await page.goto(`${ORIGIN}/console/`, { waitUntil: 'commit' });
    // The page's own sign-in script runs the form: the API's messages, under the field or above the form.
    const button = page.getByRole('button', { name: '登录', exact: true });
    await button.click();
    await expect.poll(() => page.locator('#login-username-error').textContent()).toBe('请填写用户名');
    expect(await page.getByLabel('用户名').getAttribute('aria-describedby')).toBe('login-username-error');
    await page.getByLabel('用户名').fill('demo-reporter');
    await page.getByLabel('密码').fill('wrong-password');
    await button.click();
    await page.getByText('用户名或密码不正确。').waitFor();
    expect(await page.locator('#login-username-error').count()).toBe(0);
    await page.getByLabel('密码').fill(PASSWORD);
    await button.click();
    await page.getByText('已登录，正在打开工作台……').waitFor();
    expect(await page.locator('.console-bar').count()).toBe(0);
    // Kept as the app keeps them: the session (nothing else in it), and 我的任务 from the sign-in's answer.
    const kept = await page.evaluate(() => ({
      session: JSON.parse(localStorage.getItem('dtt.console.session')!),
      tasks: JSON.parse(Object.entries(localStorage).find(([k]) => k.endsWith('./api/v1/me/tasks'))?.[1] ?? 'null'),
    }));
    expect(Object.keys(kept.session).sort()).toEqual(['account', 'expires_at', 'token']);
    expect(kept.session.account).toMatchObject({ username: 'demo-reporter', role: 'reporter', town_id: TOWN });
    expect(kept.tasks.data.tasks.map((t: { id: string }) => t.id)).toContain(FIRST);
    expect(mine).toEqual([]);

    // The scripts arrive: the app opens 我的任务 signed in, and revalidates what it was given.
    release();
    await page.getByRole('heading', { name: /现在需要处理/ }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/tasks/');
    await openCard(page, FIRST);
    await expect.poll(() => mine.length).toBeGreaterThan(0);
    expect(mine.every((tag) => tag === kept.tasks.etag)).toBe(true);
    // The plan the sign-in script fetched while the person typed is the one the screen used.
    expect(plan).toHaveLength(1);
    await context.close();
  }, 60_000);

  it('keeps an update typed while the API is unreachable, shows it as queued, and delivers it exactly once after reconnecting', async () => {
    const { context, page } = await phone();
    await signIn(page, 'demo-reporter', '/console/tasks/');
    await shellReady(page);
    const c = await openCard(page, OFFLINE);
    await c.getByRole('button', { name: /填写进展/ }).click();
    await c.locator('form').getByLabel('进展说明').waitFor();

    await context.setOffline(true);
    await c.locator('form').getByLabel('完成比例（0–100）').fill('100');
    await c.locator('form').getByLabel('状态').selectOption('completed');
    await c.locator('form').getByLabel('进展说明').fill(narrative2);
    await c.locator('form').getByRole('button', { name: '提交进展' }).click();
    await page.getByText('没有网络连接。').waitFor();
    await page.getByText('1 份报送保存在本机，恢复网络后自动发送').waitFor();
    const queued = page.locator('.outbox li', { hasText: narrative2 });
    await queued.waitFor();
    expect(await queued.innerText()).toContain('待发送');
    await expect.poll(() => queued.innerText()).toMatch(/已尝试 \d+ 次/);
    // It is in this browser's storage with its Idempotency-Key and If-Match, not only on screen.
    const stored = await page.evaluate(() => Object.entries(localStorage).filter(([k]) => k.startsWith('dtt.console.outbox.')).map(([, v]) => JSON.parse(v)).flat());
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ task: `${TOWN}:${OFFLINE}`, ifMatch: 1, state: 'queued', body: { narrative: narrative2, status: 'completed', percent: 100 } });
    const key = stored[0].key as string;

    // Reloaded with no network: the service worker's shell opens, with the tasks and the outbox
    // from this browser's storage, and one message saying so (not an offline error page).
    const reloaded = await page.reload();
    expect(reloaded?.fromServiceWorker()).toBe(true);
    await page.locator('.task-card').first().waitFor();
    expect(await page.locator('.outbox li', { hasText: narrative2 }).innerText()).toContain('待发送');
    expect(await (await openCard(page, OFFLINE)).innerText()).toContain('一.2');
    await expect.poll(() => page.locator('.sync-message').innerText()).toMatch(/没有网络连接。显示的是本机保存的内容.*1 份报送保存在本机/);
    expect(await page.locator('.console-notice').count()).toBe(1);

    // Back online through a network that loses the first answer: the server stores the update,
    // the browser never hears back, so it retries — with the same Idempotency-Key.
    const keys: string[] = [];
    let lost = 0;
    await page.route('**/api/v1/tasks/*/updates', async (route) => {
      keys.push(route.request().headers()['idempotency-key']!);
      if (lost++ === 0) {
        await route.fetch();
        await route.abort('connectionreset');
      } else await route.continue();
    });
    await context.setOffline(false);
    await page.getByText('已送达 1 份报送').waitFor({ timeout: 30_000 });
    expect(keys.length).toBeGreaterThanOrEqual(2);
    expect(new Set(keys)).toEqual(new Set([key]));
    expect(await page.locator('.outbox li').count()).toBe(0);
    expect(await page.locator('.submissions li', { hasText: narrative2 }).innerText()).toContain('已送达，待审核');

    const mine = await apiAs('demo-reporter', '/api/v1/me/updates');
    expect(mine.updates.filter((u: { narrative: string }) => u.narrative === narrative2)).toHaveLength(1);
    await context.close();
  }, 90_000);

  it('keeps the text when the task changed meanwhile (412), and when the session expired', async () => {
    const { context, page } = await phone();
    await signIn(page, 'demo-reporter', '/console/tasks/');
    await (await openCard(page, STALE)).locator('.urgency').waitFor();
    // Someone else's update is approved after this page loaded the task (version 1 → 2).
    const other = await apiAs('demo-reporter', `/api/v1/tasks/${TOWN}:${STALE}/updates`, {
      method: 'POST',
      headers: { 'Idempotency-Key': `e2e-${RUN}-other`, 'If-Match': '"1"' },
      body: JSON.stringify({ status: 'in_progress', percent: 10, narrative: `E2E ${RUN} 另一人的报送` }),
    });
    await apiAs('demo-office', `/api/v1/updates/${other.id}/approve`, { method: 'POST', headers: { 'Idempotency-Key': `e2e-${RUN}-approve-other`, 'If-Match': '"1"' } });

    const c = card(page, STALE);
    await c.getByRole('button', { name: /填写进展/ }).click();
    await c.locator('form').getByLabel('进展说明').fill(narrative3);
    await c.locator('form').getByRole('button', { name: '提交进展' }).click();
    const conflict = page.locator('.outbox li', { hasText: narrative3 });
    await expect.poll(() => conflict.innerText()).toContain('需重新提交');
    await conflict.getByRole('button', { name: '放回表单，重新提交' }).click();
    const box = card(page, STALE).locator('form').getByLabel('进展说明');
    await expect.poll(() => box.inputValue()).toBe(narrative3);
    expect(await page.locator('.outbox li').count()).toBe(0);

    // The session expires (a token the server no longer accepts): the sign-in form says so, the draft stays.
    await box.fill(`${narrative3}（续）`);
    await page.evaluate(() => {
      const k = 'dtt.console.session';
      localStorage.setItem(k, JSON.stringify({ ...JSON.parse(localStorage.getItem(k)!), token: 'expired-token-0000000000000000' }));
    });
    await page.reload();
    await page.getByText('登录已过期，请重新登录').waitFor();
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    const again = await openCard(page, STALE);
    await again.getByRole('button', { name: /有未提交的草稿/ }).click();
    expect(await again.locator('form').getByLabel('进展说明').inputValue()).toBe(`${narrative3}（续）`);
    await again.locator('form').getByRole('button', { name: '提交进展' }).click();
    await page.getByText('已送达 1 份报送').waitFor();
    const mine = await apiAs('demo-reporter', '/api/v1/me/updates');
    expect(mine.updates.filter((u: { narrative: string }) => u.narrative === `${narrative3}（续）`)).toHaveLength(1);

    // Nothing secret is in the page source: the token lives in localStorage only.
    const token = await page.evaluate(() => JSON.parse(localStorage.getItem('dtt.console.session')!).token as string);
    const html = await (await fetch(`${ORIGIN}/console/tasks/`)).text();
    expect(html).not.toContain(token);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    await context.close();
  }, 90_000);
});

describe('office', () => {
  it('sees what an update changes, approves it, and the public progress shows it', async () => {
    const { context, page } = await phone();
    await signIn(page, 'demo-office', '/console/review/');
    const item = page.locator('.review-queue > li', { hasText: narrative1 });
    await item.waitFor();
    const text = await item.innerText();
    expect(text).toContain('家庭医生签约团队');
    expect(text).toMatch(/未开始 0%\s*→\s*进行中 40%/);
    expect(text).toContain('老年人家庭医生签约率：62.5%（截至 2018-12-20，来源：镇卫生院2018年报表）');
    expect(await item.getByRole('link', { name: '签约名单' }).getAttribute('href')).toBe('https://files.example/签约名单.xlsx');
    await item.getByRole('button', { name: '通过' }).click();
    await page.getByText(/已通过：/).waitFor();
    await expect.poll(() => page.locator('.review-queue > li', { hasText: narrative1 }).count()).toBe(0);

    const progress = (await (await fetch(`${ORIGIN}/api/v1/towns/${TOWN}/progress`)).json()) as any;
    const t = progress.tasks.find((x: { id: string }) => x.id === FIRST);
    expect(t).toMatchObject({ state: 'in_progress', percent: 40 });
    const last = progress.updates.find((u: { id: string }) => u.id === t.last_update);
    expect(last.narrative).toBe(narrative1);
    const value = progress.values.find((v: { update: string }) => v.update === t.last_update);
    expect(value).toMatchObject({ value: 62.5, as_of: '2018-12-20', source: '镇卫生院2018年报表' });

    // The public progress page shows the approval at the next request: no rebuild, no restart.
    await page.goto(`${ORIGIN}/towns/${TOWN}/progress/`);
    const entry = page.locator(`#update-${t.last_update}`);
    expect(await entry.innerText()).toContain(narrative1);
    expect(await entry.innerText()).toContain('进行中');
    const task = ((await page.locator(`#progress-${FIRST}`).textContent()) ?? "").replace(/\s+/g, ' ');
    expect(task).toContain('进行中');
    expect(task).toContain('40%');
    const card = (await page.locator('#ms-y2018 ~ .table-wrap tr', { hasText: '老年人家庭医生签约率' }).first().innerText()).replace(/\s+/g, ' ');
    expect(card).toMatch(/62\.5% 2018年12月20日 镇卫生院2018年报表 未达成/);
    // So does the English page and the open data.
    await page.goto(`${ORIGIN}/en/towns/${TOWN}/`);
    expect(await page.locator(`#update-${t.last_update}`).innerText()).toContain(narrative1);
    const csv = await (await fetch(`${ORIGIN}/towns/${TOWN}/updates.csv`)).text();
    expect(csv).toContain(narrative1);
    await context.close();
  }, 60_000);

  it('rejects an update with a reason that the reporter then sees', async () => {
    const { context, page } = await phone();
    await signIn(page, 'demo-office', '/console/review/');
    const item = page.locator('.review-queue > li', { hasText: narrative2 });
    await item.getByRole('button', { name: '退回' }).click();
    await item.getByRole('button', { name: '确认退回' }).click();
    await expect.poll(() => item.locator('.field-error').innerText()).toBe('请填写退回原因');
    await item.getByLabel('退回原因').fill('请附上入户调查的汇总表');
    await item.getByRole('button', { name: '确认退回' }).click();
    await page.getByText(/已退回：/).waitFor();
    await context.close();

    const r = await phone();
    await signIn(r.page, 'demo-reporter', '/console/tasks/');
    const sub = r.page.locator('.submissions li', { hasText: narrative2 });
    await sub.waitFor();
    expect(await sub.innerText()).toContain('已退回');
    expect(await sub.innerText()).toContain('退回原因：请附上入户调查的汇总表');
    await r.context.close();
  }, 60_000);

  it('creates an account whose one-time activation link sets a password that signs in', async () => {
    const { context, page } = await phone();
    await signIn(page, 'demo-office', '/console/accounts/');
    const username = `e2e-${RUN}`;
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('姓名').fill('测试填报员');
    await page.getByRole('button', { name: '建立账号并生成激活链接' }).click();
    await expect.poll(() => page.locator('.field-error').first().innerText()).toBe('填报员必须属于一个责任单位');
    await page.getByLabel('责任单位（填报员必选）').selectOption('weijiban');
    await page.getByRole('button', { name: '建立账号并生成激活链接' }).click();
    const link = await page.locator('.activation-link').innerText();
    expect(link).toMatch(new RegExp(`^${ORIGIN}/console/activate/#token=[A-Za-z0-9_-]{20,}$`));
    expect(await page.locator('.console-list li', { hasText: username }).innerText()).toContain('待激活');

    const other = await phone();
    await other.page.goto(link);
    await expect.poll(() => other.page.url()).not.toContain('token='); // the token leaves the address bar at once
    await other.page.getByLabel('新密码（至少 10 个字符）').fill('short');
    await other.page.getByRole('button', { name: '激活账号' }).click();
    await expect.poll(() => other.page.locator('.error-summary').innerText()).toContain('密码至少需要 10 个字符');
    await other.page.getByLabel('新密码（至少 10 个字符）').fill('a-long-new-password');
    await other.page.getByLabel('再输入一次').fill('a-long-new-password');
    await other.page.getByRole('button', { name: '激活账号' }).click();
    await other.page.getByText(`账号 ${username} 已激活`).waitFor();
    await other.page.getByRole('link', { name: '去登录' }).click();
    await other.page.getByLabel('用户名').fill(username);
    await other.page.getByLabel('密码').fill('a-long-new-password');
    await other.page.getByRole('button', { name: '登录', exact: true }).click();
    await other.page.getByText('测试填报员（填报员）').waitFor();
    // Sign-out ends the session on the server as well.
    const token = await other.page.evaluate(() => JSON.parse(localStorage.getItem('dtt.console.session')!).token as string);
    await other.page.getByRole('button', { name: '退出登录' }).click();
    await other.page.getByRole('heading', { name: '登录工作台' }).waitFor();
    expect((await fetch(`${ORIGIN}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    await other.context.close();
    await context.close();
  }, 60_000);

  it('manages the task table: decomposes a task, re-assigns units, moves a deadline, exports and imports the table (all rows or none)', async () => {
    const { context, page } = await phone();
    await signIn(page, 'demo-office', '/console/manage/');
    const parent = page.locator('.task-table > li[data-task="kt1-health-assessment"]');
    await parent.getByRole('button', { name: /添加子任务/ }).click();
    const form = parent.locator('form');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('new-kt1-health-assessment-code');
    await form.getByLabel('编号（如 一.7）').fill('');
    await form.getByRole('button', { name: '保存子任务' }).click();
    await expect.poll(() => form.locator('.error-summary').innerText()).toContain('编号：请填写编号');
    expect(await form.locator('.error-summary').innerText()).toContain('任务内容：请填写任务内容');
    await form.getByLabel('编号（如 一.7）').fill(`一.${RUN}`);
    await form.getByLabel('任务内容').fill(`E2E ${RUN} 建立老年人健康评估档案`);
    await form.getByLabel('完成时限').selectOption('y2020');
    await form.getByRole('button', { name: '保存子任务' }).click();
    await page.getByText(`已为“以健康评估为基础，完善健康养老监测评估体系”添加子任务：一.${RUN}`).waitFor();
    const child = page.locator('.task-table > li', { hasText: `E2E ${RUN} 建立老年人健康评估档案` });
    expect(await child.innerText()).toContain('具体工作（属于 一）');
    expect(await child.innerText()).toContain('2020年年底（2020-12-31）');

    // Re-assign: 民政办 leads instead of 卫计办, and the deadline moves to 2022.
    await child.getByRole('button', { name: /^修改/ }).click();
    const edit = child.locator('form');
    await edit.getByLabel('第1个 单位').selectOption({ label: '民政办' });
    await edit.getByLabel('完成时限').selectOption('y2022');
    await edit.getByRole('button', { name: '保存修改' }).click();
    await page.getByText(`已保存：一.${RUN}`).waitFor();
    await expect.poll(() => child.innerText()).toContain('民政办（牵头）');
    expect(await child.innerText()).toContain('2022年年底（2022-12-31）');

    const table = await apiAs('demo-office', `/api/v1/towns/${TOWN}/tasks`);
    const saved = table.tasks.find((t: { code: string }) => t.code === `一.${RUN}`);
    expect(saved).toMatchObject({ parent: 'kt1-health-assessment', kind: 'deliverable', due: 'y2022', version: 2 });
    expect(saved.units.find((u: { role: string }) => u.role === 'lead').unit).toBe('minzhengban');

    // Export the table, break one row and edit another: the check reports the broken row and nothing is imported.
    const [csvDl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出 CSV' }).click()]);
    const csv = readFileSync((await csvDl.path())!, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const rows = csv.replace(/^\uFEFF/, '').split('\r\n');
    expect(rows[0]).toMatch(/^编号,上级任务,类别,任务内容,牵头单位/);
    const at = (code: string) => rows.findIndex((r) => r.startsWith(`${code},`) || r.startsWith(`"${code}",`));
    const retitled = `E2E ${RUN} 导入后的新标题`;
    const edited = [...rows];
    edited[at('一.2')] = edited[at('一.2')]!.replace('到2018年年底集中开展老年人健康专项基线调查', retitled);
    edited[at('一.3')] = edited[at('一.3')]!.replace('卫计办', '卫生办');
    const bad = join(state, 'tasks-bad.csv');
    writeFileSync(bad, '\uFEFF' + edited.join('\r\n'));
    await page.getByLabel(/导入任务分解表/).setInputFiles(bad);
    await page.getByRole('button', { name: '检查文件' }).click();
    const result = page.locator('.import-result');
    await expect.poll(() => result.innerText()).toContain(`第${at('一.3') + 1}行“牵头单位”：未找到单位“卫生办”`);
    expect(await result.innerText()).toContain('未导入任何内容');
    expect(await page.getByRole('button', { name: /确认导入/ }).count()).toBe(0);

    // Fixed: the check lists the one change, then the import applies it.
    edited[at('一.3')] = rows[at('一.3')]!;
    const good = join(state, 'tasks-good.csv');
    writeFileSync(good, '\uFEFF' + edited.join('\r\n'));
    await page.getByLabel(/导入任务分解表/).setInputFiles(good);
    await page.getByRole('button', { name: '检查文件' }).click();
    await expect.poll(() => result.innerText()).toContain('将新增 0 项、修改 1 项');
    expect(await result.innerText()).toContain(`第${at('一.2') + 1}行：修改 一.2 ${retitled}`);
    expect((await apiAs('demo-office', `/api/v1/towns/${TOWN}/tasks`)).tasks.find((t: { code: string }) => t.code === '一.2').title).not.toBe(retitled);
    await page.getByRole('button', { name: '确认导入（1 项变化）' }).click();
    await page.getByText('已导入：新增 0 项，修改 1 项').waitFor();
    expect((await apiAs('demo-office', `/api/v1/towns/${TOWN}/tasks`)).tasks.find((t: { code: string }) => t.code === '一.2').title).toBe(retitled);
    // The renamed task is on the public pages and in the open data at the next request.
    expect(await (await fetch(`${ORIGIN}/towns/${TOWN}/tasks/`)).text()).toContain(retitled);
    expect(await (await fetch(`${ORIGIN}/towns/${TOWN}/progress/`)).text()).toContain(retitled);
    expect(await (await fetch(`${ORIGIN}/towns/${TOWN}/tasks.csv`)).text()).toContain(retitled);

    const [xlsxDl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出 Excel（XLSX）' }).click()]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile((await xlsxDl.path())!);
    const sheet = wb.getWorksheet('任务分解表')!;
    const titles: string[] = [];
    sheet.eachRow((row) => titles.push(String(row.getCell(4).value)));
    expect(titles).toContain(retitled);
    expect(titles).toContain(`E2E ${RUN} 建立老年人健康评估档案`);
    await context.close();
  }, 90_000);

  it('reads the audit log: the approval is there', async () => {
    const { context, page } = await phone();
    await signIn(page, 'demo-office', '/console/audit/');
    await page.locator('.audit-entries li').first().waitFor();
    expect(await page.locator('.audit-entries').innerText()).toContain('通过进展');
    await page.getByLabel('责任单位', { exact: true }).selectOption('weijiban');
    await page.getByRole('button', { name: '查看' }).click();
    await expect.poll(() => page.locator('.audit-entries').innerText()).toContain('提交进展');
    await context.close();
  }, 60_000);
});

describe('supervisor', () => {
  it('finds an overdue task as of 2019-01-15, records an inspection, issues a bulletin and downloads it', async () => {
    const { context, page } = await phone();
    await signIn(page, 'demo-supervisor', '/console/board/');
    await page.locator('.board-filter-panel > summary').click();
    await page.getByLabel('截至日期').fill('2019-01-15');
    await page.getByLabel('责任单位', { exact: true }).selectOption('weijiban');
    await page.getByLabel('时间节点').selectOption({ label: '2018年年底' });
    await page.getByRole('button', { name: '查看' }).click();
    await page.getByRole('heading', { name: '截至 2019-01-15 的督办情况' }).waitFor();
    await page.locator('details.board-group[data-unit="weijiban"] > summary').click();
    const overdue = page.locator('.board-items li[data-ref="fengmao:kt1-health-assessment-assessment-system"]');
    await overdue.waitFor();
    expect(await page.locator('.board-items li[data-ref="fengmao:kt1-health-assessment-assessment-system"]').count()).toBe(1);
    expect(await overdue.innerText()).toContain('已逾期 15 天');
    expect(page.url()).toContain('asOf=2019-01-15');
    expect(await page.locator('#rank-title').isVisible()).toBe(true);

    await page.goto(`${ORIGIN}/console/inspections/`);
    await page.getByLabel('检查日期').fill('2019-01-10');
    await page.getByLabel('检查名称').fill(`E2E ${RUN} 年度督导检查`);
    await page.getByRole('button', { name: '保存检查记录' }).click();
    await expect.poll(() => page.locator('.error-summary').innerText()).toContain('检查人员');
    await page.getByLabel('检查人员').fill('王督导\n李督导');
    await page.getByLabel('发现的问题').fill('健康评估体系尚未建立');
    await page.getByRole('button', { name: '添加整改事项' }).click();
    await page.getByLabel('第1项 整改事项').fill('建立老年人健康评估体系');
    await page.getByLabel('责任单位', { exact: true }).selectOption('weijiban');
    await page.getByLabel('整改时限').fill('2019-03-31');
    await page.getByRole('button', { name: '保存检查记录' }).click();
    await page.getByText(/已记录检查.*整改事项 1 项/).waitFor();

    await page.goto(`${ORIGIN}/console/bulletins/`);
    await page.getByLabel('统计开始日期').fill('2018-01-01');
    await page.getByLabel('统计结束日期').fill('2019-01-15');
    await page.getByRole('button', { name: '生成草稿并预览' }).click();
    const preview = page.locator('.bulletin-preview');
    await preview.waitFor();
    expect(await preview.innerText()).toContain('数据截至 2019-01-15');
    expect(await preview.innerText()).toContain('建立健康老年人健康评估体系');
    // Issuing cannot be undone: the first tap only shows what will be frozen and asks once more.
    const bulletinId = async () => (await apiAs('demo-supervisor', `/api/v1/towns/${TOWN}/bulletins`)).bulletins.find((b: { period_to: string; state: string }) => b.period_to === '2019-01-15' && b.state === 'draft')?.id as string | undefined;
    const draftId = await bulletinId();
    expect(draftId).toBeTruthy();
    await page.getByRole('button', { name: /^印发（编号并定稿）/ }).click();
    const warning = page.locator('.warning-text');
    await warning.waitFor();
    const frozen = await warning.innerText();
    expect(frozen).toContain('印发后不能撤回');
    expect(frozen).toMatch(/编号：冯卯医养督〔\d{4}〕\d+号/);
    expect(frozen).toContain('统计期间：2018-01-01 至 2019-01-15');
    expect(frozen).toMatch(/共 \d+ 项任务：已完成 \d+ 项，逾期 \d+ 项/);
    expect((await apiAs('demo-supervisor', `/api/v1/bulletins/${draftId}`)).state).toBe('draft');
    await warning.getByRole('button', { name: '取消，不印发' }).click();
    expect(await warning.count()).toBe(0);
    expect((await apiAs('demo-supervisor', `/api/v1/bulletins/${draftId}`)).state).toBe('draft');
    await page.getByRole('button', { name: /^印发（编号并定稿）/ }).click();
    const promised = /编号：(冯卯医养督〔\d{4}〕\d+号)/.exec(await warning.innerText())![1]!;
    await warning.getByRole('button', { name: '确认印发' }).click();
    await page.getByText(`已印发：${promised}`).waitFor();
    expect((await apiAs('demo-supervisor', `/api/v1/bulletins/${draftId}`))).toMatchObject({ state: 'issued', number: promised });

    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载 CSV' }).click()]);
    const csvBytes = readFileSync((await csv.path())!);
    expect([...csvBytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const csvText = csvBytes.toString('utf8');
    expect(csvText).toContain('冯卯医养督');
    expect(csvText).toContain('建立健康老年人健康评估体系');
    expect(csv.suggestedFilename()).toMatch(/\.csv$/);

    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载 Excel（XLSX）' }).click()]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile((await xlsx.path())!);
    const cells: string[] = [];
    wb.worksheets[0]!.eachRow((row) => row.eachCell((cell) => cells.push(String(cell.value))));
    expect(cells.join('\n')).toContain('建立健康老年人健康评估体系');

    const [popup] = await Promise.all([context.waitForEvent('page'), page.getByRole('button', { name: '打印版' }).click()]);
    await popup.waitForLoadState();
    expect(await popup.locator('body').innerText()).toContain('冯卯医养督');
    await context.close();
  }, 90_000);
});

describe('the console on a weak network', () => {
  it('serves fingerprinted scripts as immutable for a year, and precaches every script a console page loads', async () => {
    const html = await (await fetch(`${ORIGIN}/console/tasks/`)).text();
    const scripts = [...html.matchAll(/(?:src|href)="(\/_astro\/[^"]+\.js)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(1);
    expect(html).toContain('<link rel="manifest" href="/console/manifest.webmanifest"');
    for (const s of scripts) expect((await fetch(ORIGIN + s)).headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const sw = await fetch(`${ORIGIN}/console/sw.js`);
    expect(sw.headers.get('cache-control')).toBe('no-cache');
    const list = JSON.parse(/\/\*PRECACHE\*\/ (.*) \/\*END\*\//.exec(await sw.text())![1]!) as { version: string; urls: string[] };
    expect(list.version).toMatch(/^[0-9a-f]{16}$/);
    expect(list.urls).toContain('/console/');
    expect(list.urls).toEqual(expect.arrayContaining(scripts));
    const manifest = await (await fetch(`${ORIGIN}/console/manifest.webmanifest`)).json();
    expect(manifest).toMatchObject({ start_url: '/console/', scope: '/console/', display: 'standalone', lang: 'zh-CN' });
  });
});

describe('supervisor on a phone', () => {
  it('ranks units that are equal on every criterion at the same place, marked 并列', async () => {
    // On 2018-06-01 no task is due yet and nothing is complete: every unit with tasks is equal.
    const api = await apiAs('demo-supervisor', `/api/v1/towns/${TOWN}/units?asOf=2018-06-01`);
    const ranked = api.units.filter((u: { rank: number | null }) => u.rank !== null);
    expect(ranked.length).toBeGreaterThan(1);
    expect(new Set(ranked.map((u: { rank: number }) => u.rank))).toEqual(new Set([1]));

    const { context, page } = await phone();
    await signIn(page, 'demo-supervisor', '/console/board/?asOf=2018-06-01');
    await page.locator('.unit-ranking li').first().waitFor();
    for (const u of ranked) expect(await page.locator(`.unit-ranking li[data-unit="${u.unit}"]`).innerText()).toContain('第 1 名（并列）');
    expect(await page.locator('.board-ranking .hint').innerText()).toContain('三项都相同的单位并列同一名次');

    // On a later date the ranks the screen shows are the API's, ties included.
    const later = await apiAs('demo-supervisor', `/api/v1/towns/${TOWN}/units?asOf=2019-01-15`);
    await page.locator('.board-filter-panel > summary').click();
    await page.getByLabel('截至日期').fill('2019-01-15');
    await page.getByRole('button', { name: '查看' }).click();
    await page.getByRole('heading', { name: '截至 2019-01-15 的督办情况' }).waitFor();
    for (const u of later.units.filter((x: { rank: number | null }) => x.rank !== null)) {
      const tied = later.units.filter((x: { rank: number | null }) => x.rank === u.rank).length > 1;
      await expect.poll(() => page.locator(`.unit-ranking li[data-unit="${u.unit}"]`).innerText()).toContain(`第 ${u.rank} 名${tied ? '（并列）' : '　'}`);
    }
    await context.close();
  }, 60_000);
});

describe('every console screen', () => {
  const SCREENS: [string, string | null][] = [
    ['/console/', null],
    ['/console/activate/', null],
    ['/console/tasks/', 'demo-reporter'],
    ['/console/review/', 'demo-office'],
    ['/console/manage/', 'demo-office'],
    ['/console/accounts/', 'demo-office'],
    ['/console/audit/', 'demo-office'],
    ['/console/board/?asOf=2019-01-15', 'demo-supervisor'],
    ['/console/inspections/', 'demo-supervisor'],
    ['/console/bulletins/', 'demo-supervisor'],
  ];
  for (const [width, scale] of [
    [360, 1],
    [320, 2],
  ] as const) {
    it(`has no axe-core violations, no sideways scrolling and 44 px targets at ${width} px${scale > 1 ? ' (200 % zoom of a 640 px window)' : ''}`, async () => {
      const problems: string[] = [];
      const { context, page } = await phone({ width, scale, bypassCSP: true });
      let who: string | null = null;
      for (const [path, user] of SCREENS) {
        if (user && user !== who) {
          if (who) await page.evaluate(() => localStorage.removeItem('dtt.console.session'));
          await signIn(page, user, path);
          who = user;
        } else await page.goto(ORIGIN + path);
        if (path === '/console/') await page.getByRole('heading', { name: who ? '您可以' : '登录工作台' }).waitFor();
        else if (path === '/console/activate/') await page.getByText('激活链接不完整').waitFor();
        else await page.locator('.console-panel, .console-notice').first().waitFor();
        await page.waitForLoadState('networkidle');
        for (const v of await axe(page)) problems.push(`${path}: ${v}`);
        for (const p of await layoutProblems(page)) problems.push(`${path}: ${p}`);
      }
      // The sign-in form and the update form are screens too.
      await page.evaluate(() => localStorage.removeItem('dtt.console.session'));
      await signIn(page, 'demo-reporter', '/console/tasks/');
      await (await openCard(page, FIRST)).getByRole('button', { name: /填写进展/ }).click();
      await card(page, FIRST).locator('form').getByRole('button', { name: '添加指标值' }).click();
      await card(page, FIRST).locator('form').getByRole('button', { name: '提交进展' }).click();
      await card(page, FIRST).locator('.error-summary').waitFor();
      for (const v of await axe(page)) problems.push(`update form: ${v}`);
      for (const p of await layoutProblems(page)) problems.push(`update form: ${p}`);
      await context.close();
      expect(problems).toEqual([]);
      expect(cspErrors).toEqual([]);
    }, 120_000);
  }
});
