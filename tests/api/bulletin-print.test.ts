/**
 * The bulletin print page as a township office prints it: Fengmao's bulletin with its content,
 * a dozen approved updates and an inspection, issued and published, opened in Chromium (Debian,
 * headless) under the page's own headers (its strict CSP included) and printed to A4 PDF.
 * What the office checks on paper: at most 4 pages; no date and no status word broken across
 * lines; the issuing body and date on the same page as the end of the last table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { extractText, getDocumentProxy } from 'unpdf';
import { startApp } from './office-harness.ts';
import { readContent } from '../../worker/content/read.ts';
import { INDICATOR_ZH, STATUS_ZH } from '../../worker/domain/bulletin.ts';
import { addDays, cstDate } from '../../worker/domain/supervision.ts';

type App = Awaited<ReturnType<typeof startApp>>;
// What page.evaluate runs in the page: this folder is type-checked with the Workers types, not the DOM's.
declare const document: any, NodeFilter: any, CSSPageRule: any;
type TextNode = { data: string; parentElement: { closest(selector: string): unknown } | null };
type Rect = { width: number; top: number };

/**
 * Whether a PDF page's text holds `text`. Chromium's PDF maps some ideographs to look-alike radicals
 * (示 → ⽰, 民 → ⺠): NFKC undoes most, and a radical left over matches any character.
 */
function onPage(page: string, text: string): boolean {
  const flat = (s: string) => [...s.normalize('NFKC').replace(/\s+/g, '')];
  const p = flat(page);
  const t = flat(text);
  for (let i = 0; i + t.length <= p.length; i++) if (t.every((ch, k) => p[i + k] === ch || /[\u2e80-\u2fdf]/u.test(p[i + k]!))) return true;
  return false;
}
const ARTIFACTS = resolve(import.meta.dirname, '../e2e/artifacts');
const ORIGIN = 'https://town.example';
const today = () => cstDate(Date.now());

