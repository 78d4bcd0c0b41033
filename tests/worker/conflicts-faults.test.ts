/**
 * Conflicts, retries and faults: many writers on one task, the same Idempotency-Key sent many times
 * at once, a statement failing in the middle of each route's real write batch, the content loader
 * re-run after a crash midway, and migrations applied twice. Every check compares byte-exact dumps
 * of the whole database (tests/worker/db-dump.ts).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { applyD1Migrations, createExecutionContext, env, reset, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { app } from '../../worker/app.ts';
import { contentStatements } from '../../worker/db/content.ts';
import { runBatch } from '../../worker/db/batch.ts';
import { content, loadContent } from './helpers.ts';
import { signIn } from './auth-helpers.ts';
import { dumpDb, dumpHash, forgetDumpQuery, type Dump } from './db-dump.ts';
import { CASES, encodeBody, fixture, writeRoutes, type Req } from './write-cases.ts';

let k = 0;
const key = () => `conflict-key-${Date.now()}-${k++}`;
function call(token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return SELF.fetch(`http://localhost${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}
async function weijibanTask(): Promise<{ ref: string; id: string }> {
  const row = await env.DB.prepare(
    `SELECT t.id FROM tasks t JOIN task_units tu ON tu.town_id = t.town_id AND tu.task_id = t.id
      WHERE t.town_id = 'fengmao' AND tu.unit_id = 'weijiban' AND t.kind = 'deliverable' ORDER BY t.ordinal LIMIT 1`,
  ).first<{ id: string }>();
  return { ref: `fengmao:${row!.id}`, id: row!.id };
}
const count = async (sql: string, ...params: unknown[]) => (await env.DB.prepare(sql).bind(...params).first<{ n: number }>())!.n;
const update = (i: number) => ({ status: i === 49 ? 'completed' : 'in_progress', percent: i === 49 ? 100 : i + 1, narrative: `第${i + 1}次报告：入户登记 ${i * 100} 人。` });

describe('50 writers on one task', () => {
  it('50 concurrent submissions are all stored; 50 concurrent approvals against one version: one applies, 49 get 412 and stay pending; then each applies in order', async () => {
    await loadContent();
    const reporter = await signIn('reporter', 'weijiban');
    const office = await signIn('office');
    const task = await weijibanTask();
    // Submitting does not change the task (only approval does), so all 50 against version 1 are accepted.
    const subs = await Promise.all(Array.from({ length: 50 }, (_, i) => call(reporter, 'POST', `/api/v1/tasks/${task.ref}/updates`, update(i), { 'idempotency-key': key(), 'if-match': '"1"' })));
    expect(subs.map((r) => r.status)).toEqual(Array(50).fill(201));
    const ids = await Promise.all(subs.map(async (r) => ((await r.json()) as { id: string }).id));
    expect(new Set(ids).size).toBe(50);
    expect(await count(`SELECT COUNT(*) AS n FROM task_updates WHERE state = 'pending'`)).toBe(50);
    expect(await count(`SELECT COUNT(*) AS n FROM audit_log WHERE action = 'update.submit'`)).toBe(50);

    // 50 reviewers approve 50 different updates at once, all against version 1.
    const round = await Promise.all(ids.map((id) => call(office, 'POST', `/api/v1/updates/${id}/approve`, undefined, { 'idempotency-key': key(), 'if-match': '"1"' })));
    const statuses = round.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(49);
    for (const r of round.filter((x) => x.status === 412)) {
      const body = (await r.json()) as { error: { code: string; fields: { path: string; message_en: string }[] } };
      expect(body.error).toMatchObject({ code: 'version_mismatch', fields: [{ path: 'If-Match', message_en: 'current version is 2' }] });
    }
    const winner = ids[statuses.indexOf(200)]!;
    const losers = ids.filter((id) => id !== winner);
    expect(await count(`SELECT COUNT(*) AS n FROM task_updates WHERE state = 'pending'`)).toBe(49);
    expect(await count(`SELECT version AS n FROM tasks WHERE town_id = 'fengmao' AND id = ?`, task.id)).toBe(2);

    // Nothing was lost: each loser, retried knowingly against the version it was told, applies in turn.
    let version = 2;
    for (const id of losers) {
      const r = await call(office, 'POST', `/api/v1/updates/${id}/approve`, undefined, { 'idempotency-key': key(), 'if-match': `"${version}"` });
      expect(r.status).toBe(200);
      expect(r.headers.get('etag')).toBe(`"${++version}"`);
    }
    const order = [winner, ...losers];
    const history = (await env.DB.prepare(`SELECT update_id, before_json, after_json FROM task_history WHERE town_id = 'fengmao' AND task_id = ? ORDER BY id`).bind(task.id).all<{ update_id: string; before_json: string; after_json: string }>()).results;
    expect(history.map((h) => h.update_id)).toEqual(order);
    history.forEach((h, i) => {
      expect(JSON.parse(h.before_json).version).toBe(i + 1);
      expect(JSON.parse(h.after_json).version).toBe(i + 2);
      if (i > 0) expect(JSON.parse(h.before_json)).toEqual(JSON.parse(history[i - 1]!.after_json));
    });
    const approvals = (await env.DB.prepare(`SELECT entity_id FROM audit_log WHERE action = 'update.approve' ORDER BY id`).all<{ entity_id: string }>()).results.map((r) => r.entity_id);
    expect(approvals).toEqual(order);
    const last = update(ids.indexOf(order.at(-1)!));
    expect(await env.DB.prepare(`SELECT status, percent, version FROM tasks WHERE town_id = 'fengmao' AND id = ?`).bind(task.id).first()).toEqual({ status: last.status, percent: last.percent, version: 51 });
  }, 120_000);
});

describe('the same Idempotency-Key sent 20 times at once', () => {
  it('a submission: one record, one audit row, twenty equal answers', async () => {
    await loadContent();
    const reporter = await signIn('reporter', 'weijiban');
    const task = await weijibanTask();
    const k1 = key();
    const res = await Promise.all(Array.from({ length: 20 }, () => call(reporter, 'POST', `/api/v1/tasks/${task.ref}/updates`, update(0), { 'idempotency-key': k1, 'if-match': '"1"' })));
    expect(res.map((r) => r.status)).toEqual(Array(20).fill(201));
    const bodies = await Promise.all(res.map((r) => r.json()));
    for (const b of bodies) expect(b).toEqual(bodies[0]);
    expect(res.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(19);
    expect(await count(`SELECT COUNT(*) AS n FROM task_updates`)).toBe(1);
    expect(await count(`SELECT COUNT(*) AS n FROM idempotency_keys`)).toBe(1);
    expect(await count(`SELECT COUNT(*) AS n FROM audit_log WHERE action = 'update.submit'`)).toBe(1);
  });

  it('an approval: applied once, one history row, twenty equal answers', async () => {
    await loadContent();
    const reporter = await signIn('reporter', 'weijiban');
    const office = await signIn('office');
    const task = await weijibanTask();
    const u = (await (await call(reporter, 'POST', `/api/v1/tasks/${task.ref}/updates`, update(3), { 'idempotency-key': key(), 'if-match': '"1"' })).json()) as { id: string };
    const k1 = key();
    const res = await Promise.all(Array.from({ length: 20 }, () => call(office, 'POST', `/api/v1/updates/${u.id}/approve`, undefined, { 'idempotency-key': k1, 'if-match': '"1"' })));
    expect(res.map((r) => r.status)).toEqual(Array(20).fill(200));
    const bodies = await Promise.all(res.map((r) => r.json()));
    for (const b of bodies) expect(b).toEqual(bodies[0]);
    expect(await count(`SELECT COUNT(*) AS n FROM task_history`)).toBe(1);
    expect(await count(`SELECT version AS n FROM tasks WHERE town_id = 'fengmao' AND id = ?`, task.id)).toBe(2);
    expect(await count(`SELECT COUNT(*) AS n FROM audit_log WHERE action = 'update.approve'`)).toBe(1);
  });

  it('an inspection: one inspection, one rectification task', async () => {
    await loadContent();
    const sup = await signIn('supervisor');
    const tasksBefore = await count(`SELECT COUNT(*) AS n FROM tasks`);
    const body = { inspected_on: '2019-03-15', title: '一季度督导', inspectors: ['张某'], rectifications: [{ title: '补齐档案', unit: 'weijiban', due_on: '2019-06-30' }] };
    const k1 = key();
    const res = await Promise.all(Array.from({ length: 20 }, () => call(sup, 'POST', '/api/v1/towns/fengmao/inspections', body, { 'idempotency-key': k1 })));
    expect(res.map((r) => r.status)).toEqual(Array(20).fill(201));
    const bodies = await Promise.all(res.map((r) => r.json()));
    for (const b of bodies) expect(b).toEqual(bodies[0]);
    expect(await count(`SELECT COUNT(*) AS n FROM inspections`)).toBe(1);
    expect(await count(`SELECT COUNT(*) AS n FROM tasks`)).toBe(tasksBefore + 1);
  });
});

// ---------------------------------------------------------------- faults

/** A statement that always fails: the audit log's append-only trigger refuses any UPDATE (the content load wrote a row). */
const FAILING = `UPDATE audit_log SET actor = 'fault-injection'`;

