/**
 * `npm run soak`: a bounded mixed load against the real Worker under `wrangler dev`, then a check
 * that nothing acknowledged was lost or doubled.
 *
 * It migrates a throwaway local D1 (a temp --persist-to folder), loads content/, creates the demo
 * accounts, starts `wrangler dev` on 127.0.0.1 (port SOAK_PORT, default 8841), and runs
 * SOAK_SECONDS (default 60) of load with a fixed number of clients: readers (public pages of the
 * API), reporters (submit updates with Idempotency-Key and If-Match, sometimes re-sending the same
 * key as a client retry would), reviewers (approve or reject from the queue, racing each other).
 * Then it stops the server (the process it started, by its id) and reads the database with
 * `wrangler d1 execute`: every acknowledged submission is stored exactly once, every acknowledged
 * approval and rejection is in that state with exactly one history row per approval and one audit
 * row per write, every task's version equals 1 + its approvals, and no request failed unexpectedly
 * (a 5xx, a network error, or an answer outside the expected set). Figures go to stdout and to
 * bench/soak-result.json; the exit code is non-zero when any check fails.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ROOT, wranglerEnv } from '../worker/cli/wrangler.ts';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const PORT = Number(process.env.SOAK_PORT ?? 8841);
const CLIENTS = { readers: 4, reporters: 3, reviewers: 2 };
const BASE = `http://127.0.0.1:${PORT}`;
const PASSWORD = 'demo-password-2018';
const bin = resolve(ROOT, 'node_modules/.bin/wrangler');

const persist = mkdtempSync(join(tmpdir(), 'dtt-soak-'));
const step = (m: string) => console.log(`▶ ${m}`);
function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { cwd: ROOT, env: wranglerEnv(), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
const node = (script: string, ...args: string[]) => sh(process.execPath, [resolve(ROOT, script), ...args]);

let dev: ReturnType<typeof spawn> | null = null;
function stopDev(): Promise<void> {
  return new Promise((done) => {
    if (!dev || dev.exitCode !== null) return done();
    dev.once('exit', () => done());
    // The process group this script started (wrangler and its workerd child), by its id.
    try {
      process.kill(-dev.pid!, 'SIGTERM');
    } catch {
      dev.kill('SIGTERM');
    }
    setTimeout(() => {
      try {
        process.kill(-dev!.pid!, 'SIGKILL');
      } catch {}
    }, 10_000).unref();
  });
}
const cleanup = async () => {
  await stopDev();
  rmSync(persist, { recursive: true, force: true });
};
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));
process.on('SIGTERM', () => void cleanup().then(() => process.exit(143)));

// ---------------------------------------------------------------- figures

const fig = {
  requests: 0,
  by_kind: { read: 0, submit: 0, replay: 0, approve: 0, reject: 0, queue: 0, tasks: 0 } as Record<string, number>,
  by_status: {} as Record<string, number>,
  conflicts: { stale_412: 0, already_reviewed_409: 0, parent_rule_422: 0 },
  unexpected: [] as string[],
  latency_ms: [] as number[],
};
const acked = { submits: new Map<string, string>(), approves: new Set<string>(), rejects: new Set<string>() };

async function req(kind: string, method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}, expected: number[] = [200]) {
  const t0 = performance.now();
  fig.requests++;
  fig.by_kind[kind] = (fig.by_kind[kind] ?? 0) + 1;
  try {
    const res = await fetch(`${BASE}${path}`, {
      method,
      headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    fig.latency_ms.push(performance.now() - t0);
    fig.by_status[res.status] = (fig.by_status[res.status] ?? 0) + 1;
    if (!expected.includes(res.status)) fig.unexpected.push(`${method} ${path} → ${res.status} ${text.slice(0, 200)}`);
    return { status: res.status, body: text && /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : text, headers: res.headers };
  } catch (e) {
    fig.unexpected.push(`${method} ${path} → ${(e as Error).message}`);
    return { status: 0, body: null, headers: new Headers() };
  }
}

/** A 422 is expected only from the parent rule (a random report on a parent task its sub-tasks do not support). */
function parentRule(r: { status: number; body: any }, what: string) {
  if (['children_unfinished', 'percent_above_children'].includes(r.body?.error?.code)) fig.conflicts.parent_rule_422++;
  else fig.unexpected.push(`${what} → 422 ${JSON.stringify(r.body).slice(0, 200)}`);
}

const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
let seq = 0;

async function reader(deadline: number) {
  const paths = ['/api/health', '/api/v1/towns', '/api/v1/towns/fengmao/plan', '/api/v1/towns/fengmao/progress', '/api/v1/jurisdictions', '/api/v1/towns/fengmao/bulletins/published'];
  while (Date.now() < deadline) await req('read', 'GET', pick(paths));
}

