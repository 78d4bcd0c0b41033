/**
 * Search across every town (issue 23, item 4): `npm run bench -- --only search [--towns N]`.
 *
 * A local D1 with N synthetic towns (default 1,000; copies of Fengmao's plan, loaded with the
 * content loader's own statements, search entries included) served by the normal build
 * (dist/server; towns are rows, nothing of theirs is in the bundle) under `wrangler dev`. Measured
 * side by side in one run, interleaved rounds of autocannon (8 connections) on the same server:
 *
 * - baselines: /favicon.svg (Static Assets, no Worker) and the prerendered plan page of Fengmao
 *   through the Worker (the static asset the budget compares with, as bench/pages.ts does);
 * - GET /api/v1/search for a one-, two-, three- and eight-character query, a query in one town, and
 *   the page /search/?q=签约 (rendered on demand, never cached).
 *
 * Then the statements themselves with node:sqlite on the database file (count + page), and the
 * index's size. Budget: search p99 ≤ 3× the static asset's p99.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { cannon, percentile, prepareDatabase, round, sqliteFile, startDev, stopDev } from './api.ts';
import { DATA, ROOT, syntheticTownId } from './synthetic.ts';
import { matchExpression, queryRuns, SEARCH_COUNT_CAP, SEARCH_PAGE } from '../worker/domain/search.ts';

export interface SearchRoute {
  route: string;
  path: string;
  p50_ms: number;
  p99_ms: number;
  rps: number;
  requests: number;
  non2xx: number;
  errors: number;
  /** Matches as the API reports them (total, capped at SEARCH_COUNT_CAP). */
  total?: number;
  p99_vs_static?: number;
  p50_vs_static?: number;
}

export interface SearchFigures {
  date: string;
  commit: string;
  towns: number;
  entries: number;
  index_bytes: number;
  database_bytes: number;
  load_average: { start: number[]; end: number[] };
  load: { connections: number; seconds: number; rounds: number };
  routes: SearchRoute[];
  /** count: the capped count; bm25_page: a page ranked over every match; page: the page searchAll reads (bm25 only up to the cap). */
  sql: { query: string; count_ms: number; bm25_page_ms?: number; page_ms: number; total: number }[];
  worst_p99_vs_static: number;
}

const QUERIES: { what: string; q: string; town?: string }[] = [
  { what: 'one character', q: '镇' },
  { what: 'two characters', q: '签约' },
  { what: 'three characters', q: '示范镇' },
  { what: 'eight characters', q: '家庭医生签约服务' },
  { what: 'two words, one town', q: '医养 签约', town: syntheticTownId(500) },
];

const la = () => os.loadavg().map((x) => round(x, 2));

