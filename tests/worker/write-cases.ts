/**
 * One valid request for every write route of the app (`METHOD path` as the app registers it),
 * shared by the hostile-input and fault-injection tests. A new write route needs its case here:
 * both tests read the app's route table and fail until it has one.
 */
import { env } from 'cloudflare:test';
import { expect } from 'vitest';
import { runBatch } from '../../worker/db/batch.ts';
import { insertSessionStmt } from '../../worker/db/accounts.ts';
import { clearGuards, readTaskForUpdate, submitStmts } from '../../worker/db/updates.ts';
import { REGION_BULLETINS, TOWN_BULLETINS, draftBulletinStmt } from '../../worker/db/bulletins.ts';
import { readTaskTable } from '../../worker/db/tasks.ts';
import { taskTableRows } from '../../worker/domain/task-table.ts';
import { sha256Hex } from '../../worker/auth/password.ts';
import { app } from '../../worker/app.ts';
import { attachmentStmts, insertFileStmt } from '../../worker/db/files.ts';
import { PDF } from '../fixtures/evidence-images.ts';
import { content, loadContent } from './helpers.ts';
import { api, createAccount, signedIn, TEST_PASSWORD } from './auth-helpers.ts';

export interface Req {
  path: string;
  token: string | null;
  /** A JSON body. */
  body?: unknown;
  /** A spreadsheet uploaded as the raw body (the task import): its cells, sent as CSV with this Content-Type. */
  file?: { rows: string[][]; type: string };
  /** A file uploaded as the raw body as it is (an evidence photo). */
  bytes?: { data: Uint8Array; type: string };
  headers: Record<string, string>;
}

/** Cells as a CSV file the way a spreadsheet saves it: UTF-8 with BOM, CRLF, quoted where needed (no formula guard: that is the export's job, not the uploader's). */
export const csvFile = (rows: string[][]): string =>
  `\uFEFF${rows.map((r) => r.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n')}\r\n`;

/** The body of a request and its Content-Type, as the valid request sends them. */
export function encodeBody(r: Req): { body?: string | Uint8Array; type?: string } {
  if (r.bytes) return { body: r.bytes.data, type: r.bytes.type };
  if (r.file) return { body: csvFile(r.file.rows), type: r.file.type };
  if (r.body !== undefined) return { body: JSON.stringify(r.body), type: 'application/json' };
  return {};
}
export interface Fixture {
  reporter: string;
  reporterId: string;
  office: string;
  officeId: string;
  supervisor: string;
  admin: string;
  task: string;
  loginUser: string;
  issuedBulletin: string;
  /** A supervisor of Fengmao's county (region `shanting`) and an issued region bulletin of it. */
  regionSupervisor: string;
  regionSupervisorId: string;
  issuedRegionBulletin: string;
}
export type Case = (f: Fixture, n: number) => Promise<Req> | Req;

const idem = (n: number) => `hostile-${n}-${crypto.randomUUID()}`;
const taskVersion = async (f: Fixture) => (await readTaskForUpdate(env.DB, 'fengmao', f.task))!.version;

/** A fresh pending update on the fixture task, written with the Worker's own statements. */
async function pendingUpdate(f: Fixture, n: number): Promise<{ id: string; version: number }> {
  const t = (await readTaskForUpdate(env.DB, 'fengmao', f.task))!;
  const id = `upd_hostile_${n}_${crypto.randomUUID().slice(0, 8)}`;
  const input = { status: 'in_progress' as const, percent: 10, narrative: '敌意输入测试', measurements: [], evidence: [] };
  await runBatch(env.DB, submitStmts({ id, town: 'fengmao', task: t.id, unit: 'weijiban', author: f.reporterId, state: 'pending', ...input, base_version: t.version, created_at: new Date().toISOString(), reviewed_by: null, reviewed_at: null, reject_reason: null }, input).concat(clearGuards()));
  return { id, version: t.version };
}

