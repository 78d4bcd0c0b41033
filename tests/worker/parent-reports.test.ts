/**
 * Parents roll up (issue 14, item 3): a report may mark a parent task 已完成 only when every
 * sub-task is approved completed, and may not claim more percent than the sub-tasks' weighted
 * roll-up; judged at submission and again at approval. A refusal stores nothing.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { env, SELF } from 'cloudflare:test';
import { loadContent } from './helpers.ts';
import { signIn } from './auth-helpers.ts';
import { dumpDb } from './db-dump.ts';
import { runBatch } from '../../worker/db/batch.ts';
import { approveStmts, clearGuards, descendantsGuardStmt, readTaskForUpdate, readUpdate } from '../../worker/db/updates.ts';

interface Parent {
  id: string;
  ref: string;
  children: { id: string; code: string; ref: string }[];
}

/** A parent task of 卫计办 in Fengmao whose sub-tasks are all 卫计办's too, read from the loaded task table. */
async function weijibanParent(): Promise<Parent> {
  const ofWeijiban = `EXISTS (SELECT 1 FROM task_units tu WHERE tu.town_id = t.town_id AND tu.task_id = t.id AND tu.unit_id = 'weijiban')`;
  const p = await env.DB.prepare(
    `SELECT t.id FROM tasks t WHERE t.town_id = 'fengmao' AND ${ofWeijiban}
        AND EXISTS (SELECT 1 FROM tasks c WHERE c.town_id = t.town_id AND c.parent_id = t.id)
        AND NOT EXISTS (SELECT 1 FROM tasks c WHERE c.town_id = t.town_id AND c.parent_id = t.id
                          AND NOT EXISTS (SELECT 1 FROM task_units tu WHERE tu.town_id = c.town_id AND tu.task_id = c.id AND tu.unit_id = 'weijiban'))
        AND NOT EXISTS (SELECT 1 FROM tasks g JOIN tasks c ON c.town_id = g.town_id AND c.id = g.parent_id WHERE c.town_id = t.town_id AND c.parent_id = t.id)
      ORDER BY t.ordinal LIMIT 1`,
  ).first<{ id: string }>();
  const kids = await env.DB.prepare(`SELECT id, code FROM tasks WHERE town_id = 'fengmao' AND parent_id = ? ORDER BY ordinal, id`).bind(p!.id).all<{ id: string; code: string }>();
  expect(kids.results.length).toBeGreaterThan(1);
  return { id: p!.id, ref: `fengmao:${p!.id}`, children: kids.results.map((k) => ({ ...k, ref: `fengmao:${k.id}` })) };
}

let keyN = 0;
const key = () => `parent-key-${Date.now()}-${keyN++}`;

