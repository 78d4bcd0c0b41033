/**
 * The API under load: the real Worker under `wrangler dev` (workerd, local D1 in bench/data/api/),
 * loaded with autocannon over loopback only, at growing numbers of task updates.
 *
 * For each level the synthetic updates are added to the SQLite file with node:sqlite while no
 * wrangler runs; then the board's and progress's SQL is EXPLAINed and timed on that file; then
 * `wrangler dev --persist-to` serves it and autocannon measures, in one run of the same server:
 * the baseline GET /api/v1/ping (no database), GET /api/health, the public progress of a town, the
 * overdue board (office token), and update submission + approval (reporter and office tokens).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import autocannon from 'autocannon';
import { hashPassword } from '../worker/auth/password.ts';
import { insertAccountStmt } from '../worker/db/accounts.ts';
import { auditStmt } from '../worker/db/audit.ts';
import { townFactsQueries, TASK_FACTS_SQL, TARGET_VALUES_SQL } from '../worker/db/supervision.ts';
import { PLAN_SQL, PUBLIC_SQL } from '../worker/db/public.ts';
import { knownBefore } from '../worker/domain/supervision.ts';
import { wrangler, wranglerEnv } from '../worker/cli/wrangler.ts';
import { DATA, ROOT, addSyntheticUpdates, loadSyntheticTowns, runStmts, syntheticTownId, writeSyntheticContent } from './synthetic.ts';

export const API_TOWNS = 10;
const TOWN = syntheticTownId(1);
const AS_OF = '2026-11-30';
const PASSWORD = 'bench-password-2018';
const ACCOUNTS = [
  { username: 'bench-reporter', role: 'reporter' as const, unit_id: 'weijiban' },
  { username: 'bench-office', role: 'office' as const, unit_id: 'weijiban' },
];

export interface LoadFigure {
  route: string;
  p50_ms: number;
  p99_ms: number;
  rps: number;
  requests: number;
  non2xx: number;
  errors: number;
  /** p50, p99 and requests/s divided by the baseline's (ping) in the same run; rps ratio < 1 means slower. */
  ratio?: { p50: number; p99: number; rps: number };
}

export interface QueryTiming {
  what: string;
  runs: number;
  median_ms: number;
  p99_ms: number;
  max_ms: number;
}

export interface ApiLevel {
  level: number;
  updates_in_table: number;
  approved_in_table: number;
  indicator_values: number;
  load: LoadFigure[];
  queries: QueryTiming[];
  plans: { query: string; plan: string[]; full_scan_of_updates: boolean }[];
}

const persistDir = resolve(DATA, 'api/d1');

/** The SQLite file of the local D1 under the persist dir. */
export function sqliteFile(persist = persistDir): string {
  const dir = join(persist, 'v3/d1/miniflare-D1DatabaseObject');
  const f = readdirSync(dir).filter((x) => x.endsWith('.sqlite') && x !== 'metadata.sqlite');
  if (f.length !== 1) throw new Error(`expected one D1 sqlite file in ${dir}, found ${f.join(', ') || 'none'}`);
  return join(dir, f[0]!);
}

/**
 * Fresh database in `<dir>/d1`: migrations and content/ with wrangler, then `towns` synthetic towns
 * and the bench accounts (reporter and office of synthetic-0001). Returns the persist folder.
 */
