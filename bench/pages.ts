/**
 * The public pages as readers get them (issue 13): the Worker built with one synthetic town
 * (bench/data/pages/dist; towns are content) under `wrangler dev` over a local D1 holding that
 * town with all its updates approved (100,000 in the full run), so every update is on its pages. Measured side by side on the same server, in one run:
 *
 * - Cached: GET /towns/synthetic-0001/progress/ from the Worker's page cache, under load
 *   (autocannon, 8 connections, interleaved rounds), beside two static files of the same server:
 *   the prerendered plan page of the same town (also through the Worker, from Static Assets; the
 *   budget's baseline) and /favicon.svg (Static Assets without the Worker).
 * - Uncached: the first request after a write. A loop submits an update and approves it (the
 *   approval purges the town's pages, worker/public-cache.ts), then times GET progress (a miss:
 *   rendered from D1; checked by its CF-Cache-Status and by the new narrative being on it), GET
 *   progress again (a hit), the plan page and the favicon, one request at a time. Nothing in
 *   the Worker lets a reader skip the cache: the bench uses the same write path the office does.
 * - The SQL behind a render (the statements of readPublicTown), timed with node:sqlite on the file.
 * - Page weights of the town's on-demand pages as served (its heaviest page at this many updates).
 */
import { DatabaseSync } from 'node:sqlite';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PUBLIC_SQL } from '../worker/db/public.ts';
import { townPublicPaths } from '../worker/domain/public-pages.ts';
import { cannon, login, percentile, prepareDatabase, round, sqliteFile, startDev, stopDev, type LoadFigure } from './api.ts';
import { DATA, addSyntheticUpdates, syntheticTownId } from './synthetic.ts';
import { astroBuild, liveWeights, type LiveWeight } from './site.ts';

const TOWN = syntheticTownId(1);

export interface Series {
  what: string;
  path: string;
  requests: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
}

export interface PagesFigures {
  town: string;
  updates_in_town: number;
  approved_in_town: number;
  indicator_values_in_town: number;
  progress_html: { raw: number; gzip: number };
  load: { connections: number; seconds: number; rounds: number; routes: LoadFigure[] };
  after_write: { iterations: number; planned: number; seconds_cap: number; misses_seen: number; fresh_seen: number; hits_seen: number; series: Series[]; write_errors: Record<string, number> };
  ratios: {
    cached_p99_vs_plan: number;
    cached_p99_vs_favicon: number;
    uncached_p99_vs_plan: number;
    uncached_p99_vs_favicon: number;
    cached_in_loop_p99_vs_plan: number;
  };
  sql: { what: string; runs: number; median_ms: number; max_ms: number; rows: number }[];
  weights: LiveWeight[];
}

const ROUNDS = 3;

