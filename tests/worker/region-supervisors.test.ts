/**
 * Region supervisors (issue 24): a county's supervisor reads every town of its county and writes
 * nothing there; another county's supervisor gets 403; a city's supervisor covers the towns of its
 * counties. The cross-town board counts what each town's own board counts; region bulletins are
 * numbered per region and year at issue, frozen, carry the public region page's figures, print on
 * A4 and, once published, are public and in the region's feed.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { SELF, env } from 'cloudflare:test';
import type { ContentBundle } from '../../worker/domain/content.ts';
import { content, loadContent } from './helpers.ts';
import { api, auditRows, signIn, signedIn } from './auth-helpers.ts';
import { approved } from './supervision-helpers.ts';
import type { D1Database } from '@cloudflare/workers-types/index.ts';
import { readRegionFacts, regionFactsQueries } from '../../worker/db/region-supervision.ts';
import { cstDate } from '../../worker/domain/supervision.ts';
import ExcelJS from 'exceljs';
import { cellText } from '../../worker/domain/bulletin.ts';
import { neutralise, parseCsv } from '../../worker/domain/csv.ts';
import { regionBulletinSheet } from '../../worker/domain/region-bulletin.ts';

/** Fengmao and a copy in its county (山亭区), and a copy in another county of the same city (滕州市). */
function towns(): ContentBundle {
  const bundle = content();
  const fengmao = bundle.towns.find((t) => t.town.id === 'fengmao')!;
  const copy = (id: string, name: string, county: string) => {
    const t = structuredClone(fengmao);
    t.town.id = id;
    t.town.name = name;
    t.town.county = { value: county, basis: 'external', note: '测试用的镇' };
    bundle.towns.push(t);
  };
  copy('neighbour', '邻镇', '山亭区');
  copy('tengtown', '滕镇', '滕州市');
  return bundle;
}

let n = 0;
const idem = () => ({ 'Idempotency-Key': `region-sup-${Date.now()}-${n++}` });
const AS_OF = '2030-06-30';

let county: string;
let otherCounty: string;
let city: string;
beforeEach(async () => {
  await loadContent(towns());
  county = await signIn('region_supervisor', null, { region: 'shanting' });
  otherCounty = await signIn('region_supervisor', null, { region: 'tengzhou' });
  city = await signIn('region_supervisor', null, { region: 'zaozhuang' });
});

