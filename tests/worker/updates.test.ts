import { beforeEach, describe, expect, it } from 'vitest';
import { env, SELF } from 'cloudflare:test';
import { loadContent } from './helpers.ts';
import { signIn } from './auth-helpers.ts';

/** A task of 卫计办 in Fengmao, from content: the first deliverable whose lead unit is weijiban. */
async function weijibanTask(): Promise<{ ref: string; id: string; indicator: string | null }> {
  const row = await env.DB.prepare(
    `SELECT t.id, (SELECT ti.indicator_id FROM task_indicators ti JOIN indicators i ON i.id = ti.indicator_id
                    WHERE ti.town_id = t.town_id AND ti.task_id = t.id AND i.kind = 'numeric' LIMIT 1) AS indicator
       FROM tasks t JOIN task_units tu ON tu.town_id = t.town_id AND tu.task_id = t.id
      WHERE t.town_id = 'fengmao' AND tu.unit_id = 'weijiban' AND t.kind = 'deliverable'
      ORDER BY (indicator IS NULL), t.ordinal LIMIT 1`,
  ).first<{ id: string; indicator: string | null }>();
  return { ref: `fengmao:${row!.id}`, id: row!.id, indicator: row!.indicator };
}

async function otherUnitTask(): Promise<string> {
  const row = await env.DB.prepare(
    `SELECT t.id FROM tasks t WHERE t.town_id = 'fengmao' AND NOT EXISTS (SELECT 1 FROM task_units tu WHERE tu.town_id = t.town_id AND tu.task_id = t.id AND tu.unit_id = 'weijiban') LIMIT 1`,
  ).first<{ id: string }>();
  return `fengmao:${row!.id}`;
}

let keyN = 0;
const key = () => `test-key-${Date.now()}-${keyN++}`;