/** The whole part. */
export async function runSearch(opts: { towns: number; port: number; seconds: number; connections: number; rounds?: number }): Promise<SearchFigures> {
  const rounds = opts.rounds ?? 3;
  const start = la();
  const dir = resolve(DATA, 'search');
  if (!existsSync(resolve(ROOT, 'dist/server/wrangler.json'))) throw new Error('run npm run build first');
  console.log(`  ${opts.towns.toLocaleString('en')} synthetic towns into ${dir} (content loader statements, search entries included)`);
  const persist = await prepareDatabase(dir, opts.towns);
  const file = sqliteFile(persist);
  const db = new DatabaseSync(file);
  const entries = Number((db.prepare(`SELECT COUNT(*) AS n FROM search_docs`).get() as { n: number }).n);
  const dbstat = (name: string) => {
    try {
      return Number((db.prepare(`SELECT SUM(pgsize) AS n FROM dbstat WHERE name LIKE ?`).get(name) as { n: number | null }).n ?? 0);
    } catch {
      return 0;
    }
  };
  const index_bytes = dbstat('search_%');
  const database_bytes = Number((db.prepare(`SELECT page_count * page_size AS n FROM pragma_page_count(), pragma_page_size()`).get() as { n: number }).n);
  // The statements alone (what searchAll runs), median of 9.
  const sql = QUERIES.map(({ q, town }) => {
    const match = matchExpression(queryRuns(q), town);
    const count = db.prepare(`SELECT COUNT(*) AS n FROM (SELECT rowid FROM search_grams WHERE search_grams MATCH ?1 LIMIT ?2)`);
    const page = db.prepare(
      `SELECT d.town_id, d.kind, d.ref FROM (SELECT rowid AS id, bm25(search_grams, 0.0, 2.0, 1.0) AS score FROM search_grams WHERE search_grams MATCH ?1 ORDER BY score, rowid LIMIT ?2 OFFSET 0) m
         JOIN search_docs d ON d.id = m.id ORDER BY m.score, m.id`,
    );
    const time = (f: () => unknown) => {
      const t: number[] = [];
      for (let i = 0; i < 9; i++) {
        const s = performance.now();
        f();
        t.push(performance.now() - s);
      }
      return round(t.sort((a, b) => a - b)[4]!);
    };
    const unranked = db.prepare(
      `SELECT d.town_id, d.kind, d.ref FROM (SELECT rowid AS id FROM search_grams WHERE search_grams MATCH ?1 ORDER BY rowid LIMIT ?2 OFFSET 0) m JOIN search_docs d ON d.id = m.id ORDER BY m.id`,
    );
    const total = Number((count.get(match, SEARCH_COUNT_CAP + 1) as { n: number }).n);
    // searchAll ranks only up to SEARCH_COUNT_CAP matches; the bm25 page of a commoner word is timed to show why.
    const served = total <= SEARCH_COUNT_CAP ? page : unranked;
    return {
      query: town ? `${q} (town ${town})` : q,
      count_ms: time(() => count.get(match, SEARCH_COUNT_CAP + 1)),
      bm25_page_ms: time(() => page.all(match, SEARCH_PAGE)),
      page_ms: time(() => served.all(match, SEARCH_PAGE)),
      total,
    };
  });
  db.close();
  for (const s of sql) console.log(`    SQL ${s.query.padEnd(40)} count ${s.count_ms} ms, page ${s.page_ms} ms (bm25 over every match ${s.bm25_page_ms} ms), ${s.total} matches`);

  const dev = await startDev(opts.port, resolve(dir, 'wrangler-dev.log'), persist);
  const base = `http://127.0.0.1:${opts.port}`;
  const api = (q: string, town?: string) => `/api/v1/search?q=${encodeURIComponent(q)}${town ? `&town=${town}` : ''}`;
  const routes: Omit<SearchRoute, 'p50_ms' | 'p99_ms' | 'rps' | 'requests' | 'non2xx' | 'errors'>[] = [
    { route: 'GET /favicon.svg (Static Assets, no Worker)', path: '/favicon.svg' },
    { route: 'GET /towns/fengmao/plan/ (prerendered page through the Worker: the static baseline)', path: '/towns/fengmao/plan/' },
    ...QUERIES.map((x) => ({ route: `GET /api/v1/search: ${x.what} (${x.q}${x.town ? `, town=${x.town}` : ''})`, path: api(x.q, x.town) })),
    { route: 'GET /search/?q=签约 (the page, on demand)', path: `/search/?q=${encodeURIComponent('签约')}` },
  ];
  try {
    for (const r of routes) {
      const res = await fetch(base + r.path);
      const body = await res.text();
      if (res.status !== 200) throw new Error(`GET ${r.path}: ${res.status} ${body.slice(0, 200)}`);
      if (r.path.startsWith('/api/v1/search')) r.total = (JSON.parse(body) as { total: number }).total;
    }
    const acc = routes.map(() => ({ lat: [] as number[], seconds: 0, non2xx: 0, errors: 0 }));
    for (let round_ = 0; round_ < rounds; round_++)
      for (const [i, r] of routes.entries()) {
        const a = acc[i]!;
        const res = await cannon({ url: base + r.path, connections: opts.connections, duration: opts.seconds / rounds, timeout: 60 }, a.lat);
        a.seconds += res.duration;
        a.non2xx += res.non2xx;
        a.errors += res.errors + res.timeouts;
      }
    const out: SearchRoute[] = routes.map((r, i) => {
      const a = acc[i]!;
      return { ...r, p50_ms: percentile(a.lat, 0.5), p99_ms: percentile(a.lat, 0.99), rps: round(a.lat.length / a.seconds, 1), requests: a.lat.length, non2xx: a.non2xx, errors: a.errors };
    });
    const baseline = out[1]!;
    for (const r of out) {
      r.p50_vs_static = round(r.p50_ms / baseline.p50_ms);
      r.p99_vs_static = round(r.p99_ms / baseline.p99_ms);
      console.log(`    ${r.route.padEnd(88)} p50 ${String(r.p50_ms).padStart(7)} ms  p99 ${String(r.p99_ms).padStart(7)} ms  ×${r.p99_vs_static} (p99)`);
    }
    const searches = out.slice(2);
    return {
      date: new Date().toISOString(),
      commit: git(),
      towns: opts.towns,
      entries,
      index_bytes,
      database_bytes,
      load_average: { start, end: la() },
      load: { connections: opts.connections, seconds: opts.seconds, rounds },
      routes: out,
      sql,
      worst_p99_vs_static: Math.max(...searches.map((r) => r.p99_vs_static!)),
    };
  } finally {
    await stopDev(dev);
  }
}