async function reporter(token: string, deadline: number) {
  while (Date.now() < deadline) {
    const mine = await req('tasks', 'GET', '/api/v1/me/tasks', { token });
    if (mine.status !== 200) continue;
    const task = pick(mine.body.tasks as { ref: string; version: number }[]);
    const key = `soak-${process.pid}-${++seq}`;
    const body = { status: pick(['in_progress', 'completed', 'blocked']), percent: Math.floor(Math.random() * 101), narrative: `压力测试报告 ${seq}：入户登记进行中。`, measurements: [], evidence: [] };
    const send = () => req('submit', 'POST', `/api/v1/tasks/${task.ref}/updates`, { token, body, headers: { 'idempotency-key': key, 'if-match': `"${task.version}"` } }, [201, 412, 422]);
    let r = await send();
    if (r.status === 0) r = await send(); // a lost answer: the client retries with the same key
    if (r.status === 412) fig.conflicts.stale_412++;
    if (r.status === 422) parentRule(r, `submit on ${task.ref}`);
    if (r.status !== 201) continue;
    acked.submits.set(key, r.body.id);
    if (Math.random() < 0.15) {
      // A duplicate send (a client that did not see the answer): the same record comes back.
      const again = await req('replay', 'POST', `/api/v1/tasks/${task.ref}/updates`, { token, body, headers: { 'idempotency-key': key, 'if-match': `"${task.version}"` } }, [201]);
      if (again.status === 201 && (again.body.id !== r.body.id || again.headers.get('idempotent-replayed') !== 'true')) fig.unexpected.push(`replay of ${key} returned ${again.body.id}, not ${r.body.id}`);
    }
  }
}

async function reviewer(token: string, deadline: number) {
  while (Date.now() < deadline) {
    const q = await req('queue', 'GET', '/api/v1/towns/fengmao/updates?status=pending&limit=20', { token });
    const pending = q.status === 200 ? (q.body.updates as { id: string; base_version: number }[]) : [];
    if (!pending.length) {
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    const u = pick(pending);
    if (Math.random() < 0.2) {
      const r = await req('reject', 'POST', `/api/v1/updates/${u.id}/reject`, { token, body: { reason: '压力测试：请补充材料。' }, headers: { 'idempotency-key': `soak-rej-${u.id}` } }, [200, 409]);
      if (r.status === 200) acked.rejects.add(u.id);
      if (r.status === 409) fig.conflicts.already_reviewed_409++;
      continue;
    }
    let version = u.base_version;
    for (let attempt = 0; attempt < 3; attempt++) {
      const r = await req('approve', 'POST', `/api/v1/updates/${u.id}/approve`, { token, headers: { 'idempotency-key': `soak-app-${u.id}-${version}`, 'if-match': `"${version}"` } }, [200, 409, 412, 422]);
      if (r.status === 200) acked.approves.add(u.id);
      if (r.status === 422) parentRule(r, `approve ${u.id}`);
      if (r.status === 409) fig.conflicts.already_reviewed_409++;
      if (r.status !== 412) break;
      fig.conflicts.stale_412++;
      // Told the current version: approve knowingly against it.
      version = Number(/current version is (\d+)/.exec(r.body.error.fields[0].message_en)?.[1] ?? version);
    }
  }
}

// ---------------------------------------------------------------- run

async function waitHealthy(timeoutMs: number) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      if ((await fetch(`${BASE}/api/health`, { signal: AbortSignal.timeout(2_000) })).status === 200) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`wrangler dev did not answer on ${BASE} within ${timeoutMs / 1000} s`);
}

async function login(username: string): Promise<string> {
  const r = await fetch(`${BASE}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status}`);
  return ((await r.json()) as { token: string }).token;
}

function d1(sql: string[]): Record<string, unknown>[][] {
  const out = sh(bin, ['d1', 'execute', 'DB', '--local', '--persist-to', persist, '--json', '--command', sql.join(';\n')]);
  return (JSON.parse(out) as { results: Record<string, unknown>[] }[]).map((r) => r.results);
}

