/**
 * The open-data files, feed and sitemap, read the way a spreadsheet, a feed reader or a crawler
 * would read them: the town's files rendered from the D1 seeded with tests/fixtures/public, the
 * sitemap and robots.txt from the build.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { csv, csvCell } from '../../site/lib/open-data.ts';
import { parseCsv } from '../../worker/domain/csv.ts';
import { readContent } from '../../worker/content/read.ts';
import { parseFixture } from '../fixtures/public-seed.ts';
import { DIST, siteOrigin } from './dist.ts';

const FIXTURE = parseFixture(JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/public/fengmao.json'), 'utf8')));
const fengmao = readContent().towns.find((t) => t.town.id === 'fengmao')!;
const bytes = new Map<string, Uint8Array>();
/** A file as served: the town's open data from the Worker, the rest from the build. */
const raw = (p: string): Uint8Array => bytes.get(p) ?? readFileSync(join(DIST, p));
const file = (p: string) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(raw(p));

beforeAll(async () => {
  for (const f of ['targets.csv', 'tasks.csv', 'updates.csv', 'data.json', 'feed.xml']) {
    const res = await fetch(`${siteOrigin()}/towns/fengmao/${f}`);
    expect(res.status, f).toBe(200);
    bytes.set(`towns/fengmao/${f}`, new Uint8Array(await res.arrayBuffer()));
  }
  // The towns' sitemap is rendered from D1 like the pages.
  const res = await fetch(`${siteOrigin()}/sitemap-towns.xml`);
  expect(res.status, 'sitemap-towns.xml').toBe(200);
  bytes.set('sitemap-towns.xml', new Uint8Array(await res.arrayBuffer()));
});

describe('CSV downloads', () => {
  it('neutralise cells a spreadsheet would run as a formula, and quote the rest', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    for (const bad of ['+1', '-1+2', '@SUM(A1)', '\tx', '\rx']) expect(csvCell(bad).startsWith(`"'`), bad).toBe(true);
    expect(csvCell('签约率72%')).toBe('"签约率72%"');
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(null)).toBe('');
    expect(csv(['a'], [['x,"y"\nz']])).toBe('\uFEFF"a"\r\n"x,""y""\nz"\r\n');
  });

  it('are UTF-8 with a BOM so Excel reads the Chinese, one row per record', () => {
    for (const f of ['targets', 'tasks', 'updates']) {
      const b = raw(`towns/fengmao/${f}.csv`);
      expect([...b.subarray(0, 3)], f).toEqual([0xef, 0xbb, 0xbf]);
    }
    const tasks = parseCsv(file('towns/fengmao/tasks.csv').slice(1));
    expect(tasks[0]).toEqual(['id', 'code', 'parent', 'kind', 'title', 'lead_units', 'support_units', 'units_basis', 'due', 'due_basis', 'state', 'percent', 'deadline_passed', 'overdue', 'last_update']);
    expect(tasks).toHaveLength(fengmao.tasks.length + 1);
    const def = (id: string) => fengmao.tasks.find((t) => t.id === id)!;
    const blocked = tasks.find((r) => r[0] === 'kt4-institutions-linkage-mechanism')!;
    expect(blocked.slice(7)).toEqual([def(blocked[0]!).units_basis, '2018-12-31', def(blocked[0]!).due_basis, 'blocked', '40', 'true', 'true', 'fx-u05']);
    // A task nobody reported on: 未报告 (not_reported), no percent, never overdue.
    const silent = tasks.find((r) => r[0] === 'g5-supervision-inspections')!;
    expect(silent.slice(10)).toEqual(['not_reported', '', 'true', 'false', '']);
    const updates = parseCsv(file('towns/fengmao/updates.csv').slice(1));
    expect(updates).toHaveLength(FIXTURE.updates.length + 1);
    // Open data keeps the narrative as typed (its Markdown markers included).
    expect(updates.at(-1)![7]).toContain('**移动医疗服务车**');
    const targets = parseCsv(file('towns/fengmao/targets.csv').slice(1));
    const row = targets.find((r) => r[0] === 'family-doctor-signing-elderly' && r[3] === 'y2018')!;
    expect(targets[0]!.slice(10)).toEqual(['value_at_due', 'value_at_due_as_of', 'latest_value', 'latest_as_of', 'latest_source', 'tasks_done', 'tasks_total', 'status']);
    expect([row[10], row[11], row[12], row[13], row[17]]).toEqual(['72', '2018-12-31', '96', '2020-12-31', 'met']);
  });
});

describe('JSON download', () => {
  it('holds the targets with their status, every task and the approved progress', () => {
    const d = JSON.parse(file('towns/fengmao/data.json'));
    // facts the plan does not state carry their basis; the demo flag is carried (issue 17)
    expect(d.town).toMatchObject({ id: 'fengmao', name: '冯卯镇', name_en: { value: 'Fengmao Town', basis: 'external' }, county: { value: '山亭区', basis: 'external' }, demo: false });
    expect(d.plan.issuer).toMatchObject({ value: '冯卯镇人民政府', basis: 'inferred' });
    expect(d.updated_at).toBe(FIXTURE.updated_at);
    expect(d.tasks).toHaveLength(fengmao.tasks.length);
    expect(d.updates.map((u: { id: string }) => u.id)).toEqual(FIXTURE.updates.map((u) => u.id));
    expect(d.values).toHaveLength(FIXTURE.values.length);
    expect(d.targets.find((t: any) => t.indicator === 'green-channel-medical-institutions' && t.milestone === 'y2018').status).toBe('missed');
    expect(d.bulletins[0].number).toBe('冯卯医养督〔2019〕1号');
  });
});

describe('Atom feed', () => {
  it('has one entry per approved update and published bulletin, newest first, with absolute links', () => {
    const xml = file('towns/fengmao/feed.xml');
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www.w3.org\/2005\/Atom"/);
    const entries = xml.split('<entry>').slice(1);
    expect(entries).toHaveLength(FIXTURE.updates.length + FIXTURE.bulletins.length);
    const updated = entries.map((e) => e.match(/<updated>([^<]+)<\/updated>/)![1]!);
    expect(updated).toEqual([...updated].sort().reverse());
    expect(xml).toContain('<title>冯卯医养督〔2019〕1号');
    expect(xml).toMatch(/<link rel="alternate" type="text\/html" href="https:\/\/[^"]+\/towns\/fengmao\/progress\/#update-fx-u09"\/>/);
    expect(xml).not.toMatch(/<(?!\/?(feed|id|title|updated|link|author|name|entry|summary)[\s>/])[a-z]/); // text is escaped
  });
});

describe('sitemap', () => {
  it('lists every public page, Chinese and English, and no 404 page', () => {
    const index = file('sitemap-index.xml');
    expect(index).toContain('sitemap-0.xml');
    // the towns' pages come from D1 at request time (the build holds no town)
    expect(index).toMatch(/<loc>https:\/\/[^<]+\/sitemap-towns\.xml<\/loc>/);
    const urls = ['sitemap-0.xml', 'sitemap-towns.xml'].flatMap((f) => [...file(f).matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => new URL(m[1]!).pathname));
    for (const p of ['/', '/compare/', '/en/', '/en/towns/fengmao/', '/towns/fengmao/', '/towns/fengmao/progress/', '/towns/fengmao/tasks/', '/towns/fengmao/plan/', '/towns/fengmao/group/']) {
      expect(urls, p).toContain(p);
    }
    expect(urls.some((u) => u.includes('404'))).toBe(false);
    expect(file('robots.txt')).toMatch(/Sitemap: https:\/\/.+\/sitemap-index.xml/);
  });
});