export async function prepareDatabase(dir = resolve(DATA, 'api'), towns = API_TOWNS, synthetic: { countySize?: number } = {}): Promise<string> {
  const persistDir = join(dir, 'd1');
  rmSync(dir, { recursive: true, force: true });
  console.log(`  migrations + content/ into ${persistDir} (wrangler)`);
  wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistDir], { quiet: true });
  const load = spawnSyncNode(['worker/cli/load-content.ts', '--local', '--persist-to', persistDir]);
  if (load !== 0) throw new Error('content load failed');
  const { contentDir } = writeSyntheticContent(join(dir, 'synthetic'), towns, synthetic);
  const db = new DatabaseSync(sqliteFile(persistDir));
  db.exec('PRAGMA foreign_keys = ON');
  const n = await loadSyntheticTowns(db, contentDir);
  const at = new Date().toISOString();
  const stmts = [];
  for (const a of ACCOUNTS) {
    const id = crypto.randomUUID();
    stmts.push(
      insertAccountStmt({ id, username: a.username, display_name: `【合成数据】${a.username}`, role: a.role, town_id: TOWN, unit_id: a.unit_id, password: await hashPassword(PASSWORD), status: 'active', created_at: at, created_by: 'system:bench' }),
      auditStmt({ at, actor: 'system:bench', action: 'account.create', town_id: TOWN, unit_id: a.unit_id, entity: 'account', entity_id: id, detail: { username: a.username, role: a.role, synthetic: true } }),
    );
  }
  runStmts(db, stmts);
  db.close();
  console.log(`  ${n} synthetic towns and ${ACCOUNTS.length} bench accounts loaded`);
  return persistDir;
}

function spawnSyncNode(args: string[]): number {
  return spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit', env: wranglerEnv() }).status ?? 1;
}

const SCAN_OF_UPDATES = /^SCAN (task_updates|indicator_values|u|v)\b/;

/** EXPLAIN QUERY PLAN and timings of the progress and board SQL, on the SQLite file. */
function inspectQueries(db: DatabaseSync): Pick<ApiLevel, 'queries' | 'plans'> {
  const cutoff = knownBefore(AS_OF);
  const plans: ApiLevel['plans'] = [];
  const explain = (query: string, sql: string, params: (string | number)[]) => {
    const rows = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[];
    const plan = rows.map((r) => r.detail);
    plans.push({ query, plan, full_scan_of_updates: plan.some((d) => SCAN_OF_UPDATES.test(d)) });
  };
  explain('progress: tasks with their latest approved update', PUBLIC_SQL.tasks, [TOWN]);
  explain('progress: each task\'s latest approved update', PUBLIC_SQL.lastUpdates, [TOWN]);
  explain('progress: approved indicator values', PUBLIC_SQL.values, [TOWN]);
  explain('overdue board: task facts as of', TASK_FACTS_SQL, [TOWN, AS_OF, cutoff]);
  explain('overdue board: target values as of', TARGET_VALUES_SQL, [TOWN, AS_OF, cutoff]);

  const time = (what: string, run: () => void, runs = 200): QueryTiming => {
    for (let i = 0; i < 5; i++) run();
    const t: number[] = [];
    for (let i = 0; i < runs; i++) {
      const s = performance.now();
      run();
      t.push(performance.now() - s);
    }
    t.sort((a, b) => a - b);
    return { what, runs, median_ms: round(t[Math.floor(runs / 2)]!), p99_ms: round(t[Math.min(runs - 1, Math.ceil(runs * 0.99) - 1)]!), max_ms: round(t[runs - 1]!) };
  };
  const facts = townFactsQueries(TOWN, AS_OF, cutoff).map((q) => ({ st: db.prepare(q.sql), params: q.params }));
  const progress = (['document', 'catalogue'] as const).map((k) => ({ st: db.prepare(PLAN_SQL[k]), params: [TOWN] as (string | number)[] })).concat(
    (Object.keys(PUBLIC_SQL) as (keyof typeof PUBLIC_SQL)[]).map((k) => ({ st: db.prepare(PUBLIC_SQL[k]), params: k === 'updates' ? [TOWN, -1] : [TOWN] })),
  );
  const queries = [
    time('overdue board: the 8 statements of readTownFacts (worker/db/supervision.ts)', () => facts.forEach((q) => q.st.all(...q.params))),
    time('public progress: the statements of readTown, all updates (worker/db/public.ts)', () => progress.forEach((q) => q.st.all(...q.params))),
  ];
  return { queries, plans };
}

export const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** Rounds per level: each route's load is split into this many interleaved runs. */
const ROUNDS = 3;

/** The p-quantile (nearest rank) of latencies in ms. */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return round(s[Math.min(s.length - 1, Math.max(0, Math.ceil(s.length * p) - 1))] ?? NaN);
}