let app: App;
let browser: Browser;
let key = 0;
/** A JSON request with a token; writes carry a fresh Idempotency-Key. */
const call = async (method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}) => {
  const res = await app.request(path, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Idempotency-Key': `print-${++key}-${crypto.randomUUID()}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
};

/** A reporter of the task's lead unit reports, the office approves: both through the API. */
async function approvedUpdate(tokens: Map<string, string>, office: string, task: string, unit: string, status: string, percent: number, narrative: string) {
  if (!tokens.has(unit)) tokens.set(unit, await app.signIn('reporter', unit));
  const ref = `fengmao:${task}`;
  const { version } = await call('GET', `/api/v1/tasks/${ref}/history`, office);
  const update = await call('POST', `/api/v1/tasks/${ref}/updates`, tokens.get(unit)!, { status, percent, narrative, measurements: [], evidence: [] }, { 'If-Match': `"${version}"` });
  await call('POST', `/api/v1/updates/${update.id}/approve`, office, undefined, { 'If-Match': `"${version}"` });
}

let bulletin: { id: string; number: string; title: string };
let response: { status: number; headers: Record<string, string>; body: string };

beforeAll(async () => {
  app = await startApp();
  const office = await app.signIn('office');
  const supervisor = await app.signIn('supervisor');
  // Fengmao's leaf tasks in plan order; every fifth one gets an approved update, in a mix of states.
  const fengmao = readContent(resolve(import.meta.dirname, '../../content')).towns.find((t) => t.town.id === 'fengmao')!;
  const parents = new Set(fengmao.tasks.map((t) => t.parent).filter(Boolean));
  const leaves = fengmao.tasks.filter((t) => !parents.has(t.id));
  const states: [string, number][] = [['completed', 100], ['in_progress', 60], ['blocked', 30], ['in_progress', 85], ['not_started', 0]];
  const tokens = new Map<string, string>();
  for (let i = 0; i < leaves.length; i += 5) {
    const t = leaves[i]!;
    const [status, percent] = states[(i / 5) % states.length]!;
    await approvedUpdate(tokens, office, t.id, t.units.find((u) => u.role === 'lead')!.unit, status, percent, `${t.title}：已按计划推进，详见台账。`);
  }
  // An inspection in the period with findings and rectifications, some already past their deadline.
  await call('POST', '/api/v1/towns/fengmao/inspections', supervisor, {
    inspected_on: addDays(today(), -20),
    title: '医养结合示范镇创建工作第四季度督导检查',
    inspectors: ['王纪委', '李组织'],
    findings: [{ text: '家庭医生签约服务台账不全，部分签约数据缺少来源' }, { text: '养老康复中心医养结合服务流程未上墙公示' }, { text: '办事处老年人健康档案更新不及时' }],
    rectifications: [
      { title: '补齐家庭医生签约服务台账', unit: 'weijiban', due_on: addDays(today(), -5) },
      { title: '公示医养结合服务流程', unit: 'minzhengban', due_on: addDays(today(), -2) },
      { title: '更新老年人健康档案', unit: 'lulu-banshichu', due_on: addDays(today(), 10) },
    ],
  });
  const draft = await call('POST', '/api/v1/towns/fengmao/bulletins', supervisor, { period_from: addDays(today(), -30), period_to: today() });
  const issued = await call('POST', `/api/v1/bulletins/${draft.id}/issue`, office);
  await call('POST', `/api/v1/bulletins/${draft.id}/publish`, office, { visibility: 'public' });
  bulletin = { id: issued.id, number: issued.number, title: issued.title };
  // Published: the public prints it without signing in.
  const res = await app.request(`/api/v1/bulletins/${bulletin.id}/print`);
  response = { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** The print page in Chromium, under its own headers (CSP included), laid out at A4 print width. */
async function openPrintPage() {
  const page = await browser.newPage();
  await page.route(`${ORIGIN}/**`, (route) => route.fulfill({ status: response.status, headers: response.headers, body: response.body }));
  await page.goto(`${ORIGIN}/api/v1/bulletins/${bulletin.id}/print`);
  await page.emulateMedia({ media: 'print' });

  // Lay the page out at the width of an A4 page less its @page margins, as the printer does.
  const margins = await page.evaluate(() => {
    const rule = [...document.styleSheets].flatMap((s: any) => [...s.cssRules]).find((r) => r instanceof CSSPageRule);
    const px = (v: string) => {
      const d = document.body.appendChild(document.createElement('div'));
      d.style.width = v;
      const w = d.getBoundingClientRect().width;
      d.remove();
      return w;
    };
    return { left: px(rule.style.getPropertyValue('margin-left')), right: px(rule.style.getPropertyValue('margin-right')) };
  });
  const a4 = (210 / 25.4) * 96;
  await page.setViewportSize({ width: Math.floor(a4 - margins.left - margins.right), height: 1123 });
  return page;
}

/** The page printed to A4 PDF: the text of each page. */
async function printed(page: Page): Promise<{ pdf: Uint8Array; pages: string[] }> {
  const pdf = new Uint8Array(await page.pdf({ format: 'A4' }));
  const { text } = await extractText(await getDocumentProxy(pdf.slice()), { mergePages: false });
  return { pdf, pages: text as string[] };
}

describe("Fengmao's bulletin, printed on A4", () => {
  it('fits on at most 4 pages, breaks no date or status word, and keeps the issuer and date with the last table', async () => {
    expect(response.status).toBe(200);
    expect(response.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(response.body).not.toMatch(/<script/i);
    const page = await openPrintPage();

    // Every date, status word and column heading, and how many lines each takes.
    const words = [...new Set([...Object.values(STATUS_ZH), ...Object.values(INDICATOR_ZH)])];
    const broken = await page.evaluate((words) => {
      const lines = (node: TextNode, start: number, end: number) => {
        const r = document.createRange();
        r.setStart(node, start);
        r.setEnd(node, end);
        return new Set(([...r.getClientRects()] as Rect[]).filter((x) => x.width > 0).map((x) => Math.round(x.top))).size;
      };
      const found: { text: string; lines: number }[] = [];
      const pattern = new RegExp(`\\d{4}-\\d{2}-\\d{2}|\\d{4}年\\d{1,2}月\\d{1,2}日|${words.join('|')}`, 'g');
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      let checked = 0;
      for (let n: TextNode | null = walker.nextNode(); n; n = walker.nextNode()) {
        for (const m of n.data.matchAll(pattern)) {
          checked++;
          const k = lines(n, m.index, m.index + m[0].length);
          if (k !== 1) found.push({ text: m[0], lines: k });
        }
        if (n.parentElement?.closest('thead')) {
          checked++;
          const k = lines(n, 0, n.data.length);
          if (k !== 1) found.push({ text: n.data, lines: k });
        }
      }
      return { checked, found };
    }, words);

    const { pdf, pages } = await printed(page);
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(resolve(ARTIFACTS, 'bulletin-print.pdf'), pdf);
    expect.soft(pages.length, 'A4 pages').toBeLessThanOrEqual(4);
    expect(broken.checked).toBeGreaterThan(100);
    expect.soft(broken.found, 'dates, status words and headings broken across lines').toEqual([]);

    // Title and number on page 1; the issuer and its date on the last page, with the end of the last table.
    expect(onPage(pages[0]!, bulletin.title.slice(0, 20))).toBe(true);
    expect(onPage(pages[0]!, bulletin.number)).toBe(true);
    const lastRow = await page.evaluate(() => [...document.querySelectorAll('table')].at(-1)!.querySelector('tbody tr:last-child td:last-child')!.textContent!);
    const issuer = await page.evaluate(() => document.querySelector('.issuer')?.textContent ?? '');
    const [y, m, d] = today().split('-').map(Number);
    expect(issuer.replace(/\s+/g, '')).toBe(`冯卯镇${y}年${m}月${d}日`);
    expect(pages.map((p) => onPage(p, issuer)), 'pages holding the issuer and date').toEqual(pages.map((_, i) => i === pages.length - 1));
    expect(onPage(pages.at(-1)!, lastRow.trim().slice(-10)), `the last page ends the last table ("${lastRow}")`).toBe(true);
    await page.close();
  });

  it('never leaves the issuer and date alone on a page, however long the last table grows', async () => {
    const page = await openPrintPage();
    const issuer = await page.evaluate(() => document.querySelector('.issuer')!.textContent!);
    // Findings (two lines each) added to the last table until it runs onto a new page: at every length
    // around that point, the last finding and the issuer are together on the last page.
    const finding = (n: number) => `补充检查第${n}项：${'办事处老年人健康档案更新不及时，部分签约数据缺少来源，整改台账未按要求逐项销号。'.repeat(2)}`;
    const check = async (n: number) => {
      await page.evaluate((texts) => {
        const table = [...document.querySelectorAll('table')].at(-1)!;
        table.querySelectorAll('tbody.added').forEach((x: { remove(): void }) => x.remove());
        for (const text of texts) {
          const body = table.appendChild(document.createElement('tbody'));
          body.className = 'added';
          const td = body.appendChild(document.createElement('tr')).appendChild(document.createElement('td'));
          td.colSpan = 4;
          td.textContent = text;
        }
      }, Array.from({ length: n }, (_, i) => finding(i + 1)));
      const { pages } = await printed(page);
      expect(pages.map((p) => onPage(p, issuer)), `${n} findings added: pages holding the issuer`).toEqual(pages.map((_, i) => i === pages.length - 1));
      if (n) expect(onPage(pages.at(-1)!, finding(n).slice(-16)), `${n} findings added: the last finding is on the issuer's page`).toBe(true);
      return pages.length;
    };
    const start = await check(0);
    let n = 0;
    while ((await check((n += 4))) === start) expect(n).toBeLessThan(60);
    for (let k = n - 3; k <= n + 3; k++) if (k !== n) await check(k);
    await page.close();
  });
});
