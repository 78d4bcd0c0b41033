/**
 * Task management (任务分解表) through the real Worker over a real local D1: create, decompose,
 * edit and re-assign with versions; history and audit rows; the content loader keeps the office's
 * edits; who may do what.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { env, SELF } from 'cloudflare:test';
import ExcelJS from 'exceljs';
import { toCsv } from '../../worker/domain/csv.ts';
import { parseTableCsv } from '../../worker/domain/task-table.ts';
import { readXlsxSheet } from '../../worker/domain/xlsx-read.ts';
import { content, dumpTables, loadContent, loadTwoTowns } from './helpers.ts';
import { api, auditRows, signIn, signedIn } from './auth-helpers.ts';

let keyN = 0;
const idem = () => ({ 'Idempotency-Key': `tasks-test-${keyN++}-${crypto.randomUUID()}` });

/** A content task of Fengmao by id, as the table lists it. */
async function tableTask(token: string, id: string) {
  const r = await api('GET', '/api/v1/towns/fengmao/tasks', { token });
  expect(r.status).toBe(200);
  return (r.body.tasks as any[]).find((t) => t.id === id);
}

const history = async (id: string) =>
  (await env.DB.prepare(`SELECT actor, update_id, before_json, after_json FROM task_history WHERE town_id = 'fengmao' AND task_id = ? ORDER BY id`).bind(id).all<any>()).results.map((h) => ({
    ...h,
    before: JSON.parse(h.before_json),
    after: JSON.parse(h.after_json),
  }));

const subTask = { code: '一.9', parent: 'kt1-health-assessment', title: '建立老年人健康档案动态更新机制', units: [{ unit: 'weijiban', role: 'lead' }, { unit: 'zhongxin-weishengyuan', role: 'support' }], lead_member: 'shao-yanqiu', due: 'y2020', weight: 2 };

describe('the task table', () => {
  beforeEach(async () => {
    await loadContent();
  });

  it('lists every plan task with ref, code, parent, kind, units, lead member, due milestone, weight, status and version, and the pick lists', async () => {
    const office = await signIn('office');
    const r = await api('GET', '/api/v1/towns/fengmao/tasks?kind=plan', { token: office });
    expect(r.status).toBe(200);
    const fengmao = content().towns.find((t) => t.town.id === 'fengmao')!;
    expect(r.body.tasks).toHaveLength(fengmao.tasks.length);
    expect(r.body.tasks.map((t: any) => t.id)).toEqual(fengmao.tasks.map((t) => t.id));
    const child = r.body.tasks.find((t: any) => t.id === 'kt1-health-assessment-assessment-system');
    expect(child).toMatchObject({
      ref: 'fengmao:kt1-health-assessment-assessment-system',
      code: '一.1',
      parent: 'kt1-health-assessment',
      kind: 'deliverable',
      units: [{ unit: 'weijiban', name: '卫计办', role: 'lead' }, { unit: 'zhongxin-weishengyuan', name: '冯卯中心卫生院', role: 'support' }],
      lead_member: 'shao-yanqiu',
      lead_member_name: '邵艳秋',
      due: 'y2018',
      due_label: '2018年年底',
      due_on: '2018-12-31',
      weight: 1,
      status: 'not_started',
      percent: 0,
      version: 1,
      edited: [],
    });
    expect(r.body.units.find((u: any) => u.id === 'minzhengban')).toEqual({ id: 'minzhengban', name: '民政办' });
    expect(r.body.milestones.map((m: any) => m.id)).toEqual(['y2018', 'y2020', 'y2022']);
    expect(r.body.members.length).toBeGreaterThan(10);
  });

  it('includes rectification items with their kind and own deadline', async () => {
    const sup = await signIn('supervisor');
    const insp = await api('POST', '/api/v1/towns/fengmao/inspections', {
      token: sup,
      headers: idem(),
      body: { inspected_on: '2019-03-15', title: '一季度督导', inspectors: ['镇纪委 张某'], units: ['weijiban'], findings: [{ text: '进度偏慢', unit: 'weijiban' }], rectifications: [{ title: '补齐健康档案', unit: 'weijiban', due_on: '2019-06-30' }] },
    });
    expect(insp.status).toBe(201);
    const r = await api('GET', '/api/v1/towns/fengmao/tasks?kind=rectification', { token: sup });
    expect(r.body.tasks).toHaveLength(1);
    expect(r.body.tasks[0]).toMatchObject({ kind: 'rectification', title: '补齐健康档案', due: null, due_on: '2019-06-30', parent: null, inspection: insp.body.id });
  });
});