describe("a county's supervisor", () => {
  it('reads the board, units, indicators, inspections, bulletins, tasks, review queue and audit of every town of its county', async () => {
    const sup = await signIn('supervisor', 'jiwei');
    const insp = await api('POST', '/api/v1/towns/fengmao/inspections', {
      token: sup,
      headers: idem(),
      body: { inspected_on: '2019-03-15', title: '一季度督导', inspectors: ['张某'], units: ['weijiban'], findings: [{ text: '进度偏慢', unit: 'weijiban' }], rectifications: [] },
    });
    expect(insp.status).toBe(201);
    const draft = await api('POST', '/api/v1/towns/fengmao/bulletins', { token: sup, headers: idem(), body: { period_from: '2019-01-01', period_to: '2019-03-31' } });
    expect(draft.status).toBe(201);
    for (const town of ['fengmao', 'neighbour']) {
      for (const path of ['overdue?asOf=2019-01-01', 'units', 'indicators', 'overdue-snapshots?from=2019-01-01&to=2019-12-31', 'inspections', 'bulletins', 'tasks', 'updates', 'audit', 'tasks/export.csv']) {
        const r = await api('GET', `/api/v1/towns/${town}/${path}`, { token: county });
        expect(`${town}/${path}: ${r.status}`).toBe(`${town}/${path}: 200`);
      }
    }
    expect((await api('GET', `/api/v1/inspections/${insp.body.id}`, { token: county })).status).toBe(200);
    expect((await api('GET', `/api/v1/bulletins/${draft.body.id}`, { token: county })).status).toBe(200);
    expect((await api('GET', `/api/v1/bulletins/${draft.body.id}/print`, { token: county })).status).toBe(200);
    const task = (await api('GET', '/api/v1/towns/fengmao/tasks', { token: county })).body.tasks[0];
    expect((await api('GET', `/api/v1/tasks/fengmao:${task.id}/history`, { token: county })).status).toBe(200);
    // The session says who it is.
    expect((await api('GET', '/api/v1/me', { token: county })).body).toMatchObject({ role: 'region_supervisor', town_id: null, region_id: 'shanting' });
  });

  it('writes nothing in a town: every write is 403 and audited as auth.denied', async () => {
    const sup = await signIn('supervisor', 'jiwei');
    const b = await api('POST', '/api/v1/towns/fengmao/bulletins', { token: sup, headers: idem(), body: { period_from: '2019-01-01', period_to: '2019-03-31' } });
    const task = (await api('GET', '/api/v1/towns/fengmao/tasks', { token: sup })).body.tasks[0];
    const before = (await auditRows('auth.denied')).length;
    const writes: [string, string, unknown?][] = [
      ['POST', '/api/v1/towns/fengmao/inspections', { inspected_on: '2019-03-15', title: 'x', inspectors: ['x'], units: [], findings: [], rectifications: [] }],
      ['POST', '/api/v1/towns/fengmao/bulletins', { period_from: '2019-01-01', period_to: '2019-03-31' }],
      ['POST', `/api/v1/bulletins/${b.body.id}/issue`],
      ['POST', `/api/v1/bulletins/${b.body.id}/publish`, { visibility: 'public' }],
      ['POST', '/api/v1/towns/fengmao/tasks', { code: 'x', parent: null, kind: 'key_task', title: 'x', units: [{ unit: 'weijiban', role: 'lead' }], due: 'y2020' }],
      ['PATCH', `/api/v1/tasks/fengmao:${task.id}`, { weight: 2 }],
      ['POST', `/api/v1/tasks/fengmao:${task.id}/updates`, { status: 'in_progress', percent: 10, narrative: 'x', measurements: [], evidence: [] }],
      ['POST', '/api/v1/towns/fengmao/accounts', { username: 'region-made', display_name: 'x', role: 'reporter', unit_id: 'weijiban' }],
      ['GET', '/api/v1/towns/fengmao/accounts'],
    ];
    for (const [method, path, body] of writes) {
      const r = await api(method, path, { token: county, body, headers: { ...idem(), 'If-Match': '"1"' } });
      expect(`${method} ${path}: ${r.status}`).toBe(`${method} ${path}: 403`);
    }
    const denied = (await auditRows('auth.denied')).slice(before);
    expect(denied.length).toBe(writes.length);
    expect(denied.every((d) => JSON.parse(d.detail_json).role === 'region_supervisor')).toBe(true);
    // and nothing was written
    expect((await env.DB.prepare(`SELECT state FROM bulletins WHERE id = ?`).bind(b.body.id).first())).toEqual({ state: 'draft' });
  });

  it("gets 403 on another county's towns and on another region's endpoints; a city's supervisor covers every county of the city", async () => {
    for (const path of ['/api/v1/towns/tengtown/overdue', '/api/v1/towns/tengtown/audit', '/api/v1/towns/tengtown/bulletins', '/api/v1/regions/tengzhou/board', '/api/v1/regions/tengzhou/bulletins', '/api/v1/regions/zaozhuang/board']) {
      const r = await api('GET', path, { token: county });
      expect(`${path}: ${r.status}`).toBe(`${path}: 403`);
    }
    expect((await api('GET', '/api/v1/towns/fengmao/overdue', { token: otherCounty })).status).toBe(403);
    expect((await api('GET', '/api/v1/towns/tengtown/overdue', { token: otherCounty })).status).toBe(200);
    for (const town of ['fengmao', 'neighbour', 'tengtown']) expect((await api('GET', `/api/v1/towns/${town}/overdue`, { token: city })).status).toBe(200);
    // A city's supervisor reads its counties' boards, but drafts bulletins only for its own region.
    expect((await api('GET', '/api/v1/regions/shanting/board', { token: city })).status).toBe(200);
    expect((await api('POST', '/api/v1/regions/shanting/bulletins', { token: city, headers: idem(), body: {} })).status).toBe(403);
    // Town accounts reach no region endpoint.
    for (const role of ['supervisor', 'office'] as const) expect((await api('GET', '/api/v1/regions/shanting/board', { token: await signIn(role) })).status).toBe(403);
  });
});