function git(): string {
  return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
}

/** The section of bench/results.md. */
export function searchMarkdown(f: SearchFigures): string {
  const mb = (b: number) => (b / 2 ** 20).toFixed(1);
  const md = [
    '<!-- search:start -->',
    '## Search across every town (issue 23, item 4)',
    '',
    `Measured ${f.date.slice(0, 16).replace('T', ' ')} UTC, commit \`${f.commit.slice(0, 10)}\`, load average ${f.load_average.start.join(', ')} → ${f.load_average.end.join(', ')} ` +
      `(2 cores shared with other work). ${f.towns.toLocaleString('en')} synthetic towns (copies of 冯卯镇's plan), ${f.entries.toLocaleString('en')} search entries; ` +
      `search tables ${mb(f.index_bytes)} MiB of a ${mb(f.database_bytes)} MiB database. \`wrangler dev\` of the normal build; autocannon, ${f.load.connections} connections, ` +
      `${f.load.seconds} s per route in ${f.load.rounds} interleaved rounds. Budget: search p99 ≤ 3× the static asset (the prerendered plan page through the Worker).`,
    '',
    '| route | matches | p50 ms | p99 ms | req/s | p50 × static | p99 × static |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...f.routes.map((r) => `| ${r.route} | ${r.total ?? ''} | ${r.p50_ms} | ${r.p99_ms} | ${r.rps} | ${r.p50_vs_static} | ${r.p99_vs_static} |`),
    '',
    `Worst search p99 = **${f.worst_p99_vs_static}×** the static asset: ${f.worst_p99_vs_static <= 3 ? '✅ within' : '❌ over'} the 3× budget.`,
    '',
    'The statements alone (node:sqlite on the same file, median of 9; `matches` counted up to 1,001). `page` is what searchAll reads: ranked by bm25 up to 1,000 matches, in index order beyond; `bm25 page` ranks every match, which is why it stops at the cap:',
    '',
    '| query | count ms | page of 20 ms | bm25 page ms | matches |',
    '| --- | --- | --- | --- | --- |',
    ...f.sql.map((s) => `| ${s.query} | ${s.count_ms} | ${s.page_ms} | ${s.bm25_page_ms ?? ''} | ${s.total} |`),
    '<!-- search:end -->',
  ];
  return md.join('\n');
}

/** Replaces the search section of results.md and the `search` key of results.json. */
export function writeSearchSection(dir: string, base: string, f: SearchFigures): void {
  const mdFile = resolve(dir, `${base}.md`);
  const section = searchMarkdown(f);
  const old = existsSync(mdFile) ? readFileSync(mdFile, 'utf8') : '# Benchmark results\n';
  const re = /<!-- search:start -->[\s\S]*?<!-- search:end -->/;
  writeFileSync(mdFile, re.test(old) ? old.replace(re, section) : `${old.trimEnd()}\n\n${section}\n`);
  const jsonFile = resolve(dir, `${base}.json`);
  const json = existsSync(jsonFile) ? JSON.parse(readFileSync(jsonFile, 'utf8')) : {};
  writeFileSync(jsonFile, JSON.stringify({ ...json, search: f }, null, 2) + '\n');
}
