/**
 * Search across every town (GET /api/v1/search, the page /search/) through the real Worker over a
 * real local D1 loaded by the content loader: words of any length, punctuation and FTS syntax
 * typed by a reader, one town's filter, and an office edit found at the next request.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { env, SELF } from 'cloudflare:test';
import { content, getJson, loadContent, loadTwoTowns } from './helpers.ts';
import { api, signIn } from './auth-helpers.ts';
import type { SearchResults } from '../../worker/domain/search.ts';

const search = (query: string) => getJson<SearchResults>(`/api/v1/search?${query}`);
const q = (words: string, more = '') => search(`q=${encodeURIComponent(words)}${more}`);
/** The text of a snippet as a reader sees it, and the marked parts. */
const plain = (html: string) => html.replace(/<\/?mark>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
const marked = (html: string) => [...html.matchAll(/<mark>(.*?)<\/mark>/g)].map((m) => m[1]);

describe('GET /api/v1/search', () => {
  beforeEach(async () => {
    await loadTwoTowns();
  });

  it('finds a three-character phrase in the plan text and links to its paragraph', async () => {
    const { status, body } = await q('示范镇');
    expect(status).toBe(200);
    expect(body.total).toBeGreaterThan(0);
    const hit = body.hits.find((h) => h.kind === 'plan' && h.town === 'fengmao')!;
    expect(hit.town_name).toBe('冯卯镇');
    expect(hit.url).toMatch(/^\/towns\/fengmao\/plan\/#.+/);
    expect(marked(hit.snippet_html)).toContain('示范镇');
    // The anchor is one the plan page gives that block (worker/domain/plan-text.ts).
    const plan = content().towns.find((t) => t.town.id === 'fengmao')!.plan_markdown;
    const { planBlocks } = await import('../../worker/domain/plan-text.ts');
    const block = planBlocks(plan).find((b) => b.anchor === hit.ref)!;
    expect(block.text + block.path.join('')).toContain('示范镇');
  });

  it('finds a two-character word (签约) in plan paragraphs, task titles and targets, every snippet marking it', async () => {
    const { body } = await q('签约', '&limit=50');
    expect(body.total).toBeGreaterThan(5);
    expect(new Set(body.hits.map((h) => h.kind))).toEqual(new Set(['plan', 'task', 'target']));
    for (const h of body.hits) {
      expect(marked(h.snippet_html).every((m) => m === '签约'), h.snippet_html).toBe(true);
      expect(marked(h.snippet_html).length).toBeGreaterThan(0);
    }
    const task = body.hits.find((h) => h.kind === 'task')!;
    expect(task.url).toBe(`/towns/${task.town}/tasks/#task-${task.ref}`);
    expect(task.title).toContain('签约');
    const target = body.hits.find((h) => h.kind === 'target')!;
    expect(target.url).toBe(`/towns/${target.town}/targets/${target.ref}/`);
  });

  it('finds a one-character word, at the start, inside and at the end of a run', async () => {
    const { body } = await q('镇', '&town=fengmao');
    expect(body.total).toBeGreaterThan(10);
    for (const h of body.hits) expect(plain(h.snippet_html) + h.title).toContain('镇');
    // 冯政发〔2018〕24号: "号" is the last character of its run, "冯" the first.
    for (const c of ['号', '冯']) expect((await q(c, '&town=fengmao')).body.hits.some((h) => h.ref === 'top.1'), c).toBe(true);
  });

  it('matches exactly the substring: a word absent from every plan finds nothing', async () => {
    const { body } = await q('签约率达到一百二十');
    expect(body).toMatchObject({ total: 0, total_capped: false, hits: [] });
    // Both characters occur, but never side by side.
    expect((await q('约签')).body.total).toBe(0);
  });

  it('treats Chinese punctuation and spaces as separators: every word must occur', async () => {
    const both = await q('家庭医生，签约');
    const spaced = await q('家庭医生 签约');
    expect(both.body.total).toBeGreaterThan(0);
    expect(spaced.body.total).toBe(both.body.total);
    for (const h of both.body.hits) {
      const text = plain(h.snippet_html);
      expect(marked(h.snippet_html).some((m) => m === '家庭医生' || m === '签约'), text).toBe(true);
    }
    // Full-width and half-width forms are the same letters.
    expect((await q('ＭＷ')).body.total).toBe((await q('mw')).body.total);
    expect((await q('mw')).body.total).toBeGreaterThan(0);
  });

  it('answers queries with FTS and SQL syntax characters without error', async () => {
    for (const words of ['"签约', '签约*', '签约 OR 1=1', '(医养', 'NEAR(签约', "'; DROP TABLE search_docs; --", '签约"服务', '{title}:签约', '^签约', '-签约', 'AND', '*']) {
      const r = await q(words);
      expect(r.status, words).toBe(200);
      expect(r.body.q).toBe(words.trim());
    }
    // A query with no letter or digit finds nothing (and says so), rather than everything.
    expect((await q('？！、')).body).toMatchObject({ total: 0, hits: [] });
    // The injection attempt left the index whole.
    expect((await q('签约')).body.total).toBeGreaterThan(0);
  });

  it('keeps to one town when asked: no other town’s rows leak in', async () => {
    const all = await q('签约', '&limit=50');
    expect(new Set(all.body.hits.map((h) => h.town))).toEqual(new Set(['fengmao', 'othertown']));
    const one = await q('签约', '&town=othertown&limit=50');
    expect(one.body.town).toBe('othertown');
    expect(one.body.total).toBeGreaterThan(0);
    expect(one.body.hits.every((h) => h.town === 'othertown')).toBe(true);
    expect(one.body.total * 2).toBe(all.body.total);
    // A town id that is a prefix of another's matches only itself.
    expect((await q('签约', '&town=other')).body.total).toBe(0);
  });

  it('pages with limit and offset, and counts every match', async () => {
    const first = await q('医养', '&limit=5');
    const second = await q('医养', '&limit=5&offset=5');
    expect(first.body.hits).toHaveLength(5);
    expect(second.body.hits).toHaveLength(5);
    const ids = (r: typeof first) => r.body.hits.map((h) => `${h.town}:${h.kind}:${h.ref}`);
    expect(ids(first).filter((x) => ids(second).includes(x))).toEqual([]);
    expect(first.body.total).toBe(second.body.total);
  });

  it('answers 400 naming q when it is empty or too long', async () => {
    for (const query of ['', 'q=', 'q=%20%20', `q=${'签'.repeat(101)}`]) {
      const r = await search(query);
      expect(r.status, query).toBe(400);
      expect(r.body).toMatchObject({ error: { code: 'validation_failed' } });
      expect((r.body as any).error.fields.map((f: any) => f.path)).toEqual(['q']);
    }
  });
});

describe('the search index stays current', () => {
  beforeEach(async () => {
    await loadContent();
  });

  it('finds a task title edited by the office at the next request, and not the old title', async () => {
    const office = await signIn('office');
    const ref = 'fengmao:kt1-health-assessment-baseline-survey';
    const before = await q('专项基线调查');
    expect(before.body.hits.some((h) => h.kind === 'task' && h.ref === 'kt1-health-assessment-baseline-survey')).toBe(true);
    const r = await api('PATCH', `/api/v1/tasks/${ref}`, { token: office, body: { title: '完成老年人体质普查登记' }, headers: { 'If-Match': '"1"' } });
    expect(r.status).toBe(200);
    const after = await q('体质普查');
    const hit = after.body.hits.find((h) => h.kind === 'task')!;
    expect(hit).toMatchObject({ ref: 'kt1-health-assessment-baseline-survey', title: '一.2 完成老年人体质普查登记' });
    expect((await q('集中开展老年人健康专项基线调查')).body.hits.some((h) => h.kind === 'task' && h.title.includes('集中开展'))).toBe(false);
    // Loading the same content again keeps the office's title in search, as it does in the table.
    await loadContent(content(), '2026-02-01T00:00:00.000Z');
    expect((await q('体质普查')).body.hits.some((h) => h.ref === 'kt1-health-assessment-baseline-survey')).toBe(true);
  });

  it('finds a task the office created', async () => {
    const office = await signIn('office');
    const body = { code: '一.9', parent: 'kt1-health-assessment', title: '建立老年人健康档案动态更新机制', units: [{ unit: 'weijiban', role: 'lead' }], due: 'y2020', weight: 1 };
    const r = await api('POST', '/api/v1/towns/fengmao/tasks', { token: office, body, headers: { 'Idempotency-Key': crypto.randomUUID() } });
    expect(r.status).toBe(201);
    const found = await q('动态更新');
    expect(found.body.hits.map((h) => [h.kind, h.title])).toContainEqual(['task', '一.9 建立老年人健康档案动态更新机制']);
  });

  it('replaces a town’s entries when its plan changes, and writes nothing when it does not', async () => {
    const count = async () => (await env.DB.prepare(`SELECT COUNT(*) AS n, MAX(id) AS top FROM search_docs`).first<{ n: number; top: number }>())!;
    const first = await count();
    await loadContent(content(), '2026-02-01T00:00:00.000Z');
    expect(await count()).toEqual(first);
    const bundle = content();
    const town = bundle.towns.find((t) => t.town.id === 'fengmao')!;
    town.plan_markdown += '\n\n## 附则\n\n本方案自印发之日起施行，由镇卫计办负责解释。\n';
    await loadContent(bundle, '2026-03-01T00:00:00.000Z');
    expect((await q('负责解释')).body.hits.map((h) => h.url)).toEqual([`/towns/fengmao/plan/#${encodeURIComponent('附则')}.1`]);
    expect((await count()).n).toBe(first.n + 2);
  });
});

describe('GET /search/', () => {
  beforeEach(async () => {
    await loadContent();
  });

  it('is a plain form with no script; results link to the paragraph, grouped by town', async () => {
    const res = await SELF.fetch('http://localhost/search/?q=%E7%AD%BE%E7%BA%A6');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toMatch(/<script/i);
    expect(html).toMatch(/<form[^>]*action="\/search\/"[^>]*method="get"|<form[^>]*method="get"[^>]*action="\/search\/"/);
    expect(html).toContain('<h2');
    expect(html).toContain('冯卯镇');
    expect(html).toMatch(/href="\/towns\/fengmao\/plan\/#[^"]+"/);
    expect(html).toContain('<mark>签约</mark>');
  });

  it('says 没有找到 when nothing matches, and shows the form alone with no query', async () => {
    const none = await (await SELF.fetch('http://localhost/search/?q=%E9%AD%94%E6%B3%95%E7%9F%B3')).text();
    expect(none).toContain('没有找到');
    const empty = await SELF.fetch('http://localhost/search/');
    expect(empty.status).toBe(200);
    expect(await empty.text()).not.toContain('没有找到');
  });

  it('has an English page with the same results, and /search redirects to /search/ keeping the query', async () => {
    const en = await SELF.fetch('http://localhost/en/search/?q=%E7%AD%BE%E7%BA%A6');
    expect(en.status).toBe(200);
    const html = await en.text();
    expect(html).toMatch(/<html[^>]*lang="en"/);
    expect(html).toContain('<mark>签约</mark>');
    expect(html).not.toMatch(/<script/i);
    const bare = await SELF.fetch('http://localhost/search?q=%E7%AD%BE%E7%BA%A6', { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('http://localhost/search/?q=%E7%AD%BE%E7%BA%A6');
    // Never cached: the answer depends on the query and on every write.
    expect((await SELF.fetch('http://localhost/search/?q=%E7%AD%BE%E7%BA%A6')).headers.get('cache-control')).toBe('no-store');
  });

  it('pages by plain links', async () => {
    const html = await (await SELF.fetch('http://localhost/search/?q=%E5%8C%BB%E5%85%BB')).text();
    expect(html).toMatch(/href="\/search\/\?q=%E5%8C%BB%E5%85%BB&amp;page=2"/);
  });
});
