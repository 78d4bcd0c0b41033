/**
 * The public pages in a real browser (Debian's chromium through playwright-core), served by the
 * built Worker under `wrangler dev` over a D1 seeded with the synthetic tests/fixtures/public
 * data (tests/site/live-site.ts). Every page type is loaded and checked for what a reader sees —
 * figures, status words, dates — and axe-core reports no violations at 320 px and at 1280 px.
 * The API is answered per test (page.route): by default it is unreachable, so the pages must be
 * complete without it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { readContent } from '../../worker/content/read.ts';
import { cstDate } from '../../worker/domain/supervision.ts';
import { parseFixture } from '../fixtures/public-seed.ts';
import { siteOrigin } from './dist.ts';
import { axeViolations } from './axe.ts';

const FIXTURE = parseFixture(JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/public/fengmao.json'), 'utf8')));
const fengmao = readContent().towns.find((t) => t.town.id === 'fengmao')!;

const PAGES = {
  home: '/',
  town: '/towns/fengmao/',
  progress: '/towns/fengmao/progress/',
  tasks: '/towns/fengmao/tasks/',
  target: '/towns/fengmao/targets/family-doctor-signing-elderly/',
  group: '/towns/fengmao/group/',
  plan: '/towns/fengmao/plan/',
  compare: '/compare/',
  en_home: '/en/',
  en_town: '/en/towns/fengmao/',
  search: `/search/?q=${encodeURIComponent('签约')}`,
  // A county's towns side by side (issue 24), in both languages.
  region: '/regions/shanting/',
  en_region: '/en/regions/shanting/',
};

let browser: Browser;
let origin: string;

beforeAll(async () => {
  origin = siteOrigin();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

/** Opens a page; the API answers `api` (default: 503, as if the Worker were down). */
async function open(path: string, width = 1280, api?: (url: string) => unknown): Promise<Page> {
  // bypassCSP only so the test can inject axe-core; the pages themselves run no script.
  const page = await browser.newPage({ viewport: { width, height: 900 }, bypassCSP: true });
  await page.route('**/api/**', (route) =>
    api ? route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(api(route.request().url())) }) : route.fulfill({ status: 503, body: '' }),
  );
  await page.goto(origin + path, { waitUntil: 'load' });
  return page;
}

const axe = axeViolations;

const text = (page: Page, sel: string) => page.locator(sel).first().innerText();
/** The report-card row of an indicator at a milestone, as the reader sees it. */
const cardRow = async (page: Page, milestone: string, indicatorName: string) =>
  (await page.locator(`#ms-${milestone} ~ .table-wrap tr`, { hasText: indicatorName }).first().innerText()).replace(/\s+/g, ' ');

describe('axe-core finds no accessibility violations', () => {
  for (const [name, path] of Object.entries(PAGES)) {
    for (const width of [320, 1280]) {
      it(`${name} (${path}) at ${width}px`, async () => {
        const page = await open(path, width);
        expect(await axe(page)).toEqual([]);
        await page.close();
      }, 60_000);
    }
  }
  it('progress page in high-contrast and large-text mode', async () => {
    const page = await open(PAGES.progress, 320);
    await page.evaluate(() => document.documentElement.classList.add('contrast-high', 'text-large'));
    expect(await axe(page)).toEqual([]);
    await page.close();
  }, 60_000);
});