/** The whole part: a fresh database with `updates` approved updates in synthetic-0001, served on `port`. */
export async function runPages(updates: number, opts: { port: number; seconds: number; connections: number; iterations: number; loopSeconds: number }): Promise<PagesFigures> {
  const dir = resolve(DATA, 'pages');
  const persist = await prepareDatabase(dir, 1);
  const db = new DatabaseSync(sqliteFile(persist));
  db.exec('PRAGMA foreign_keys = ON');
  addSyntheticUpdates(db, updates, { allApproved: true });
  db.exec('ANALYZE');
  const one = (sql: string) => Number((db.prepare(sql).get(TOWN) as { n: number }).n);
  const counts = {
    updates_in_town: one(`SELECT COUNT(*) AS n FROM task_updates WHERE town_id = ?`),
    approved_in_town: one(`SELECT COUNT(*) AS n FROM task_updates WHERE town_id = ? AND state = 'approved'`),
    indicator_values_in_town: one(`SELECT COUNT(*) AS n FROM indicator_values WHERE town_id = ?`),
  };
  console.log(`  ${TOWN}: ${counts.updates_in_town.toLocaleString('en')} updates, ${counts.approved_in_town.toLocaleString('en')} approved, ${counts.indicator_values_in_town.toLocaleString('en')} indicator values`);
  // Statements with ?2 (the number of newest approved updates) run as the pages bind them
  // (PAGE_UPDATES = 50 in site/lib/town-data.ts) and as the open-data files do (-1: all).
  const runs: { what: string; sql: string; params: (string | number)[] }[] = (Object.keys(PUBLIC_SQL) as (keyof typeof PUBLIC_SQL)[]).flatMap((k) =>
    PUBLIC_SQL[k].includes('?2')
      ? [
          { what: `readPublicTown: ${k} (pages: newest 50)`, sql: PUBLIC_SQL[k], params: [TOWN, 50] },
          { what: `readPublicTown: ${k} (open data: all)`, sql: PUBLIC_SQL[k], params: [TOWN, -1] },
        ]
      : [{ what: `readPublicTown: ${k}`, sql: PUBLIC_SQL[k], params: [TOWN] }],
  );
  const sql = runs.map(({ what, sql: text, params }) => {
    const st = db.prepare(text);
    const rows = st.all(...params).length;
    const t: number[] = [];
    for (let i = 0; i < 12; i++) {
      const s = performance.now();
      st.all(...params);
      t.push(performance.now() - s);
    }
    t.sort((a, b) => a - b);
    return { what, runs: t.length, median_ms: round(t[t.length >> 1]!), max_ms: round(t[t.length - 1]!), rows };
  });
  // Tasks the bench reporter (unit weijiban) may report on, with their current versions.
  const tasks = db
    .prepare(
      `SELECT t.id, t.version FROM tasks t WHERE t.town_id = ? AND t.kind <> 'rectification'
          AND EXISTS (SELECT 1 FROM task_units tu WHERE tu.town_id = t.town_id AND tu.task_id = t.id AND tu.unit_id = 'weijiban') ORDER BY t.ordinal`,
    )
    .all(TOWN) as { id: string; version: number }[];
  const indicators = (db.prepare(`SELECT indicator_id FROM town_indicators WHERE town_id = ? ORDER BY ordinal`).all(TOWN) as { indicator_id: string }[]).map((r) => r.indicator_id);
  db.close();

  // Towns are content: the site is built with the synthetic town (its plan and pages), as a deploy would be.
  console.log('  astro build of the synthetic town into bench/data/pages/dist');
  const out = resolve(dir, 'dist');
  astroBuild(resolve(dir, 'synthetic/content'), out);
  const dev = await startDev(opts.port, resolve(dir, 'wrangler-dev.log'), persist, resolve(out, 'server/wrangler.json'));
  const base = `http://127.0.0.1:${opts.port}`;
  const PROGRESS = `/towns/${TOWN}/progress/`;
  const PLAN = `/towns/${TOWN}/plan/`;
  const FAVICON = '/favicon.svg';
  try {
    const get = async (path: string) => {
      const t0 = performance.now();
      const r = await fetch(base + path);
      const body = await r.text();
      const ms = performance.now() - t0;
      if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${body.slice(0, 200)}`);
      return { ms, body, hit: r.headers.get('cf-cache-status') === 'HIT' };
    };
    const first = await get(PROGRESS);
    const progress_html = { raw: Buffer.byteLength(first.body), gzip: gzipSync(first.body).length };
    await get(PLAN);
    await get(FAVICON);

    // ---- cached, under load
    const routes = [
      { route: `GET ${FAVICON} (Static Assets, no Worker)`, path: FAVICON },
      { route: `GET ${PLAN} (prerendered page through the Worker: baseline)`, path: PLAN },
      { route: `GET ${PROGRESS} (on demand, from the page cache)`, path: PROGRESS },
    ];
    const acc = routes.map(() => ({ lat: [] as number[], seconds: 0, non2xx: 0, errors: 0 }));
    let notHit = 0;
    for (let r = 0; r < ROUNDS; r++)
      for (const [i, route] of routes.entries()) {
        // The copy lives PAGE_TTL (60 s): fill it right before its round, and check it is still a hit after.
        if (route.path === PROGRESS) await get(PROGRESS);
        const a = acc[i]!;
        // A large page can take seconds to send: a generous timeout, so slow answers count as latency, not errors.
        const res = await cannon({ url: base + route.path, connections: opts.connections, duration: opts.seconds / ROUNDS, timeout: 120 }, a.lat);
        a.seconds += res.duration;
        a.non2xx += res.non2xx;
        a.errors += res.errors + res.timeouts;
        if (route.path === PROGRESS && !(await get(PROGRESS)).hit) notHit++;
      }
    if (notHit) console.error(`  warning: the progress page was not a cache hit after ${notHit} round(s)`);
    const load: LoadFigure[] = routes.map((r, i) => {
      const a = acc[i]!;
      return { route: r.route, p50_ms: percentile(a.lat, 0.5), p99_ms: percentile(a.lat, 0.99), rps: round(a.lat.length / a.seconds, 1), requests: a.lat.length, non2xx: a.non2xx, errors: a.errors };
    });
    const plan = load[1]!;
    for (const f of load) f.ratio = { p50: round(f.p50_ms / plan.p50_ms), p99: round(f.p99_ms / plan.p99_ms), rps: round(f.rps / plan.rps, 3) };
    for (const f of load) console.log(`    ${f.route.padEnd(72)} p50 ${String(f.p50_ms).padStart(7)} ms  p99 ${String(f.p99_ms).padStart(7)} ms  ${String(f.rps).padStart(7)} req/s`);

    // ---- the first request after a write
    const reporter = await login(base, 'bench-reporter');
    const office = await login(base, 'bench-office');
    const stamp = Date.now().toString(36);
    const lat = { miss: [] as number[], hit: [] as number[], plan: [] as number[], favicon: [] as number[] };
    const bad: Record<string, number> = {};
    let misses = 0;
    let fresh = 0;
    let hits = 0;
    let n = 0;
    const loopEnd = performance.now() + opts.loopSeconds * 1000;
    let iterations = 0;
    for (let i = 0; i < opts.iterations && performance.now() < loopEnd; i++) {
      iterations++;
      const t = tasks[i % tasks.length]!;
      const marker = `【合成数据】基准测试第${stamp}-${i}次审核`;
      const s = await fetch(`${base}/api/v1/tasks/${TOWN}:${t.id}/updates`, {
        method: 'POST',
        headers: { authorization: `Bearer ${reporter}`, 'content-type': 'application/json', 'idempotency-key': `pages-${stamp}-${n++}`, 'if-match': `"${t.version}"` },
        body: JSON.stringify({ status: 'in_progress', percent: 50, narrative: marker, measurements: [], evidence: [] }),
      });
      if (s.status !== 201) {
        bad[`submit ${s.status}`] = (bad[`submit ${s.status}`] ?? 0) + 1;
        await s.text();
        continue;
      }
      const id = ((await s.json()) as { id: string }).id;
      const a = await fetch(`${base}/api/v1/updates/${id}/approve`, {
        method: 'POST',
        headers: { authorization: `Bearer ${office}`, 'idempotency-key': `pages-${stamp}-${n++}`, 'if-match': `"${t.version}"` },
      });
      await a.text();
      if (a.status !== 200) {
        bad[`approve ${a.status}`] = (bad[`approve ${a.status}`] ?? 0) + 1;
        continue;
      }
      t.version++;
      const miss = await get(PROGRESS);
      lat.miss.push(miss.ms);
      if (!miss.hit) misses++;
      if (miss.body.includes(marker)) fresh++;
      const hit = await get(PROGRESS);
      lat.hit.push(hit.ms);
      if (hit.hit) hits++;
      lat.plan.push((await get(PLAN)).ms);
      lat.favicon.push((await get(FAVICON)).ms);
    }
    if (Object.keys(bad).length) console.error(`  write errors: ${JSON.stringify(bad)}`);
    const series = (what: string, path: string, l: number[]): Series => ({ what, path, requests: l.length, p50_ms: percentile(l, 0.5), p99_ms: percentile(l, 0.99), max_ms: round(Math.max(...l)) });
    const after: Series[] = [
      series('progress, first request after the approval (rendered from D1)', PROGRESS, lat.miss),
      series('progress, the request after that (from the page cache)', PROGRESS, lat.hit),
      series('plan page (prerendered, through the Worker)', PLAN, lat.plan),
      series('favicon (Static Assets)', FAVICON, lat.favicon),
    ];
    for (const s of after) console.log(`    ${s.what.padEnd(72)} p50 ${String(s.p50_ms).padStart(7)} ms  p99 ${String(s.p99_ms).padStart(7)} ms  (${s.requests})`);
    console.log(`    misses ${misses}/${lat.miss.length}, with the new approval ${fresh}/${lat.miss.length}, hits after ${hits}/${lat.hit.length}`);

    // ---- weights of the town's on-demand pages at this many updates
    const weights = await liveWeights(base, townPublicPaths(TOWN, indicators).filter((p) => p.endsWith('/') && p !== '/' && p !== '/en/'));

    const byRoute = (s: string) => load.find((f) => f.route.includes(s))!;
    return {
      town: TOWN,
      ...counts,
      progress_html,
      load: { connections: opts.connections, seconds: opts.seconds, rounds: ROUNDS, routes: load },
      after_write: { iterations, planned: opts.iterations, seconds_cap: opts.loopSeconds, misses_seen: misses, fresh_seen: fresh, hits_seen: hits, series: after, write_errors: bad },
      ratios: {
        cached_p99_vs_plan: round(byRoute('page cache').p99_ms / byRoute('baseline').p99_ms),
        cached_p99_vs_favicon: round(byRoute('page cache').p99_ms / byRoute('no Worker').p99_ms),
        uncached_p99_vs_plan: round(after[0]!.p99_ms / after[2]!.p99_ms),
        uncached_p99_vs_favicon: round(after[0]!.p99_ms / after[3]!.p99_ms),
        cached_in_loop_p99_vs_plan: round(after[1]!.p99_ms / after[2]!.p99_ms),
      },
      sql,
      weights,
    };
  } finally {
    await stopDev(dev);
  }
}