/** One autocannon run; every response time (ms) is appended to `lat`. */
export function cannon(o: autocannon.Options, lat: number[]): Promise<autocannon.Result> {
  return new Promise((res, rej) => {
    const inst = autocannon(o, (err, result) => (err ? rej(err) : res(result)));
    inst.on('response', (_client, _status, _bytes, ms) => lat.push(ms));
  });
}

/**
 * `wrangler dev` of the built Worker over the local D1 in `persist`, in its own process group:
 * dist/server (through .wrangler/deploy/config.json), or the build whose wrangler.json is `config`.
 */
export async function startDev(port: number, logFile: string, persist = persistDir, config?: string): Promise<ChildProcess> {
  const out = openSync(logFile, 'a');
  const child = spawn(
    resolve(ROOT, 'node_modules/.bin/wrangler'),
    ['dev', '--ip', '127.0.0.1', '--port', String(port), '--local', '--persist-to', persist, ...(config ? ['--config', config] : []), '--show-interactive-dev-session=false', '--log-level', 'warn'],
    { cwd: ROOT, env: wranglerEnv(), stdio: ['ignore', out, out], detached: true },
  );
  closeSync(out);
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early (${child.exitCode}); see ${logFile}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/api/v1/ping`);
      if (r.ok) return child;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  stopDev(child);
  throw new Error(`wrangler dev did not answer within 90 s; see ${logFile}`);
}

/** Stops wrangler dev and waits until its whole process group (workerd too) is gone, so the D1 file is free. */
export async function stopDev(child: ChildProcess): Promise<void> {
  await signalDev(child);
  const alive = () => {
    try {
      process.kill(-child.pid!, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 200));
  if (alive()) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

function signalDev(child: ChildProcess): Promise<void> {
  return new Promise((res) => {
    if (child.exitCode !== null) return res();
    child.once('exit', () => res());
    try {
      process.kill(-child.pid!, 'SIGTERM'); // its own process group (detached): wrangler and its workerd
    } catch {
      res();
    }
    setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, 5000).unref();
  });
}

export async function login(base: string, username: string): Promise<string> {
  const r = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) });
  if (!r.ok) throw new Error(`login ${username}: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { token: string }).token;
}