async function main() {
  step(`preparing a throwaway local D1 in ${persist}`);
  sh(bin, ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist]);
  node('worker/cli/load-content.ts', '--local', '--persist-to', persist);
  node('worker/cli/admin.ts', 'create-demo-accounts', '--local', '--persist-to', persist);
  // wrangler dev needs the assets folder; the soak only calls the API.
  if (!existsSync(resolve(ROOT, 'dist'))) mkdirSync(resolve(ROOT, 'dist'));

  step(`starting wrangler dev on ${BASE}`);
  dev = spawn(bin, ['dev', '--ip', '127.0.0.1', '--port', String(PORT), '--local', '--persist-to', persist, '--show-interactive-dev-session=false', '--log-level', 'error'], { cwd: ROOT, env: wranglerEnv(), stdio: ['ignore', 'ignore', 'inherit'], detached: true });
  await waitHealthy(120_000);
  const reporterToken = await login('demo-reporter');
  const officeToken = await login('demo-office');

  step(`${SECONDS} s of load: ${CLIENTS.readers} readers, ${CLIENTS.reporters} reporters, ${CLIENTS.reviewers} reviewers`);
  const started = Date.now();
  const deadline = started + SECONDS * 1000;
  await Promise.all([
    ...Array.from({ length: CLIENTS.readers }, () => reader(deadline)),
    ...Array.from({ length: CLIENTS.reporters }, () => reporter(reporterToken, deadline)),
    ...Array.from({ length: CLIENTS.reviewers }, () => reviewer(officeToken, deadline)),
  ]);
  const elapsed = (Date.now() - started) / 1000;

  step('stopping wrangler dev and reading the database');
  await stopDev();
  const [updates, history, audit, tasks] = d1([
    `SELECT id, state FROM task_updates`,
    `SELECT update_id, COUNT(*) AS n FROM task_history GROUP BY update_id`,
    `SELECT action, COUNT(*) AS n FROM audit_log WHERE action LIKE 'update.%' GROUP BY action`,
    `SELECT t.id, t.version, (SELECT COUNT(*) FROM task_updates u WHERE u.town_id = t.town_id AND u.task_id = t.id AND u.state = 'approved') AS approved FROM tasks t WHERE t.town_id = 'fengmao'`,
  ]) as [{ id: string; state: string }[], { update_id: string; n: number }[], { action: string; n: number }[], { id: string; version: number; approved: number }[]];

  const failures: string[] = [];
  const stored = new Map(updates.map((u) => [u.id, u.state]));
  const ids = [...acked.submits.values()];
  if (new Set(ids).size !== ids.length) failures.push('two acknowledged submissions share an id');
  for (const id of ids) if (!stored.has(id)) failures.push(`acknowledged submission ${id} is missing`);
  for (const id of acked.approves) if (stored.get(id) !== 'approved') failures.push(`acknowledged approval ${id} is ${stored.get(id)}`);
  for (const id of acked.rejects) if (stored.get(id) !== 'rejected') failures.push(`acknowledged rejection ${id} is ${stored.get(id)}`);
  const historyOf = new Map(history.map((h) => [h.update_id, h.n]));
  for (const [id, state] of stored) if ((state === 'approved') !== (historyOf.get(id) === 1)) failures.push(`update ${id} (${state}) has ${historyOf.get(id) ?? 0} history rows`);
  const auditN = (a: string) => audit.find((x) => x.action === a)?.n ?? 0;
  const count = (s: string) => [...stored.values()].filter((x) => x === s).length;
  if (auditN('update.submit') !== stored.size) failures.push(`update.submit audit rows ${auditN('update.submit')} ≠ stored updates ${stored.size}`);
  if (auditN('update.approve') !== count('approved')) failures.push(`update.approve audit rows ${auditN('update.approve')} ≠ approved ${count('approved')}`);
  if (auditN('update.reject') !== count('rejected')) failures.push(`update.reject audit rows ${auditN('update.reject')} ≠ rejected ${count('rejected')}`);
  for (const t of tasks) if (t.version !== 1 + t.approved) failures.push(`task ${t.id}: version ${t.version} but ${t.approved} approvals`);
  failures.push(...fig.unexpected.map((u) => `unexpected answer: ${u}`));

  const lat = [...fig.latency_ms].sort((a, b) => a - b);
  const q = (p: number) => Math.round(lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? 0);
  const result = {
    date: new Date().toISOString(),
    seconds: Math.round(elapsed),
    clients: CLIENTS,
    requests: fig.requests,
    requests_per_second: Math.round(fig.requests / elapsed),
    by_kind: fig.by_kind,
    by_status: fig.by_status,
    latency_ms: { p50: q(0.5), p95: q(0.95), p99: q(0.99), max: Math.round(lat.at(-1) ?? 0) },
    conflicts: fig.conflicts,
    writes_acknowledged: { submissions: acked.submits.size, approvals: acked.approves.size, rejections: acked.rejects.size },
    writes_checked: acked.submits.size + acked.approves.size + acked.rejects.size,
    stored: { updates: stored.size, approved: count('approved'), rejected: count('rejected'), pending: count('pending') },
    unexpected_failures: fig.unexpected.length,
    lost_or_doubled: failures.length - fig.unexpected.length,
    ok: failures.length === 0,
  };
  writeFileSync(resolve(ROOT, 'bench/soak-result.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
  if (failures.length) {
    console.error(`\n✗ ${failures.length} problem(s):\n  ${failures.slice(0, 30).join('\n  ')}`);
    process.exitCode = 1;
  } else {
    console.log(`\n✓ ${result.writes_checked} acknowledged writes present exactly once; ${fig.requests} requests, none failed unexpectedly`);
  }
}

try {
  await main();
} catch (e) {
  console.error((e as Error).message);
  process.exitCode = 1;
} finally {
  await cleanup();
}
