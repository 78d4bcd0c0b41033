/**
 * Many towns, one deployment (issues 23 and 24): `npm run bench -- --only towns [--quick]`.
 * Each budget is a ratio measured side by side in one run; the load average is printed at the
 * start of each step and kept with its figures.
 *
 * 1. Builds: `astro build` with CONTENT_DIR at 1 and at 1,000 synthetic towns (the build should
 *    ignore it), timed; `wrangler deploy --dry-run --outdir` of each (upload and gzip sizes);
 *    every file of dist/server compared (names with their content hash removed); the synthetic
 *    names searched for in dist/server.
 * 2. Databases: one synthetic town, and 1,000 synthetic towns in 10 synthetic counties of 100
 *    (one synthetic city) with 200,000 approved updates: 100,000 in synthetic-0001 (the progress
 *    page's town) and 100,000 round-robin over every synthetic town.
 * 3. `wrangler dev` start → first 200 of GET /api/v1/ping (polled every 50 ms), and the first
 *    GET / after it, over each database, alternating (median of the rounds).
 * 4. Over the 1,000-town database (summaries made current first, as the nightly job leaves them:
 *    GET /?page=k over every page until no town's kept summary is missing, stale or behind):
 *    - cached: /, the region page of a 100-town county and the progress page of synthetic-0001
 *      from the Worker's page cache, under autocannon, interleaved with two static baselines of
 *      the same server: /favicon.svg (Static Assets, no Worker) and /console/ (a prerendered page
 *      through the Worker: run_worker_first, then env.ASSETS);
 *    - uncached: one request at a time, the same paths with `?page=1` (a URL with a query is
 *      never cached: worker/site.ts), interleaved with the two baselines;
 *    - CPU time of one uncached render: a CPU profile of the Worker's isolate taken through
 *      wrangler dev's inspector (Chrome DevTools protocol, Profiler domain) around N uncached
 *      requests of one page; CPU = the sampled time not spent idle, divided by N. D1 runs in
 *      another isolate (miniflare's D1 object), so this is the Worker's own CPU, as Cloudflare
 *      counts it (time waiting on I/O excluded);
 *    - the region page's size (raw, gzip) and its scripts.
 * 5. EXPLAIN QUERY PLAN and median time (node:sqlite on the D1 file) of the home list's
 *    statement, REGION_SQL and PUBLIC_SQL.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import { join, relative, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { gzipSync } from 'node:zlib';
import { PUBLIC_SQL } from '../worker/db/public.ts';
import { REGION_SQL } from '../worker/db/regions.ts';
import { SUMMARY_COLUMNS, SUMMARY_FROM, townListSql } from '../worker/db/summaries.ts';
import { wranglerEnv } from '../worker/cli/wrangler.ts';
import { cstDate } from '../worker/domain/supervision.ts';
import { cannon, percentile, prepareDatabase, round, sqliteFile, stopDev } from './api.ts';
import { astroBuild } from './site.ts';
import { DATA, ROOT, SYNTHETIC_MARK, addSyntheticUpdates, syntheticCountyId, syntheticTownId, writeSyntheticContent } from './synthetic.ts';

export interface TownsOptions {
  towns: number;
  countySize: number;
  /** Approved updates in synthetic-0001, then as many again over every town. */
  updates: number;
  port: number;
  inspectorPort: number;
  startRounds: number;
  buildRounds: number;
  seconds: number;
  connections: number;
  iterations: number;
  cpuRenders: number;
}

const la = () => os.loadavg().map((x) => round(x));
const step = (what: string) => {
  const l = la();
  console.log(`  [load ${l.join(' ')}] ${what}`);
  return l;
};

export interface BuildSize {
  towns: number;
  build_seconds: number;
  upload_kib: number | null;
  gzip_kib: number | null;
  server_files: number;
  server_bytes: number;
  files_with_synthetic_names: string[];
}

/** Files of dist/server by name with its content hash removed (Vite's `_<8 chars>` before the extension). */
function serverFiles(dir: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else {
        const key = relative(dir, p).replace(/[._-][A-Za-z0-9_-]{8}(\.[a-z]+(\.map)?)$/, '$1');
        out.set(key, [...(out.get(key) ?? []), statSync(p).size].sort((a, b) => a - b));
      }
    }
  };
  walk(dir);
  return out;
}

function grepFiles(dir: string, needle: string): string[] {
  const hits: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (readFileSync(p).includes(needle)) hits.push(relative(dir, p));
    }
  };
  walk(dir);
  return hits;
}

