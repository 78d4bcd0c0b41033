/**
 * Task management (任务分解表) through the real Worker over a real local D1: create, decompose,
 * edit and re-assign with versions; history and audit rows; the content loader keeps the office's
 * edits; who may do what.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import { content, loadContent, loadTwoTowns } from './helpers.ts';
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

  it('moves a deliverable to another key task (parent change)', async () => {
    const office = await signIn('office');
    const r = await api('PATCH', `/api/v1/tasks/${ref}`, { token: office, body: { parent: 'kt2-family-doctor', code: '二.9' }, headers: { 'If-Match': '"1"' } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ parent: 'kt2-family-doctor', code: '二.9', version: 2 });
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