/** The 任务分解表 as exported, cut to the header and the fixture task's row, with its title edited (run `n`). */
async function editedTable(f: Fixture, n: number): Promise<string[][]> {
  const table = (await readTaskTable(env.DB, 'fengmao'))!;
  const [header, ...rows] = taskTableRows(table.tasks, table.refs).map((r) => r.map(String));
  const row = rows.find((r) => r[header!.indexOf('任务标识')] === f.task)!;
  const title = header!.indexOf('任务内容');
  row[title] = `${row[title]!.replace(/（第\d+次修订）$/, '')}（第${n}次修订）`;
  return [header!, row];
}

/** A valid request for every write route (`METHOD path` as the app registers it). */
export const CASES: Record<string, Case> = {
  'POST /api/v1/towns/:town/tasks': (f, n) => ({
    path: '/api/v1/towns/fengmao/tasks',
    token: f.office,
    body: {
      code: `一.${100 + n}`,
      parent: 'kt1-health-assessment',
      title: '建立老年人健康档案动态更新机制',
      units: [{ unit: 'weijiban', role: 'lead' }, { unit: 'zhongxin-weishengyuan', role: 'support' }],
      lead_member: 'shao-yanqiu',
      due: 'y2020',
      weight: 2,
    },
    headers: { 'Idempotency-Key': idem(n) },
  }),
  'PATCH /api/v1/tasks/:task': async (f, n) => ({
    path: `/api/v1/tasks/fengmao:${f.task}`,
    token: f.office,
    // A new title each run, so every accepted edit writes (weijiban stays the lead: the other cases report on this task).
    body: { title: `到2018年年底集中开展老年人健康专项基线调查（第${n}次修订）`, units: [{ unit: 'weijiban', role: 'lead' }, { unit: 'zhongxin-weishengyuan', role: 'support' }], due: 'y2020', lead_member: 'shao-yanqiu', weight: 2 },
    headers: { 'If-Match': `"${await taskVersion(f)}"` },
  }),
  'POST /api/v1/towns/:town/tasks/import': async (f, n) => ({
    path: '/api/v1/towns/fengmao/tasks/import',
    token: f.office,
    file: { rows: await editedTable(f, n), type: 'text/csv' },
    headers: { 'Idempotency-Key': idem(n) },
  }),
  'POST /api/v1/auth/login': (f) => ({ path: '/api/v1/auth/login', token: null, body: { username: f.loginUser, password: TEST_PASSWORD }, headers: {} }),
  'POST /api/v1/auth/activate': (_f, n) => ({ path: '/api/v1/auth/activate', token: null, body: { token: `no-such-activation-token-${n}-xxxxxxxx`, password: 'a-new-password-2019' }, headers: {} }),
  'POST /api/v1/auth/logout': async (f) => {
    // Each run logs out its own fresh session, so the other cases' tokens stay valid.
    const token = crypto.randomUUID().replaceAll('-', '') + crypto.randomUUID().replaceAll('-', '');
    const now = Date.now();
    await runBatch(env.DB, [insertSessionStmt(await sha256Hex(token), f.reporterId, new Date(now).toISOString(), new Date(now + 3_600_000).toISOString())]);
    return { path: '/api/v1/auth/logout', token, headers: {} };
  },
  'POST /api/v1/towns/:town/accounts': (f, n) => ({
    path: '/api/v1/towns/fengmao/accounts',
    token: f.office,
    body: { username: `hostile-${n}`, display_name: '新填报员', role: 'reporter', unit_id: 'weijiban' },
    headers: {},
  }),
  'POST /api/v1/towns/:town/accounts/:account/:action': async (f) => {
    // Each run disables its own fresh reporter account (the office manages its reporters).
    const target = await createAccount('reporter');
    return { path: `/api/v1/towns/fengmao/accounts/${target.id}/disable`, token: f.office, headers: {} };
  },
  'POST /api/v1/regions/:region/accounts/:account/:action': async (f) => {
    // Each run disables its own fresh supervisor of Fengmao's county (admins manage region supervisors).
    const target = await createAccount('region_supervisor', null, { region: 'shanting' });
    return { path: `/api/v1/regions/shanting/accounts/${target.id}/disable`, token: f.admin, headers: {} };
  },
  'POST /api/v1/tasks/:task/updates': async (f, n) => ({
    path: `/api/v1/tasks/fengmao:${f.task}/updates`,
    token: f.reporter,
    body: {
      status: 'in_progress',
      percent: 40,
      narrative: '已完成入户登记。',
      measurements: [],
      evidence: [{ url: 'https://example.gov.cn/fengmao/2018/baseline', title: '调查登记表' }],
    },
    headers: { 'Idempotency-Key': idem(n), 'If-Match': `"${await taskVersion(f)}"` },
  }),
  'POST /api/v1/updates/:update/approve': async (f, n) => {
    const u = await pendingUpdate(f, n);
    return { path: `/api/v1/updates/${u.id}/approve`, token: f.office, headers: { 'Idempotency-Key': idem(n), 'If-Match': `"${u.version}"` } };
  },
  'POST /api/v1/updates/:update/reject': async (f, n) => {
    const u = await pendingUpdate(f, n);
    return { path: `/api/v1/updates/${u.id}/reject`, token: f.office, body: { reason: '请补充入户登记表的照片。' }, headers: { 'Idempotency-Key': idem(n) } };
  },
  'POST /api/v1/towns/:town/inspections': (f, n) => ({
    path: '/api/v1/towns/fengmao/inspections',
    token: f.supervisor,
    body: {
      inspected_on: '2019-03-15',
      title: '2019年一季度督导检查',
      inspectors: ['镇纪委 张某'],
      units: ['weijiban'],
      findings: [{ text: '健康档案建档进度偏慢', unit: 'weijiban' }],
      rectifications: [{ title: '补齐老年人健康档案', unit: 'weijiban', due_on: '2019-06-30' }],
    },
    headers: { 'Idempotency-Key': idem(n) },
  }),
  'POST /api/v1/towns/:town/bulletins': (f, n) => ({
    path: '/api/v1/towns/fengmao/bulletins',
    token: f.supervisor,
    body: { title: '2019年一季度医养结合工作通报', period_from: '2019-01-01', period_to: '2019-03-31', remarks: '' },
    headers: { 'Idempotency-Key': idem(n) },
  }),
  'POST /api/v1/bulletins/:bulletin/issue': async (f, n) => {
    const id = `bul_hostile_${n}_${crypto.randomUUID().slice(0, 8)}`;
    await runBatch(env.DB, [draftBulletinStmt(TOWN_BULLETINS, { id, owner: 'fengmao', title: '草稿', extra: ['2019-01-01', '2019-03-31'], remarks: '', created_by: f.officeId, created_at: new Date().toISOString() })]);
    return { path: `/api/v1/bulletins/${id}/issue`, token: f.supervisor, headers: {} };
  },
  'POST /api/v1/bulletins/:bulletin/publish': (f) => ({ path: `/api/v1/bulletins/${f.issuedBulletin}/publish`, token: f.supervisor, body: { visibility: 'public' }, headers: {} }),
  // A different PDF each run (the same bytes again would be an accepted 200 that stores nothing).
  'POST /api/v1/towns/:town/files': (f, n) => ({
    path: '/api/v1/towns/fengmao/files',
    token: f.reporter,
    bytes: { data: new Uint8Array([...PDF(), ...new TextEncoder().encode(`%run ${n} ${crypto.randomUUID()}\n`)]), type: 'application/pdf' },
    headers: {},
  }),
  // An inspection's attachment (set up with the Worker's own statements) kept internal.
  'POST /api/v1/attachments/:attachment/visibility': async (f, n) => {
    const now = new Date().toISOString();
    const sha = [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, '0')).join('');
    const file = { town_id: 'fengmao', sha256: sha, type: 'application/pdf' as const, bytes: 300, width: null, height: null };
    const a = attachmentStmts('fengmao', { kind: 'inspection', id: `insp-hostile-${n}` }, [{ file: sha, caption: '检查记录' }], new Map([[sha, file]]), now);
    await runBatch(env.DB, [insertFileStmt(file, f.officeId, now), ...a.stmts]);
    return { path: `/api/v1/attachments/${a.views[0]!.id}/visibility`, token: f.office, body: { visibility: 'internal' }, headers: {} };
  },
  'POST /api/v1/plan-drafts': (f, n) => ({
    path: '/api/v1/plan-drafts',
    token: f.admin,
    body: { town: `hostile-draft-${n}`, file_name: '方案.txt', text: '一、工作目标\n到2020年年底，建设2个示范基地。\n二、重点任务\n（一）推进建设。镇卫计办要加快推进。' },
    headers: {},
  }),
  'POST /api/v1/regions/:region/accounts': (f, n) => ({
    path: '/api/v1/regions/shanting/accounts',
    token: f.admin,
    body: { username: `hostile-region-${n}-${crypto.randomUUID().slice(0, 6)}`, display_name: '区县督导' },
    headers: {},
  }),
  'POST /api/v1/regions/:region/bulletins': (f, n) => ({
    path: '/api/v1/regions/shanting/bulletins',
    token: f.regionSupervisor,
    body: { remarks: '敌意输入测试' },
    headers: { 'Idempotency-Key': idem(n) },
  }),
  'POST /api/v1/region-bulletins/:bulletin/issue': async (f, n) => {
    const id = `rbul_hostile_${n}_${crypto.randomUUID().slice(0, 8)}`;
    await runBatch(env.DB, [draftBulletinStmt(REGION_BULLETINS, { id, owner: 'shanting', title: '草稿', extra: [], remarks: '', created_by: f.regionSupervisorId, created_at: new Date().toISOString() })]);
    return { path: `/api/v1/region-bulletins/${id}/issue`, token: f.regionSupervisor, headers: {} };
  },
  'POST /api/v1/region-bulletins/:bulletin/publish': (f) => ({ path: `/api/v1/region-bulletins/${f.issuedRegionBulletin}/publish`, token: f.regionSupervisor, body: { visibility: 'public' }, headers: {} }),
};