function buildAndSize(n: number, countySize: number, round_ = 1): BuildSize & { files: Map<string, number[]> } {
  const dir = resolve(DATA, `towns-build-${n}`);
  const { contentDir } = writeSyntheticContent(join(dir, 'synthetic'), n, { countySize });
  const out = join(dir, 'dist');
  step(`astro build with CONTENT_DIR = ${n} synthetic town(s), round ${round_}`);
  const build_seconds = round(astroBuild(contentDir, out), 1);
  const dry = spawnSync(resolve(ROOT, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', join(dir, 'dry-run'), '--config', join(out, 'server/wrangler.json')], {
    cwd: ROOT,
    env: wranglerEnv(),
    encoding: 'utf8',
  });
  const m = /Total Upload:\s*([\d.]+)\s*KiB\s*\/\s*gzip:\s*([\d.]+)\s*KiB/.exec(dry.stdout + dry.stderr);
  if (!m) console.error(`  wrangler deploy --dry-run printed no sizes:\n${(dry.stdout + dry.stderr).slice(-2000)}`);
  const files = serverFiles(join(out, 'server'));
  const all = [...files.values()].flat();
  const fig = {
    towns: n,
    build_seconds,
    upload_kib: m ? Number(m[1]) : null,
    gzip_kib: m ? Number(m[2]) : null,
    server_files: all.length,
    server_bytes: all.reduce((a, b) => a + b, 0),
    // the last synthetic town's name and id
    files_with_synthetic_names: [...new Set([...grepFiles(join(out, 'server'), `合成镇${String(n).padStart(4, '0')}`), ...grepFiles(join(out, 'server'), syntheticTownId(n))])],
    files,
  };
  console.log(`    ${build_seconds} s; upload ${fig.upload_kib} KiB / gzip ${fig.gzip_kib} KiB; dist/server ${fig.server_files} files, ${fig.server_bytes} B; synthetic names in ${fig.files_with_synthetic_names.length} file(s)`);
  return fig;
}

/** Per file of dist/server (hash removed): the larger size over the smaller, and files only in one build. */
function compareFiles(a: Map<string, number[]>, b: Map<string, number[]>) {
  let worst = { file: '', ratio: 1 };
  const onlyOne: string[] = [];
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(k);
    const y = b.get(k);
    if (!x || !y || x.length !== y.length) {
      onlyOne.push(k);
      continue;
    }
    x.forEach((s, i) => {
      const t = y[i]!;
      const r = Math.max(s, t) / Math.max(1, Math.min(s, t));
      if (r > worst.ratio) worst = { file: k, ratio: round(r, 5) };
    });
  }
  return { largest_growth: worst, unmatched: onlyOne };
}

