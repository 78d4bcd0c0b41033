/**
 * Bulletins (通报): draft → issue (sequential number per town and year, frozen figures) → publish;
 * exports as CSV (BOM, correct Chinese, formula injection neutralised), XLSX (parsed back with
 * exceljs) and printable HTML; access rules.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { SELF, env } from 'cloudflare:test';
import ExcelJS from 'exceljs';
import { loadContent } from './helpers.ts';
import { api, auditRows, signIn } from './auth-helpers.ts';
import { approved } from './supervision-helpers.ts';
import { bulletinRows, bulletinSheet } from '../../worker/domain/bulletin.ts';
import { neutralise, parseCsv } from '../../worker/domain/csv.ts';
import { addDays, cstDate } from '../../worker/domain/supervision.ts';

let k = 0;
const key = () => `bul-key-${Date.now()}-${k++}`;
const today = () => cstDate(Date.now());

let supervisor: string;
let office: string;
beforeEach(async () => {
  await loadContent();
  supervisor = await signIn('supervisor', 'jiwei');
  office = await signIn('office');
});

const draft = async (token: string, body: Record<string, unknown>) => {
  const r = await api('POST', '/api/v1/towns/fengmao/bulletins', { token, body, headers: { 'idempotency-key': key() } });
  expect(r.status).toBe(201);
  return r.body;
};

describe('bulletins', () => {
  it('issuing freezes the figures: later approved updates change a new draft, never the issued bulletin', async () => {
    const period = { period_from: addDays(today(), -30), period_to: today() };
    const b = await draft(supervisor, period);
    expect(b).toMatchObject({ state: 'draft', number: null, frozen: false, visibility: 'internal' });
    const issued = await api('POST', `/api/v1/bulletins/${b.id}/issue`, { token: office });
    expect(issued.status).toBe(200);
    const year = today().slice(0, 4);
    expect(issued.body).toMatchObject({ state: 'issued', number: `冯卯医养督〔${year}〕1号`, frozen: true });
    const frozen = issued.body.figures;
    expect(frozen.headline.completed).toBe(0);

    // the town moves on: a task completed and approved today
    await approved('g4-leadership-leading-group', 'completed', 100, new Date().toISOString());

    const again = await api('GET', `/api/v1/bulletins/${b.id}`, { token: supervisor });
    expect(again.body.figures).toEqual(frozen);
    const fresh = await draft(supervisor, period);
    expect(fresh.figures.headline.completed).toBe(1);
    expect(fresh.figures.headline).not.toEqual(frozen.headline);
    // issuing again is refused, and the frozen row cannot be altered even in SQL
    expect((await api('POST', `/api/v1/bulletins/${b.id}/issue`, { token: office })).status).toBe(409);
    await expect(env.DB.prepare(`UPDATE bulletins SET figures_json = '{}' WHERE id = ?`).bind(b.id).run()).rejects.toThrow(/frozen/);
    // numbers run on per town and year
    const second = await api('POST', `/api/v1/bulletins/${fresh.id}/issue`, { token: supervisor });
    expect(second.body.number).toBe(`冯卯医养督〔${year}〕2号`);
    const audits = await auditRows('bulletin.issue');
    expect(audits.map((a) => JSON.parse(a.detail_json).number)).toEqual([`冯卯医养督〔${year}〕1号`, `冯卯医养督〔${year}〕2号`]);
    expect((await auditRows('bulletin.draft')).length).toBe(2);
  });

  it('a bulletin for 2018 reports as of its period end: ranked units, the overdue list and indicators', async () => {
    await approved('g4-leadership-leading-group', 'completed', 100, '2018-03-15T02:00:00.000Z');
    await approved('kt2-family-doctor-signing-teams', 'in_progress', 80, '2018-12-20T02:00:00.000Z', [
      { indicator: 'family-doctor-signing-elderly', value: 68, as_of: '2018-12-15', source: '卫生院签约台账' },
    ]);
    const b = await draft(office, { period_from: '2018-01-01', period_to: '2019-01-01', title: '关于2018年度医养结合示范镇创建工作的通报' });
    const f = b.figures;
    expect(f.as_of).toBe('2019-01-01');
    expect(f.headline).toMatchObject({ completed: 1, overdue: 11 });
    expect(f.overdue.find((t: any) => t.ref === 'fengmao:kt2-family-doctor-signing-teams')).toMatchObject({ days_overdue: 1, units: ['卫计办'], percent: 80 });
    expect(f.indicators.find((i: any) => i.id === 'family-doctor-signing-elderly' && i.milestone === 'y2018')).toMatchObject({ status: 'missed', latest: 68, target: '70%以上' });
    expect(f.units[0].rank).toBe(1);
    expect(f.units.map((u: any) => u.completion_rate)).toEqual([...f.units.map((u: any) => u.completion_rate)].sort((a: number, c: number) => c - a));
  });

  it('CSV: UTF-8 with BOM, correct Chinese, formula-like cells neutralised; XLSX parses back to the same rows', async () => {
    const since = addDays(today(), -20);
    const made = await api('POST', '/api/v1/towns/fengmao/inspections', {
      token: supervisor,
      headers: { 'idempotency-key': key() },
      body: {
        inspected_on: since,
        title: '第一次督导检查',
        inspectors: ['王纪委'],
        findings: [{ text: '=HYPERLINK("http://evil.example","点击")' }, { text: '台账不全，"签约"数据缺少来源' }],
        rectifications: [{ title: '补齐签约台账', unit: 'weijiban', due_on: addDays(today(), 10) }],
      },
    });
    expect(made.status).toBe(201);
    const b = await draft(supervisor, { period_from: since, period_to: today() });
    await api('POST', `/api/v1/bulletins/${b.id}/issue`, { token: supervisor });
    const issued = (await api('GET', `/api/v1/bulletins/${b.id}`, { token: supervisor })).body;
    const rows = bulletinRows(issued, issued.figures);

    const csvRes = await SELF.fetch(`http://localhost/api/v1/bulletins/${b.id}/export.csv`, { headers: { authorization: `Bearer ${supervisor}` } });
    expect(csvRes.status).toBe(200);
    expect(csvRes.headers.get('content-type')).toContain('text/csv');
    expect(csvRes.headers.get('content-disposition')).toContain(encodeURIComponent(issued.number));
    const bytes = new Uint8Array(await csvRes.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { ignoreBOM: true, fatal: true }).decode(bytes).slice(1);
    expect(text).toContain('三、逾期任务');
    expect(text).toContain(issued.number);
    expect(text).toContain('卫计办');
    const parsed = parseCsv(text);
    // an empty row is an empty line, which a spreadsheet reads as one empty cell
    expect(parsed).toEqual(rows.map((r) => (r.length ? r.map((c) => (typeof c === 'number' ? String(c) : neutralise(c))) : [''])));
    const findingCells = parsed.flat().filter((c) => c.includes('HYPERLINK'));
    expect(findingCells).toEqual([`'=HYPERLINK("http://evil.example","点击")`]);
    expect(parsed.flat()).toContain('台账不全，"签约"数据缺少来源');
    expect(parsed.flat()).toContain(issued.title);

    const xlsxRes = await SELF.fetch(`http://localhost/api/v1/bulletins/${b.id}/export.xlsx`, { headers: { authorization: `Bearer ${supervisor}` } });
    expect(xlsxRes.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await xlsxRes.arrayBuffer());
    const ws = wb.getWorksheet('通报')!;
    const back: unknown[][] = [];
    for (let i = 1; i <= ws.rowCount; i++) back.push((ws.getRow(i).values as unknown[]).slice(1));
    // Shares are number cells (0.5 shown as 50.0%), days are date cells; the title is merged across the sheet.
    const typed = bulletinSheet(issued, issued.figures).map((r) => r.map((c) => (typeof c !== 'object' ? c : 'share' in c ? c.share : new Date(`${c.day}T00:00:00.000Z`))));
    expect(back[0]!.slice(0, 2)).toEqual(typed[0]);
    expect(back.slice(1)).toEqual(typed.slice(1));
    expect(typed.flat().some((c) => c instanceof Date)).toBe(true);
    expect(ws.getCell('B12').numFmt).toBe('0.0%');
    expect(ws.pageSetup).toMatchObject({ orientation: 'landscape', fitToWidth: 1, paperSize: 9 });

    const html = await SELF.fetch(`http://localhost/api/v1/bulletins/${b.id}/print`, { headers: { authorization: `Bearer ${supervisor}` } });
    const page = await html.text();
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(page).toContain('@page { size: A4');
    expect(page).toMatch(/font-family: "FangSong", "仿宋"/);
    expect(page).toContain(issued.number);
    expect(page).not.toMatch(/<script/i);
    expect(page).toContain('=HYPERLINK(&quot;http://evil.example&quot;');
  });

  it("the bulletin's 说明 is printed and exported as the office typed it, one paragraph per line, as text", async () => {
    const remarks = '各责任单位要对照逾期任务逐项整改。\n\n请于下月5日前将整改情况报镇卫计办<script>alert(1)</script>。';
    const b = await draft(supervisor, { period_from: addDays(today(), -30), period_to: today(), remarks });
    await api('POST', `/api/v1/bulletins/${b.id}/issue`, { token: supervisor });
    const auth = { headers: { authorization: `Bearer ${supervisor}` } };
    const page = await (await SELF.fetch(`http://localhost/api/v1/bulletins/${b.id}/print`, auth)).text();
    const section = page.slice(page.indexOf('<h2>六、说明</h2>'), page.indexOf('<div class="end">'));
    expect(section).toContain('<p>各责任单位要对照逾期任务逐项整改。</p>');
    expect(section).toContain('请于下月5日前将整改情况报镇卫计办&lt;script&gt;alert(1)&lt;/script&gt;。</p>');
    expect(section.match(/<p>/g)).toHaveLength(2);
    expect(page).not.toMatch(/<script/i);
    const csv = parseCsv(new TextDecoder().decode(await (await SELF.fetch(`http://localhost/api/v1/bulletins/${b.id}/export.csv`, auth)).arrayBuffer()).replace(/^\uFEFF/, ''));
    const at = csv.findIndex((r) => r[0] === '六、说明');
    expect(at).toBeGreaterThan(0);
    expect(csv.slice(at + 1).map((r) => r[0])).toEqual(['各责任单位要对照逾期任务逐项整改。', '请于下月5日前将整改情况报镇卫计办<script>alert(1)</script>。']);

    // Without remarks there is no empty section.
    const plain = await draft(supervisor, { period_from: addDays(today(), -30), period_to: today() });
    expect(await (await SELF.fetch(`http://localhost/api/v1/bulletins/${plain.id}/print`, auth)).text()).not.toContain('六、说明');
  });

  it('the public sees only published bulletins; drafts and internal ones need the town staff', async () => {
    const reporter = await signIn('reporter', 'weijiban');
    const a = await draft(supervisor, { period_from: '2018-01-01', period_to: '2018-12-31' });
    const d = await draft(supervisor, { period_from: '2019-01-01', period_to: '2019-06-30' });
    expect((await api('POST', `/api/v1/bulletins/${a.id}/publish`, { token: supervisor, body: { visibility: 'public' } })).status).toBe(409);
    await api('POST', `/api/v1/bulletins/${a.id}/issue`, { token: supervisor });

    // issued but internal: staff only
    for (const p of [`/api/v1/bulletins/${a.id}`, `/api/v1/bulletins/${a.id}/export.csv`, `/api/v1/bulletins/${a.id}/print`]) {
      expect((await SELF.fetch(`http://localhost${p}`)).status).toBe(401);
      expect((await SELF.fetch(`http://localhost${p}`, { headers: { authorization: `Bearer ${reporter}` } })).status).toBe(403);
    }
    expect((await api('GET', '/api/v1/towns/fengmao/bulletins/published')).body.bulletins).toEqual([]);

    const pub = await api('POST', `/api/v1/bulletins/${a.id}/publish`, { token: office, body: { visibility: 'public' } });
    expect(pub.body).toMatchObject({ visibility: 'public' });
    expect((await auditRows('bulletin.publish')).length).toBe(1);
    const list = await api('GET', '/api/v1/towns/fengmao/bulletins/published');
    expect(list.body.bulletins.map((b: any) => b.id)).toEqual([a.id]);
    expect((await api('GET', `/api/v1/bulletins/${a.id}`)).status).toBe(200);
    expect((await SELF.fetch(`http://localhost/api/v1/bulletins/${a.id}/export.csv`)).status).toBe(200);
    // drafts stay private
    expect((await api('GET', `/api/v1/bulletins/${d.id}`)).status).toBe(401);
    expect((await api('GET', `/api/v1/bulletins/${d.id}`, { token: reporter })).status).toBe(403);
    expect((await api('GET', '/api/v1/towns/fengmao/bulletins', { token: reporter })).status).toBe(403);
    expect((await api('GET', '/api/v1/towns/fengmao/bulletins')).status).toBe(401);
    expect((await api('GET', '/api/v1/towns/fengmao/bulletins', { token: office })).body.bulletins.length).toBe(2);
    // only staff write
    expect((await api('POST', '/api/v1/towns/fengmao/bulletins', { token: reporter, body: { period_from: '2019-01-01', period_to: '2019-02-01' }, headers: { 'idempotency-key': key() } })).status).toBe(403);
    expect((await api('POST', `/api/v1/bulletins/${d.id}/issue`, { token: reporter })).status).toBe(403);
    expect((await api('POST', `/api/v1/bulletins/${d.id}/issue`)).status).toBe(401);
    // withdrawing to internal hides it again
    await api('POST', `/api/v1/bulletins/${a.id}/publish`, { token: office, body: { visibility: 'internal' } });
    expect((await api('GET', '/api/v1/towns/fengmao/bulletins/published')).body.bulletins).toEqual([]);
  });

  it('rejects a period that ends before it starts, naming the field', async () => {
    const r = await api('POST', '/api/v1/towns/fengmao/bulletins', { token: office, body: { period_from: '2019-02-01', period_to: '2019-01-01' }, headers: { 'idempotency-key': key() } });
    expect(r.status).toBe(400);
    expect(r.body.error.fields[0].path).toBe('period_to');
  });
});