/** Fengmao (without the other jurisdictions), one signed-in account per role, an issued bulletin. */
export async function fixture(): Promise<Fixture> {
  // Fengmao's plan without the other jurisdictions' figures (no write touches them): a smaller dump per run.
  await loadContent({ ...content(), jurisdictions: [] });
  const task = await env.DB.prepare(
    `SELECT t.id FROM tasks t JOIN task_units tu ON tu.town_id = t.town_id AND tu.task_id = t.id
      WHERE t.town_id = 'fengmao' AND tu.unit_id = 'weijiban' AND t.kind = 'deliverable' ORDER BY t.ordinal LIMIT 1`,
  ).first<{ id: string }>();
  const reporter = await signedIn('reporter', 'weijiban');
  const office = await signedIn('office');
  const supervisor = await signedIn('supervisor');
  const admin = await signedIn('admin');
  const login = await createAccount('reporter', 'weijiban');
  const b = await api('POST', '/api/v1/towns/fengmao/bulletins', { token: supervisor.token, body: { period_from: '2019-01-01', period_to: '2019-03-31' }, headers: { 'Idempotency-Key': idem(-1) } });
  expect(b.status).toBe(201);
  expect((await api('POST', `/api/v1/bulletins/${b.body.id}/issue`, { token: supervisor.token })).status).toBe(200);
  const regionSup = await signedIn('region_supervisor', null, { region: 'shanting' });
  const rb = await api('POST', '/api/v1/regions/shanting/bulletins', { token: regionSup.token, body: {}, headers: { 'Idempotency-Key': idem(-2) } });
  expect(rb.status).toBe(201);
  expect((await api('POST', `/api/v1/region-bulletins/${rb.body.id}/issue`, { token: regionSup.token })).status).toBe(200);
  return {
    reporter: reporter.token, reporterId: reporter.id, office: office.token, officeId: office.id, supervisor: supervisor.token, admin: admin.token, task: task!.id,
    loginUser: login.username, issuedBulletin: b.body.id, regionSupervisor: regionSup.token, regionSupervisorId: regionSup.id, issuedRegionBulletin: rb.body.id,
  };
}

/** Every non-GET route the app serves, as `METHOD path`. */
export const writeRoutes = (): string[] => [...new Set(app.routes.filter((r) => r.method !== 'ALL' && r.method !== 'GET').map((r) => `${r.method} ${r.path}`))].sort();