/** `wrangler dev` on `port` over `persist`, with an inspector; resolves once /api/v1/ping answers, with the seconds it took. */
async function startTimed(port: number, persist: string, config: string, logFile: string, inspectorPort: number): Promise<{ child: ChildProcess; seconds: number }> {
  const out = openSync(logFile, 'a');
  const t0 = performance.now();
  const child = spawn(
    resolve(ROOT, 'node_modules/.bin/wrangler'),
    ['dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspectorPort), '--local', '--persist-to', persist, '--config', config, '--show-interactive-dev-session=false', '--log-level', 'warn'],
    { cwd: ROOT, env: wranglerEnv(), stdio: ['ignore', out, out], detached: true },
  );
  closeSync(out);
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early (${child.exitCode}); see ${logFile}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/api/v1/ping`);
      await r.arrayBuffer();
      if (r.ok) return { child, seconds: (performance.now() - t0) / 1000 };
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await stopDev(child);
  throw new Error(`wrangler dev did not answer within 180 s; see ${logFile}`);
}

async function timedGet(url: string): Promise<{ ms: number; body: string; status: number; cache: string | null }> {
  const t0 = performance.now();
  const r = await fetch(url);
  const body = await r.text();
  return { ms: performance.now() - t0, body, status: r.status, cache: r.headers.get('cf-cache-status') };
}

/** Towns of the list whose kept summary a render would recompute (missing, stale, behind or of another day). */
function summariesNotCurrent(file: string): number {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const today = cstDate(new Date().toISOString());
    const r = db
      .prepare(`SELECT COUNT(*) AS n FROM (SELECT ${SUMMARY_COLUMNS} FROM ${SUMMARY_FROM} WHERE t.document_json IS NOT NULL) WHERE summary_json IS NULL OR stale OR as_of IS NOT ?1 OR behind`)
      .get(today) as { n: number };
    return Number(r.n);
  } finally {
    db.close();
  }
}

/** CPU seconds (user + system) so far of the workerd processes in process group `pgid` (/proc; 100 ticks a second). */
function workerdCpuMs(pgid: number): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((f) => /^\d+$/.test(f))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const f = stat.slice(close + 2).split(' ');
      // fields after the name: state ppid pgrp session … utime(12) stime(13)
      if (comm === 'workerd' && Number(f[2]) === pgid) ticks += Number(f[11]) + Number(f[12]);
    } catch {
      /* gone */
    }
  }
  return ticks * 10;
}

/** CPU of every workerd process of wrangler dev (the Worker, D1, assets, the dev proxy) per request of `url`, over `n` requests. */
export async function processCpuPer(pgid: number, url: string, n: number): Promise<{ path: string; process_cpu_ms_per_request: number; requests: number }> {
  await timedGet(url);
  const c0 = workerdCpuMs(pgid);
  for (let i = 0; i < n; i++) {
    const r = await timedGet(url);
    if (r.status !== 200) throw new Error(`GET ${url}: ${r.status}`);
  }
  return { path: new URL(url).pathname + new URL(url).search, process_cpu_ms_per_request: round((workerdCpuMs(pgid) - c0) / n), requests: n };
}

/** CPU of the Worker's isolate per request of `url`, from a sampled profile taken over `n` requests. */
export async function cpuPerRender(inspectorPort: number, url: string, n: number): Promise<{ cpu_ms_per_request: number; wall_ms_per_request: number; samples: number; requests: number }> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as { webSocketDebuggerUrl: string; title?: string }[];
  const target = targets.find((t) => !/D1|miniflare|assets|router/i.test(t.title ?? '')) ?? targets[0]!;
  // wrangler's inspector proxy wants an Origin header (undici's WebSocket takes `headers`).
  // Node 22's WebSocket (the project's types are the Workers' WebSocket, which has no on* handlers).
  interface NodeWs { onopen: (() => void) | null; onerror: ((e: unknown) => void) | null; onmessage: ((e: { data: unknown }) => void) | null; send(d: string): void; close(): void }
  const ws = new (globalThis as unknown as { WebSocket: new (url: string, init: object) => NodeWs }).WebSocket(target.webSocketDebuggerUrl, { headers: { Origin: `http://127.0.0.1:${inspectorPort}` } });
  await new Promise<void>((res, rej) => ((ws.onopen = () => res()), (ws.onerror = rej)));
  let id = 0;
  const waiting = new Map<number, (v: unknown) => void>();
  ws.onmessage = (e) => {
    const m = JSON.parse(String(e.data)) as { id?: number; result?: unknown; error?: unknown };
    if (m.id !== undefined && waiting.has(m.id)) {
      waiting.get(m.id)!(m.error ? Promise.reject(new Error(JSON.stringify(m.error))) : m.result);
      waiting.delete(m.id);
    }
  };
  const send = (method: string, params: object = {}) =>
    new Promise<unknown>((res) => {
      const i = ++id;
      waiting.set(i, res);
      ws.send(JSON.stringify({ id: i, method, params }));
    });
  try {
    await send('Profiler.enable');
    await send('Profiler.setSamplingInterval', { interval: 500 });
    await timedGet(url); // compiled and warm before the profile
    await send('Profiler.start');
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const r = await timedGet(url);
      if (r.status !== 200 || r.cache === 'HIT') throw new Error(`GET ${url}: ${r.status} ${r.cache}`);
    }
    const wall = performance.now() - t0;
    const { profile } = (await send('Profiler.stop')) as { profile: { nodes: { id: number; callFrame: { functionName: string } }[]; samples: number[]; timeDeltas: number[] } };
    const idle = new Set(profile.nodes.filter((x) => ['(idle)', '(program)'].includes(x.callFrame.functionName)).map((x) => x.id));
    let busyUs = 0;
    // timeDeltas[i] is the time before sample i: attribute it to sample i.
    profile.samples.forEach((s, i) => {
      if (!idle.has(s)) busyUs += profile.timeDeltas[i] ?? 0;
    });
    return { cpu_ms_per_request: round(busyUs / 1000 / n), wall_ms_per_request: round(wall / n), samples: profile.samples.length, requests: n };
  } finally {
    ws.close();
  }
}