describe('the progress page, as a reader sees it', () => {
  let page: Page;
  beforeAll(async () => {
    page = await open(PAGES.progress);
  });
  afterAll(() => page.close());

  it('says when its data was last updated and when it was generated (Beijing time)', async () => {
    const f = await text(page, '#freshness');
    expect(f).toContain('数据更新时间：2021年2月20日 11:00');
    // Rendered at request time: today in Beijing.
    const [y, m, d] = cstDate(new Date().toISOString()).split('-').map(Number);
    expect(f).toContain(`本页生成时间：${y}年${m}月${d}日`);
  });

  it('shows the headline task figures by reported state; overdue counts only reported, unfinished tasks past their deadline', async () => {
    const parents = new Set(fengmao.tasks.map((t) => t.parent).filter(Boolean));
    const leaves = fengmao.tasks.filter((t) => !parents.has(t.id));
    const last = new Map([...FIXTURE.updates].sort((a, b) => a.approved_at.localeCompare(b.approved_at)).map((u) => [u.task, u.status]));
    const due = new Map(fengmao.town.milestones.map((m) => [m.id, m.due]));
    const today = cstDate(new Date().toISOString());
    const overdue = leaves.filter((t) => last.has(t.id) && due.get(t.due)! < today && last.get(t.id) !== 'completed').length;
    const reported = leaves.filter((t) => last.has(t.id)).length;
    const fig = (k: string) => text(page, `[data-figure="${k}"]`);
    expect(await fig('total')).toBe(String(leaves.length));
    expect(await fig('completed')).toBe('3');
    expect(await fig('in_progress')).toBe('3');
    expect(await fig('blocked')).toBe('1');
    expect(await fig('not_reported')).toBe(String(leaves.length - reported));
    expect(await fig('overdue')).toBe(String(overdue));
    expect(overdue).toBeLessThan(reported);
  });

  it('has the answer first: a line per milestone counting its targets by verdict, and the deliverables by state', async () => {
    const lines = await page.locator('#answer .answer-line').allInnerTexts();
    expect(lines[0]).toMatch(/^2018年底：已达成 \d+ · 未达成 \d+ .*暂无数据 \d+$/);
    expect(lines.at(-1)).toMatch(/具体任务：已完成 3 · 进行中 3 · 受阻 1 · 未报告 \d+；其中逾期 \d+/);
  });

  it('has a report card per milestone: target, the value it is judged on with its date and source, and the verdict', async () => {
    expect(await cardRow(page, 'y2018', '老年人家庭医生签约率')).toMatch(/70%以上 72% 之后的最新值：96%（2020年12月31日） 2018年12月31日 测试来源：卫计办签约台账 已达成/);
    expect(await cardRow(page, 'y2018', '为老年人提供就医绿色通道的医疗机构占比')).toMatch(/90%以上 85% 2018年12月31日 .* 未达成/);
    expect(await cardRow(page, 'y2018', '提供医疗护理服务的养老机构占比')).toMatch(/80%以上 暂无 — — 暂无数据/);
    expect(await cardRow(page, 'y2020', '老年人家庭医生签约率')).toMatch(/所有常住老年人群 96% 2020年12月31日 .* 未达成/);
    expect(await cardRow(page, 'y2020', '65岁以上老年人健康管理率')).toMatch(/68% 2020年6月30日 .* 未达成/);
    expect(await cardRow(page, 'y2018', '日间照料设施转型发展')).toMatch(/相关任务已完成 1 项，共 1 项 .* 已达成/);
  });

  it('links each target to its own page: the plan’s words, a chart and a table of every dated value with its source', async () => {
    const href = await page.locator('#ms-y2018 ~ .table-wrap a', { hasText: '老年人家庭医生签约率' }).first().getAttribute('href');
    expect(href).toBe('/towns/fengmao/targets/family-doctor-signing-elderly/');
    const t = await open(href!);
    await expect(t.locator('svg[role="img"] circle.chart-value').count()).resolves.toBe(4);
    await expect(t.locator('svg .chart-target').count()).resolves.toBe(2);
    const table = (await t.locator('main table').innerText()).replace(/\s+/g, ' ');
    expect(table).toContain('2018年6月30日 52% 测试来源：卫计办签约台账');
    expect(await text(t, 'main')).toContain('方案怎么写');
    expect(await text(t, '.answer')).toMatch(/2018年年底：70%以上 — 已达成/);
    await t.close();
    const none = await open('/towns/fengmao/targets/care-institutions-with-medical-service/');
    expect(await text(none, 'main')).toContain('还没有审核通过的数值。');
    await none.close();
  });

  it('shows each task with its reported state, percent, lead unit, deadline in words and latest update; parents roll up; groups are collapsed', async () => {
    const group = page.locator('details#progress-kt4-institutions');
    expect(await group.getAttribute('open')).toBeNull();
    expect((await group.locator('summary').innerText()).replace(/\s+/g, ' ')).toContain('受阻');
    const task = ((await page.locator('#progress-kt4-institutions-linkage-mechanism').textContent()) ?? '').replace(/\s+/g, ' ');
    expect(task).toMatch(/受阻 逾期，完成比例 40%；牵头单位：卫计办；2018年底到期（推定）/);
    expect(task).toMatch(/最新进展：2019年3月15日\s?【测试数据】两家养老机构尚未与卫生院签约/);
    const never = ((await page.locator('#progress-g5-supervision-inspections').textContent()) ?? '').replace(/\s+/g, ' ');
    expect(never).toContain('未报告');
    expect(never).toContain('还没有审核通过的进展');
    expect(never).not.toMatch(/逾期|未开始/);
  });

  it('lists the approved updates newest first, and the published bulletin', async () => {
    const items = await page.locator('.timeline > li').allInnerTexts();
    expect(items).toHaveLength(FIXTURE.updates.length);
    expect(items[0]).toContain('2021年2月20日');
    expect(items[0]).toContain('移动医疗服务车已投入试运行');
    expect(items.at(-1)).toContain('2018年7月10日');
    const b = (await text(page, '#bulletins ~ ul')).replace(/\s+/g, ' ');
    expect(b).toContain('冯卯医养督〔2019〕1号');
    expect(b).toContain('2019年1月20日');
  });

  it('renders the narratives’ Markdown (bold, links) as text a reader reads, never raw markers', async () => {
    const entry = page.locator('#update-fx-u09');
    expect(await entry.locator('.narrative strong').innerText()).toBe('移动医疗服务车');
    expect(await entry.locator('.narrative a').getAttribute('href')).toBe('https://example.org/notice');
    expect(await text(page, '#timeline ~ ol')).not.toMatch(/\*\*|\]\(/);
  });

  it('offers the downloads and the feed', async () => {
    const hrefs = await page.locator('.downloads a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(hrefs).toEqual(['/towns/fengmao/targets.csv', '/towns/fengmao/tasks.csv', '/towns/fengmao/updates.csv', '/towns/fengmao/data.json', '/towns/fengmao/feed.xml']);
  });
});

describe('no JavaScript on public pages', () => {
  it('every public page, search included, loads no script at all, and shows its data without one', async () => {
    for (const path of Object.values(PAGES)) {
      const page = await open(path);
      const scripts = await page.evaluate(() => [...document.scripts].length + performance.getEntriesByType('resource').filter((e: any) => e.initiatorType === 'script').length);
      expect(scripts, path).toBe(0);
      await page.close();
    }
    const progress = await open(PAGES.progress);
    expect(await text(progress, '[data-figure="completed"]')).toBe('3');
    await progress.close();
  });
});

describe('other page types, as a reader sees them', () => {
  it('home lists the towns; town and tasks pages keep their content', async () => {
    const home = await open(PAGES.home);
    expect(await text(home, 'main')).toContain('冯卯镇');
    await home.close();
    const town = await open(PAGES.town);
    expect(await text(town, 'main')).toContain('2018年12月31日');
    expect(await text(town, '.town-nav')).toContain('创建进度');
    await town.close();
    const compare = await open(PAGES.compare);
    const family = (await compare.locator('section', { has: compare.locator('#indicator-family-doctor-signing-elderly') }).last().innerText()).replace(/\s+/g, ' ');
    // The comparison is prerendered from content/; the town's measured values are on its live progress page.
    expect(family).toContain('冯卯镇报告的最新值（经领导小组办公室审核）：见进度页');
    expect(await compare.locator('section', { has: compare.locator('#indicator-family-doctor-signing-elderly') }).last().locator('a[href="/towns/fengmao/progress/"]').count()).toBeGreaterThan(0);
    await compare.close();
    const tasks = await open(PAGES.tasks, 320);
    expect(await text(tasks, 'main')).toContain('牵头单位');
    await tasks.close();
  });

  it('the English town page uses English labels and names, with Chinese-only text marked zh-CN', async () => {
    const page = await open(PAGES.en_town);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await text(page, 'h1')).toBe('Fengmao Town: progress');
    expect(await cardRow(page, 'y2018', 'Family doctor')).toMatch(/72% .*2018-12-31 .* Met/);
    expect(await text(page, 'main')).toContain('Data last updated：2021-02-20 11:00 (UTC+8)');
    expect(await page.locator('#progress-kt1-health-assessment .task-title span[lang="zh-CN"]').count()).toBeGreaterThan(0);
    await page.close();
    const home = await open(PAGES.en_home);
    expect(await text(home, 'main')).toContain('Fengmao Town');
    await home.close();
  });

  it('a reader searches 签约 with the plain form and reaches the paragraph of the plan that says it', async () => {
    const page = await open('/search/', 320);
    await page.getByLabel('要查找的字词').fill('签约');
    await Promise.all([page.waitForURL(/\/search\/\?q=/), page.getByRole('button', { name: '搜索' }).click()]);
    expect(await text(page, 'main')).toMatch(/找到 \d+ 处/);
    const result = page.locator('.search-results a[href^="/towns/fengmao/plan/#"]').first();
    const href = (await result.getAttribute('href'))!;
    await Promise.all([page.waitForURL((u) => u.pathname === '/towns/fengmao/plan/'), result.click()]);
    const anchor = decodeURIComponent(new URL(page.url()).hash.slice(1));
    expect(anchor).toBe(decodeURIComponent(href.split('#')[1]!));
    // The paragraph the link points at is there, says 签约, and is the one the browser scrolled to.
    const target = page.locator(`[id="${anchor}"]`);
    expect(await target.innerText()).toContain('签约');
    expect(await page.evaluate((id) => document.getElementById(id)!.getBoundingClientRect().top, anchor)).toBeLessThan(300);
    await page.close();
  }, 120_000);

  it('a search with no match says 没有找到', async () => {
    const page = await open(`/search/?q=${encodeURIComponent('魔法石')}`);
    expect(await text(page, 'main')).toContain('没有找到');
    await page.close();
  });
});