describe('creating and decomposing tasks', () => {
  beforeEach(async () => {
    await loadContent();
  });

  it('creates a sub-task under a key task: 201, version 1, one history row, one audit row', async () => {
    const office = await signedIn('office');
    const before = (await auditRows('task.create')).length;
    const r = await api('POST', '/api/v1/towns/fengmao/tasks', { token: office.token, body: subTask, headers: idem() });
    expect(r.status).toBe(201);
    expect(r.headers.get('ETag')).toBe('"1"');
    expect(r.body).toMatchObject({ code: '一.9', parent: 'kt1-health-assessment', kind: 'deliverable', due: 'y2020', due_on: '2020-12-31', weight: 2, version: 1, lead_member_name: '邵艳秋', status: 'not_started' });
    expect(r.body.id).toMatch(/^t-[0-9a-f]{12}$/);
    expect(r.body.ref).toBe(`fengmao:${r.body.id}`);
    const listed = await tableTask(office.token, r.body.id);
    expect(listed).toEqual(r.body);
    const h = await history(r.body.id);
    expect(h).toHaveLength(1);
    expect(h[0]).toMatchObject({ actor: office.id, update_id: null, before: {}, after: { code: '一.9', title: subTask.title, version: 1 } });
    const audit = await auditRows('task.create');
    expect(audit).toHaveLength(before + 1);
    expect(audit.at(-1)).toMatchObject({ actor: office.id, town_id: 'fengmao', task_id: r.body.id, unit_id: 'weijiban', entity_id: r.body.ref });
    // the parent now rolls up a child more: the plan (and the reporters' task list) sees it
    const plan = await api('GET', '/api/v1/me/tasks', { token: await signIn('reporter', 'weijiban') });
    expect(plan.body.tasks.map((t: any) => t.id)).toContain(r.body.id);
  });

  it('a retry with the same Idempotency-Key returns the first answer and creates nothing more', async () => {
    const office = await signIn('office');
    const headers = idem();
    const a = await api('POST', '/api/v1/towns/fengmao/tasks', { token: office, body: subTask, headers });
    const b = await api('POST', '/api/v1/towns/fengmao/tasks', { token: office, body: subTask, headers });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.headers.get('Idempotent-Replayed')).toBe('true');
    expect(b.body).toEqual(a.body);
    const n = await env.DB.prepare(`SELECT COUNT(*) AS n FROM tasks WHERE town_id = 'fengmao' AND code = '一.9'`).first<{ n: number }>();
    expect(n!.n).toBe(1);
  });

  it('refuses unknown units, members, milestones and parents, a taken code and a deliverable without parent, naming each field', async () => {
    const office = await signIn('office');
    const bad = await api('POST', '/api/v1/towns/fengmao/tasks', {
      token: office,
      headers: idem(),
      body: { ...subTask, code: '一.1', parent: 'no-such-task', units: [{ unit: 'weijiban', role: 'lead' }, { unit: 'weishengban', role: 'support' }], lead_member: 'nobody', due: 'y2019' },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('task_invalid');
    const paths = bad.body.error.fields.map((f: any) => f.path).sort();
    expect(paths).toEqual(['code', 'due', 'lead_member', 'parent', 'units.1.unit']);
    expect(bad.body.error.fields.find((f: any) => f.path === 'units.1.unit')).toMatchObject({ message: '未找到单位“weishengban”', message_en: 'unknown unit weishengban' });
    const orphan = await api('POST', '/api/v1/towns/fengmao/tasks', { token: office, headers: idem(), body: { ...subTask, parent: null, kind: 'deliverable' } });
    expect(orphan.status).toBe(422);
    expect(orphan.body.error.fields).toEqual([expect.objectContaining({ path: 'parent', message: '具体工作必须有上级任务' })]);
    const noLead = await api('POST', '/api/v1/towns/fengmao/tasks', { token: office, headers: idem(), body: { ...subTask, units: [{ unit: 'weijiban', role: 'support' }] } });
    expect(noLead.status).toBe(400);
    expect(noLead.body.error.fields[0].path).toBe('units');
    const taken = await api('POST', '/api/v1/towns/fengmao/tasks', { token: office, headers: idem(), body: { ...subTask, id: 'kt1-health-assessment' } });
    expect(taken.status).toBe(409);
    expect(await env.DB.prepare(`SELECT COUNT(*) AS n FROM tasks WHERE town_id = 'fengmao' AND code = '一.9'`).first()).toEqual({ n: 0 });
  });
});

describe('editing tasks', () => {
  beforeEach(async () => {
    await loadContent();
  });
  const ref = 'fengmao:kt1-health-assessment-baseline-survey';

  it('re-assigns units, moves the deadline and renames: version + 1, history before/after, one audit row; a stale version gets 412', async () => {
    const office = await signedIn('office');
    const edit = { title: '到2018年年底完成老年人健康专项基线调查', units: [{ unit: 'minzhengban', role: 'lead' }, { unit: 'weijiban', role: 'support' }], due: 'y2020', lead_member: null };
    const r = await api('PATCH', `/api/v1/tasks/${ref}`, { token: office.token, body: edit, headers: { 'If-Match': '"1"' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('ETag')).toBe('"2"');
    expect(r.body).toMatchObject({ version: 2, title: edit.title, due: 'y2020', lead_member: null, units: [{ unit: 'minzhengban', role: 'lead' }, { unit: 'weijiban', role: 'support' }] });
    expect(r.body.edited.sort()).toEqual(['due', 'lead_member', 'title', 'units']);
    const h = await history('kt1-health-assessment-baseline-survey');
    expect(h).toHaveLength(1);
    expect(h[0].before).toMatchObject({ title: '到2018年年底集中开展老年人健康专项基线调查', due: 'y2018', lead_member: 'shao-yanqiu', version: 1 });
    expect(h[0].after).toMatchObject({ title: edit.title, due: 'y2020', lead_member: null, version: 2 });
    expect(h[0].after.units).toEqual(edit.units);
    const audit = await auditRows('task.edit');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: office.id, task_id: 'kt1-health-assessment-baseline-survey', unit_id: 'minzhengban' });
    expect(JSON.parse(audit[0]!.detail_json).fields.sort()).toEqual(['due', 'lead_member', 'title', 'units']);
    // The task history endpoint shows the change too.
    const hist = await api('GET', `/api/v1/tasks/${ref}/history`, { token: office.token });
    expect(hist.body.changes).toHaveLength(1);
    // The new lead unit's reporter now has the task; the old unit keeps it as support.
    const minzheng = await api('GET', '/api/v1/me/tasks', { token: await signIn('reporter', 'minzhengban') });
    expect(minzheng.body.tasks.map((t: any) => t.ref)).toContain(ref);

    const stale = await api('PATCH', `/api/v1/tasks/${ref}`, { token: office.token, body: { weight: 3 }, headers: { 'If-Match': '"1"' } });
    expect(stale.status).toBe(412);
    expect(stale.body.error.code).toBe('version_mismatch');
    const missing = await api('PATCH', `/api/v1/tasks/${ref}`, { token: office.token, body: { weight: 3 } });
    expect(missing.status).toBe(428);
    expect((await tableTask(office.token, 'kt1-health-assessment-baseline-survey')).weight).toBe(1);
    expect(await auditRows('task.edit')).toHaveLength(1);
  });

  it('two editors saving against the same version at once: one wins, the other gets 412; one history row', async () => {
    const office = await signIn('office');
    const admin = await signIn('admin');
    const [a, b] = await Promise.all([
      api('PATCH', `/api/v1/tasks/${ref}`, { token: office, body: { title: '甲的标题' }, headers: { 'If-Match': '"1"' } }),
      api('PATCH', `/api/v1/tasks/${ref}`, { token: admin, body: { weight: 4 }, headers: { 'If-Match': '"1"' } }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 412]);
    expect(await history('kt1-health-assessment-baseline-survey')).toHaveLength(1);
    expect(await auditRows('task.edit')).toHaveLength(1);
    expect((await tableTask(office, 'kt1-health-assessment-baseline-survey')).version).toBe(2);
  });

  it('an edit that changes nothing writes nothing', async () => {
    const office = await signIn('office');
    const r = await api('PATCH', `/api/v1/tasks/${ref}`, { token: office, body: { weight: 1, due: 'y2018' }, headers: { 'If-Match': '"1"' } });
    expect(r.status).toBe(200);
    expect(r.body.version).toBe(1);
    expect(await history('kt1-health-assessment-baseline-survey')).toHaveLength(0);
    expect(await auditRows('task.edit')).toHaveLength(0);
  });

  it('refuses a parent cycle, an unknown unit and an unknown milestone with 422 naming the field, changing nothing', async () => {
    const office = await signIn('office');
    const cycle = await api('PATCH', '/api/v1/tasks/fengmao:kt1-health-assessment', { token: office, body: { parent: 'kt1-health-assessment-baseline-survey' }, headers: { 'If-Match': '"1"' } });
    expect(cycle.status).toBe(422);
    expect(cycle.body.error.fields).toEqual([expect.objectContaining({ path: 'parent', message: '上级任务形成循环：一 → 一.2 → 一' })]);
    const self = await api('PATCH', `/api/v1/tasks/${ref}`, { token: office, body: { parent: 'kt1-health-assessment-baseline-survey' }, headers: { 'If-Match': '"1"' } });
    expect(self.status).toBe(422);
    const unit = await api('PATCH', `/api/v1/tasks/${ref}`, { token: office, body: { units: [{ unit: 'nosuchunit', role: 'lead' }] }, headers: { 'If-Match': '"1"' } });
    expect(unit.body.error.fields).toEqual([expect.objectContaining({ path: 'units.0.unit' })]);
    const due = await api('PATCH', `/api/v1/tasks/${ref}`, { token: office, body: { due: 'y2030' }, headers: { 'If-Match': '"1"' } });
    expect(due.status).toBe(422);
    expect(due.body.error.fields).toEqual([expect.objectContaining({ path: 'due' })]);
    expect((await tableTask(office, 'kt1-health-assessment')).version).toBe(1);
    expect(await auditRows('task.edit')).toHaveLength(0);
  });

  it('a rectification item gets a new deadline date and unit, but no milestone or parent', async () => {
    const sup = await signIn('supervisor');
    const insp = await api('POST', '/api/v1/towns/fengmao/inspections', {
      token: sup,
      headers: idem(),
      body: { inspected_on: '2019-03-15', title: '一季度督导', inspectors: ['镇纪委 张某'], units: ['weijiban'], findings: [{ text: '进度偏慢', unit: 'weijiban' }], rectifications: [{ title: '补齐健康档案', unit: 'weijiban', due_on: '2019-06-30' }] },
    });
    const item = insp.body.rectifications[0];
    const office = await signIn('office');
    const wrong = await api('PATCH', `/api/v1/tasks/${item.ref}`, { token: office, body: { due: 'y2020' }, headers: { 'If-Match': '"1"' } });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error).toMatchObject({ code: 'field_not_applicable', fields: [{ path: 'due' }] });
    const r = await api('PATCH', `/api/v1/tasks/${item.ref}`, { token: office, body: { due_on: '2019-09-30', units: [{ unit: 'minzhengban', role: 'lead' }] }, headers: { 'If-Match': '"1"' } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ kind: 'rectification', due: null, due_on: '2019-09-30', version: 2, units: [{ unit: 'minzhengban', role: 'lead' }] });
    const plain = await api('PATCH', `/api/v1/tasks/${ref}`, { token: office, body: { due_on: '2019-09-30' }, headers: { 'If-Match': '"1"' } });
    expect(plain.status).toBe(422);
  });

  it('moves a deliverable to another key task (parent change)', async () => {
    const office = await signIn('office');
    const r = await api('PATCH', `/api/v1/tasks/${ref}`, { token: office, body: { parent: 'kt2-family-doctor', code: '二.9' }, headers: { 'If-Match': '"1"' } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ parent: 'kt2-family-doctor', code: '二.9', version: 2 });
  });
});

describe('须附佐证 (evidence_required)', () => {
  it('the office sets it on a task (PATCH) and on a new one: audited, shown to the unit in 我的任务, and the next content load keeps it', async () => {
    await loadContent();
    const office = await signedIn('office');
    const ref = 'fengmao:kt1-health-assessment-baseline-survey';
    expect((await tableTask(office.token, 'kt1-health-assessment-baseline-survey')).evidence_required).toBe(false);
    const set = await api('PATCH', `/api/v1/tasks/${ref}`, { token: office.token, body: { evidence_required: true }, headers: { 'If-Match': '"1"' } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ evidence_required: true, version: 2 });
    const [audit] = await auditRows('task.edit');
    expect(JSON.parse(audit!.detail_json)).toMatchObject({ source: 'api', fields: ['evidence_required'], before: { evidence_required: false }, after: { evidence_required: true } });
    const created = await api('POST', '/api/v1/towns/fengmao/tasks', { token: office.token, body: { ...subTask, evidence_required: true }, headers: idem() });
    expect(created.status).toBe(201);
    expect(created.body.evidence_required).toBe(true);
    const bad = await api('PATCH', `/api/v1/tasks/${ref}`, { token: office.token, body: { evidence_required: '是' }, headers: { 'If-Match': '"2"' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toEqual([expect.objectContaining({ path: 'evidence_required' })]);

    // The responsible unit's reporter sees the flag on its task list.
    const reporter = await signIn('reporter', 'weijiban');
    const mine = await api('GET', '/api/v1/me/tasks', { token: reporter });
    expect(mine.status).toBe(200);
    const rows = mine.body.tasks as { id: string; evidence_required: number | boolean }[];
    expect(Boolean(rows.find((t) => t.id === 'kt1-health-assessment-baseline-survey')!.evidence_required)).toBe(true);
    expect(rows.filter((t) => t.evidence_required).map((t) => t.id).sort()).toEqual(['kt1-health-assessment-baseline-survey', created.body.id].sort());

    // content/ rewrites the plan's tasks (a new title for this one): the flag stays.
    const bundle = content();
    bundle.towns.find((t) => t.town.id === 'fengmao')!.tasks.find((t) => t.id === 'kt1-health-assessment-baseline-survey')!.title = '内容文件的新标题';
    await loadContent(bundle, '2026-06-01T00:00:00.000Z');
    expect(await tableTask(office.token, 'kt1-health-assessment-baseline-survey')).toMatchObject({ title: '内容文件的新标题', evidence_required: true });
    expect((await tableTask(office.token, created.body.id)).evidence_required).toBe(true);
  });
});

describe('console edits and the content loader', () => {
  it('an edited title, unit, deadline and weight survive the next content load; fields not edited still follow content/', async () => {
    await loadContent();
    const office = await signIn('office');
    const ref = 'fengmao:kt1-health-assessment-baseline-survey';
    const edit = { title: '办公室修改后的标题', units: [{ unit: 'minzhengban', role: 'lead' }], due: 'y2020', weight: 3 };
    expect((await api('PATCH', `/api/v1/tasks/${ref}`, { token: office, body: edit, headers: { 'If-Match': '"1"' } })).status).toBe(200);
    const created = await api('POST', '/api/v1/towns/fengmao/tasks', { token: office, body: subTask, headers: idem() });
    expect(created.status).toBe(201);

    // content/ changes the same task's title and lead member, and another task's title
    const bundle = content();
    const fm = bundle.towns.find((t) => t.town.id === 'fengmao')!;
    fm.tasks.find((t) => t.id === 'kt1-health-assessment-baseline-survey')!.title = '内容文件的新标题';
    fm.tasks.find((t) => t.id === 'kt1-health-assessment-baseline-survey')!.lead_member = undefined;
    fm.tasks.find((t) => t.id === 'kt1-health-assessment-assessment-system')!.title = '内容文件修订的另一项';
    await loadContent(bundle, '2026-06-01T00:00:00.000Z');

    const after = await tableTask(office, 'kt1-health-assessment-baseline-survey');
    expect(after).toMatchObject({ title: edit.title, units: [{ unit: 'minzhengban', role: 'lead' }], due: 'y2020', weight: 3, lead_member: null });
    // lead_member was not edited through the API: content/'s change applies (and bumps the version once)
    expect(after.version).toBe(3);
    expect((await tableTask(office, 'kt1-health-assessment-assessment-system')).title).toBe('内容文件修订的另一项');
    expect(await tableTask(office, created.body.id)).toMatchObject({ title: subTask.title, version: 1 });
    const basis = await env.DB.prepare(`SELECT units_basis, due_basis FROM tasks WHERE town_id = 'fengmao' AND id = 'kt1-health-assessment-baseline-survey'`).first();
    expect(basis).toEqual({ units_basis: 'stated', due_basis: 'stated' });

    // loading the same content again changes nothing at all
    const v = (await tableTask(office, 'kt1-health-assessment-baseline-survey')).version;
    await loadContent(bundle, '2026-07-01T00:00:00.000Z');
    expect((await tableTask(office, 'kt1-health-assessment-baseline-survey')).version).toBe(v);
  });
});

describe('who may manage tasks', () => {
  beforeEach(async () => {
    await loadTwoTowns();
  });

  it('reporters, supervisors and another town’s office get 403 on writes; nothing is written', async () => {
    const ref = 'fengmao:kt1-health-assessment-baseline-survey';
    for (const token of [await signIn('reporter', 'weijiban'), await signIn('supervisor'), await signIn('office', null, { town: 'othertown' })]) {
      expect((await api('POST', '/api/v1/towns/fengmao/tasks', { token, body: subTask, headers: idem() })).status).toBe(403);
      expect((await api('PATCH', `/api/v1/tasks/${ref}`, { token, body: { weight: 2 }, headers: { 'If-Match': '"1"' } })).status).toBe(403);
    }
    expect((await api('GET', '/api/v1/towns/fengmao/tasks', { token: await signIn('reporter', 'weijiban') })).status).toBe(403);
    expect((await api('GET', '/api/v1/towns/fengmao/tasks', { token: await signIn('supervisor', null, { town: 'othertown' }) })).status).toBe(403);
    expect((await api('GET', '/api/v1/towns/fengmao/tasks')).status).toBe(401);
    expect(await auditRows('task.create')).toHaveLength(0);
    expect(await auditRows('task.edit')).toHaveLength(0);
    // An admin may, in any town.
    const admin = await signIn('admin');
    expect((await api('PATCH', '/api/v1/tasks/othertown:kt1-health-assessment-baseline-survey', { token: admin, body: { weight: 2 }, headers: { 'If-Match': '"1"' } })).status).toBe(200);
  });
});

// ---------------------------------------------------------------- export and import of the 任务分解表

const HEADERS = ['编号', '上级任务', '类别', '任务内容', '牵头单位', '配合单位', '责任人', '完成时限', '权重', '须附佐证', '状态', '进度(%)', '任务标识', '版本'];
const col = (h: string) => HEADERS.indexOf(h);

async function download(token: string, ext: 'csv' | 'xlsx', town = 'fengmao') {
  const res = await SELF.fetch(`http://localhost/api/v1/towns/${town}/tasks/export.${ext}`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), bytes: new Uint8Array(await res.arrayBuffer()).slice() };
}

async function upload(token: string, body: Uint8Array | string, opts: { dry?: boolean; key?: string; type?: string } = {}) {
  const res = await SELF.fetch(`http://localhost/api/v1/towns/fengmao/tasks/import${opts.dry ? '?dry_run=1' : ''}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': opts.type ?? 'text/csv', ...(opts.dry ? {} : { 'Idempotency-Key': opts.key ?? `import-${crypto.randomUUID()}` }) },
    body,
  });
  return { status: res.status, body: (await res.json()) as any, headers: res.headers };
}

const csvGrid = (bytes: Uint8Array) => parseTableCsv(new TextDecoder().decode(bytes));
const csvBytes = (grid: string[][]) => new TextEncoder().encode(toCsv(grid));

/** The task sheet of a workbook, read by the Worker's own reader (tasks-xlsx.test.ts checks it against exceljs). */
const xlsxGrid = (bytes: Uint8Array) => readXlsxSheet(bytes, { prefer: '任务分解表', maxRows: 2000, maxCols: 50, maxBytes: 1e8 });

/** The tables an import may touch, for before/after comparison. */
async function taskTables() {
  const all = await dumpTables();
  return { tasks: all.tasks, task_units: all.task_units, task_history: all.task_history, audit_log: all.audit_log };
}

describe('exporting the task table', () => {
  beforeEach(async () => {
    await loadContent();
  });

  it('CSV: UTF-8 with BOM, CRLF, the Chinese headers, one row per plan task as a clerk reads it, formula-safe cells', async () => {
    const office = await signIn('office');
    // a title that a spreadsheet would run as a formula
    expect((await api('PATCH', '/api/v1/tasks/fengmao:kt1-health-assessment-third-party-assessment', { token: office, body: { title: '=HYPERLINK("http://x","点我")' }, headers: { 'If-Match': '"1"' } })).status).toBe(200);
    const csv = await download(office, 'csv');
    expect(csv.status).toBe(200);
    expect(csv.type).toBe('text/csv; charset=utf-8');
    expect(csv.disposition).toContain(`filename*=UTF-8''${encodeURIComponent('冯卯镇任务分解表-')}`);
    expect([...csv.bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { ignoreBOM: true, fatal: false }).decode(csv.bytes);
    expect(text.split('\r\n')[0]).toBe(`\uFEFF${HEADERS.join(',')}`);
    expect(text.replaceAll('\r\n', '')).not.toContain('\n');
    const grid = csvGrid(csv.bytes);
    const fengmao = content().towns.find((t) => t.town.id === 'fengmao')!;
    expect(grid).toHaveLength(fengmao.tasks.length + 1);
    const row = grid.find((r) => r[col('任务标识')] === 'kt1-health-assessment-assessment-system')!;
    expect(row).toEqual(['一.1', '一', '具体工作', '建立健康老年人健康评估体系，完善评估标准和流程', '卫计办', '冯卯中心卫生院', '邵艳秋', '2018年年底', '1', '否', '未开始', '0', 'kt1-health-assessment-assessment-system', '1']);
    expect(text).toContain(`"'=HYPERLINK(""http://x"",""点我"")"`);
    // rectification items are not part of the 任务分解表
    expect(grid.every((r) => !r[0]!.startsWith('整改'))).toBe(true);
  });

  it('XLSX: the same rows as the CSV, on a sheet named 任务分解表', async () => {
    const office = await signIn('office');
    const csv = csvGrid((await download(office, 'csv')).bytes);
    const x = await download(office, 'xlsx');
    expect(x.status).toBe(200);
    expect(x.type).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(await xlsxGrid(x.bytes)).toEqual(csv);
  });
});

describe('importing the task table', () => {
  beforeEach(async () => {
    await loadContent();
  });

  it('an exported file imported unchanged changes nothing (CSV and XLSX)', async () => {
    const office = await signIn('office');
    const n = content().towns.find((t) => t.town.id === 'fengmao')!.tasks.length;
    const before = await taskTables();
    for (const ext of ['csv', 'xlsx'] as const) {
      const file = await download(office, ext);
      const r = await upload(office, file.bytes, { type: ext === 'csv' ? 'text/csv' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body).toMatchObject({ dry_run: false, format: ext, rows: n, created: 0, updated: 0, unchanged: n, not_in_file: 0, changes: [] });
    }
    expect(await taskTables()).toEqual(before);
  });

  it('applies exactly the edits of a changed file: renamed, re-assigned, deadline moved, new task and its sub-task; dry run first writes nothing', async () => {
    const office = await signedIn('office');
    const grid = csvGrid((await download(office.token, 'csv')).bytes);
    const n = grid.length - 1;
    const rowOf = (id: string) => grid.findIndex((r) => r[col('任务标识')] === id);
    const renamed = rowOf('kt1-health-assessment-assessment-system');
    const reassigned = rowOf('kt1-health-assessment-baseline-survey');
    const moved = rowOf('kt2-family-doctor-signing-teams');
    grid[renamed]![col('任务内容')] = '建立老年人健康评估体系（修订）';
    grid[reassigned]![col('牵头单位')] = '民政办';
    grid[reassigned]![col('配合单位')] = '卫计办、老龄委';
    grid[moved]![col('完成时限')] = '2020年年底';
    const blank = HEADERS.map(() => '');
    const newParent = [...blank];
    newParent[col('编号')] = '八';
    newParent[col('任务内容')] = '建立医养结合信息平台';
    newParent[col('牵头单位')] = '卫计办';
    newParent[col('完成时限')] = '2022';
    const newChild = [...blank];
    newChild[col('编号')] = '八.1';
    newChild[col('上级任务')] = '八';
    newChild[col('任务内容')] = '完成平台需求调研';
    newChild[col('牵头单位')] = '卫计办';
    newChild[col('配合单位')] = '冯卯中心卫生院';
    newChild[col('责任人')] = '邵艳秋';
    newChild[col('完成时限')] = '2020年年底';
    newChild[col('权重')] = '2';
    grid.push(newChild, newParent); // the child comes first: parents may be listed after their children
    const file = csvBytes(grid);

    const before = await dumpTables();
    const dry = await upload(office.token, file, { dry: true });
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(dry.body).toMatchObject({ dry_run: true, rows: n + 2, created: 2, updated: 3, unchanged: n - 3 });
    expect(dry.body.changes.map((c: any) => [c.row, c.action, c.fields])).toEqual([
      [renamed + 1, 'update', ['title']],
      [reassigned + 1, 'update', ['units']],
      [moved + 1, 'update', ['due']],
      [n + 2, 'create', []],
      [n + 3, 'create', []],
    ]);
    expect(await dumpTables()).toEqual(before);

    const key = `import-${crypto.randomUUID()}`;
    const r = await upload(office.token, file, { key });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ dry_run: false, created: 2, updated: 3, unchanged: n - 3 });
    const table = (await api('GET', '/api/v1/towns/fengmao/tasks?kind=plan', { token: office.token })).body.tasks as any[];
    const byId = new Map(table.map((t) => [t.id, t]));
    expect(byId.get('kt1-health-assessment-assessment-system')).toMatchObject({ title: '建立老年人健康评估体系（修订）', version: 2, edited: ['title'] });
    expect(byId.get('kt1-health-assessment-baseline-survey')).toMatchObject({ version: 2, units: [{ unit: 'minzhengban', role: 'lead' }, { unit: 'weijiban', role: 'support' }, { unit: 'laolingwei', role: 'support' }] });
    expect(byId.get('kt2-family-doctor-signing-teams')).toMatchObject({ due: 'y2020', version: 2 });
    const parent = table.find((t) => t.code === '八');
    const child = table.find((t) => t.code === '八.1');
    expect(parent).toMatchObject({ parent: null, kind: 'key_task', due: 'y2022', version: 1, weight: 1 });
    expect(child).toMatchObject({ parent: parent.id, kind: 'deliverable', due: 'y2020', lead_member: 'shao-yanqiu', weight: 2, units: [{ unit: 'weijiban', role: 'lead' }, { unit: 'zhongxin-weishengyuan', role: 'support' }] });
    // every other task is untouched
    expect(table.filter((t) => t.version !== 1).map((t) => t.id).sort()).toEqual(['kt1-health-assessment-assessment-system', 'kt1-health-assessment-baseline-survey', 'kt2-family-doctor-signing-teams'].sort());
    // one history row and one audit row per changed task, one for the import
    const hist = (await env.DB.prepare(`SELECT task_id FROM task_history ORDER BY id`).all<{ task_id: string }>()).results.map((h) => h.task_id);
    expect(hist.sort()).toEqual([child.id, parent.id, 'kt1-health-assessment-assessment-system', 'kt1-health-assessment-baseline-survey', 'kt2-family-doctor-signing-teams'].sort());
    expect((await auditRows('task.create')).map((a) => a.task_id).sort()).toEqual([child.id, parent.id].sort());
    const edits = await auditRows('task.edit');
    expect(edits.map((a) => [a.task_id, JSON.parse(a.detail_json).row, JSON.parse(a.detail_json).source])).toEqual([
      ['kt1-health-assessment-assessment-system', renamed + 1, 'import'],
      ['kt1-health-assessment-baseline-survey', reassigned + 1, 'import'],
      ['kt2-family-doctor-signing-teams', moved + 1, 'import'],
    ]);
    expect(await auditRows('task.import')).toEqual([expect.objectContaining({ actor: office.id, town_id: 'fengmao' })]);

    // a retry of the same request replays the answer and imports nothing twice
    const again = await upload(office.token, file, { key });
    expect(again.status).toBe(200);
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    expect(again.body).toEqual(r.body);
    expect(await auditRows('task.create')).toHaveLength(2);
    // and the file, imported again with a new key, is now unchanged
    const third = await upload(office.token, csvBytes(csvGrid((await download(office.token, 'csv')).bytes)));
    expect(third.body).toMatchObject({ created: 0, updated: 0, unchanged: n + 2 });
  });

  it('an edited XLSX workbook imports like the CSV (rich text, numbers and a typed date)', async () => {
    const office = await signIn('office');
    const grid = await xlsxGrid((await download(office, 'xlsx')).bytes);
    const target = grid.findIndex((r) => r[col('任务标识')] === 'kt1-health-assessment-baseline-survey');
    // what a clerk's Excel would save: a number, rich text, and a date typed into 完成时限
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('任务分解表');
    grid.forEach((r, i) => {
      const row = ws.addRow(r);
      if (i === target) {
        row.getCell(col('权重') + 1).value = 3;
        row.getCell(col('责任人') + 1).value = { richText: [{ text: '孙召' }, { text: '印', font: { bold: true } }] };
        row.getCell(col('完成时限') + 1).value = new Date(Date.UTC(2020, 11, 31));
      }
    });
    const r = await upload(office, new Uint8Array((await wb.xlsx.writeBuffer()) as ArrayBuffer), { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ format: 'xlsx', updated: 1, created: 0 });
    expect(r.body.changes[0]).toMatchObject({ row: target + 1, fields: ['lead_member', 'due', 'weight'], after: { weight: 3, due: 'y2020', lead_member: 'sun-zhaoyin' } });
  });

  it('须附佐证 set to 是 in the XLSX sets the task flag: one edit, audited with the other task-table edits; a blank cell keeps it; an unknown word is refused naming the cell', async () => {
    const office = await signedIn('office');
    const grid = await xlsxGrid((await download(office.token, 'xlsx')).bytes);
    const id = 'kt1-health-assessment-baseline-survey';
    const target = grid.findIndex((r) => r[col('任务标识')] === id);
    expect(grid[target]![col('须附佐证')]).toBe('否');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('任务分解表');
    grid.forEach((r, i) => {
      const row = ws.addRow(r);
      if (i === target) row.getCell(col('须附佐证') + 1).value = '是';
    });
    const xlsx = async () => new Uint8Array((await wb.xlsx.writeBuffer()) as ArrayBuffer);
    const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    const r = await upload(office.token, await xlsx(), { type: XLSX_TYPE });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ updated: 1, created: 0 });
    expect(r.body.changes[0]).toMatchObject({ row: target + 1, fields: ['evidence_required'], before: { evidence_required: false }, after: { evidence_required: true } });
    expect(r.body.changes[0].diff).toEqual([{ column: '须附佐证', before: '否', after: '是' }]);
    expect(await tableTask(office.token, id)).toMatchObject({ evidence_required: true, version: 2, edited: ['evidence_required'] });
    const [audit] = (await auditRows('task.edit')).filter((a) => a.task_id === id);
    expect(audit).toMatchObject({ actor: office.id, town_id: 'fengmao' });
    expect(JSON.parse(audit!.detail_json)).toMatchObject({ source: 'import', fields: ['evidence_required'], before: { evidence_required: false }, after: { evidence_required: true } });
    // Exported again, the row reads 是.
    const again = await xlsxGrid((await download(office.token, 'xlsx')).bytes);
    expect(again.find((x) => x[col('任务标识')] === id)![col('须附佐证')]).toBe('是');

    // A blank cell (as in a file from before the column) keeps the flag.
    const blank = again.map((row) => [...row]);
    for (const row of blank.slice(1)) row[col('须附佐证')] = '';
    const kept = await upload(office.token, csvBytes(blank));
    expect(kept.status, JSON.stringify(kept.body)).toBe(200);
    expect(kept.body).toMatchObject({ updated: 0, created: 0 });
    expect((await tableTask(office.token, id)).evidence_required).toBe(true);

    // A word that is neither yes nor no is refused, naming the row and the column.
    const odd = again.map((row) => [...row]);
    const at = odd.findIndex((x) => x[col('任务标识')] === id);
    odd[at]![col('须附佐证')] = '也许';
    const refused = await upload(office.token, csvBytes(odd));
    expect(refused.status).toBe(422);
    expect(refused.body.error.fields).toEqual([expect.objectContaining({ path: `rows.${at + 1}.须附佐证`, message: `第${at + 1}行“须附佐证”：须附佐证“也许”应为“是”或“否”` })]);
  });

  it('a file with bad rows is refused with 422 listing each bad row, and the database is byte-for-byte unchanged', async () => {
    const office = await signIn('office');
    const grid = csvGrid((await download(office, 'csv')).bytes);
    const rowOf = (id: string) => grid.findIndex((r) => r[col('任务标识')] === id);
    const unknownUnit = rowOf('kt1-health-assessment-assessment-system');
    const badMilestone = rowOf('kt1-health-assessment-baseline-survey');
    const noTitle = rowOf('kt1-health-assessment-graded-service-norms');
    const dupCode = rowOf('kt1-health-assessment-health-centre-equipment');
    const cycleTop = rowOf('kt1-health-assessment');
    grid[unknownUnit]![col('牵头单位')] = '卫生办';
    grid[badMilestone]![col('完成时限')] = '2019年年底';
    grid[noTitle]![col('任务内容')] = '  ';
    grid[dupCode]![col('编号')] = '一.1';
    grid[cycleTop]![col('上级任务')] = '一.6'; // 一 under its own child 一.6 → 一 → 一.6 → 一
    const before = await dumpTables();
    const r = await upload(office, csvBytes(grid));
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('import_invalid');
    expect(r.body.error.message).toContain('未导入任何内容');
    const paths = r.body.error.fields.map((f: any) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining([`rows.${unknownUnit + 1}.牵头单位`, `rows.${badMilestone + 1}.完成时限`, `rows.${noTitle + 1}.任务内容`, `rows.${dupCode + 1}.编号`, `rows.${cycleTop + 1}.上级任务`]),
    );
    const byPath = new Map(r.body.error.fields.map((f: any) => [f.path, f]));
    expect(byPath.get(`rows.${unknownUnit + 1}.牵头单位`)).toMatchObject({ message: `第${unknownUnit + 1}行“牵头单位”：未找到单位“卫生办”`, message_en: `row ${unknownUnit + 1}, 牵头单位: unknown unit 卫生办` });
    expect((byPath.get(`rows.${badMilestone + 1}.完成时限`) as any).message).toContain('2019年年底');
    expect((byPath.get(`rows.${dupCode + 1}.编号`) as any).message).toContain(`与第${unknownUnit + 1}行重复`);
    expect((byPath.get(`rows.${cycleTop + 1}.上级任务`) as any).message).toContain('循环');
    expect(await dumpTables()).toEqual(before);
    // the same with dry_run: the same errors, nothing written
    const dry = await upload(office, csvBytes(grid), { dry: true });
    expect(dry.status).toBe(422);
    expect(dry.body.error.fields).toEqual(r.body.error.fields);
    expect(await dumpTables()).toEqual(before);
  });

  it('refuses a file without the required columns, an unknown task id, and a file that is too large or too long', async () => {
    const office = await signIn('office');
    const noCols = await upload(office, '编号,任务内容\r\n一,测试\r\n');
    expect(noCols.status).toBe(422);
    expect(noCols.body.error.fields.map((f: any) => f.path)).toEqual(['header.牵头单位', 'header.完成时限', 'header.任务标识', 'header.版本']);
    const unknownId = await upload(office, `${HEADERS.join(',')}\r\n九,,,新任务,卫计办,,,2018年年底,1,,,no-such-task,1\r\n`);
    expect(unknownId.status).toBe(422);
    expect(unknownId.body.error.fields).toEqual([expect.objectContaining({ path: 'rows.2.任务标识' })]);
    const big = await upload(office, new Uint8Array(2 * 1024 * 1024 + 1).fill(0x41));
    expect(big.status).toBe(413);
    const long = await upload(office, `${HEADERS.join(',')}\r\n${Array.from({ length: 1001 }, (_, i) => `X${i},,,任务${i},卫计办,,,2018年年底,1,,,,`).join('\r\n')}\r\n`);
    expect(long.status).toBe(422);
    expect(long.body.error.code).toBe('too_many_rows');
    const notXlsx = await upload(office, new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]), { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
    expect(notXlsx.status).toBe(422);
    expect(notXlsx.body.error.code).toBe('file_unreadable');
    const noKey = await SELF.fetch('http://localhost/api/v1/towns/fengmao/tasks/import', { method: 'POST', headers: { Authorization: `Bearer ${office}`, 'Content-Type': 'text/csv' }, body: '编号' });
    expect(noKey.status).toBe(400);
    expect(await auditRows('task.import')).toHaveLength(0);
  });

  it('reporters, supervisors and another town’s office cannot import; reporters and other towns cannot export', async () => {
    await loadTwoTowns();
    const office = await signIn('office');
    const file = (await download(office, 'csv')).bytes;
    const before = await taskTables();
    for (const token of [await signIn('reporter', 'weijiban'), await signIn('supervisor'), await signIn('office', null, { town: 'othertown' })]) {
      expect((await upload(token, file)).status).toBe(403);
      expect((await upload(token, file, { dry: true })).status).toBe(403);
    }
    expect((await download(await signIn('reporter', 'weijiban'), 'csv')).status).toBe(403);
    expect((await download(await signIn('supervisor', null, { town: 'othertown' }), 'xlsx')).status).toBe(403);
    expect((await download(await signIn('supervisor'), 'xlsx')).status).toBe(200);
    const after = await taskTables();
    expect(after.tasks).toEqual(before.tasks);
    expect(after.task_history).toEqual(before.task_history);
  });
});
