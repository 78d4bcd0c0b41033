/**
 * Many towns on one deployment: the lists of towns read a bounded number of statements whatever
 * the number of towns, filter by county and name, page by 50, and every page reads the plan from
 * D1 (a town loaded after the build is live at the next request).
 */
import { describe, expect, it } from 'vitest';
import { env, SELF } from 'cloudflare:test';
import type { D1Database } from '@cloudflare/workers-types/index.ts';
import type { ContentBundle } from '../../worker/domain/content.ts';
import { readPlaces, readTownList, readJurisdictionNames, RECOMPUTE_PER_RENDER } from '../../worker/db/summaries.ts';
import { content, getJson, loadContent, refreshAllSummaries } from './helpers.ts';

/** content/ with `n` towns: Fengmao and copies of it, each with its own id, name and county. */
function manyTowns(n: number, counties = 3): ContentBundle {
  const bundle = content();
  const fengmao = bundle.towns.find((t) => t.town.id === 'fengmao')!;
  for (let i = 1; i < n; i++) {
    const t = structuredClone(fengmao);
    t.town.id = `copy-${i}`;
    t.town.name = `测试${i}镇`;
    t.town.county = { value: `测试${i % counties}区`, basis: 'external', note: '测试数据' };
    bundle.towns.push(t);
  }
  return bundle;
}

/** The D1 binding, counting the statements prepared on it (each is run once by the readers). */
function counting(db: D1Database): { db: D1Database; count: () => number } {
  let n = 0;
  const proxy = new Proxy(db, {
    get(target, key) {
      if (key === 'prepare') return (sql: string) => (n++, target.prepare(sql));
      const v = Reflect.get(target, key);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { db: proxy, count: () => n };
}

/** Statements one home page reads (site/pages/index.astro: the list, the places, the jurisdictions). */
async function homeStatements(): Promise<number> {
  const c = counting(env.DB as unknown as D1Database);
  await Promise.all([readTownList(c.db, {}, 1, 50), readPlaces(c.db), readJurisdictionNames(c.db)]);
  return c.count();
}

const html = async (path: string) => {
  const res = await SELF.fetch(`http://localhost${path}`);
  return { status: res.status, text: await res.text() };
};

describe('the lists of towns', () => {
  it('read the same few statements for one town as for 60, once the summaries are kept', { timeout: 300_000 }, async () => {
    await loadContent(manyTowns(1));
    // A content load leaves the summaries to compute: the nightly job does them all, as lists do a few per render.
    await refreshAllSummaries();
    const one = await homeStatements();
    await loadContent(manyTowns(60), '2026-02-01T00:00:00.000Z');
    expect(await refreshAllSummaries()).toBe(60);
    const many = await homeStatements();
    expect(one).toBeLessThanOrEqual(5);
    expect(many).toBe(one);
  });

  it('show at most 50 towns a page, in place order, with a link to the next page', { timeout: 300_000 }, async () => {
    await loadContent(manyTowns(55));
    const first = await html('/');
    expect(first.status).toBe(200);
    expect(first.text).toContain('共55个镇');
    expect(first.text.match(/<h4>/g)).toHaveLength(50);
    expect(first.text).toContain('第1页，共2页');
    expect(first.text).toMatch(/<a rel="next" href="\/\?page=2">/);
    const last = await html('/?page=2');
    expect(last.text.match(/<h4>/g)).toHaveLength(5);
    expect(last.text).not.toContain('rel="next"');
  });

  it('after many towns arrive at once, compute a few summaries per render and say the others are being counted, never showing 0', { timeout: 300_000 }, async () => {
    await loadContent(manyTowns(RECOMPUTE_PER_RENDER + 3));
    const first = await html('/?page=1');
    expect(first.text.match(/<h4>/g)).toHaveLength(RECOMPUTE_PER_RENDER + 3);
    expect(first.text.match(/进度统计正在更新/g)).toHaveLength(3);
    const second = await html('/?page=1');
    expect(second.text).not.toContain('进度统计正在更新');
    expect(second.text.match(/未报告 \d+/g)).toHaveLength(RECOMPUTE_PER_RENDER + 3);
  });

  it('filter by county and by name', async () => {
    await loadContent(manyTowns(30));
    const county = await html(`/?county=${encodeURIComponent('测试1区')}`);
    expect(county.text).toContain('找到10个镇');
    expect(county.text).toContain('测试1镇');
    expect(county.text).not.toContain('测试2镇<');
    const name = await html(`/?q=${encodeURIComponent('测试12')}`);
    expect(name.text).toContain('找到1个镇');
    expect(name.text).toContain('测试12镇');
    const none = await html(`/?q=${encodeURIComponent('没有这个镇')}`);
    expect(none.text).toContain('没有找到符合条件的乡镇');
  });

  it('GET /api/v1/towns answers the same summaries, a page at a time, and names a bad parameter', async () => {
    await loadContent(manyTowns(7));
    const r = await getJson('/api/v1/towns?size=5&page=2');
    expect(r.status).toBe(200);
    expect(r.body.total).toBe(7);
    expect(r.body.towns).toHaveLength(2);
    const fengmao = (await getJson(`/api/v1/towns?q=${encodeURIComponent('冯卯')}`)).body.towns[0];
    expect(fengmao.town.id).toBe('fengmao');
    // nothing approved: 未报告, never 0 % or a failure
    expect(fengmao.updated_at).toBeNull();
    expect(fengmao.deliverables.not_reported).toBe(fengmao.deliverables.total);
    expect(fengmao.deliverables.completed).toBe(0);
    const bad = await getJson('/api/v1/towns?page=0');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error.fields)).toContain('page');
  });
});

describe('pages read the plan from D1', () => {
  it('a town loaded after the build is live at the next request: overview, plan, group and progress', async () => {
    const bundle = manyTowns(1);
    const t = structuredClone(bundle.towns[0]!);
    t.town.id = 'latecomer';
    t.town.name = '后来镇';
    t.plan_markdown = t.plan_markdown.replace(/\n\n/, '\n\n后来镇加载后才有的一段话。\n\n');
    bundle.towns.push(t);
    await loadContent(bundle);
    for (const p of ['/towns/latecomer/', '/towns/latecomer/plan/', '/towns/latecomer/group/', '/towns/latecomer/progress/']) {
      const r = await html(p);
      expect(r.status, p).toBe(200);
      expect(r.text, p).toContain('后来镇');
    }
    expect((await html('/towns/latecomer/plan/')).text).toContain('后来镇加载后才有的一段话。');
    expect((await html('/towns/nowhere/plan/')).status).toBe(404);
  });
});