describe('the cross-town board', () => {
  it("counts per town exactly what each town's own board counts, by town and by unit, in a fixed number of statements", async () => {
    await approved('g4-leadership-leading-group', 'completed', 100, '2019-01-10T02:00:00.000Z');
    const board = await api('GET', `/api/v1/regions/shanting/board?asOf=${AS_OF}`, { token: county });
    expect(board.status).toBe(200);
    expect(board.body.region).toEqual({ id: 'shanting', name: '山亭区', level: 'county' });
    expect(board.body.towns.map((t: { town: { id: string } }) => t.town.id).sort()).toEqual(['fengmao', 'neighbour']);
    // The whole region's board carries counts only; a town's overdue tasks come with ?town=.
    expect(board.body.towns.every((t: { units?: unknown; unassigned?: unknown }) => t.units === undefined && t.unassigned === undefined)).toBe(true);
    let total = 0;
    for (const line of board.body.towns) {
      const own = await api('GET', `/api/v1/towns/${line.town.id}/overdue?asOf=${AS_OF}`, { token: county });
      expect(line.counts).toEqual(own.body.counts);
      const one = await api('GET', `/api/v1/regions/shanting/board?asOf=${AS_OF}&town=${line.town.id}`, { token: county });
      expect(one.status).toBe(200);
      expect(one.body.towns).toHaveLength(1);
      const t = one.body.towns[0];
      expect(t.counts).toEqual(line.counts);
      const overdueByUnit = Object.fromEntries(own.body.groups.filter((g: { overdue: unknown[] }) => g.overdue.length).map((g: { unit: { id: string }; overdue: { ref: string; overdue_days: number }[] }) => [g.unit.id, g.overdue.map((x) => `${x.ref} ${x.overdue_days}`)]));
      expect(Object.fromEntries(t.units.map((u: { unit: { id: string }; overdue: { ref: string; overdue_days: number }[] }) => [u.unit.id, u.overdue.map((x) => `${x.ref} ${x.overdue_days}`)]))).toEqual(overdueByUnit);
      total += own.body.counts.overdue;
    }
    expect(total).toBeGreaterThan(0);
    expect(board.body.counts.overdue).toBe(total);
    // Fengmao completed one task that its copy did not: one fewer overdue, and the unit lines say so.
    const [f, nb] = ['fengmao', 'neighbour'].map((id) => board.body.towns.find((t: { town: { id: string } }) => t.town.id === id));
    expect(nb.counts.overdue - f.counts.overdue).toBe(1);
    const lines = board.body.units as { town: { id: string }; unit: { id: string }; overdue: number }[];
    expect(lines.filter((l) => l.town.id === 'fengmao').length).toBeGreaterThan(0);
    expect(lines.map((l) => l.overdue)).toEqual([...lines.map((l) => l.overdue)].sort((a, b) => b - a));
    // The facts of every town come from the same eight statements, however many towns.
    expect(regionFactsQueries('shanting', AS_OF).length).toBe(8);
    // A city's board holds all three towns.
    const cityBoard = await api('GET', `/api/v1/regions/zaozhuang/board?asOf=${AS_OF}`, { token: city });
    expect(cityBoard.body.counts.towns).toBe(3);
    // A town outside the region is not found in it (the county's supervisor is refused another county's town the same way).
    const outside = cityBoard.body.towns.map((t: { town: { id: string } }) => t.town.id).find((id: string) => !['fengmao', 'neighbour'].includes(id));
    expect((await api('GET', `/api/v1/regions/shanting/board?asOf=${AS_OF}&town=${outside}`, { token: county })).status).toBe(404);
    expect((await api('GET', `/api/v1/regions/shanting/board?asOf=${AS_OF}&town=nowhere`, { token: county })).status).toBe(404);
    expect((await api('GET', '/api/v1/regions/nowhere/board', { token: await signIn('admin') })).status).toBe(404);
  });
});

