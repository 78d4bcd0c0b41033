/// <reference types="vite/client" />
/**
 * Adding a town is a tested path (issue 17): the fictional fixture town (tests/fixtures/content/)
 * goes through the same parse-and-check as content:check, the loader and the public API; and
 * migration 0008 keeps a populated database's rows while making unstated facts optional.
 */
import { applyD1Migrations, env, reset } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { parseContent } from '../../worker/content/parse.ts';
import { getJson, loadContent } from './helpers.ts';
import { attributedFacts } from '../../worker/domain/plan-view.ts';

/** The fixture folder's files, bundled by Vite as text (workerd has no file system). */
const raw = import.meta.glob('../fixtures/content/**/*.{yaml,md}', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
const fixture = () => parseContent(Object.fromEntries(Object.entries(raw).map(([k, v]) => [k.replace('../fixtures/content/', ''), v])));

describe('the fictional fixture town', () => {
  it('loads, and its plan API says it is demonstration data and invents no place or issuer', async () => {
    await loadContent(fixture());
    const { status, body } = await getJson('/api/v1/towns/qingshi/plan');
    expect(status).toBe(200);
    expect(body.town).toMatchObject({ id: 'qingshi', name: '青石镇', demo: true, province: null, city: null, county: null });
    expect(body.town.name_en).toEqual({ value: 'Qingshi Town', basis: 'external', note: '虚构的测试镇，英文名为拼音。', quote: null });
    expect(body.plan).toMatchObject({ doc_number: '青政字〔2025〕3号', issuer: null, issued_on: null });
    expect(body.milestones.map((m: { id: string }) => m.id)).toEqual(['y2025', 'y2027']);
    expect(body.leading_group.office.deputies).toEqual([]);
    expect(body.town.profile.map((f: { label: string; text: string }) => [f.label, f.text])).toEqual([
      ['行政村', '12个行政村'],
      ['人口', '8000人'],
      ['饮用水井', '40眼'],
    ]);
    const list = await getJson('/api/v1/towns');
    expect(list.body.towns).toEqual([expect.objectContaining({ town: expect.objectContaining({ id: 'qingshi', demo: true, county: null }) })]);
  });

  it('loads beside content/, and 冯卯镇 keeps its facts with their basis and is not demonstration data', async () => {
    await loadContent();
    await loadContent(fixture());
    const { body } = await getJson('/api/v1/towns');
    expect(body.towns.map(({ town: t }: { town: { id: string; demo: boolean } }) => [t.id, t.demo]).sort()).toEqual([
      ['fengmao', false],
      ['qingshi', true],
    ]);
    const plan = await getJson('/api/v1/towns/fengmao/plan');
    expect(plan.body.town.county).toMatchObject({ value: '山亭区', basis: 'external' });
    expect(plan.body.plan.issuer).toMatchObject({ value: '冯卯镇人民政府', basis: 'inferred' });
  });
});

describe('migration 0008 on a populated database', () => {
  it('keeps towns, plans and reported figures and their references, and shows no old value as stated', async () => {
    await reset();
    await applyD1Migrations(env.DB, env.TEST_MIGRATIONS.filter((m) => m.name < '0008'));
    await env.DB.batch([
      env.DB.prepare(`INSERT INTO towns (id, name, name_en, province, city, county, profile_json, projects_json, updated_at) VALUES ('t1', '甲镇', 'Jia', '某省', '某市', '某县', '[]', '[]', '2026-01-01')`),
      env.DB.prepare(`INSERT INTO plans (town_id, title, doc_number, issuer, issued_on, year, sections_json, body_markdown, updated_at) VALUES ('t1', '方案', '甲发〔2026〕1号', '甲镇人民政府', NULL, 2026, '[]', '正文', '2026-01-01')`),
      env.DB.prepare(`INSERT INTO milestones (town_id, id, year, label, due) VALUES ('t1', 'y2026', 2026, '2026年年底', '2026-12-31')`),
      env.DB.prepare(`INSERT INTO jurisdictions (id, name, name_en, level, province, ordinal) VALUES ('j1', '乙市', 'Yi', 'prefecture_city', '某省', 0)`),
      env.DB.prepare(`INSERT INTO jurisdiction_reports (id, jurisdiction_id, title, issuer, source_file, ordinal) VALUES ('r1', 'j1', '答复', '乙市卫健委', 'x.txt', 0)`),
      env.DB.prepare(`INSERT INTO jurisdiction_figures (report_id, id, label, value, unit, qualifier, text, as_of, quote, ordinal) VALUES ('r1', 'f1', '床位', 5, '张', 'exact', '5张', '2022', '床位5张', 0)`),
    ]);

    await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);

    expect(await env.DB.prepare(`SELECT id, name, county, demo, basis_json FROM towns`).all().then((r) => r.results)).toEqual([
      { id: 't1', name: '甲镇', county: '某县', demo: 0, basis_json: '{}' },
    ]);
    expect(await env.DB.prepare(`SELECT as_of, as_of_text FROM jurisdiction_figures`).first()).toEqual({ as_of: '2022', as_of_text: null });
    // references still hold: a milestone of a town that does not exist is refused
    await expect(env.DB.prepare(`INSERT INTO milestones (town_id, id, year, label, due) VALUES ('nope', 'y1', 2026, 'x', '2026-12-31')`).run()).rejects.toThrow(/FOREIGN KEY/);
    // until the next content load writes the basis, an old value is reported as inferred, never as stated
    const row = await env.DB.prepare(`SELECT county, basis_json FROM towns WHERE id = 't1'`).first<{ county: string; basis_json: string }>();
    expect(attributedFacts({ county: row!.county }, row!.basis_json).county).toMatchObject({ value: '某县', basis: 'inferred' });
    // and no public list shows a town until the content loader has written its plan (migration 0013)
    expect((await getJson('/api/v1/towns')).body.towns).toEqual([]);
  });
});