/** One level: add updates, inspect the SQL, serve, load. */
async function measureLevel(level: number, opts: { port: number; seconds: number; connections: number; writes: number }): Promise<ApiLevel> {
  const db = new DatabaseSync(sqliteFile());
  db.exec('PRAGMA busy_timeout = 30000'); // a workerd just stopped may still be closing the file
  db.exec('PRAGMA foreign_keys = ON');
  addSyntheticUpdates(db, level);
  // Planner statistics, as D1's recommended `PRAGMA optimize` gathers them (the plans are the same without).
  db.exec('ANALYZE');
  const count = (sql: string) => Number((db.prepare(sql).get() as { n: number }).n);
  const counts = {
    updates_in_table: count(`SELECT COUNT(*) AS n FROM task_updates`),
    approved_in_table: count(`SELECT COUNT(*) AS n FROM task_updates WHERE state = 'approved'`),
    indicator_values: count(`SELECT COUNT(*) AS n FROM indicator_values`),
  };
  const inspected = inspectQueries(db);
  // Tasks the bench reporter may report on, with their current version: deliverables without
  // sub-tasks, since a parent's percent may not exceed its sub-tasks' roll-up (worker/domain/parent-rule.ts).
  const tasks = db
    .prepare(
      `SELECT t.id, t.version FROM tasks t WHERE t.town_id = ? AND t.kind <> 'rectification'
          AND EXISTS (SELECT 1 FROM task_units tu WHERE tu.town_id = t.town_id AND tu.task_id = t.id AND tu.unit_id = 'weijiban')
          AND NOT EXISTS (SELECT 1 FROM tasks c WHERE c.town_id = t.town_id AND c.parent_id = t.id) ORDER BY t.ordinal`,
    )
    .all(TOWN) as { id: string; version: number }[];
  db.close();

  const logFile = resolve(DATA, 'api/wrangler-dev.log');
  const dev = await startDev(opts.port, logFile);
  const base = `http://127.0.0.1:${opts.port}`;
  try {
    const reporter = await login(base, 'bench-reporter');
    const office = await login(base, 'bench-office');
    // Interleaved rounds: every route runs once per round, so a burst of other work on the
    // shared machine lands on the baseline as much as on the routes it is compared with.
    const routes: { route: string; path: string; headers: Record<string, string> }[] = [
      { route: 'GET /api/v1/ping (baseline, no database)', path: '/api/v1/ping', headers: {} },
      { route: 'GET /api/health (2 small D1 reads)', path: '/api/health', headers: {} },
      { route: `GET /api/v1/towns/${TOWN}/progress (public)`, path: `/api/v1/towns/${TOWN}/progress`, headers: {} },
      { route: `GET /api/v1/towns/${TOWN}/overdue?asOf=${AS_OF} (office)`, path: `/api/v1/towns/${TOWN}/overdue?asOf=${AS_OF}`, headers: { authorization: `Bearer ${office}` } },
    ];
    const acc = routes.map(() => ({ lat: [] as number[], seconds: 0, non2xx: 0, errors: 0 }));
    for (const r of routes) {
      const warm = await fetch(base + r.path, { headers: r.headers });
      if (!warm.ok) throw new Error(`${r.path}: ${warm.status} ${(await warm.text()).slice(0, 300)}`);
    }
    for (let round = 0; round < ROUNDS; round++)
      for (const [i, r] of routes.entries()) {
        const a = acc[i]!;
        const res = await cannon({ url: base + r.path, connections: opts.connections, duration: opts.seconds / ROUNDS, headers: r.headers }, a.lat);
        a.seconds += res.duration;
        a.non2xx += res.non2xx;
        a.errors += res.errors + res.timeouts;
      }
    const load: LoadFigure[] = routes.map((r, i) => {
      const a = acc[i]!;
      return { route: r.route, p50_ms: percentile(a.lat, 0.5), p99_ms: percentile(a.lat, 0.99), rps: round(a.lat.length / a.seconds, 1), requests: a.lat.length, non2xx: a.non2xx, errors: a.errors };
    });
    const baseline = load[0]!;
    for (const f of load)
      f.ratio = { p50: round(f.p50_ms / Math.max(baseline.p50_ms, 0.01)), p99: round(f.p99_ms / Math.max(baseline.p99_ms, 0.01)), rps: round(f.rps / Math.max(baseline.rps, 0.01), 3) };
    load.push(...(await writes(base, reporter, office, tasks, opts)));
    return { level, ...counts, load, ...inspected };
  } finally {
    await stopDev(dev);
  }
}

/**
 * Submission + approval, with a small closed-loop client (fetch, `connections` workers): each
 * worker owns one task of the reporter's unit and repeats: submit an update (unique
 * Idempotency-Key, If-Match = the task's version), then the office approves it (If-Match = the same
 * version, which the approval bumps). Bounded by `opts.writes` pairs. Its baseline is GET
 * /api/v1/ping measured with the same client just before, so the ratio compares like with like.
 */
