/**
 * A county's towns side by side: the region page answers first, keeps towns with no report apart,
 * shows an approval at the next request, reads a fixed number of statements whatever its size, and
 * its open data is the same object as the API's.
 */
import { describe, expect, it } from 'vitest';
import { env, SELF } from 'cloudflare:test';
import type { D1Database } from '@cloudflare/workers-types/index.ts';
import type { ContentBundle } from '../../worker/domain/content.ts';
import { readRegion } from '../../worker/db/regions.ts';
import { content, getJson, loadContent, refreshAllSummaries } from './helpers.ts';
import { signIn } from './auth-helpers.ts';

/** Fengmao and `n` copies in its county (山亭区, 枣庄市), each with its own id and name. */
function county(n: number): ContentBundle {
  const bundle = content();
  const fengmao = bundle.towns.find((t) => t.town.id === 'fengmao')!;
  for (let i = 1; i <= n; i++) {
    const t = structuredClone(fengmao);
    t.town.id = `neighbour-${i}`;
    t.town.name = `邻${i}镇`;
    bundle.towns.push(t);
  }
  return bundle;
}

const page = async (path: string) => {
  const res = await SELF.fetch(`http://localhost${path}`);
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
};

let n = 0;
const key = () => `region-${Date.now()}-${n++}`;

/** Approves one update on a deliverable of 卫计办 in Fengmao, as a reporter and the office do. */
async function approveOne(percent: number, status: 'in_progress' | 'completed'): Promise<void> {
  const reporter = await signIn('reporter', 'weijiban');
  const office = await signIn('office');
  const task = await env.DB.prepare(
    `SELECT t.id FROM tasks t JOIN task_units tu ON tu.town_id = t.town_id AND tu.task_id = t.id
      WHERE t.town_id = 'fengmao' AND tu.unit_id = 'weijiban' AND t.kind = 'deliverable'
        AND NOT EXISTS (SELECT 1 FROM task_indicators ti WHERE ti.town_id = t.town_id AND ti.task_id = t.id) ORDER BY t.ordinal LIMIT 1`,
  ).first<{ id: string }>();
  const body = { status, percent, narrative: '已完成', measurements: [], evidence: [] };
  const auth = (t: string) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json', 'idempotency-key': key(), 'if-match': '"1"' });
  const s = await SELF.fetch(`http://localhost/api/v1/tasks/fengmao:${task!.id}/updates`, { method: 'POST', headers: auth(reporter), body: JSON.stringify(body) });
  expect(s.status).toBe(201);
  const u = (await s.json()) as { id: string };
  const a = await SELF.fetch(`http://localhost/api/v1/updates/${u.id}/approve`, { method: 'POST', headers: auth(office) });
  expect(a.status).toBe(200);
}

describe('a region page', () => {
  it('answers first with its towns, keeps towns without a report apart as 未报告, and shows an approval at the next request', async () => {
    await loadContent(county(2));
    const before = await page('/regions/shanting/');
    expect(before.status).toBe(200);
    expect(before.text).toContain('山亭区医养结合示范镇创建进度');
    expect(before.text).toContain('共3个镇，其中0个镇已有审核通过的报告。');
    expect(before.text).toContain('还没有镇有审核通过的报告，暂不排名。');
    expect(before.text).not.toMatch(/已完成0%/);

    await approveOne(100, 'completed');
    const after = await page('/regions/shanting/');
    expect(after.text).toContain('共3个镇，其中1个镇已有审核通过的报告。');
    expect(after.text).toMatch(/第1名<\/span> <a [^>]*>冯卯镇<\/a>/);
    // the two towns with no report are listed apart, not ranked last
    const unranked = after.text.slice(after.text.indexOf('未参加排名'));
    expect(unranked).toContain('邻1镇');
    expect(unranked).toContain('邻2镇');
    expect(after.text).not.toMatch(/第[23]名<\/span> <a [^>]*>邻/);

    // the city above it shows the same towns
    const city = await page('/regions/zaozhuang/');
    expect(city.text).toContain('共3个镇，其中1个镇已有审核通过的报告。');
    expect(city.text).toContain('href="/regions/shanting/"');
    // a county with no town of ours still has a page, with its reply beside it for comparison
    const tengzhou = await page('/regions/tengzhou/');
    expect(tengzhou.text).toContain('本地区还没有在本站公开方案的乡镇。');
    expect(tengzhou.text).toContain('滕州市的答复');
    expect((await page('/regions/nowhere/')).status).toBe(404);
  });

  it('links from the home page and from each town', async () => {
    await loadContent(county(1));
    expect((await page('/')).text).toContain('href="/regions/shanting/"');
    expect((await page('/towns/fengmao/')).text).toContain('href="/regions/shanting/"');
    expect((await page('/towns/fengmao/')).text).toContain('href="/regions/zaozhuang/"');
  });

  it('reads the same number of statements for 3 towns as for 25', { timeout: 300_000 }, async () => {
    const count = async () => {
      let k = 0;
      const db = env.DB as unknown as D1Database;
      const proxy = new Proxy(db, { get: (t, p) => (p === 'prepare' ? (sql: string) => (k++, t.prepare(sql)) : (Reflect.get(t, p) as Function).bind(t)) });
      await readRegion(proxy, 'shanting');
      return k;
    };
    await loadContent(county(2));
    await refreshAllSummaries();
    const small = await count();
    await loadContent(county(24), '2026-02-01T00:00:00.000Z');
    await refreshAllSummaries();
    expect(await count()).toBe(small);
    expect(small).toBeLessThanOrEqual(6);
  });

  it('publishes the same object as the API, a CSV with the same fields and a valid feed', async () => {
    await loadContent(county(1));
    await approveOne(40, 'in_progress');
    const api = await getJson('/api/v1/regions/shanting');
    expect(api.status).toBe(200);
    const file = await getJson('/regions/shanting/data.json');
    const { judged_as_of: _a, ...apiRest } = api.body;
    const { judged_as_of: _b, ...fileRest } = file.body;
    expect(fileRest).toEqual(apiRest);
    expect(api.body.towns.map((t: { town: string; reported: boolean }) => [t.town, t.reported]).sort()).toEqual([
      ['fengmao', true],
      ['neighbour-1', false],
    ]);
    const csv = await page('/regions/shanting/towns.csv');
    expect(csv.type).toContain('text/csv');
    const [header, ...rows] = csv.text.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(header).toContain('"completed_share"');
    // a town with no report has no share and no targets met: empty cells, never 0
    const neighbour = rows.find((r) => r.startsWith('"neighbour-1"'))!;
    expect(neighbour).toContain('false,false');
    const feed = await page('/regions/shanting/feed.xml');
    expect(feed.type).toContain('application/atom+xml');
    expect(feed.text).toContain('<entry>');
    expect(feed.text).toContain('冯卯镇');
  });
});