function call(token: string | null, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return SELF.fetch(`http://localhost${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const goodUpdate = (indicator: string | null) => ({
  status: 'in_progress',
  percent: 40,
  narrative: '已完成老年人健康专项基线调查的入户登记，共登记 5200 人。',
  measurements: indicator ? [{ indicator, value: 72.5, as_of: '2018-11-30', source: '镇卫生院2018年11月报表' }] : [],
  evidence: [{ url: 'https://example.gov.cn/fengmao/2018/baseline', title: '调查登记表' }],
});

beforeEach(async () => {
  await loadContent();
});

describe("a reporter's journey", () => {
  it('submits an update on a task of the unit; it is pending, then approved and public', async () => {
    const reporter = await signIn('reporter', 'weijiban');
    const office = await signIn('office');
    const task = await weijibanTask();

    const mine = (await (await call(reporter, 'GET', '/api/v1/me/tasks')).json()) as any;
    expect(mine.tasks.map((t: any) => t.ref)).toContain(task.ref);

    const submitted = await call(reporter, 'POST', `/api/v1/tasks/${task.ref}/updates`, goodUpdate(task.indicator), { 'idempotency-key': key(), 'if-match': '"1"' });
    expect(submitted.status).toBe(201);
    const update = (await submitted.json()) as any;
    expect(update.state).toBe('pending');

    // not public while pending
    let progress = (await (await call(null, 'GET', '/api/v1/towns/fengmao/progress')).json()) as any;
    expect(progress.tasks.find((t: any) => t.id === task.id)).toMatchObject({ state: 'not_reported', percent: null, overdue: false });

    const mineUpdates = (await (await call(reporter, 'GET', '/api/v1/me/updates')).json()) as any;
    expect(mineUpdates.updates[0]).toMatchObject({ id: update.id, state: 'pending' });

    const queue = (await (await call(office, 'GET', '/api/v1/towns/fengmao/updates?status=pending')).json()) as any;
    expect(queue.updates.map((u: any) => u.id)).toEqual([update.id]);

    const approved = await call(office, 'POST', `/api/v1/updates/${update.id}/approve`, undefined, { 'idempotency-key': key(), 'if-match': '"1"' });
    expect(approved.status).toBe(200);
    expect(approved.headers.get('etag')).toBe('"2"');

    progress = (await (await call(null, 'GET', '/api/v1/towns/fengmao/progress')).json()) as any;
    expect(progress.tasks.find((t: any) => t.id === task.id)).toMatchObject({ state: 'in_progress', percent: 40 });
    if (task.indicator) {
      expect(progress.values.filter((v: any) => v.indicator === task.indicator).at(-1)).toMatchObject({ value: 72.5, as_of: '2018-11-30', source: '镇卫生院2018年11月报表' });
    }

    const history = (await (await call(office, 'GET', `/api/v1/tasks/${task.ref}/history`)).json()) as any;
    expect(history.changes).toHaveLength(1);
    expect(history.changes[0]).toMatchObject({ before: { status: 'not_started', percent: 0, version: 1 }, after: { status: 'in_progress', percent: 40, version: 2 } });
  });

  it('a rejected update goes back to the reporter with the reason and changes nothing public', async () => {
    const reporter = await signIn('reporter', 'weijiban');
    const office = await signIn('office');
    const task = await weijibanTask();
    const u = (await (await call(reporter, 'POST', `/api/v1/tasks/${task.ref}/updates`, goodUpdate(null), { 'idempotency-key': key(), 'if-match': '"1"' })).json()) as any;
    const r = await call(office, 'POST', `/api/v1/updates/${u.id}/reject`, { reason: '缺少调查登记表扫描件' }, { 'idempotency-key': key() });
    expect(r.status).toBe(200);
    const mine = (await (await call(reporter, 'GET', '/api/v1/me/updates')).json()) as any;
    expect(mine.updates[0]).toMatchObject({ id: u.id, state: 'rejected', reject_reason: '缺少调查登记表扫描件' });
    const progress = (await (await call(null, 'GET', '/api/v1/towns/fengmao/progress')).json()) as any;
    expect(progress.tasks.find((t: any) => t.id === task.id)).toMatchObject({ state: 'not_reported', percent: null, overdue: false });
    const again = await call(office, 'POST', `/api/v1/updates/${u.id}/approve`, undefined, { 'idempotency-key': key(), 'if-match': '"1"' });
    expect(again.status).toBe(409);
  });
});

describe('validation, idempotency and versions', () => {
  it('names each invalid field in Chinese and stores nothing', async () => {
    const reporter = await signIn('reporter', 'weijiban');
    const task = await weijibanTask();
    const res = await call(reporter, 'POST', `/api/v1/tasks/${task.ref}/updates`, { status: 'done', percent: 140, narrative: '', evidence: [{ url: 'javascript:alert(1)' }] }, { 'idempotency-key': key(), 'if-match': '"1"' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as any;
    expect(body.error.code).toBe('validation_failed');
    const paths = body.error.fields.map((f: any) => f.path).sort();
    expect(paths).toEqual(['evidence.0.url', 'narrative', 'percent', 'status']);
    expect(body.error.fields.find((f: any) => f.path === 'percent').message).toContain('完成比例');
    const n = await env.DB.prepare(`SELECT COUNT(*) AS n FROM task_updates`).first<{ n: number }>();
    expect(n!.n).toBe(0);
  });

  it('a retry with the same Idempotency-Key returns the first result and stores one record', async () => {
    const reporter = await signIn('reporter', 'weijiban');
    const task = await weijibanTask();
    const k = key();
    const bodies = [];
    for (let i = 0; i < 3; i++) {
      const res = await call(reporter, 'POST', `/api/v1/tasks/${task.ref}/updates`, goodUpdate(null), { 'idempotency-key': k, 'if-match': '"1"' });
      expect(res.status).toBe(201);
      bodies.push(await res.json());
    }
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
    const n = await env.DB.prepare(`SELECT COUNT(*) AS n FROM task_updates`).first<{ n: number }>();
    expect(n!.n).toBe(1);
    const audits = await env.DB.prepare(`SELECT COUNT(*) AS n FROM audit_log WHERE action = 'update.submit'`).first<{ n: number }>();
    expect(audits!.n).toBe(1);
  });

  it('the same Idempotency-Key with a different body is a 422', async () => {
    const reporter = await signIn('reporter', 'weijiban');
    const task = await weijibanTask();
    const k = key();
    await call(reporter, 'POST', `/api/v1/tasks/${task.ref}/updates`, goodUpdate(null), { 'idempotency-key': k, 'if-match': '"1"' });
    const res = await call(reporter, 'POST', `/api/v1/tasks/${task.ref}/updates`, { ...goodUpdate(null), percent: 50 }, { 'idempotency-key': k, 'if-match': '"1"' });
    expect(res.status).toBe(422);
    expect(((await res.json()) as any).error.code).toBe('idempotency_key_reused');
  });

  it('a stale task version is a 412, and a missing one a 428', async () => {
    const reporter = await signIn('reporter', 'weijiban');
    const office = await signIn('office');
    const task = await weijibanTask();
    const u = (await (await call(reporter, 'POST', `/api/v1/tasks/${task.ref}/updates`, goodUpdate(null), { 'idempotency-key': key(), 'if-match': '"1"' })).json()) as any;
    await call(office, 'POST', `/api/v1/updates/${u.id}/approve`, undefined, { 'idempotency-key': key(), 'if-match': '"1"' });
    const stale = await call(reporter, 'POST', `/api/v1/tasks/${task.ref}/updates`, goodUpdate(null), { 'idempotency-key': key(), 'if-match': '"1"' });
    expect(stale.status).toBe(412);
    expect(((await stale.json()) as any).error.fields[0].path).toBe('If-Match');
    const missing = await call(reporter, 'POST', `/api/v1/tasks/${task.ref}/updates`, goodUpdate(null), { 'idempotency-key': key() });
    expect(missing.status).toBe(428);
  });

  it('every accepted write has exactly one audit row', async () => {
    const reporter = await signIn('reporter', 'weijiban');
    const office = await signIn('office');
    const task = await weijibanTask();
    const a = (await (await call(reporter, 'POST', `/api/v1/tasks/${task.ref}/updates`, goodUpdate(null), { 'idempotency-key': key(), 'if-match': '"1"' })).json()) as any;
    const b = (await (await call(reporter, 'POST', `/api/v1/tasks/${task.ref}/updates`, { ...goodUpdate(null), percent: 10 }, { 'idempotency-key': key(), 'if-match': '"1"' })).json()) as any;
    await call(office, 'POST', `/api/v1/updates/${a.id}/approve`, undefined, { 'idempotency-key': key(), 'if-match': '"1"' });
    await call(office, 'POST', `/api/v1/updates/${b.id}/reject`, { reason: '与上一条重复' }, { 'idempotency-key': key() });
    const rows = (await env.DB.prepare(`SELECT action, entity_id FROM audit_log WHERE entity = 'task_update' ORDER BY id`).all()).results;
    expect(rows).toEqual([
      { action: 'update.submit', entity_id: a.id },
      { action: 'update.submit', entity_id: b.id },
      { action: 'update.approve', entity_id: a.id },
      { action: 'update.reject', entity_id: b.id },
    ]);
  });
});

describe('authorisation on objects', () => {
  it("a reporter gets 403 on another unit's task and on review and audit endpoints", async () => {
    const reporter = await signIn('reporter', 'weijiban');
    const other = await otherUnitTask();
    expect((await call(reporter, 'POST', `/api/v1/tasks/${other}/updates`, goodUpdate(null), { 'idempotency-key': key(), 'if-match': '"1"' })).status).toBe(403);
    expect((await call(reporter, 'GET', '/api/v1/towns/fengmao/updates?status=pending')).status).toBe(403);
    expect((await call(reporter, 'GET', '/api/v1/towns/fengmao/audit')).status).toBe(403);
  });

  it('a supervisor reads the queue and the audit log but cannot approve', async () => {
    const reporter = await signIn('reporter', 'weijiban');
    const supervisor = await signIn('supervisor');
    const task = await weijibanTask();
    const u = (await (await call(reporter, 'POST', `/api/v1/tasks/${task.ref}/updates`, goodUpdate(null), { 'idempotency-key': key(), 'if-match': '"1"' })).json()) as any;
    expect((await call(supervisor, 'GET', '/api/v1/towns/fengmao/updates?status=pending')).status).toBe(200);
    const audit = (await (await call(supervisor, 'GET', `/api/v1/towns/fengmao/audit?task=${task.id}`)).json()) as any;
    expect(audit.entries.map((e: any) => e.action)).toContain('update.submit');
    expect((await call(supervisor, 'POST', `/api/v1/updates/${u.id}/approve`, undefined, { 'idempotency-key': key(), 'if-match': '"1"' })).status).toBe(403);
  });

  it('anonymous callers get 401 on every non-public endpoint and read public progress', async () => {
    expect((await call(null, 'GET', '/api/v1/me/tasks')).status).toBe(401);
    expect((await call(null, 'GET', '/api/v1/towns/fengmao/updates')).status).toBe(401);
    expect((await call(null, 'GET', '/api/v1/towns/fengmao/progress')).status).toBe(200);
  });
});

describe('simultaneous reviews', () => {
  it('two offices approving the same update at once: one applies it, the other is told it was already reviewed', async () => {
    const reporter = await signIn('reporter', 'weijiban');
    const [o1, o2] = [await signIn('office'), await signIn('office')];
    const task = await weijibanTask();
    const u = (await (await call(reporter, 'POST', `/api/v1/tasks/${task.ref}/updates`, goodUpdate(null), { 'idempotency-key': key(), 'if-match': '"1"' })).json()) as any;
    const answers = await Promise.all(
      [o1, o2].map((t) => call(t, 'POST', `/api/v1/updates/${u.id}/approve`, undefined, { 'idempotency-key': key(), 'if-match': '"1"' })),
    );
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409]);
    const loser = (await answers.find((r) => r.status === 409)!.json()) as any;
    expect(loser.error.code).toBe('already_reviewed');
    const t = await env.DB.prepare(`SELECT version, status, percent FROM tasks WHERE town_id = 'fengmao' AND id = ?`).bind(task.id).first();
    expect(t).toEqual({ version: 2, status: 'in_progress', percent: 40 });
    const history = await env.DB.prepare(`SELECT COUNT(*) AS n FROM task_history WHERE update_id = ?`).bind(u.id).first<{ n: number }>();
    expect(history!.n).toBe(1);
    const audits = await env.DB.prepare(`SELECT COUNT(*) AS n FROM audit_log WHERE action = 'update.approve'`).first<{ n: number }>();
    expect(audits!.n).toBe(1);
  });

  it('two pending updates of one task approved at once against the same version: one applies, the other gets 412 and stays pending', async () => {
    const reporter = await signIn('reporter', 'weijiban');
    const [o1, o2] = [await signIn('office'), await signIn('office')];
    const task = await weijibanTask();
    const a = (await (await call(reporter, 'POST', `/api/v1/tasks/${task.ref}/updates`, goodUpdate(null), { 'idempotency-key': key(), 'if-match': '"1"' })).json()) as any;
    const b = (await (await call(reporter, 'POST', `/api/v1/tasks/${task.ref}/updates`, { ...goodUpdate(null), status: 'completed', percent: 100 }, { 'idempotency-key': key(), 'if-match': '"1"' })).json()) as any;
    const answers = await Promise.all([
      call(o1, 'POST', `/api/v1/updates/${a.id}/approve`, undefined, { 'idempotency-key': key(), 'if-match': '"1"' }),
      call(o2, 'POST', `/api/v1/updates/${b.id}/approve`, undefined, { 'idempotency-key': key(), 'if-match': '"1"' }),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 412]);
    const won = answers[0]!.status === 200 ? a : b;
    const lost = won === a ? b : a;
    const states = (await env.DB.prepare(`SELECT id, state FROM task_updates ORDER BY id`).all<{ id: string; state: string }>()).results;
    expect(Object.fromEntries(states.map((s) => [s.id, s.state]))).toEqual({ [won.id]: 'approved', [lost.id]: 'pending' });
    const t = await env.DB.prepare(`SELECT version, percent FROM tasks WHERE town_id = 'fengmao' AND id = ?`).bind(task.id).first();
    expect(t).toEqual({ version: 2, percent: won.percent });
    // The loser can still be approved, knowingly, against the new version.
    const retry = await call(o2, 'POST', `/api/v1/updates/${lost.id}/approve`, undefined, { 'idempotency-key': key(), 'if-match': '"2"' });
    expect(retry.status).toBe(200);
    expect((await env.DB.prepare(`SELECT COUNT(*) AS n FROM audit_log WHERE action = 'update.approve'`).first<{ n: number }>())!.n).toBe(2);
  });
});
