/**
 * The office's account journey on a phone (360 px), in real Chromium (playwright-core + Debian's
 * chromium) against the server `npm start` runs on a free port, with a fresh local D1 and its demo
 * accounts, and the dist/ built before (`--no-build`): the office sees each account's state and
 * last sign-in, disables a reporter (whose sessions end and whose sign-in is refused with a clear
 * message), re-enables it, and resets its password with a new link that the reporter uses on their
 * own phone. The office gets no button for its own account or the supervisor's. axe-core finds no
 * violations, nothing scrolls sideways and every control is at least 44 px.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { consoleProblems, consoleSignIn, launchChromium, startConsoleServer, type ConsoleServer } from './harness.ts';

const PASSWORD = 'demo-password-2018';

let origin = '';
let site: ConsoleServer | undefined;
let state: string;
let browser: Browser;

beforeAll(async () => {
  site = await startConsoleServer({ prefix: 'accounts-e2e' });
  state = site.state;
  origin = site.origin;
  browser = await launchChromium();
}, 200_000);

afterAll(async () => {
  await browser?.close();
  await site?.stop();
}, 30_000);

const signInApi = (username: string, password = PASSWORD) =>
  fetch(`${origin}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });

async function phone(bypassCSP = false) {
  const context = await browser.newContext({ viewport: { width: 360, height: 780 }, bypassCSP });
  return { context, page: await context.newPage() };
}

const signIn = (page: Page, username: string, path: string) => consoleSignIn(page, origin, username, path, PASSWORD);

const entry = (page: Page, username: string) => page.locator(`.console-list li[data-account="${username}"]`);

const problems = (page: Page) => consoleProblems(page, 'main button, main input, main select');

describe('the office manages its reporters’ accounts on a phone', () => {
  it('sees state and last sign-in; disables, re-enables and resets a reporter, whose new link works on their own phone', async () => {
    // The reporter is signed in on their phone.
    const before = await signInApi('demo-reporter');
    expect(before.status).toBe(200);
    const reporterToken = ((await before.json()) as { token: string }).token;

    const { context, page } = await phone(true);
    await signIn(page, 'demo-office', '/console/accounts/');
    const reporter = entry(page, 'demo-reporter');
    await reporter.waitFor();
    expect(await reporter.innerText()).toContain('正常');
    expect(await reporter.innerText()).toMatch(/上次登录：/);
    // No buttons on the office's own account or the supervisor's.
    expect(await entry(page, 'demo-office').getByRole('button').count()).toBe(0);
    expect(await entry(page, 'demo-supervisor').getByRole('button').count()).toBe(0);
    expect(await problems(page)).toEqual([]);

    // Disable: a confirmation first, then the state changes and the reporter's session ends.
    page.once('dialog', (d) => void d.accept());
    await reporter.getByRole('button', { name: /^停用/ }).click();
    await expect.poll(() => reporter.innerText()).toContain('已停用');
    expect(await page.getByText('：已停用。').count()).toBe(1);
    expect((await fetch(`${origin}/api/v1/me`, { headers: { authorization: `Bearer ${reporterToken}` } })).status).toBe(401);

    // The reporter, signing in on their phone, is told the account is disabled.
    const other = await phone();
    await other.page.goto(`${origin}/console/`);
    await other.page.getByLabel('用户名').fill('demo-reporter');
    await other.page.getByLabel('密码').fill(PASSWORD);
    await other.page.getByRole('button', { name: '登录', exact: true }).click();
    await other.page.getByText('此账号已停用').waitFor();

    // Re-enabled, the old password works again.
    await reporter.getByRole('button', { name: /^恢复/ }).click();
    await expect.poll(() => reporter.innerText()).toContain('正常');
    expect((await signInApi('demo-reporter')).status).toBe(200);

    // Reset: a new one-time link, shown once; the old password no longer works.
    page.once('dialog', (d) => void d.accept());
    await reporter.getByRole('button', { name: /^重置密码/ }).click();
    const link = await page.locator('.activation-link').innerText();
    expect(link).toMatch(new RegExp(`^${origin}/console/activate/#token=[A-Za-z0-9_-]{43}$`));
    await expect.poll(() => reporter.innerText()).toContain('待激活');
    expect(await reporter.getByRole('button', { name: /^重新发放激活链接/ }).count()).toBe(1);
    expect((await signInApi('demo-reporter')).status).toBe(401);
    expect(await problems(page)).toEqual([]);

    await other.page.goto(link);
    await other.page.getByLabel('新密码（至少 10 个字符）').fill('a-fresh-password-2019');
    await other.page.getByLabel('再输入一次').fill('a-fresh-password-2019');
    await other.page.getByRole('button', { name: '激活账号' }).click();
    await other.page.getByText('账号 demo-reporter 已激活').waitFor();
    expect((await signInApi('demo-reporter', 'a-fresh-password-2019')).status).toBe(200);

    // Every step is in the audit log, by the office.
    const office = ((await (await signInApi('demo-office')).json()) as { token: string; account: { id: string } });
    const audit = (await (await fetch(`${origin}/api/v1/towns/fengmao/audit?limit=50`, { headers: { authorization: `Bearer ${office.token}` } })).json()) as { entries?: { action: string; actor: string }[] };
    const actions = (audit.entries ?? []).filter((e) => e.action.startsWith('account.') && e.action !== 'account.create').map((e) => `${e.action} ${e.actor === office.account.id ? 'by office' : e.actor}`);
    expect(actions.sort()).toEqual(['account.disable by office', 'account.enable by office', 'account.reset by office']);
    await other.context.close();
    await context.close();
  }, 180_000);
});