describe('reading settings: large text and high contrast', () => {
  it('large text is 1.5 × the normal size and still fits 320 px', async () => {
    const page = await open(PAGES.progress, 320);
    const size = () => page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
    const normal = await size();
    await page.evaluate(() => document.documentElement.classList.add('text-large'));
    expect(await size()).toBeGreaterThanOrEqual(normal * 1.5);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    await page.close();
  });

  it('high contrast is white on black with yellow links', async () => {
    const page = await open(PAGES.home);
    await page.evaluate(() => document.documentElement.classList.add('contrast-high'));
    const c = await page.evaluate(() => ({ bg: getComputedStyle(document.body).backgroundColor, fg: getComputedStyle(document.body).color, a: getComputedStyle(document.querySelector('main a')!).color }));
    expect(c).toEqual({ bg: 'rgb(0, 0, 0)', fg: 'rgb(255, 255, 255)', a: 'rgb(255, 255, 0)' });
    await page.close();
  });

  it('the settings links show the option not yet chosen', async () => {
    const page = await open(PAGES.home);
    expect(await page.locator('.prefs a:visible').allInnerTexts()).toEqual(['大字', '高对比度']);
    await page.evaluate(() => document.documentElement.classList.add('text-large'));
    expect(await page.locator('.prefs a:visible').allInnerTexts()).toEqual(['标准字号', '高对比度']);
    await page.close();
  });
});