async function writes(base: string, reporter: string, office: string, tasks: { id: string; version: number }[], opts: { connections: number; writes: number }): Promise<LoadFigure[]> {
  const workers = Math.min(opts.connections, tasks.length);
  const stamp = Date.now().toString(36);
  const body = JSON.stringify({ status: 'in_progress', percent: 50, narrative: '【合成数据】基准测试：进展正常。', measurements: [], evidence: [] });
  const bad: Record<string, number> = {};
  let errors = 0;
  const timed = async (lat: number[], url: string, init?: RequestInit): Promise<Response | null> => {
    const t0 = performance.now();
    try {
      const r = await fetch(url, init);
      const text = await r.text();
      lat.push(performance.now() - t0);
      return new Response(text, { status: r.status });
    } catch {
      errors++;
      return null;
    }
  };
  const loop = async (lats: number[][], pairs: number, step: (w: number, lats: number[][]) => Promise<void>) => {
    let left = pairs;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: workers }, async (_, w) => {
        while (left-- > 0) await step(w, lats);
      }),
    );
    return (performance.now() - started) / 1000;
  };
  // Baseline with the same client, interleaved with the writes in ROUNDS rounds.
  const pingLat: number[][] = [[]];
  const version = tasks.slice(0, workers).map((t) => ({ id: t.id, v: t.version }));
  let n = 0;
  const lat: number[][] = [[], []];
  let pingSecs = 0;
  let secs = 0;
  for (let round = 0; round < ROUNDS; round++) {
    pingSecs += await loop(pingLat, Math.round((opts.writes * 2) / ROUNDS), async (_w, l) => void (await timed(l[0]!, `${base}/api/v1/ping`)));
    secs += await loop(lat, Math.round(opts.writes / ROUNDS), async (w, l) => {
      const t = version[w]!;
      const s = await timed(l[0]!, `${base}/api/v1/tasks/${TOWN}:${t.id}/updates`, {
        method: 'POST',
        headers: { authorization: `Bearer ${reporter}`, 'content-type': 'application/json', 'idempotency-key': `bench-${stamp}-${n++}`, 'if-match': `"${t.v}"` },
        body,
      });
      if (!s || s.status !== 201) {
        if (s) bad[`submit ${s.status}`] = (bad[`submit ${s.status}`] ?? 0) + 1;
        return;
      }
      const id = ((await s.json()) as { id: string }).id;
      const a = await timed(l[1]!, `${base}/api/v1/updates/${id}/approve`, {
        method: 'POST',
        headers: { authorization: `Bearer ${office}`, 'idempotency-key': `bench-${stamp}-${n++}`, 'if-match': `"${t.v}"` },
      });
      if (a?.status === 200) t.v++;
      else if (a) bad[`approve ${a.status}`] = (bad[`approve ${a.status}`] ?? 0) + 1;
    });
  }
  if (Object.keys(bad).length) console.error(`  write errors: ${JSON.stringify(bad)}`);
  const mk = (route: string, l: number[], seconds: number, key: string, rps = l.length / seconds): LoadFigure => ({
    route,
    p50_ms: percentile(l, 0.5),
    p99_ms: percentile(l, 0.99),
    rps: round(rps, 1),
    requests: l.length,
    non2xx: Object.entries(bad).filter(([k]) => k.startsWith(key)).reduce((a, [, v]) => a + v, 0),
    errors,
  });
  const ping = mk('GET /api/v1/ping (baseline of the write client)', pingLat[0]!, pingSecs, 'ping');
  const out = [
    ping,
    mk('POST /api/v1/tasks/{ref}/updates (submit, reporter)', lat[0]!, secs, 'submit', (lat[0]!.length + lat[1]!.length) / secs / 2),
    mk('POST /api/v1/updates/{id}/approve (approve, office)', lat[1]!, secs, 'approve', (lat[0]!.length + lat[1]!.length) / secs / 2),
  ];
  for (const f of out) f.ratio = { p50: round(f.p50_ms / Math.max(ping.p50_ms, 0.01)), p99: round(f.p99_ms / Math.max(ping.p99_ms, 0.01)), rps: round(f.rps / Math.max(ping.rps, 0.01), 3) };
  return out;
}

/** The whole API part. */
export async function runApi(levels: number[], opts: { port: number; seconds: number; connections: number; writes: number }): Promise<ApiLevel[]> {
  if (!existsSync(resolve(ROOT, 'dist/server/wrangler.json'))) throw new Error('dist/ is missing: the site must be built before the API part (wrangler dev serves it)');
  await prepareDatabase();
  const out: ApiLevel[] = [];
  for (const level of levels) {
    console.log(`\n  level ${level.toLocaleString('en')} updates`);
    const l = await measureLevel(level, opts);
    for (const f of l.load) console.log(`    ${f.route.padEnd(64)} p50 ${String(f.p50_ms).padStart(6)} ms  p99 ${String(f.p99_ms).padStart(6)} ms  ${String(f.rps).padStart(7)} req/s  ×${f.ratio?.p99} p99`);
    for (const q of l.queries) console.log(`    SQL ${q.what}: median ${q.median_ms} ms, p99 ${q.p99_ms} ms`);
    out.push(l);
  }
  const f = sqliteFile();
  console.log(`  database: ${(statSync(f).size / 2 ** 20).toFixed(0)} MiB`);
  return out;
}