describe('region bulletins', () => {
  const draft = async (token: string, body: Record<string, unknown> = {}, headers = idem()) => api('POST', '/api/v1/regions/shanting/bulletins', { token, body, headers });

  it("carry the public region page's figures, get the region's next number at issue, freeze, and replay a retried draft", async () => {
    const year = cstDate(Date.now()).slice(0, 4);
    const headers = idem();
    const d = await draft(county, { remarks: '请各镇抓紧推进。' }, headers);
    expect(d.status).toBe(201);
    expect(d.body).toMatchObject({ state: 'draft', number: null, frozen: false, region: 'shanting' });
    const pub = await api('GET', '/api/v1/regions/shanting');
    expect(d.body.figures).toEqual(pub.body);
    // A retry with the same key is the same draft; the same key with another body is refused.
    const again = await draft(county, { remarks: '请各镇抓紧推进。' }, headers);
    expect(again.body.id).toBe(d.body.id);
    expect((await draft(county, { remarks: '别的内容' }, headers)).status).toBe(422);
    expect((await env.DB.prepare(`SELECT COUNT(*) AS n FROM region_bulletins`).first<{ n: number }>())!.n).toBe(1);

    const issued = await api('POST', `/api/v1/region-bulletins/${d.body.id}/issue`, { token: county });
    expect(issued.status).toBe(200);
    expect(issued.body).toMatchObject({ state: 'issued', number: `山亭区医养督〔${year}〕1号`, frozen: true });
    const frozen = issued.body.figures;
    expect(frozen.towns_reported).toBe(0);
    // The towns move on; the issued bulletin does not.
    await approved('g4-leadership-leading-group', 'completed', 100, new Date().toISOString());
    expect((await api('GET', '/api/v1/regions/shanting')).body.towns_reported).toBe(1);
    expect((await api('GET', `/api/v1/region-bulletins/${d.body.id}`, { token: county })).body.figures).toEqual(frozen);
    expect((await api('POST', `/api/v1/region-bulletins/${d.body.id}/issue`, { token: county })).status).toBe(409);
    await expect(env.DB.prepare(`UPDATE region_bulletins SET figures_json = '{}' WHERE id = ?`).bind(d.body.id).run()).rejects.toThrow(/frozen/);
    // Numbers run on per region and year; another region starts at 1.
    const second = await draft(county);
    expect((await api('POST', `/api/v1/region-bulletins/${second.body.id}/issue`, { token: county })).body.number).toBe(`山亭区医养督〔${year}〕2号`);
    const teng = await api('POST', '/api/v1/regions/tengzhou/bulletins', { token: otherCounty, body: {}, headers: idem() });
    expect((await api('POST', `/api/v1/region-bulletins/${teng.body.id}/issue`, { token: otherCounty })).body.number).toBe(`滕州市医养督〔${year}〕1号`);
    // Each write left its audit row.
    expect((await auditRows('region_bulletin.draft')).length).toBe(3);
    const audits = await auditRows('region_bulletin.issue');
    expect(audits.map((a) => JSON.parse(a.detail_json).number)).toEqual([`山亭区医养督〔${year}〕1号`, `山亭区医养督〔${year}〕2号`, `滕州市医养督〔${year}〕1号`]);
  });

  it('are internal until published; then the print page is public, A4, and the bulletin is in the region feed', async () => {
    const d = await draft(county, { title: '山亭区示范镇创建进展通报' });
    const id = d.body.id;
    expect((await api('GET', `/api/v1/region-bulletins/${id}/print`)).status).toBe(401);
    expect((await api('GET', `/api/v1/region-bulletins/${id}`, { token: otherCounty })).status).toBe(403);
    expect((await api('GET', `/api/v1/region-bulletins/${id}`, { token: city })).status).toBe(200);
    expect((await api('POST', `/api/v1/region-bulletins/${id}/publish`, { token: county, body: { visibility: 'public' } })).status).toBe(409);
    await api('POST', `/api/v1/region-bulletins/${id}/issue`, { token: county });
    // The region's feed, read (and cached) before publication, does not list it yet.
    expect(await (await SELF.fetch('http://localhost/regions/shanting/feed.xml')).text()).not.toContain(id);
    expect((await api('POST', `/api/v1/region-bulletins/${id}/publish`, { token: city, body: { visibility: 'public' } })).status).toBe(403);
    const p = await api('POST', `/api/v1/region-bulletins/${id}/publish`, { token: county, body: { visibility: 'public' } });
    expect(p.body).toMatchObject({ visibility: 'public' });
    expect((await auditRows('region_bulletin.publish')).length).toBe(1);

    const res = await SELF.fetch(`http://localhost/api/v1/region-bulletins/${id}/print`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain('size: A4 portrait');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('山亭区示范镇创建进展通报');
    expect(html).toMatch(/山亭区医养督〔\d{4}〕1号/);
    expect(html).toContain('未报告的镇（不参加排名）');
    expect(html).toContain('冯卯镇');
    expect(html).toContain('邻镇');
    expect(html).not.toContain('滕镇');
    expect((await api('GET', '/api/v1/regions/shanting/bulletins/published')).body.bulletins.map((b: { id: string }) => b.id)).toEqual([id]);
    const feed = await (await SELF.fetch('http://localhost/regions/shanting/feed.xml')).text();
    expect(feed).toContain(`/api/v1/region-bulletins/${id}/print`);
  });
});

describe('region bulletin exports', () => {
  it('CSV and XLSX carry the bulletin\'s figures with a row per town (ranked ones, then 未报告 apart), as the town bulletins\' do', async () => {
    // Fengmao has an approved report, its neighbour none: one ranked town, one listed apart.
    await approved('g4-leadership-leading-group', 'completed', 100, new Date(Date.now() - 3_600_000).toISOString());
    const d = await api('POST', '/api/v1/regions/shanting/bulletins', { token: county, headers: idem(), body: { remarks: '=HYPERLINK("http://evil.example","点击")\n请各镇抓紧推进。' } });
    expect(d.status).toBe(201);
    const issued = (await api('POST', `/api/v1/region-bulletins/${d.body.id}/issue`, { token: county })).body;
    expect(issued.state).toBe('issued');
    const sheet = regionBulletinSheet(issued, issued.figures);
    const auth = { headers: { authorization: `Bearer ${county}` } };

    const csvRes = await SELF.fetch(`http://localhost/api/v1/region-bulletins/${issued.id}/export.csv`, auth);
    expect(csvRes.status).toBe(200);
    expect(csvRes.headers.get('content-type')).toContain('text/csv');
    expect(csvRes.headers.get('content-disposition')).toContain(encodeURIComponent(issued.number));
    const bytes = new Uint8Array(await csvRes.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(new TextDecoder('utf-8', { ignoreBOM: true, fatal: true }).decode(bytes).slice(1));
    expect(rows).toEqual(sheet.map((r) => (r.length ? r.map((c) => { const t = cellText(c); return typeof t === 'number' ? String(t) : neutralise(t); }) : [''])));
    // What a clerk reads: the number, a row per town with its place and figures, the unreported town apart and never 0 %.
    expect(rows).toContainEqual(['文号', issued.number]);
    const header = rows.findIndex((r) => r[0] === '名次');
    expect(rows[header]).toEqual(['名次', '乡镇', '具体任务', '已完成', '完成比例', '已达成目标', '逾期', '最近审核通过']);
    const fengmao = issued.figures.towns.find((t: { town: string }) => t.town === 'fengmao');
    expect(fengmao.deliverables.completed).toBeGreaterThan(0);
    expect(rows[header + 1]!.slice(0, 4)).toEqual(['第1', '冯卯镇', String(fengmao.deliverables.total), String(fengmao.deliverables.completed)]);
    expect(rows[header + 1]![7]).toBe(cstDate(fengmao.updated_at));
    expect(rows[header + 2]!.slice(0, 2)).toEqual(['未报告', '邻镇']);
    expect(rows[header + 2]!.slice(3, 7)).toEqual(['—', '—', '—', '—']);
    expect(rows.flat()).not.toContain('滕镇');
    expect(rows.flat().filter((c) => c.includes('HYPERLINK'))).toEqual([`'=HYPERLINK("http://evil.example","点击")`]);
    expect(rows.at(-1)).toEqual(['请各镇抓紧推进。']);

    const xlsxRes = await SELF.fetch(`http://localhost/api/v1/region-bulletins/${issued.id}/export.xlsx`, auth);
    expect(xlsxRes.status).toBe(200);
    expect(xlsxRes.headers.get('content-disposition')).toContain(encodeURIComponent(issued.number));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await xlsxRes.arrayBuffer());
    const ws = wb.getWorksheet('通报')!;
    const back: unknown[][] = [];
    for (let i = 1; i <= ws.rowCount; i++) back.push((ws.getRow(i).values as unknown[]).slice(1));
    const typed = sheet.map((r) => r.map((c) => (typeof c !== 'object' ? c : 'share' in c ? c.share : new Date(`${c.day}T00:00:00.000Z`))));
    expect(back[0]!.slice(0, 2)).toEqual(typed[0]);
    expect(back.slice(1)).toEqual(typed.slice(1));
    expect(ws.getCell(`E${header + 2}`).numFmt).toBe('0.0%');
    expect(ws.pageSetup).toMatchObject({ orientation: 'landscape', fitToWidth: 1, paperSize: 9 });
  });

  it('are as private as the bulletin: internal ones for its region\'s supervisors, published ones for anyone', async () => {
    const d = await api('POST', '/api/v1/regions/shanting/bulletins', { token: county, headers: idem(), body: {} });
    for (const ext of ['csv', 'xlsx']) {
      const path = `http://localhost/api/v1/region-bulletins/${d.body.id}/export.${ext}`;
      expect((await SELF.fetch(path)).status).toBe(401);
      expect((await SELF.fetch(path, { headers: { authorization: `Bearer ${otherCounty}` } })).status).toBe(403);
      expect((await SELF.fetch(path, { headers: { authorization: `Bearer ${await signIn('supervisor')}` } })).status).toBe(403);
      // A draft exports too, marked as one.
      const r = await SELF.fetch(path, { headers: { authorization: `Bearer ${city}` } });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-disposition')).toContain(encodeURIComponent(`通报草稿-${d.body.id}`));
    }
    await api('POST', `/api/v1/region-bulletins/${d.body.id}/issue`, { token: county });
    await api('POST', `/api/v1/region-bulletins/${d.body.id}/publish`, { token: county, body: { visibility: 'public' } });
    for (const ext of ['csv', 'xlsx']) expect((await SELF.fetch(`http://localhost/api/v1/region-bulletins/${d.body.id}/export.${ext}`)).status).toBe(200);
    expect((await SELF.fetch('http://localhost/api/v1/region-bulletins/rbul-none/export.csv', { headers: { authorization: `Bearer ${county}` } })).status).toBe(404);
  });
});

describe('region supervisor accounts', () => {
  it('an admin creates one for a region; it activates with its link, signs in and reads its region only', async () => {
    const admin = await signIn('admin');
    const r = await api('POST', '/api/v1/regions/tengzhou/accounts', { token: admin, body: { username: 'teng-sup', display_name: '滕州督导' } });
    expect(r.status).toBe(201);
    expect(r.body.account).toMatchObject({ username: 'teng-sup', role: 'region_supervisor', town_id: null, region_id: 'tengzhou', status: 'pending' });
    expect((await auditRows('account.create')).map((a) => JSON.parse(a.detail_json))).toContainEqual(expect.objectContaining({ username: 'teng-sup', role: 'region_supervisor', region: 'tengzhou' }));
    const token = /#token=(.+)$/.exec(r.body.activation_url)![1];
    expect((await api('POST', '/api/v1/auth/activate', { body: { token, password: 'teng-password-2026' } })).status).toBe(200);
    const login = await api('POST', '/api/v1/auth/login', { body: { username: 'teng-sup', password: 'teng-password-2026' } });
    expect(login.body.account).toMatchObject({ role: 'region_supervisor', region_id: 'tengzhou' });
    expect((await api('GET', '/api/v1/regions/tengzhou/board', { token: login.body.token })).status).toBe(200);
    expect((await api('GET', '/api/v1/towns/fengmao/overdue', { token: login.body.token })).status).toBe(403);
    // The list holds the region's supervisors only: the one of beforeEach and the new one.
    const listed = (await api('GET', '/api/v1/regions/tengzhou/accounts', { token: admin })).body.accounts as { username: string; region_id: string }[];
    expect(listed.map((a) => a.username)).toContain('teng-sup');
    expect(listed.length).toBe(2);
    expect(listed.every((a) => a.region_id === 'tengzhou')).toBe(true);
    // A taken username, an unknown region, and a county supervisor asking: refused.
    expect((await api('POST', '/api/v1/regions/tengzhou/accounts', { token: admin, body: { username: 'teng-sup', display_name: 'x' } })).status).toBe(409);
    expect((await api('POST', '/api/v1/regions/atlantis/accounts', { token: admin, body: { username: 'atl-sup', display_name: 'x' } })).status).toBe(404);
    expect((await api('POST', '/api/v1/regions/shanting/accounts', { token: county, body: { username: 'self-made', display_name: 'x' } })).status).toBe(403);
  });
});

describe("a region supervisor's account, managed in the console by an admin", () => {
  it('is disabled (its sessions end, sign-in refused), re-enabled, and reset to a new one-time link, each step audited in the same batch', async () => {
    const admin = await signIn('admin');
    const sup = await signedIn('region_supervisor', null, { region: 'shanting' });
    const step = (action: string, region = 'shanting', id = sup.id, token = admin) => api('POST', `/api/v1/regions/${region}/accounts/${id}/${action}`, { token });
    expect((await api('GET', '/api/v1/regions/shanting/board', { token: sup.token })).status).toBe(200);

    const off = await step('disable');
    expect(off.status).toBe(200);
    expect(off.body.account).toMatchObject({ id: sup.id, status: 'disabled', region_id: 'shanting' });
    expect((await api('GET', '/api/v1/regions/shanting/board', { token: sup.token })).status).toBe(401);
    expect((await api('POST', '/api/v1/auth/login', { body: { username: sup.username, password: sup.password } })).status).toBe(403);
    // Twice is a conflict naming the state, and writes nothing.
    const again = await step('disable');
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('account_state');

    expect((await step('enable')).body.account.status).toBe('active');
    const back = await api('POST', '/api/v1/auth/login', { body: { username: sup.username, password: sup.password } });
    expect(back.status).toBe(200);

    const reset = await step('reset');
    expect(reset.status).toBe(200);
    expect(reset.body.account.status).toBe('pending');
    expect((await api('GET', '/api/v1/regions/shanting/board', { token: back.body.token })).status).toBe(401);
    expect((await api('POST', '/api/v1/auth/login', { body: { username: sup.username, password: sup.password } })).status).toBe(401);
    const token = /#token=(.+)$/.exec(reset.body.activation_url)![1];
    expect((await api('POST', '/api/v1/auth/activate', { body: { token, password: 'a-new-password-2026' } })).status).toBe(200);
    expect((await api('POST', '/api/v1/auth/login', { body: { username: sup.username, password: 'a-new-password-2026' } })).status).toBe(200);

    // Every step left its audit row: who, on whom, from which state, and the region.
    for (const [action, from] of [['account.disable', 'active'], ['account.enable', 'disabled'], ['account.reset', 'active']] as const) {
      const rows = (await auditRows(action)).filter((r) => r.entity_id === sup.id);
      expect(rows.length, action).toBe(1);
      expect(rows[0]!.actor).not.toBe(sup.id);
      expect(JSON.parse(rows[0]!.detail_json)).toMatchObject({ username: sup.username, role: 'region_supervisor', region: 'shanting', from });
    }
  });

  it('only through its own region, only by an admin; a town account is not reached this way', async () => {
    const admin = await signIn('admin');
    const sup = await signedIn('region_supervisor', null, { region: 'shanting' });
    const townSup = await signedIn('supervisor');
    expect((await api('POST', `/api/v1/regions/tengzhou/accounts/${sup.id}/disable`, { token: admin })).status).toBe(404);
    expect((await api('POST', `/api/v1/regions/shanting/accounts/${townSup.id}/disable`, { token: admin })).status).toBe(404);
    expect((await api('POST', `/api/v1/regions/shanting/accounts/no-such-account/disable`, { token: admin })).status).toBe(404);
    // Another region supervisor, even of the same region, and the city's: refused before anything is read.
    for (const token of [county, city, await signIn('office')]) expect((await api('POST', `/api/v1/regions/shanting/accounts/${sup.id}/disable`, { token })).status).toBe(403);
    expect((await api('POST', `/api/v1/regions/shanting/accounts/${sup.id}/disable`)).status).toBe(401);
    expect((await api('POST', `/api/v1/regions/shanting/accounts/${sup.id}/explode`, { token: admin })).status).toBe(400);
    expect((await api('GET', '/api/v1/regions/shanting/board', { token: sup.token })).status).toBe(200);
    expect((await auditRows('account.disable')).filter((r) => r.entity_id === sup.id)).toEqual([]);
  });
});

describe('the board at size', () => {
  it('reads the same eight statements for 3 towns as for 100', { timeout: 600_000 }, async () => {
    const read = async () => {
      let k = 0;
      const db = env.DB as unknown as D1Database;
      const proxy = new Proxy(db, { get: (t, p) => (p === 'prepare' ? (sql: string) => (k++, t.prepare(sql)) : (Reflect.get(t, p) as Function).bind(t)) });
      const started = Date.now();
      const facts = await readRegionFacts(proxy, 'shanting', AS_OF);
      return { statements: k, towns: facts.length, ms: Date.now() - started };
    };
    const small = await read();
    expect(small).toMatchObject({ statements: 8, towns: 2 });
    const bundle = towns();
    const fengmao = bundle.towns.find((t) => t.town.id === 'fengmao')!;
    for (let i = 1; i <= 98; i++) {
      const t = structuredClone(fengmao);
      t.town.id = `copy-${i}`;
      t.town.name = `复制${i}镇`;
      bundle.towns.push(t);
    }
    await loadContent(bundle, '2026-02-01T00:00:00.000Z');
    const big = await read();
    expect(big).toMatchObject({ statements: 8, towns: 100 });
    const board = await api('GET', `/api/v1/regions/shanting/board?asOf=${AS_OF}`, { token: county });
    expect(board.body.counts.towns).toBe(100);
    // What a phone downloads for a county of 100 towns (compressed as the Worker's answers are).
    const text = JSON.stringify(board.body);
    const gzip = (await new Response(new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer()).byteLength;
    console.log(`region board facts: 2 towns ${small.ms} ms, 100 towns ${big.ms} ms (8 statements each); board answer ${text.length} bytes, ${gzip} gzip`);
    expect(gzip).toBeLessThan(60 * 1024);
  });
});

