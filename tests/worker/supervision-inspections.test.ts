/**
 * Inspections (督导检查) and their rectification items (整改), tracked exactly like tasks: the
 * responsible unit's reporter submits updates, the office approves, the overdue board shows them
 * past their deadline. Plus the daily snapshot of the Cron Trigger.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import { recordOverdueSnapshots } from '../../worker/scheduled.ts';
import { dumpTables, loadContent } from './helpers.ts';
import { api, auditRows, signIn } from './auth-helpers.ts';
import { addDays, cstDate } from '../../worker/domain/supervision.ts';
import { approved } from './supervision-helpers.ts';

let k = 0;
const key = () => `insp-key-${Date.now()}-${k++}`;
const today = () => cstDate(Date.now());

const inspection = (over: Record<string, unknown> = {}) => ({
  inspected_on: addDays(today(), -10),
  title: '医养结合示范镇创建工作第一次督导检查',
  inspectors: ['王纪委（镇纪委书记）', '李组织（组织委员）'],
  units: ['minzhengban', 'weijiban'],
  tasks: ['g1-policy-support-community-centres'],
  findings: [{ text: '社区养老服务中心建设进度滞后，选址尚未确定', unit: 'minzhengban', task: 'g1-policy-support-community-centres' }],
  rectifications: [{ title: '确定社区养老服务中心选址并报领导小组', unit: 'minzhengban', due_on: addDays(today(), -1), lead_member: undefined }],
  ...over,
});

let supervisor: string;
beforeEach(async () => {
  await loadContent();
  supervisor = await signIn('supervisor', 'jiwei');
});

describe('inspections', () => {
  it('a supervisor records an inspection; its rectification item is a task of the responsible unit, reported, reviewed and on the overdue board', async () => {
    const created = await api('POST', '/api/v1/towns/fengmao/inspections', { token: supervisor, body: inspection(), headers: { 'idempotency-key': key() } });
    expect(created.status).toBe(201);
    const item = created.body.rectifications[0];
    expect(item).toMatchObject({ unit: 'minzhengban', due_on: addDays(today(), -1), status: 'not_started', version: 1 });
    expect((await auditRows('inspection.create')).length).toBe(1);
    expect((await auditRows('rectification.create')).map((a) => a.task_id)).toEqual([item.id]);

    // overdue since yesterday, on the board under 民政办
    let board = await api('GET', '/api/v1/towns/fengmao/overdue', { token: supervisor });
    const group = board.body.groups.find((g: any) => g.unit.id === 'minzhengban');
    expect(group.overdue.find((t: any) => t.id === item.id)).toMatchObject({ kind: 'rectification', overdue_days: 1, milestone: null, inspection: created.body.id });
    expect((await api('GET', '/api/v1/towns/fengmao/overdue?kind=rectification', { token: supervisor })).body.counts.overdue).toBe(1);
    // not known before the inspection took place
    const before = await api('GET', `/api/v1/towns/fengmao/overdue?asOf=${addDays(today(), -11)}&kind=rectification`, { token: supervisor });
    expect(before.body.counts.tasks).toBe(0);

    // the unit's reporter sees it among their tasks and reports on it; another unit's reporter cannot
    const reporter = await signIn('reporter', 'minzhengban');
    const other = await signIn('reporter', 'weijiban');
    const mine = await api('GET', '/api/v1/me/tasks', { token: reporter });
    expect(mine.body.tasks.find((t: any) => t.id === item.id)).toMatchObject({ due_date: item.due_on, kind: 'rectification' });
    const body = { status: 'completed', percent: 100, narrative: '选址已确定在镇东社区，已报领导小组。', measurements: [], evidence: [] };
    expect((await api('POST', `/api/v1/tasks/${item.ref}/updates`, { token: other, body, headers: { 'idempotency-key': key(), 'if-match': '"1"' } })).status).toBe(403);
    const sub = await api('POST', `/api/v1/tasks/${item.ref}/updates`, { token: reporter, body, headers: { 'idempotency-key': key(), 'if-match': '"1"' } });
    expect(sub.status).toBe(201);
    // pending: still overdue
    board = await api('GET', '/api/v1/towns/fengmao/overdue?kind=rectification', { token: supervisor });
    expect(board.body.counts.overdue).toBe(1);

    const office = await signIn('office');
    const ok = await api('POST', `/api/v1/updates/${sub.body.id}/approve`, { token: office, headers: { 'idempotency-key': key(), 'if-match': '"1"' } });
    expect(ok.status).toBe(200);
    board = await api('GET', '/api/v1/towns/fengmao/overdue?kind=rectification', { token: supervisor });
    expect(board.body.counts.overdue).toBe(0);
    const read = await api('GET', `/api/v1/inspections/${created.body.id}`, { token: office });
    expect(read.body.rectifications[0]).toMatchObject({ status: 'completed', percent: 100, version: 2 });

    // rectification items are internal: not in the public plan or progress
    const plan = await api('GET', '/api/v1/towns/fengmao/plan');
    expect(JSON.stringify(plan.body)).not.toContain(item.id);
    const progress = await api('GET', '/api/v1/towns/fengmao/progress');
    expect(progress.body.tasks.map((t: any) => t.id)).not.toContain(item.id);
  });

  it('the content loader never touches rectification items', async () => {
    const created = await api('POST', '/api/v1/towns/fengmao/inspections', { token: supervisor, body: inspection(), headers: { 'idempotency-key': key() } });
    const id = created.body.rectifications[0].id;
    const before = await dumpTables();
    await loadContent(undefined, '2027-01-01T00:00:00.000Z');
    const after = await dumpTables();
    const rows = (d: Record<string, unknown[]>, t: string) => d[t]!.filter((r: any) => r.id === id || r.task_id === id);
    expect(rows(after, 'tasks')).toEqual(rows(before, 'tasks'));
    expect(rows(after, 'task_units')).toEqual(rows(before, 'task_units'));
    expect(rows(after, 'tasks').length).toBe(1);
  });

  it('refuses units, tasks and members of no such kind in the town, and deadlines before the inspection, naming the field', async () => {
    const bad = inspection({
      units: ['no-such-unit'],
      rectifications: [{ title: '整改', unit: 'minzhengban', due_on: addDays(today(), -20), lead_member: 'nobody' }],
    });
    const r = await api('POST', '/api/v1/towns/fengmao/inspections', { token: supervisor, body: bad, headers: { 'idempotency-key': key() } });
    expect(r.status).toBe(422);
    expect(r.body.error.fields.map((f: any) => f.path).sort()).toEqual(['rectifications.0.due_on', 'rectifications.0.lead_member', 'units.0']);
    const empty = await api('POST', '/api/v1/towns/fengmao/inspections', { token: supervisor, body: { ...inspection(), inspectors: [] }, headers: { 'idempotency-key': key() } });
    expect(empty.status).toBe(400);
    expect(empty.body.error.fields[0].path).toBe('inspectors');
    expect(await env.DB.prepare(`SELECT count(*) AS n FROM inspections`).first('n')).toBe(0);
  });

  it('only supervisors (and admins) record; office reads; reporters and anonymous cannot', async () => {
    const office = await signIn('office');
    const reporter = await signIn('reporter', 'weijiban');
    expect((await api('POST', '/api/v1/towns/fengmao/inspections', { token: office, body: inspection(), headers: { 'idempotency-key': key() } })).status).toBe(403);
    expect((await api('POST', '/api/v1/towns/fengmao/inspections', { token: reporter, body: inspection(), headers: { 'idempotency-key': key() } })).status).toBe(403);
    expect((await api('POST', '/api/v1/towns/fengmao/inspections', { body: inspection(), headers: { 'idempotency-key': key() } })).status).toBe(401);
    const made = await api('POST', '/api/v1/towns/fengmao/inspections', { token: supervisor, body: inspection(), headers: { 'idempotency-key': key() } });
    expect((await api('GET', '/api/v1/towns/fengmao/inspections', { token: office })).body.inspections.map((i: any) => i.id)).toEqual([made.body.id]);
    expect((await api('GET', `/api/v1/inspections/${made.body.id}`, { token: reporter })).status).toBe(403);
    expect((await api('GET', `/api/v1/inspections/${made.body.id}`)).status).toBe(401);
    expect((await api('GET', '/api/v1/towns/fengmao/inspections', { token: reporter })).status).toBe(403);
  });

  it('a retry with the same Idempotency-Key records the inspection once', async () => {
    const h = { 'idempotency-key': key() };
    const body = inspection();
    const a = await api('POST', '/api/v1/towns/fengmao/inspections', { token: supervisor, body, headers: h });
    const b = await api('POST', '/api/v1/towns/fengmao/inspections', { token: supervisor, body, headers: h });
    expect(b.body).toEqual(a.body);
    expect(await env.DB.prepare(`SELECT count(*) AS n FROM tasks WHERE kind = 'rectification'`).first('n')).toBe(1);
  });
});

describe('daily overdue snapshot (Cron Trigger)', () => {
  const runCron = async (scheduledTime: number) => {
    // What the Worker's scheduled handler (worker/index.ts) runs for the Cron Trigger.
    await recordOverdueSnapshots(env.DB, scheduledTime);
  };

  it('records overdue counts per unit for the day; running twice on one day changes nothing', async () => {
    await approved('g4-leadership-leading-group', 'completed', 100, '2018-03-15T02:00:00.000Z');
    const at = Date.parse('2019-01-01T15:50:00.000Z'); // 23:50 on 2019-01-01 in Beijing
    await runCron(at);
    const rows = (await env.DB.prepare(`SELECT unit_id, day, overdue, at_risk, stale, tasks FROM overdue_snapshots ORDER BY unit_id`).all<any>()).results;
    const byUnit = Object.fromEntries(rows.map((r) => [r.unit_id, r]));
    expect(rows.every((r) => r.day === '2019-01-01')).toBe(true);
    // 卫计办 leads nine 2018 deliverables; the leading group was set up in March
    expect(byUnit.weijiban.overdue).toBe(8);
    // 民政办 leads two: 保障一.4 and 四.3 (the plan names the 养老康复中心 as what 四.3 improves, not who
    // acts); the centre leads no task and still gets its row, with nothing counted.
    expect(byUnit.minzhengban.overdue).toBe(2);
    expect(byUnit['yanglao-kangfu-zhongxin']).toMatchObject({ overdue: 0, tasks: 0 });
    expect(byUnit.dangzhengban.overdue).toBe(1);
    const units = (await env.DB.prepare(`SELECT count(*) AS n FROM units WHERE town_id = 'fengmao'`).first<{ n: number }>())!.n;
    expect(rows.length).toBe(units);
    expect((await auditRows('snapshot.overdue')).length).toBe(1);

    const before = await dumpTables();
    await approved('kt1-health-assessment-assessment-system', 'completed', 100, '2019-01-01T03:00:00.000Z');
    await runCron(at + 60_000);
    const after = await dumpTables();
    expect(after.overdue_snapshots).toEqual(before.overdue_snapshots);
    expect(after.audit_log).toEqual(before.audit_log);

    // the next day is a new snapshot, with the completion counted
    await runCron(at + 86_400_000);
    const next = await env.DB.prepare(`SELECT overdue FROM overdue_snapshots WHERE unit_id = 'weijiban' AND day = '2019-01-02'`).first<{ overdue: number }>();
    expect(next!.overdue).toBe(7);
    const trend = await api('GET', '/api/v1/towns/fengmao/overdue-snapshots?from=2019-01-01&to=2019-01-02', { token: supervisor });
    expect(trend.body.snapshots.filter((s: any) => s.unit === 'weijiban').map((s: any) => [s.day, s.overdue])).toEqual([
      ['2019-01-01', 8],
      ['2019-01-02', 7],
    ]);
  });
});