/** EXPLAIN QUERY PLAN and median time of a statement on the D1 file. */
function inspect(db: DatabaseSync, what: string, sql: string, params: (string | number)[]) {
  const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
  const st = db.prepare(sql);
  const rows = st.all(...params).length;
  const t: number[] = [];
  for (let i = 0; i < 9; i++) {
    const s = performance.now();
    st.all(...params);
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return { what, rows, median_ms: round(t[t.length >> 1]!), plan };
}

export async function runTowns(o: TownsOptions) {
  const load_average_at_start = step(`many towns: ${o.towns} towns, counties of ${o.countySize}, ${o.updates.toLocaleString('en')} + ${o.updates.toLocaleString('en')} approved updates`);
  // ---- 1. builds
  // alternating rounds (1, many, 1, many …): each figure is the round with the median build time (of two: the faster)
  const r1: ReturnType<typeof buildAndSize>[] = [];
  const rN: ReturnType<typeof buildAndSize>[] = [];
  for (let r = 1; r <= o.buildRounds; r++) (r1.push(buildAndSize(1, o.countySize, r)), rN.push(buildAndSize(o.towns, o.countySize, r)));
  const median = (xs: ReturnType<typeof buildAndSize>[]) => [...xs].sort((a, b) => a.build_seconds - b.build_seconds)[(xs.length - 1) >> 1]!;
  const b1 = median(r1);
  const bN = median(rN);
  const files = compareFiles(b1.files, bN.files);
  const strip = ({ files: _f, ...rest }: typeof b1) => rest;
  const builds = { one: strip(b1), many: strip(bN), build_seconds_runs: { one: r1.map((b) => b.build_seconds), many: rN.map((b) => b.build_seconds) }, dist_server: files, load_average: la() };
  console.log(`    dist/server: largest growth ${files.largest_growth.file} ×${files.largest_growth.ratio}; unmatched ${files.unmatched.length}`);

  // ---- 2. databases
  const l2 = step('databases: 1 synthetic town; then many');
  const persist1 = await prepareDatabase(resolve(DATA, 'towns-db-1'), 1, { countySize: o.countySize });
  const t0 = performance.now();
  const persistN = await prepareDatabase(resolve(DATA, 'towns-db-n'), o.towns, { countySize: o.countySize });
  const load_seconds = round((performance.now() - t0) / 1000, 1);
  const town = syntheticTownId(1);
  const region = syntheticCountyId(1);
  const fileN = sqliteFile(persistN);
  const sqlite = new DatabaseSync(fileN);
  sqlite.exec('PRAGMA foreign_keys = ON');
  addSyntheticUpdates(sqlite, o.updates, { allApproved: true, town });
  addSyntheticUpdates(sqlite, 2 * o.updates, { allApproved: true });
  sqlite.exec('ANALYZE');
  const count = (sql: string, ...p: string[]) => Number((sqlite.prepare(sql).get(...p) as { n: number }).n);
  const data = {
    towns: count(`SELECT COUNT(*) AS n FROM towns WHERE document_json IS NOT NULL`),
    towns_in_region: count(`SELECT COUNT(*) AS n FROM towns WHERE county_region_id = ?`, region),
    approved_updates: count(`SELECT COUNT(*) AS n FROM task_updates WHERE state = 'approved'`),
    approved_in_town: count(`SELECT COUNT(*) AS n FROM task_updates WHERE state = 'approved' AND town_id = ?`, town),
    setup_seconds: load_seconds,
    load_average: l2,
  };
  sqlite.close();
  console.log(`    ${JSON.stringify(data)}`);

  // ---- 3. wrangler dev start → first answer
  const config = join(DATA, `towns-build-${o.towns}`, 'dist/server/wrangler.json');
  const log = resolve(DATA, 'towns-wrangler-dev.log');
  const starts: { towns: number; seconds: number; first_home_ms: number; load_average: number[] }[] = [];
  for (let r = 0; r < o.startRounds; r++)
    for (const [n, persist] of [[1, persist1], [o.towns, persistN]] as const) {
      const l = step(`wrangler dev start over ${n} town(s), round ${r + 1}`);
      const { child, seconds } = await startTimed(o.port, persist, config, log, o.inspectorPort);
      try {
        const home = await timedGet(`http://127.0.0.1:${o.port}/?page=1`);
        starts.push({ towns: n, seconds: round(seconds), first_home_ms: round(home.ms), load_average: l });
        console.log(`    ${round(seconds)} s to the first answer; first GET /?page=1 ${round(home.ms)} ms`);
      } finally {
        await stopDev(child);
      }
    }
  const med = (xs: number[]) => percentile(xs, 0.5);
  const start = {
    runs: starts,
    median_one: med(starts.filter((s) => s.towns === 1).map((s) => s.seconds)),
    median_many: med(starts.filter((s) => s.towns === o.towns).map((s) => s.seconds)),
  };

  // ---- 4. pages over the many-town database
  step('pages over the many-town database');
  const { child } = await startTimed(o.port, persistN, config, log, o.inspectorPort);
  const base = `http://127.0.0.1:${o.port}`;
  const HOME = '/';
  const REGION = `/regions/${region}/`;
  const PROGRESS = `/towns/${town}/progress/`;
  const FAVICON = '/favicon.svg';
  const STATIC = '/console/';
  try {
    // summaries as the nightly job leaves them
    const pages = Math.ceil(data.towns / 50);
    let passes = 0;
    for (let due = summariesNotCurrent(fileN); due > 0; due = summariesNotCurrent(fileN)) {
      if (++passes > 60) throw new Error(`summaries still not current after ${passes} passes (${due} due)`);
      for (let p = 1; p <= pages; p++) await timedGet(`${base}/?page=${p}`);
      await timedGet(`${base}${REGION}?page=1`);
    }
    console.log(`    summaries current after ${passes} pass(es) over ${pages} pages of the home list`);
    const regionPage = await timedGet(base + REGION);
    const homePage = await timedGet(base + HOME);
    const scriptsIn = (html: string) => (html.match(/<script\b/gi) ?? []).length;
    const weights = {
      region: { path: REGION, raw: Buffer.byteLength(regionPage.body), gzip: gzipSync(regionPage.body).length, scripts: scriptsIn(regionPage.body), towns_listed: (regionPage.body.match(/合成镇\d{4}/g) ?? []).length > 0 ? new Set(regionPage.body.match(/合成镇\d{4}/g)).size : 0 },
      home: { path: HOME, raw: Buffer.byteLength(homePage.body), gzip: gzipSync(homePage.body).length, scripts: scriptsIn(homePage.body) },
    };
    console.log(`    region page ${weights.region.gzip} B gzip, ${weights.region.scripts} script(s), ${weights.region.towns_listed} towns named; home ${weights.home.gzip} B gzip`);

    // cached, under load
    const lc = step('cached pages under load (autocannon), interleaved with the static baselines');
    const routes = [
      { what: 'favicon (Static Assets, no Worker)', path: FAVICON },
      { what: 'console shell (prerendered, through the Worker)', path: STATIC },
      { what: 'home (page cache)', path: HOME },
      { what: `region of ${data.towns_in_region} towns (page cache)`, path: REGION },
      { what: 'progress of synthetic-0001 (page cache)', path: PROGRESS },
    ];
    const acc = routes.map(() => ({ lat: [] as number[], seconds: 0, non2xx: 0, errors: 0 }));
    const ROUNDS = 3;
    let notHit = 0;
    for (let r = 0; r < ROUNDS; r++)
      for (const [i, route] of routes.entries()) {
        const live = i >= 2;
        if (live) await timedGet(base + route.path); // filled right before its round (PAGE_TTL 60 s)
        const a = acc[i]!;
        const res = await cannon({ url: base + route.path, connections: o.connections, duration: o.seconds / ROUNDS, timeout: 120 }, a.lat);
        a.seconds += res.duration;
        a.non2xx += res.non2xx;
        a.errors += res.errors + res.timeouts;
        if (live && (await timedGet(base + route.path)).cache !== 'HIT') notHit++;
      }
    const cached = routes.map((r, i) => {
      const a = acc[i]!;
      return { what: r.what, path: r.path, p50_ms: percentile(a.lat, 0.5), p99_ms: percentile(a.lat, 0.99), rps: round(a.lat.length / a.seconds, 1), requests: a.lat.length, non2xx: a.non2xx, errors: a.errors };
    });
    for (const c of cached) console.log(`    ${c.what.padEnd(52)} p50 ${String(c.p50_ms).padStart(7)} ms  p99 ${String(c.p99_ms).padStart(7)} ms  ${c.rps} req/s`);

    // uncached, one request at a time
    const lu = step(`uncached renders (?page=1), ${o.iterations} each, interleaved with the baselines`);
    const seq: Record<string, number[]> = { [FAVICON]: [], [STATIC]: [], [HOME]: [], [REGION]: [], [PROGRESS]: [] };
    let cachedSeen = 0;
    for (let i = 0; i < o.iterations; i++)
      for (const path of [HOME, FAVICON, REGION, STATIC, PROGRESS]) {
        const live = path !== FAVICON && path !== STATIC;
        const r = await timedGet(base + path + (live ? '?page=1' : ''));
        if (r.status !== 200) throw new Error(`GET ${path}: ${r.status}`);
        if (live && r.cache === 'HIT') cachedSeen++;
        seq[path]!.push(r.ms);
      }
    const uncached = Object.entries(seq).map(([path, l]) => ({ path: path === FAVICON || path === STATIC ? path : `${path}?page=1`, p50_ms: percentile(l, 0.5), p99_ms: percentile(l, 0.99), max_ms: round(Math.max(...l)), requests: l.length }));
    for (const u of uncached) console.log(`    ${u.path.padEnd(52)} p50 ${String(u.p50_ms).padStart(7)} ms  p99 ${String(u.p99_ms).padStart(7)} ms  (${u.requests})`);

    // CPU per uncached render
    const lp = step(`CPU: workerd processes' CPU (/proc) and a CPU profile of the Worker isolate, ${o.cpuRenders} uncached renders of each page`);
    const cpu = [];
    const baselines = [];
    for (const path of [FAVICON, STATIC]) baselines.push(await processCpuPer(child.pid!, base + path, o.cpuRenders));
    for (const path of [HOME, PROGRESS, REGION]) {
      const proc = await processCpuPer(child.pid!, `${base}${path}?page=1`, o.cpuRenders);
      const c = await cpuPerRender(o.inspectorPort, `${base}${path}?page=1`, o.cpuRenders);
      cpu.push({ path: `${path}?page=1`, process_cpu_ms_per_request: proc.process_cpu_ms_per_request, ...c });
      console.log(`    ${path}: workerd processes ${proc.process_cpu_ms_per_request} ms CPU per request; profile ${c.cpu_ms_per_request} ms busy / ${c.wall_ms_per_request} ms wall per request (${c.samples} samples)`);
    }
    for (const b of baselines) console.log(`    ${b.path}: workerd processes ${b.process_cpu_ms_per_request} ms CPU per request`);
    const ratio = (a: number, b: number) => round(a / b);
    const c = (p: string) => cached.find((x) => x.path === p)!;
    const u = (p: string) => uncached.find((x) => x.path.startsWith(p) && (p !== HOME || x.path === '/?page=1'))!;
    const ratios = {
      home_uncached_p99_vs_console: ratio(u('/?page=1').p99_ms, u(STATIC).p99_ms),
      home_uncached_p99_vs_favicon: ratio(u('/?page=1').p99_ms, u(FAVICON).p99_ms),
      home_cached_p99_vs_console: ratio(c(HOME).p99_ms, c(STATIC).p99_ms),
      home_cached_p99_vs_favicon: ratio(c(HOME).p99_ms, c(FAVICON).p99_ms),
      progress_uncached_p50_vs_console: ratio(u(PROGRESS).p50_ms, u(STATIC).p50_ms),
      progress_uncached_p99_vs_console: ratio(u(PROGRESS).p99_ms, u(STATIC).p99_ms),
      progress_uncached_p50_vs_favicon: ratio(u(PROGRESS).p50_ms, u(FAVICON).p50_ms),
      progress_uncached_p99_vs_favicon: ratio(u(PROGRESS).p99_ms, u(FAVICON).p99_ms),
      region_uncached_p99_vs_console: ratio(u(REGION).p99_ms, u(STATIC).p99_ms),
      region_uncached_p99_vs_favicon: ratio(u(REGION).p99_ms, u(FAVICON).p99_ms),
      region_cached_p99_vs_console: ratio(c(REGION).p99_ms, c(STATIC).p99_ms),
      region_cached_p99_vs_favicon: ratio(c(REGION).p99_ms, c(FAVICON).p99_ms),
    };
    console.log(`    ${JSON.stringify(ratios)}`);

    // ---- 5. statements (after the server is stopped, below)
    return { load_average_at_start, builds, data, start, pages: { cached, cached_not_hit_after_round: notHit, uncached, uncached_seen_as_hit: cachedSeen, cpu, cpu_baselines: baselines, weights, ratios, load_average: { cached: lc, uncached: lu, cpu: lp, end: la() } }, fileN, region, town };
  } finally {
    await stopDev(child);
  }
}

/** Statements of the home list, the region page and the progress page on the D1 file, planned and timed. */
export function townsStatements(file: string, region: string, town: string) {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const out = [inspect(db, 'home list (readTownList: townListSql, page 1 of 50)', townListSql('t.document_json IS NOT NULL', 0), [50, 0])];
    for (const [k, sql] of Object.entries(REGION_SQL)) out.push(inspect(db, `REGION_SQL.${k}`, sql, [region]));
    for (const [k, sql] of Object.entries(PUBLIC_SQL)) out.push(inspect(db, `PUBLIC_SQL.${k}`, sql, sql.includes('?2') ? [town, 50] : [town]));
    return out;
  } finally {
    db.close();
  }
}