/**
 * The test's D1 with a fault: the first batch that writes gets FAILING spliced in at `at`
 * (0 = first, 'middle', 'end' = last). Records each prepared statement's SQL to tell writes from reads.
 */
function faultyDb(db: D1Database, at: number | 'middle' | 'end') {
  const sqlOf = new WeakMap<object, string>();
  const state = { injected: false, size: 0 };
  const proxy = new Proxy(db, {
    get(target, prop) {
      if (prop === 'prepare') {
        return (sql: string) => {
          const s = target.prepare(sql);
          const wrap = (p: D1PreparedStatement): D1PreparedStatement =>
            new Proxy(p, {
              get(t, q) {
                if (q === 'bind') return (...args: unknown[]) => {
                  const b = t.bind(...args);
                  sqlOf.set(b, sql);
                  return b;
                };
                const v = Reflect.get(t, q);
                return typeof v === 'function' ? v.bind(t) : v;
              },
            });
          sqlOf.set(s, sql);
          return wrap(s);
        };
      }
      if (prop === 'batch') {
        return (stmts: D1PreparedStatement[]) => {
          const writes = stmts.some((s) => /^\s*(INSERT|UPDATE|DELETE)/i.test(sqlOf.get(s) ?? ''));
          if (state.injected || !writes) return target.batch(stmts);
          state.injected = true;
          state.size = stmts.length;
          const i = at === 'middle' ? Math.floor(stmts.length / 2) : at === 'end' ? stmts.length : at;
          const copy = [...stmts];
          copy.splice(i, 0, target.prepare(FAILING));
          return target.batch(copy);
        };
      }
      const v = Reflect.get(target, prop);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { db: proxy, state };
}

/** Sends a case's request through the app with the faulty database. */
async function sendWith(db: D1Database, r: Req, method: string): Promise<Response> {
  const headers: Record<string, string> = { ...r.headers };
  if (r.token) headers.Authorization = `Bearer ${r.token}`;
  const { body, type } = encodeBody(r);
  if (type) headers['Content-Type'] = type;
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`http://localhost${r.path}`, { method, headers, body }), { ...env, DB: db }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

const tally = { faults: 0, positions: 0 };

describe('a statement failing mid-batch leaves nothing half-written', () => {
  it('every write route: a failing statement in the middle of its real batch → a generic 500 and a byte-identical database; the retry then succeeds', async () => {
    const f = await fixture();
    let n = 1000;
    const silence = console.error;
    console.error = () => {};
    try {
      for (const route of writeRoutes()) {
        const method = route.split(' ')[0]!;
        const req = await CASES[route]!(f, n++);
        const before = await dumpDb();
        const { db, state } = faultyDb(env.DB, 'middle');
        const res = await sendWith(db, req, method);
        expect(state.injected, `${route}: the request wrote nothing to inject into`).toBe(true);
        expect(res.status, route).toBe(500);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('internal_error');
        expect(await dumpHash(await dumpDb()), `${route}: something was written`).toBe(await dumpHash(before));
        tally.faults++;
        // The same request (same Idempotency-Key) goes through once the fault is gone.
        const retry = await sendWith(env.DB, req, method);
        expect(retry.status, `${route} retry`).toBeLessThan(route === 'POST /api/v1/auth/activate' ? 401 : 300);
      }
    } finally {
      console.error = silence;
    }
  });

  it('a submission batch with the failing statement at every position, first to last', async () => {
    const f = await fixture();
    const silence = console.error;
    console.error = () => {};
    try {
      const route = 'POST /api/v1/tasks/:task/updates';
      const before = await dumpHash(await dumpDb());
      let size = Infinity;
      for (let at = 0; at <= size; at++) {
        const { db, state } = faultyDb(env.DB, at);
        const res = await sendWith(db, await CASES[route]!(f, 2000 + at), 'POST');
        size = state.size;
        expect(res.status).toBe(500);
        expect(await dumpHash(await dumpDb()), `failing statement at ${at}`).toBe(before);
        tally.positions++;
      }
      expect(size).toBeGreaterThanOrEqual(5);
    } finally {
      console.error = silence;
    }
  });

  it('a CHECK violation and a NOT NULL violation inside the content batch abort it whole', async () => {
    const before = await dumpDb();
    const stmts = await contentStatements(content(), '2026-01-01T00:00:00.000Z');
    for (const bad of [`INSERT INTO write_guards (name, expected, actual) VALUES ('fault', 'a', 'b')`, `INSERT INTO audit_log (at, actor, action) VALUES (NULL, 'x', 'y')`]) {
      const copy = [...stmts];
      copy.splice(Math.floor(copy.length * 0.7), 0, { sql: bad, params: [] });
      await expect(runBatch(env.DB, copy)).rejects.toThrow(/constraint failed/);
      expect(await dumpDb()).toEqual(before);
      tally.faults++;
    }
  });
});

describe('the content loader after a crash midway', () => {
  it('re-run after stopping at any of several points, it converges to a clean load (plus the crashed run’s own audit row)', async () => {
    const now = '2026-01-01T00:00:00.000Z';
    const stmts = await contentStatements(content(), now);
    await runBatch(env.DB, stmts);
    const clean = await dumpDb();
    const cleanAudit = (await env.DB.prepare(`SELECT action, entity_id FROM audit_log ORDER BY id`).all()).results;
    for (const cut of [1, Math.floor(stmts.length / 4), Math.floor(stmts.length / 2), stmts.length - 1]) {
      await reset();
      await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
      // The crash: only the first `cut` statements ran (as if each had been committed on its own).
      await runBatch(env.DB, stmts.slice(0, cut));
      await runBatch(env.DB, stmts);
      const got = await dumpDb();
      for (const t of Object.keys(clean)) {
        // d1_migrations holds when the fresh database was migrated; audit_log is compared below.
        if (t === 'audit_log' || t === 'sqlite_sequence' || t === 'd1_migrations') continue;
        expect(got[t], `cut at ${cut}: table ${t}`).toBe(clean[t]);
      }
      // The audit log is append-only: the crashed run recorded its load, and the re-run its own.
      const audit = (await env.DB.prepare(`SELECT action, entity_id FROM audit_log ORDER BY id`).all()).results;
      expect(audit, `cut at ${cut}`).toEqual([...cleanAudit, ...cleanAudit]);
      // Once converged, a further run changes nothing at all.
      const settled = await dumpDb();
      await runBatch(env.DB, stmts);
      expect(await dumpDb()).toEqual(settled);
      tally.faults++;
    }
  });
});

describe('migrations applied twice', () => {
  it('applyD1Migrations a second time is a no-op; each migration re-executed raw is refused whole and changes nothing', async () => {
    await loadContent();
    const before: Dump = await dumpDb();
    await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
    expect(await dumpDb()).toEqual(before);
    for (const m of env.TEST_MIGRATIONS) {
      // As `wrangler d1 migrations apply` would run it if the d1_migrations record were lost: one batch.
      // CREATE TABLE/INDEX/TRIGGER: "already exists"; ALTER TABLE … ADD COLUMN: "duplicate column name".
      await expect(env.DB.batch(m.queries.map((q) => env.DB.prepare(q))), m.name).rejects.toThrow(/already exists|duplicate column name/);
      forgetDumpQuery();
      expect(await dumpDb(), m.name).toEqual(before);
      tally.faults++;
    }
  });
});

afterAll(() => {
  console.log(`faults injected: ${tally.faults} (plus a failing statement at each of ${tally.positions} positions of one batch)`);
});
