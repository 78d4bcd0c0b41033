/**
 * The reporter's form on a parent task, in Chromium against the built Worker over a fresh local D1
 * (tests/site/live-site.ts, unseeded, plus the demo accounts): before submitting, it says that the
 * parent rolls up from its sub-tasks, offers 已完成 only once every sub-task is approved completed,
 * and names the unfinished ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startLiveSite, type LiveSite } from '../site/live-site.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const PASSWORD = 'demo-password-2018';
const PARENT = 'kt1-health-assessment'; // 一, a key task of 卫计办 (the demo reporter's unit) with seven sub-tasks

let site: LiveSite;
let browser: Browser;

beforeAll(async () => {
  site = await startLiveSite({ seed: false });
  const r = spawnSync(process.execPath, [resolve(ROOT, 'worker/cli/admin.ts'), 'create-demo-accounts', '--local', '--persist-to', site.persist], {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true' },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`create-demo-accounts: ${r.stdout}\n${r.stderr}`);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

async function token(username: string): Promise<string> {
  const r = await fetch(`${site.origin}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) });
  return ((await r.json()) as { token: string }).token;
}

async function post(tok: string, path: string, body: unknown, headers: Record<string, string>) {
  const r = await fetch(site.origin + path, { method: 'POST', headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as { id: string };
}

/** The parent's form, opened as the demo reporter on a phone-sized page. */
async function parentForm(): Promise<{ page: Page; close: () => Promise<void> }> {
  const context = await browser.newContext({ viewport: { width: 360, height: 780 } });
  const page = await context.newPage();
  await page.goto(`${site.origin}/console/tasks/`);
  await page.getByLabel('用户名').fill('demo-reporter');
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  // The list is grouped by key task, each group closed until tapped.
  const group = page.locator(`details.task-group[data-tasks~="${PARENT}"]`);
  await group.waitFor({ state: 'attached' });
  if (!(await group.evaluate((d) => (d as HTMLDetailsElement).open))) await group.locator('> summary').click();
  const card = page.locator(`.task-card[data-task="${PARENT}"]`);
  await card.getByRole('button', { name: /填写进展/ }).click();
  await card.locator('form').waitFor();
  return { page, close: () => context.close() };
}

describe("a parent task's update form", () => {
  it('offers 已完成 only when every sub-task is approved completed, naming the unfinished ones and the highest percent', async () => {
    let f = await parentForm();
    const form = () => f.page.locator(`.task-card[data-task="${PARENT}"] form`);
    const completed = () => form().getByLabel('状态').locator('option[value="completed"]');
    const hints = async () => (await form().locator('.hint').allInnerTexts()).join('\n');
    // The sub-tasks' approved states arrive with the public progress, possibly after the form opens.
    await expect.poll(hints).toContain('这是上级任务');
    expect(await completed().isDisabled()).toBe(true);
    const hint = await hints();
    expect(hint).toContain('这是上级任务，进度由 7 项子任务加权汇总（目前 0%）');
    expect(hint).toContain('未完成：一.1（未报告）、一.2（未报告）');
    expect(hint).toContain('最多 0%');
    // A percent above the roll-up is refused next to the field, by the same rule the API applies.
    await form().getByLabel('完成比例').fill('30');
    await form().getByLabel('进展说明').fill('已召开专题部署会。');
    await form().getByRole('button', { name: '提交进展' }).click();
    await expect.poll(() => form().innerText()).toContain('不能超过子任务汇总的进度 0%');
    await f.close();

    // Every sub-task reported and approved completed.
    const reporter = await token('demo-reporter');
    const office = await token('demo-office');
    const plan = (await (await fetch(`${site.origin}/api/v1/towns/fengmao/plan`)).json()) as { tasks: { id: string; children: { id: string }[] }[] };
    const kids = plan.tasks.find((t) => t.id === PARENT)!.children;
    let n = 0;
    for (const k of kids) {
      const u = await post(reporter, `/api/v1/tasks/fengmao:${k.id}/updates`, { status: 'completed', percent: 100, narrative: '已完成并归档。' }, { 'idempotency-key': `parent-form-${Date.now()}-${n++}`, 'if-match': '"1"' });
      await post(office, `/api/v1/updates/${u.id}/approve`, undefined, { 'idempotency-key': `parent-form-${Date.now()}-${n++}`, 'if-match': '"1"' });
    }

    f = await parentForm();
    await expect.poll(hints).toContain('最多 100%');
    expect(await completed().isDisabled()).toBe(false);
    await f.close();
  });
});