export { SYNTHETIC_MARK };

export type TownsFigures = Awaited<ReturnType<typeof runTowns>> extends infer F ? Omit<F & object, 'fileN' | 'region' | 'town'> & { statements: ReturnType<typeof townsStatements>; date: string; commit: string; quick: boolean } : never;

/** Every budget of the part: measured, limit, pass. */
export function townsBudgets(f: TownsFigures) {
  const b = (name: string, value: number | null, limit: number, unit = '×') => ({ name, value, limit, unit, pass: value === null ? null : value <= limit });
  const r = f.pages.ratios;
  const g = (x: number | null, y: number | null) => (x !== null && y !== null ? round(x / y, 3) : null);
  return [
    b('Worker upload gzip, 1,000 towns ÷ 1 town (wrangler deploy --dry-run)', g(f.builds.many.gzip_kib, f.builds.one.gzip_kib), 1.05),
    b('site build time, 1,000 towns ÷ 1 town (astro build, CONTENT_DIR)', g(f.builds.many.build_seconds, f.builds.one.build_seconds), 1.2),
    b('largest growth of one dist/server file, 1,000 ÷ 1 town', f.builds.dist_server.largest_growth.ratio, 1.05),
    b('dist/server files naming a synthetic town (1,000-town build)', f.builds.many.files_with_synthetic_names.length, 0, 'files'),
    b('wrangler dev start → first answer, 1,000 towns ÷ 1 town (median)', g(f.start.median_many, f.start.median_one), 1.2),
    b('home uncached p99 ÷ /console/ (prerendered, through the Worker)', r.home_uncached_p99_vs_console, 3),
    b('home uncached p99 ÷ /favicon.svg (Static Assets)', r.home_uncached_p99_vs_favicon, 3),
    b('home cached p99 ÷ /console/', r.home_cached_p99_vs_console, 1.5),
    b('home cached p99 ÷ /favicon.svg', r.home_cached_p99_vs_favicon, 1.5),
    b('progress uncached p50 ÷ /console/', r.progress_uncached_p50_vs_console, 3),
    b('progress uncached p99 ÷ /console/', r.progress_uncached_p99_vs_console, 3),
    b('progress uncached p50 ÷ /favicon.svg', r.progress_uncached_p50_vs_favicon, 3),
    b('progress uncached p99 ÷ /favicon.svg', r.progress_uncached_p99_vs_favicon, 3),
    b('region (100 towns) uncached p99 ÷ /console/', r.region_uncached_p99_vs_console, 3),
    b('region (100 towns) uncached p99 ÷ /favicon.svg', r.region_uncached_p99_vs_favicon, 3),
    b('region (100 towns) cached p99 ÷ /console/', r.region_cached_p99_vs_console, 1.5),
    b('region (100 towns) cached p99 ÷ /favicon.svg', r.region_cached_p99_vs_favicon, 1.5),
    b('region page, gzip (KB)', round(f.pages.weights.region.gzip / 1024, 1), 30, 'KB'),
    b('region page, scripts', f.pages.weights.region.scripts, 0, 'scripts'),
    ...f.pages.cpu.map((c) => b(`CPU of one uncached render of ${c.path}, workerd processes (Workers Free: 10 ms)`, c.process_cpu_ms_per_request, 10, 'ms')),
  ];
}

