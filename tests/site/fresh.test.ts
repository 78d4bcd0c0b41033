/**
 * A fresh installation, as a new user meets it: no report approved yet, every deadline of the
 * plan years in the past. No public page may say 未达成, 逾期 or 未开始 about a target or task that
 * has no approved report; the answer (the milestone summary) is on the first screen of a phone
 * at 360 × 740, in normal and 大字 mode. Then a reporter reports figures and the office approves
 * them through the API: a signing rate of 82 % measured today counts against the 2018 target
 * (逾期达成, with its date), and 71.7 % dated 2018-12-20 makes it 已达成.
 * Its own built Worker under wrangler dev over an empty, migrated, content-loaded D1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { readContent } from '../../worker/content/read.ts';
import { townPublicPaths } from '../../worker/domain/public-pages.ts';
import { cstDate } from '../../worker/domain/supervision.ts';
import { startLiveSite, type LiveSite } from './live-site.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const PASSWORD = 'demo-password-2018';
const TASK = 'kt2-family-doctor-signing-teams'; // 二.1, 卫计办, due 2018-12-31, delivers 老年人家庭医生签约率
let site: LiveSite;
let browser: Browser;
const fengmao = readContent().towns.find((t) => t.town.id === 'fengmao')!;
const pages = townPublicPaths('fengmao', fengmao.indicators.map((i) => i.indicator)).filter((p) => p.endsWith('/'));

beforeAll(async () => {
  site = await startLiveSite({ seed: false });
  const r = spawnSync(process.execPath, [resolve(ROOT, 'worker/cli/admin.ts'), 'create-demo-accounts', '--local', '--persist-to', site.persist], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true' },
  });
  expect(r.status, r.stderr).toBe(0);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

/** The words of every status mark on a page (the spans the pages style as a status). */
const statusWords = (html: string) => [...html.matchAll(/class="status[^"]*"[^>]*>([^<]*)</g)].map((m) => m[1]!.trim());

async function api(username: string, path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const login = await fetch(`${site.origin}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) });
  const { token } = (await login.json()) as { token: string };
  const res = await fetch(site.origin + path, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
  return body as any;
}

/** A reporter reports on the task with one measurement; the office approves it. */
async function reportAndApprove(n: number, value: number, asOf: string) {
  const task = await api('demo-reporter', '/api/v1/me/tasks');
  const version = task.tasks.find((t: { id: string }) => t.id === TASK).version;
  const u = await api('demo-reporter', `/api/v1/tasks/fengmao:${TASK}/updates`, {
    method: 'POST',
    headers: { 'Idempotency-Key': `fresh-${Date.now()}-${n}`, 'If-Match': `"${version}"` },
    body: { status: 'in_progress', percent: 50 + n, narrative: `签约率统计第${n}次`, measurements: [{ indicator: 'family-doctor-signing-elderly', value, as_of: asOf, source: '镇卫生院签约台账' }] },
  });
  await api('demo-office', `/api/v1/updates/${u.id}/approve`, { method: 'POST', headers: { 'Idempotency-Key': `fresh-approve-${Date.now()}-${n}`, 'If-Match': `"${version}"` } });
}

async function cardRow(milestone: string, name: string): Promise<string> {
  const page = await browser.newPage();
  await page.goto(`${site.origin}/towns/fengmao/progress/`);
  const row = (await page.locator(`#ms-${milestone} ~ .table-wrap tr`, { hasText: name }).first().innerText()).replace(/\s+/g, ' ');
  await page.close();
  return row;
}

describe('a fresh database: nothing reported yet', () => {
  it('no public page marks a target 未达成 or a task 逾期 or 未开始; every task is 未报告 and every target 暂无数据', async () => {
    expect(pages.length).toBeGreaterThan(10);
    for (const p of pages) {
      const res = await fetch(site.origin + p);
      expect(res.status, p).toBe(200);
      const html = await res.text();
      const words = statusWords(html);
      expect(words.filter((w) => /未达成|逾期|未开始/.test(w)), p).toEqual([]);
      const answer = [...html.matchAll(/<li class="answer-line[^"]*"[^>]*>([\s\S]*?)<\/li>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ''));
      expect(answer.filter((line) => /未达成|逾期/.test(line)), p).toEqual([]);
    }
    const progress = await (await fetch(`${site.origin}/towns/fengmao/progress/`)).text();
    expect(statusWords(progress)).toContain('未报告');
    expect(statusWords(progress)).toContain('暂无数据');
    expect(progress).toMatch(/data-figure="overdue">0</);
    const tasks = (await (await fetch(`${site.origin}/towns/fengmao/tasks.csv`)).text()).split('\r\n').slice(1).filter(Boolean);
    expect(tasks.every((r) => r.includes('"not_reported"') && r.endsWith(',false,'))).toBe(true);
  });

  for (const mode of ['normal', 'text-large'] as const) {
    it(`on a 360 × 740 phone (${mode}), every milestone’s summary line is inside the first screen of the town and progress pages; the header takes at most a third`, async () => {
      for (const path of ['/towns/fengmao/', '/towns/fengmao/progress/']) {
        const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
        if (mode === 'text-large') await context.addCookies([{ name: 'reading', value: 'text-large', url: site.origin }]);
        const page = await context.newPage();
        await page.goto(site.origin + path);
        expect(await page.evaluate(() => document.documentElement.className)).toBe(mode === 'text-large' ? 'text-large' : '');
        const lines = page.locator('#answer .answer-line[data-milestone]');
        expect(await lines.count(), path).toBe(fengmao.town.milestones.length);
        for (const box of await lines.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON()))) {
          expect(box.top, `${path} ${mode}`).toBeGreaterThanOrEqual(0);
          expect(box.bottom, `${path} ${mode}`).toBeLessThanOrEqual(740);
        }
        const header = await page.locator('.site-header').evaluate((e) => e.getBoundingClientRect().height);
        expect(header, `${path} ${mode}`).toBeLessThanOrEqual(740 / 3);
        expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth), `${path} ${mode}`).toBe(true);
        await context.close();
      }
    }, 120_000);
  }
});

describe('figures reported and approved through the API', () => {
  it('82 % measured today counts against the 2018 target at once: shown with its date as 逾期达成, not 暂无数据', async () => {
    const today = cstDate(new Date().toISOString());
    await reportAndApprove(1, 82, today);
    const [y, m, d] = today.split('-').map(Number);
    expect(await cardRow('y2018', '老年人家庭医生签约率')).toMatch(new RegExp(`70%以上 82% ${y}年${m}月${d}日 镇卫生院签约台账 逾期达成`));
  }, 120_000);

  it('71.7 % dated 2018-12-20 makes the 2018 target 已达成, with the newer figure shown beside it', async () => {
    await reportAndApprove(2, 71.7, '2018-12-20');
    expect(await cardRow('y2018', '老年人家庭医生签约率')).toMatch(/70%以上 71\.7% 之后的最新值：82%（\d+年\d+月\d+日） 2018年12月20日 镇卫生院签约台账 已达成/);
    const answer = await (await fetch(`${site.origin}/towns/fengmao/`)).text();
    expect(answer).toMatch(/2018年底<\/a>：已达成 1/);
  }, 120_000);
});