async function call(token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await SELF.fetch(`http://localhost${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

const versionOf = async (id: string) =>
  (await env.DB.prepare(`SELECT version FROM tasks WHERE town_id = 'fengmao' AND id = ?`).bind(id).first<{ version: number }>())!.version;

const report = (status: string, percent: number) => ({ status, percent, narrative: `${status} ${percent}%：按计划推进，已形成工作台账。` });

async function submit(reporter: string, taskId: string, body: unknown) {
  return call(reporter, 'POST', `/api/v1/tasks/fengmao:${taskId}/updates`, body, { 'idempotency-key': key(), 'if-match': `"${await versionOf(taskId)}"` });
}

async function approve(office: string, update: { id: string; task: string }) {
  return call(office, 'POST', `/api/v1/updates/${update.id}/approve`, undefined, { 'idempotency-key': key(), 'if-match': `"${await versionOf(update.task)}"` });
}

/** Submits and approves a report on a task; fails the test if either step is refused. */
async function approved(reporter: string, office: string, taskId: string, status: string, percent: number) {
  const s = await submit(reporter, taskId, report(status, percent));
  expect(s.status, JSON.stringify(s.body)).toBe(201);
  const a = await approve(office, s.body);
  expect(a.status, JSON.stringify(a.body)).toBe(200);
}

let reporter: string;
let office: string;
let parent: Parent;

beforeEach(async () => {
  await loadContent();
  reporter = await signIn('reporter', 'weijiban');
  office = await signIn('office');
  parent = await weijibanParent();
});

describe('a report on a parent task', () => {
  it('is refused with a 422 naming every unreported sub-task when it says 已完成 100 %, and stores nothing', async () => {
    const before = await dumpDb();
    const res = await submit(reporter, parent.id, report('completed', 100));
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('children_unfinished');
    const listed = parent.children.map((c) => `${c.code}（未报告）`).join('、');
    expect(res.body.error.message).toBe(`还有子任务未完成，不能把上级任务报为已完成：${listed}`);
    expect(res.body.error.message_en).toContain(`${parent.children[0]!.code} (not reported)`);
    expect(res.body.error.fields.map((f: any) => f.path)).toEqual(['status', 'percent']);
    expect(await dumpDb()).toEqual(before);
  });

  it('names only the unfinished sub-tasks, each with its state, and caps percent at their roll-up', async () => {
    const [first, second] = parent.children;
    await approved(reporter, office, first!.id, 'completed', 100);
    await approved(reporter, office, second!.id, 'in_progress', 50);
    const n = parent.children.length;
    const max = Math.round((100 + 50) / n);

    const done = await submit(reporter, parent.id, report('completed', 100));
    expect(done.status).toBe(422);
    expect(done.body.error.message).toContain(`${second!.code}（进行中）`);
    expect(done.body.error.message).not.toContain(`${first!.code}（`);

    const before = await dumpDb();
    const over = await submit(reporter, parent.id, report('in_progress', max + 1));
    expect(over.status).toBe(422);
    expect(over.body.error).toMatchObject({ code: 'percent_above_children', fields: [{ path: 'percent', message: `不能超过子任务汇总的进度 ${max}%` }] });
    expect(await dumpDb()).toEqual(before);

    const within = await submit(reporter, parent.id, report('in_progress', max));
    expect(within.status).toBe(201);
  });

  it('shows on the public progress API by the public rules: 未报告 until reported, then rolled up from the sub-tasks', async () => {
    const read = async () => (await (await SELF.fetch('http://localhost/api/v1/towns/fengmao/progress')).json()) as any;
    const before = await read();
    const p0 = before.tasks.find((t: any) => t.id === parent.id);
    expect(p0).toMatchObject({ state: 'not_reported', percent: null, rolled_up: true, overdue: false });
    expect(before.counts.not_reported).toBe(before.counts.total);
    expect(before.counts.not_started).toBe(0);

    const [first, second] = parent.children;
    await approved(reporter, office, first!.id, 'completed', 100);
    await approved(reporter, office, second!.id, 'in_progress', 50);
    const after = await read();
    const weights = await env.DB.prepare(`SELECT id, weight FROM tasks WHERE town_id = 'fengmao' AND parent_id = ?`).bind(parent.id).all<{ id: string; weight: number }>();
    const w = new Map(weights.results.map((r) => [r.id, r.weight]));
    const total = [...w.values()].reduce((a, b) => a + b, 0);
    const expected = Math.round(((w.get(first!.id)! * 100 + w.get(second!.id)! * 50) / total) * 10) / 10;
    expect(after.tasks.find((t: any) => t.id === parent.id)).toMatchObject({ state: 'in_progress', percent: expected, rolled_up: true });
    expect(after.tasks.find((t: any) => t.id === first!.id)).toMatchObject({ state: 'completed', percent: 100, rolled_up: false });
    expect(after.counts.completed).toBe(1);
    expect(after.counts.in_progress).toBe(1);
    expect(after.counts.not_reported).toBe(after.counts.total - 2);
  });

  it('is accepted and approved when every sub-task is approved completed; the public progress shows the parent completed', async () => {
    for (const c of parent.children) await approved(reporter, office, c.id, 'completed', 100);
    await approved(reporter, office, parent.id, 'completed', 100);
    const progress = (await (await SELF.fetch('http://localhost/api/v1/towns/fengmao/progress')).json()) as any;
    expect(progress.tasks.find((t: any) => t.id === parent.id)).toMatchObject({ state: 'completed', percent: 100 });
  });

  it('is refused at approval when a sub-task was reopened after it was submitted; it stays pending and nothing changes', async () => {
    for (const c of parent.children) await approved(reporter, office, c.id, 'completed', 100);
    const pending = await submit(reporter, parent.id, report('completed', 100));
    expect(pending.status).toBe(201);

    const reopened = parent.children[1]!;
    await approved(reporter, office, reopened.id, 'in_progress', 80);

    const before = await dumpDb();
    const res = await approve(office, pending.body);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('children_unfinished');
    expect(res.body.error.message).toBe(`还有子任务未完成，不能把上级任务报为已完成：${reopened.code}（进行中）`);
    expect(res.body.error.fields[0]).toMatchObject({ path: 'status' });
    expect(await dumpDb()).toEqual(before);
    expect((await readUpdate(env.DB, pending.body.id))!.state).toBe('pending');

    // The office can still send it back with a reason.
    const back = await call(office, 'POST', `/api/v1/updates/${pending.body.id}/reject`, { reason: `${reopened.code} 已重新打开` }, { 'idempotency-key': key() });
    expect(back.status).toBe(200);
  });
});

describe("the approval's guard on the sub-tasks", () => {
  it('aborts the batch when a sub-task changes between the read and the write, and passes when nothing did', async () => {
    for (const c of parent.children) await approved(reporter, office, c.id, 'completed', 100);
    const s = await submit(reporter, parent.id, report('completed', 100));
    const u = (await readUpdate(env.DB, s.body.id))!;
    const seen = (await readTaskForUpdate(env.DB, 'fengmao', parent.id))!;
    const write = (t: typeof seen) => [descendantsGuardStmt('fengmao', parent.id, t.descendants_fingerprint), ...approveStmts(u, seen, 'office-test', new Date().toISOString()), clearGuards()];

    // A sub-task reopened after the reviewer's read.
    await approved(reporter, office, parent.children[0]!.id, 'in_progress', 90);
    const before = await dumpDb();
    await expect(runBatch(env.DB, write(seen))).rejects.toThrow(/CHECK constraint failed/);
    expect(await dumpDb()).toEqual(before);

    // Read again: the fingerprint the Worker computes equals the one SQL computes, so the write passes.
    const fresh = (await readTaskForUpdate(env.DB, 'fengmao', parent.id))!;
    expect(fresh.descendants_fingerprint).not.toBe(seen.descendants_fingerprint);
    await runBatch(env.DB, write(fresh));
    expect((await readUpdate(env.DB, u.id))!.state).toBe('approved');
  });
});

describe('the API contract', () => {
  it('lists the parent refusal among the 422 answers of submission and approval', async () => {
    const doc = (await (await SELF.fetch('http://localhost/api/openapi.json')).json()) as any;
    for (const [path, op] of [
      ['/tasks/{task}/updates', 'post'],
      ['/updates/{update}/approve', 'post'],
    ] as const) {
      const r422 = doc.paths[path][op].responses['422'];
      expect(r422.description).toContain('children_unfinished');
      expect(r422.description).toContain('percent_above_children');
      expect(r422.content['application/json'].schema).toBeDefined();
    }
  });
});