export function townsMarkdown(f: TownsFigures): string {
  const l = (x: number[]) => x.join(' / ');
  const rows = townsBudgets(f).map((b) => `| ${b.name} | ${b.value ?? '–'}${b.unit === '×' ? '×' : ` ${b.unit}`} | ≤ ${b.limit}${b.unit === '×' ? '×' : ` ${b.unit}`} | ${b.pass === null ? '–' : b.pass ? 'pass' : `**MISS** (${b.value !== null ? round(b.value / Math.max(b.limit, 1e-9), 2) : ''}× the budget)`} |`);
  const t = (xs: { what?: string; path: string; p50_ms: number; p99_ms: number; requests: number }[]) => xs.map((x) => `| ${x.what ?? x.path} | ${x.p50_ms} | ${x.p99_ms} | ${x.requests} |`).join('\n');
  return [
    '<!-- towns:start -->',
    '## Many towns, one deployment (issues 23 and 24): `npm run bench -- --only towns`',
    '',
    `${f.date.slice(0, 16).replace('T', ' ')} UTC, commit ${f.commit.slice(0, 10)}${f.quick ? ' (quick)' : ''}; load average (1/5/15 min) at the start ${l(f.load_average_at_start)}. ` +
      `Database: ${f.data.towns} towns (synthetic, 10 counties of ${f.data.towns_in_region}), ${f.data.approved_updates.toLocaleString('en')} approved updates (${f.data.approved_in_town.toLocaleString('en')} of them in synthetic-0001, the progress page's town).`,
    '',
    '| budget | measured | limit | result |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    `Builds: 1 town ${f.builds.one.build_seconds} s, upload ${f.builds.one.upload_kib} KiB / gzip ${f.builds.one.gzip_kib} KiB; ${f.builds.many.towns} towns ${f.builds.many.build_seconds} s, upload ${f.builds.many.upload_kib} KiB / gzip ${f.builds.many.gzip_kib} KiB ` +
      `(the ${f.builds.build_seconds_runs.one.length === 2 ? 'faster' : 'median'} of ${f.builds.build_seconds_runs.one.length} alternating rounds: 1 town ${f.builds.build_seconds_runs.one.join(', ')} s; ${f.builds.many.towns} towns ${f.builds.build_seconds_runs.many.join(', ')} s; load at the end ${l(f.builds.load_average)}). dist/server: ${f.builds.one.server_files} / ${f.builds.many.server_files} files, ${f.builds.one.server_bytes} / ${f.builds.many.server_bytes} bytes; largest one-file growth ${f.builds.dist_server.largest_growth.file || '(none)'} ×${f.builds.dist_server.largest_growth.ratio}; files in one build only: ${f.builds.dist_server.unmatched.length ? f.builds.dist_server.unmatched.join(', ') : 'none'}.`,
    '',
    `wrangler dev start → first answer (GET /api/v1/ping polled every 50 ms), median: 1 town ${f.start.median_one} s, ${f.builds.many.towns} towns ${f.start.median_many} s. Runs: ${f.start.runs.map((r) => `${r.towns}: ${r.seconds} s (first /?page=1 ${r.first_home_ms} ms, load ${r.load_average[0]})`).join('; ')}.`,
    '',
    `Cached, under load (autocannon, interleaved rounds; load at start ${l(f.pages.load_average.cached)}; pages not a hit after their round: ${f.pages.cached_not_hit_after_round}):`,
    '',
    '| route | p50 ms | p99 ms | requests |',
    '| --- | --- | --- | --- |',
    t(f.pages.cached),
    '',
    `Uncached: a URL with a query (\`?page=1\`) is never cached (worker/site.ts), so each is rendered from D1; one request at a time, interleaved with the baselines (load at start ${l(f.pages.load_average.uncached)}; seen as a cache hit: ${f.pages.uncached_seen_as_hit}):`,
    '',
    '| route | p50 ms | p99 ms | requests |',
    '| --- | --- | --- | --- |',
    t(f.pages.uncached),
    '',
    `CPU time of one uncached render, two ways, ${f.pages.cpu[0]?.requests} renders each (load at start ${l(f.pages.load_average.cpu)}): (a) user + system CPU of all workerd processes of wrangler dev (/proc/<pid>/stat, 10 ms ticks) — the Worker, miniflare's D1 (SQLite), the assets service and the dev proxy, so an upper bound of what Cloudflare would count; baselines per request: ${f.pages.cpu_baselines.map((b) => `${b.path} ${b.process_cpu_ms_per_request} ms`).join(', ')}; (b) a sampled CPU profile (500 µs) of the Worker's isolate through wrangler dev's inspector: the time of samples not idle — on a loaded machine the sampler falls behind and a descheduled thread still counts as busy, so this too overstates CPU:`,
    '',
    '| page | (a) workerd CPU ms / render | (b) profile busy ms / render | wall ms / render | samples |',
    '| --- | --- | --- | --- | --- |',
    ...f.pages.cpu.map((c) => `| ${c.path} | ${c.process_cpu_ms_per_request} | ${c.cpu_ms_per_request} | ${c.wall_ms_per_request} | ${c.samples} |`),
    '',
    `Page sizes: region ${f.pages.weights.region.raw} B (${f.pages.weights.region.gzip} B gzip, ${f.pages.weights.region.scripts} scripts, ${f.pages.weights.region.towns_listed} synthetic towns named); home ${f.pages.weights.home.raw} B (${f.pages.weights.home.gzip} B gzip, ${f.pages.weights.home.scripts} scripts).`,
    '',
    'Statements (node:sqlite on the D1 file, median of 9):',
    '',
    '| statement | rows | median ms | plan |',
    '| --- | --- | --- | --- |',
    ...f.statements.map((s) => `| ${s.what} | ${s.rows} | ${s.median_ms} | ${s.plan.join('; ').replace(/\|/g, '\\|')} |`),
    '<!-- towns:end -->',
  ].join('\n');
}
