/**
 * The authorisation matrix: every route of the Worker × every kind of caller, each answer asserted.
 *
 * Callers are relative to one target town (fengmao) and one target task (a task of 卫计办, weijiban):
 * anonymous; a reporter of the task's unit, of another unit of the town, of another town; the office
 * and a supervisor of the town and of another town; a region supervisor of the town's county
 * (山亭区, `shanting`) and of another county (滕州市, `tengzhou`); an admin. A second town
 * (`othertown`, a copy of Fengmao's plan under another id) makes "another town" real.
 *
 * The matrix must list every route the app serves: the first test reads the app's own route table
 * and fails when a route is missing here (or listed here but gone), so a new endpoint cannot ship
 * without its row.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import { app } from '../../worker/app.ts';
import { loadTwoTowns } from './helpers.ts';
import { api, createAccount, login, signedIn } from './auth-helpers.ts';
import { PDF } from '../fixtures/evidence-images.ts';

const CALLERS = [
  'anonymous',
  'reporter_own_unit',
  'reporter_other_unit',
  'reporter_other_town',
  'office',
  'office_other_town',
  'supervisor',
  'supervisor_other_town',
  'region_supervisor',
  'region_supervisor_other_region',
  'admin',
] as const;
type CallerKind = (typeof CALLERS)[number];
type Expect = Record<CallerKind, number>;

/** What one case may use: the target objects and a fresh value per call. */
interface Fixture {
  town: string;
  taskRef: string;
  taskVersion: number;
  taskWeight: number;
  pendingUpdate: string;
  loginUser: string;
  /** A reporter account not yet activated: re-issuing its link can be repeated. */
  pendingReporter: string;
  /** A region supervisor of `shanting` not yet activated, likewise. */
  pendingRegionSupervisor: string;
  inspection: string;
  /** A file of the town (sha256) and the attachment that names it (on the inspection). */
  file: string;
  attachment: string;
  draftBulletin: string;
  issuedBulletin: string;
  /** A draft and an issued bulletin of the region `shanting` (Fengmao's county). */
  draftRegionBulletin: string;
  issuedRegionBulletin: string;
  tokens: Record<CallerKind, string | null>;
}
interface Req {
  path: string;
  body?: unknown;
  raw?: string | Uint8Array;
  headers?: Record<string, string>;
}
interface Row {
  /** How to build the request for a caller (`n` is unique per request). */
  req: (f: Fixture, caller: CallerKind, n: number) => Req;
  expect: Expect;
}

const all = (status: number): Expect => Object.fromEntries(CALLERS.map((c) => [c, status])) as Expect;
const signedInOnly = (status: number): Expect => ({ ...all(status), anonymous: 401 });
/** Town-scoped readers: office and supervisor of the town, the supervisor of the town's region, admin. */
const townReaders = (ok: number): Expect => ({
  anonymous: 401,
  reporter_own_unit: 403,
  reporter_other_unit: 403,
  reporter_other_town: 403,
  office: ok,
  office_other_town: 403,
  supervisor: ok,
  supervisor_other_town: 403,
  region_supervisor: ok,
  region_supervisor_other_region: 403,
  admin: ok,
});
/** Supervision staff who write in the town: its office and supervisors, admin — never a region supervisor. */
const staff = (ok: number): Expect => ({ ...townReaders(ok), region_supervisor: 403 });
/** Only the office of the town. */
const officeOnly = (ok: number): Expect => ({ ...townReaders(403), anonymous: 401, office: ok });
/** The region's own supervisor and admin (region endpoints of `shanting`). */
const regionStaff = (ok: number): Expect => ({ ...all(403), anonymous: 401, region_supervisor: ok, admin: ok });

const idem = (n: number, extra: Record<string, string> = {}) => ({ 'Idempotency-Key': `matrix-key-${n}-${crypto.randomUUID()}`, ...extra });
const inspection = {
  inspected_on: '2019-03-15',
  title: '2019年一季度督导检查',
  inspectors: ['镇纪委 张某'],
  units: ['weijiban'],
  findings: [{ text: '健康档案建档进度偏慢', unit: 'weijiban' }],
  rectifications: [{ title: '补齐老年人健康档案', unit: 'weijiban', due_on: '2019-06-30' }],
};
const draft = { title: '2019年一季度医养结合工作通报', period_from: '2019-01-01', period_to: '2019-03-31' };
const update = { status: 'in_progress', percent: 30, narrative: '矩阵测试：已开始。', measurements: [], evidence: [] };

/** Every route: `METHOD path` exactly as the app registers it. */
const MATRIX: Record<string, Row> = {
  // ---------------------------------------------------------------- public
  'GET /api/health': { req: () => ({ path: '/api/health' }), expect: all(200) },
  'GET /api/v1/ping': { req: () => ({ path: '/api/v1/ping' }), expect: all(200) },
  'GET /api/openapi.json': { req: () => ({ path: '/api/openapi.json' }), expect: all(200) },
  'GET /api/docs': { req: () => ({ path: '/api/docs' }), expect: all(200) },
  'GET /api/v1/openapi.json': { req: () => ({ path: '/api/v1/openapi.json' }), expect: all(200) },
  'GET /api/v1/towns': { req: () => ({ path: '/api/v1/towns' }), expect: all(200) },
  'GET /api/v1/towns/:town/plan': { req: (f) => ({ path: `/api/v1/towns/${f.town}/plan` }), expect: all(200) },
  'GET /api/v1/jurisdictions': { req: () => ({ path: '/api/v1/jurisdictions' }), expect: all(200) },
  // Reading settings (large text, high contrast): a cookie and a redirect back, for everyone.
  'GET /api/prefs': { req: () => ({ path: '/api/prefs?text=large&return=/towns/fengmao/' }), expect: all(303) },
  'GET /api/v1/towns/:town/progress': { req: (f) => ({ path: `/api/v1/towns/${f.town}/progress` }), expect: all(200) },
  // Signing in needs no session: a valid password works whoever already holds a token.
  'POST /api/v1/auth/login': {
    req: (f) => ({ path: '/api/v1/auth/login', body: { username: f.loginUser, password: 'matrix-password-1' } }),
    expect: all(200),
  },
  // Activation is public too; an unknown link is refused the same way for everyone (400, not 401/403).
  'POST /api/v1/auth/activate': {
    req: (_f, _c, n) => ({ path: '/api/v1/auth/activate', body: { token: `no-such-activation-token-${n}-xxxxxxxx`, password: 'a-new-password-2019' } }),
    expect: all(400),
  },
  // ---------------------------------------------------------------- any signed-in caller
  'POST /api/v1/auth/logout': { req: () => ({ path: '/api/v1/auth/logout' }), expect: signedInOnly(204) },
  'GET /api/v1/me': { req: () => ({ path: '/api/v1/me' }), expect: signedInOnly(200) },
  'GET /api/v1/me/updates': { req: () => ({ path: '/api/v1/me/updates' }), expect: signedInOnly(200) },
  // An admin (and a region supervisor) belongs to no town, so has no "own" tasks.
  'GET /api/v1/me/tasks': { req: () => ({ path: '/api/v1/me/tasks' }), expect: { ...signedInOnly(200), admin: 403, region_supervisor: 403, region_supervisor_other_region: 403 } },
  // ---------------------------------------------------------------- accounts: office of the town, admin
  'GET /api/v1/towns/:town/accounts': {
    req: (f) => ({ path: `/api/v1/towns/${f.town}/accounts` }),
    expect: { ...officeOnly(200), admin: 200 },
  },
  'POST /api/v1/towns/:town/accounts': {
    req: (f, c, n) => ({
      path: `/api/v1/towns/${f.town}/accounts`,
      body: { username: `new-${c.replaceAll('_', '-')}-${n}`, display_name: '新填报员', role: 'reporter', unit_id: 'weijiban' },
    }),
    expect: { ...officeOnly(201), admin: 201 },
  },
  'POST /api/v1/towns/:town/accounts/:account/:action': {
    req: (f) => ({ path: `/api/v1/towns/${f.town}/accounts/${f.pendingReporter}/reissue` }),
    expect: { ...officeOnly(200), admin: 200 },
  },
  // ---------------------------------------------------------------- reporting
  'POST /api/v1/tasks/:task/updates': {
    req: (f, _c, n) => ({ path: `/api/v1/tasks/${f.taskRef}/updates`, body: update, headers: idem(n, { 'If-Match': `"${f.taskVersion}"` }) }),
    expect: { ...all(403), anonymous: 401, reporter_own_unit: 201 },
  },
  'GET /api/v1/tasks/:task/history': {
    req: (f) => ({ path: `/api/v1/tasks/${f.taskRef}/history` }),
    expect: { ...townReaders(200), reporter_own_unit: 200 },
  },
  // ---------------------------------------------------------------- evidence files: the town's staff upload and read
  'POST /api/v1/towns/:town/files': {
    // A different PDF per request (the same bytes twice would be 200, already stored).
    req: (f, _c, n) => ({ path: `/api/v1/towns/${f.town}/files`, raw: new Uint8Array([...PDF(), ...new TextEncoder().encode(`%matrix ${n}\n`)]), headers: { 'Content-Type': 'application/pdf' } }),
    expect: { ...all(403), anonymous: 401, reporter_own_unit: 201, reporter_other_unit: 201, office: 201, supervisor: 201, admin: 201 },
  },
  'GET /api/v1/towns/:town/files/:sha256': {
    req: (f) => ({ path: `/api/v1/towns/${f.town}/files/${f.file}` }),
    expect: { ...townReaders(200), reporter_own_unit: 200, reporter_other_unit: 200 },
  },
  // Publishing or withdrawing a file is the office's (an inspection's file stays internal: asking for that is a no-op 200).
  'POST /api/v1/attachments/:attachment/visibility': {
    req: (f) => ({ path: `/api/v1/attachments/${f.attachment}/visibility`, body: { visibility: 'internal' } }),
    expect: { ...officeOnly(200), admin: 200 },
  },
  // ---------------------------------------------------------------- review: the office of the town only
  'GET /api/v1/towns/:town/updates': { req: (f) => ({ path: `/api/v1/towns/${f.town}/updates?status=pending` }), expect: townReaders(200) },
  'POST /api/v1/updates/:update/approve': {
    req: (f, _c, n) => ({ path: `/api/v1/updates/${f.pendingUpdate}/approve`, headers: idem(n, { 'If-Match': `"${f.taskVersion}"` }) }),
    expect: officeOnly(200),
  },
  'POST /api/v1/updates/:update/reject': {
    req: (f, _c, n) => ({ path: `/api/v1/updates/${f.pendingUpdate}/reject`, body: { reason: '请补充入户登记表的照片。' }, headers: idem(n) }),
    expect: officeOnly(200),
  },
  // ---------------------------------------------------------------- audit: office, supervisors, admin
  'GET /api/v1/towns/:town/audit': { req: (f) => ({ path: `/api/v1/towns/${f.town}/audit` }), expect: townReaders(200) },
  // ---------------------------------------------------------------- supervision: office, supervisors, admin
  'GET /api/v1/towns/:town/overdue': { req: (f) => ({ path: `/api/v1/towns/${f.town}/overdue?asOf=2019-01-01` }), expect: townReaders(200) },
  'GET /api/v1/towns/:town/units': { req: (f) => ({ path: `/api/v1/towns/${f.town}/units?asOf=2019-01-01` }), expect: townReaders(200) },
  'GET /api/v1/towns/:town/indicators': { req: (f) => ({ path: `/api/v1/towns/${f.town}/indicators?asOf=2019-01-01` }), expect: townReaders(200) },
  'GET /api/v1/towns/:town/overdue-snapshots': { req: (f) => ({ path: `/api/v1/towns/${f.town}/overdue-snapshots?from=2019-01-01&to=2019-12-31` }), expect: townReaders(200) },
  // Inspections are recorded by supervisors (and admin); the office reads them but does not record them.
  'POST /api/v1/towns/:town/inspections': {
    req: (f, _c, n) => ({ path: `/api/v1/towns/${f.town}/inspections`, body: inspection, headers: idem(n) }),
    expect: { ...staff(201), office: 403 },
  },
  'GET /api/v1/towns/:town/inspections': { req: (f) => ({ path: `/api/v1/towns/${f.town}/inspections` }), expect: townReaders(200) },
  'GET /api/v1/inspections/:inspection': { req: (f) => ({ path: `/api/v1/inspections/${f.inspection}` }), expect: townReaders(200) },
  'POST /api/v1/towns/:town/bulletins': {
    req: (f, _c, n) => ({ path: `/api/v1/towns/${f.town}/bulletins`, body: draft, headers: idem(n) }),
    expect: staff(201),
  },
  'GET /api/v1/towns/:town/bulletins': { req: (f) => ({ path: `/api/v1/towns/${f.town}/bulletins` }), expect: townReaders(200) },
  'GET /api/v1/towns/:town/bulletins/published': { req: (f) => ({ path: `/api/v1/towns/${f.town}/bulletins/published` }), expect: all(200) },
  // An unpublished (draft) bulletin and its exports: staff only. Published ones are public (tests/worker/supervision-bulletins.test.ts).
  'GET /api/v1/bulletins/:bulletin': { req: (f) => ({ path: `/api/v1/bulletins/${f.draftBulletin}` }), expect: townReaders(200) },
  'GET /api/v1/bulletins/:bulletin/export.csv': { req: (f) => ({ path: `/api/v1/bulletins/${f.draftBulletin}/export.csv` }), expect: townReaders(200) },
  'GET /api/v1/bulletins/:bulletin/export.xlsx': { req: (f) => ({ path: `/api/v1/bulletins/${f.draftBulletin}/export.xlsx` }), expect: townReaders(200) },
  'GET /api/v1/bulletins/:bulletin/print': { req: (f) => ({ path: `/api/v1/bulletins/${f.draftBulletin}/print` }), expect: townReaders(200) },
  'POST /api/v1/bulletins/:bulletin/issue': { req: (f) => ({ path: `/api/v1/bulletins/${f.draftBulletin}/issue` }), expect: staff(200) },
  'POST /api/v1/bulletins/:bulletin/publish': { req: (f) => ({ path: `/api/v1/bulletins/${f.issuedBulletin}/publish`, body: { visibility: 'public' } }), expect: staff(200) },
  // ---------------------------------------------------------------- regions: public pages, and the region supervisors' board and bulletins
  'GET /api/v1/search': { req: () => ({ path: '/api/v1/search?q=%E7%AD%BE%E7%BA%A6' }), expect: all(200) },
  'GET /api/v1/regions': { req: () => ({ path: '/api/v1/regions' }), expect: all(200) },
  'GET /api/v1/regions/:region': { req: () => ({ path: '/api/v1/regions/shanting' }), expect: all(200) },
  'GET /api/v1/regions/:region/board': { req: () => ({ path: '/api/v1/regions/shanting/board?asOf=2019-01-01' }), expect: regionStaff(200) },
  'POST /api/v1/regions/:region/bulletins': { req: (_f, _c, n) => ({ path: '/api/v1/regions/shanting/bulletins', body: { remarks: '矩阵测试' }, headers: idem(n) }), expect: regionStaff(201) },
  'GET /api/v1/regions/:region/bulletins': { req: () => ({ path: '/api/v1/regions/shanting/bulletins' }), expect: regionStaff(200) },
  'GET /api/v1/regions/:region/bulletins/published': { req: () => ({ path: '/api/v1/regions/shanting/bulletins/published' }), expect: all(200) },
  // Region supervisor accounts: admin only.
  'GET /api/v1/regions/:region/accounts': { req: () => ({ path: '/api/v1/regions/shanting/accounts' }), expect: { ...all(403), anonymous: 401, admin: 200 } },
  // Evidence storage per town: admin only.
  'GET /api/v1/admin/storage': { req: () => ({ path: '/api/v1/admin/storage' }), expect: { ...all(403), anonymous: 401, admin: 200 } },
  'POST /api/v1/regions/:region/accounts/:account/:action': {
    req: (f) => ({ path: `/api/v1/regions/shanting/accounts/${f.pendingRegionSupervisor}/reissue` }),
    expect: { ...all(403), anonymous: 401, admin: 200 },
  },
  'POST /api/v1/regions/:region/accounts': {
    req: (_f, c, n) => ({ path: '/api/v1/regions/shanting/accounts', body: { username: `matrix-region-${c.length}-${n}`, display_name: '矩阵区县督导' } }),
    expect: { ...all(403), anonymous: 401, admin: 201 },
  },
  // An unpublished region bulletin: its region's supervisors and admin. Published ones are public (tests/worker/region-supervisors.test.ts).
  'GET /api/v1/region-bulletins/:bulletin': { req: (f) => ({ path: `/api/v1/region-bulletins/${f.draftRegionBulletin}` }), expect: regionStaff(200) },
  'GET /api/v1/region-bulletins/:bulletin/print': { req: (f) => ({ path: `/api/v1/region-bulletins/${f.draftRegionBulletin}/print` }), expect: regionStaff(200) },
  'GET /api/v1/region-bulletins/:bulletin/export.csv': { req: (f) => ({ path: `/api/v1/region-bulletins/${f.draftRegionBulletin}/export.csv` }), expect: regionStaff(200) },
  'GET /api/v1/region-bulletins/:bulletin/export.xlsx': { req: (f) => ({ path: `/api/v1/region-bulletins/${f.draftRegionBulletin}/export.xlsx` }), expect: regionStaff(200) },
  'POST /api/v1/region-bulletins/:bulletin/issue': { req: (f) => ({ path: `/api/v1/region-bulletins/${f.draftRegionBulletin}/issue` }), expect: regionStaff(200) },
  'POST /api/v1/region-bulletins/:bulletin/publish': { req: (f) => ({ path: `/api/v1/region-bulletins/${f.issuedRegionBulletin}/publish`, body: { visibility: 'public' } }), expect: regionStaff(200) },
  // ---------------------------------------------------------------- task management (任务分解表)
  'GET /api/v1/towns/:town/tasks': { req: (f) => ({ path: `/api/v1/towns/${f.town}/tasks` }), expect: townReaders(200) },
  // Writes: the office of the town and admins; supervisors read only.
  'POST /api/v1/towns/:town/tasks': {
    req: (f, _c, n) => ({
      path: `/api/v1/towns/${f.town}/tasks`,
      body: { code: `矩阵${n}`, parent: null, kind: 'key_task', title: '矩阵测试任务', units: [{ unit: 'weijiban', role: 'lead' }], due: 'y2020' },
      headers: idem(n),
    }),
    expect: { ...officeOnly(201), admin: 201 },
  },
  // The task's own weight: an allowed caller gets 200 without a new version, so every caller sees the same If-Match.
  'PATCH /api/v1/tasks/:task': {
    req: (f) => ({ path: `/api/v1/tasks/${f.taskRef}`, body: { weight: f.taskWeight }, headers: { 'If-Match': `"${f.taskVersion}"` } }),
    expect: { ...officeOnly(200), admin: 200 },
  },
  'GET /api/v1/towns/:town/tasks/export.csv': { req: (f) => ({ path: `/api/v1/towns/${f.town}/tasks/export.csv` }), expect: townReaders(200) },
  'GET /api/v1/towns/:town/tasks/export.xlsx': { req: (f) => ({ path: `/api/v1/towns/${f.town}/tasks/export.xlsx` }), expect: townReaders(200) },
  // A one-row file creating a task (its code unique per call), imported for real: a new task's row
  // in the exported file's shape, with 任务标识 and 版本 left empty.
  'POST /api/v1/towns/:town/tasks/import': {
    req: (f, _c, n) => ({
      path: `/api/v1/towns/${f.town}/tasks/import`,
      raw: `编号,任务内容,牵头单位,完成时限,任务标识,版本\r\n矩阵导入${n},矩阵导入的任务,卫计办,2020年年底,,\r\n`,
      headers: idem(n, { 'Content-Type': 'text/csv' }),
    }),
    expect: { ...officeOnly(200), admin: 200 },
  },
  // A plan's text drafted into a new town's folder (a zip); a fresh town id per call.
  'POST /api/v1/plan-drafts': {
    req: (_f, _c, n) => ({ path: '/api/v1/plan-drafts', body: { town: `matrix-draft-${n}`, file_name: '方案.txt', text: '一、工作目标\n到2020年年底，建设2个示范基地。\n二、重点任务\n（一）推进建设。镇卫计办要加快推进。' } }),
    expect: { ...all(403), anonymous: 401, admin: 200 },
  },
};

/**
 * 403s that need the object itself (its units, or the town of an update, inspection or bulletin
 * found by id): decided by the handler after the input is read, so a malformed request gets 400
 * there. Every other refusal comes before validation.
 */
const OBJECT_CHECKED = new Set([
  'POST /api/v1/tasks/:task/updates reporter_other_unit',
  ...['office_other_town', 'supervisor_other_town'].flatMap((c) => [
    `GET /api/v1/inspections/:inspection ${c}`,
    `GET /api/v1/bulletins/:bulletin ${c}`,
    `GET /api/v1/bulletins/:bulletin/export.csv ${c}`,
    `GET /api/v1/bulletins/:bulletin/export.xlsx ${c}`,
    `GET /api/v1/bulletins/:bulletin/print ${c}`,
    `POST /api/v1/bulletins/:bulletin/issue ${c}`,
    `POST /api/v1/bulletins/:bulletin/publish ${c}`,
  ]),
  // A region supervisor of another county reads a town's object by id only after the id names its town.
  ...['', '/export.csv', '/export.xlsx', '/print'].map((x) => `GET /api/v1/bulletins/:bulletin${x} region_supervisor_other_region`),
  'GET /api/v1/inspections/:inspection region_supervisor_other_region',
  // Region bulletins by id: their region is known only once the bulletin is read; the reads are public once published.
  'POST /api/v1/region-bulletins/:bulletin/issue region_supervisor_other_region',
  'POST /api/v1/region-bulletins/:bulletin/publish region_supervisor_other_region',
  ...CALLERS.filter((c) => c !== 'region_supervisor' && c !== 'admin').flatMap((c) => ['', '/export.csv', '/export.xlsx', '/print'].map((x) => `GET /api/v1/region-bulletins/:bulletin${x} ${c}`)),
  'POST /api/v1/updates/:update/approve office_other_town',
  'POST /api/v1/attachments/:attachment/visibility office_other_town',
  'POST /api/v1/updates/:update/reject office_other_town',
  // Draft bulletins by id: anyone may ask (published ones are public), so the id is read first.
  ...['anonymous', 'reporter_own_unit', 'reporter_other_unit', 'reporter_other_town'].flatMap((c) =>
    ['', '/export.csv', '/export.xlsx', '/print'].map((x) => `GET /api/v1/bulletins/:bulletin${x} ${c}`),
  ),
]);

/** The matrix's request for a route, broken in each way that must not matter to a caller refused access. */
function malformed(route: string, r: Req): [string, Req][] {
  const template = route.split(' ')[1]!.split('/');
  const segs = r.path.split('?')[0]!.split('/');
  const badParams = template.map((t, i) => (t.startsWith(':') ? '%00' + 'x'.repeat(300) : segs[i]!)).join('/');
  const out: [string, Req][] = [
    ['malformed path parameters', { ...r, path: badParams }],
    ['malformed query', { ...r, path: `${r.path.split('?')[0]}?limit=0&asOf=2019-02-30&from=x&status=x&kind=x&visibility=x&return=x` }],
  ];
  if (route.startsWith('GET ')) return out;
  const withoutKeys = Object.fromEntries(Object.entries(r.headers ?? {}).filter(([k]) => !/^(idempotency-key|if-match)$/i.test(k)));
  return [
    ...out,
    ['a body that is not JSON', { path: r.path, raw: '{"x":', headers: { ...r.headers, 'Content-Type': 'application/json' } }],
    ['an empty object and no Idempotency-Key or If-Match', { path: r.path, body: {}, headers: withoutKeys }],
    ['a wrong Content-Type', { path: r.path, raw: 'x=1', headers: { ...r.headers, 'Content-Type': 'text/plain' } }],
    ['a field of the wrong type', { path: r.path, body: { ...(r.body as object), status: 42, title: [], reason: null, username: {} }, headers: r.headers }],
  ];
}

/** The routes the app actually serves (middleware excluded), as `METHOD path`. */
function servedRoutes(): string[] {
  const seen = new Set<string>();
  for (const r of app.routes) if (r.method !== 'ALL') seen.add(`${r.method} ${r.path}`);
  return [...seen].sort();
}

async function fixture(): Promise<Fixture> {
  await loadTwoTowns();
  const task = await env.DB.prepare(
    `SELECT t.id, t.version, t.weight FROM tasks t JOIN task_units tu ON tu.town_id = t.town_id AND tu.task_id = t.id
      WHERE t.town_id = 'fengmao' AND tu.unit_id = 'weijiban' AND t.kind = 'deliverable' ORDER BY t.ordinal LIMIT 1`,
  ).first<{ id: string; version: number; weight: number }>();
  const otherUnit = await env.DB.prepare(
    `SELECT u.id FROM units u WHERE u.town_id = 'fengmao'
        AND NOT EXISTS (SELECT 1 FROM task_units tu WHERE tu.town_id = 'fengmao' AND tu.task_id = ? AND tu.unit_id = u.id)
      ORDER BY u.ordinal LIMIT 1`,
  )
    .bind(task!.id)
    .first<{ id: string }>();
  const tokens: Record<CallerKind, string | null> = {
    anonymous: null,
    reporter_own_unit: (await signedIn('reporter', 'weijiban')).token,
    reporter_other_unit: (await signedIn('reporter', otherUnit!.id)).token,
    reporter_other_town: (await signedIn('reporter', 'weijiban', { town: 'othertown' })).token,
    office: (await signedIn('office')).token,
    office_other_town: (await signedIn('office', null, { town: 'othertown' })).token,
    supervisor: (await signedIn('supervisor')).token,
    supervisor_other_town: (await signedIn('supervisor', null, { town: 'othertown' })).token,
    region_supervisor: (await signedIn('region_supervisor', null, { region: 'shanting' })).token,
    region_supervisor_other_region: (await signedIn('region_supervisor', null, { region: 'tengzhou' })).token,
    admin: (await signedIn('admin')).token,
  };
  const taskRef = `fengmao:${task!.id}`;
  // A pending update on the task, for the review routes (its own reporter, so the matrix callers' sessions stay untouched).
  const author = await signedIn('reporter', 'weijiban');
  const submitted = await api('POST', `/api/v1/tasks/${taskRef}/updates`, {
    token: author.token,
    body: update,
    headers: { 'Idempotency-Key': `matrix-setup-${crypto.randomUUID()}`, 'If-Match': `"${task!.version}"` },
  });
  expect(submitted.status).toBe(201);
  const login = await createAccount('reporter', 'weijiban', { password: 'matrix-password-1' });
  const pending = await api('POST', '/api/v1/towns/fengmao/accounts', { token: tokens.office!, body: { username: `matrix-pending-${crypto.randomUUID().slice(0, 8)}`, display_name: '待激活填报员', role: 'reporter', unit_id: 'weijiban' } });
  expect(pending.status).toBe(201);
  const pendingRegion = await api('POST', '/api/v1/regions/shanting/accounts', { token: tokens.admin!, body: { username: `matrix-rsup-${crypto.randomUUID().slice(0, 8)}`, display_name: '待激活区县督导' } });
  expect(pendingRegion.status).toBe(201);
  // An inspection, a draft bulletin and an issued (internal) one, recorded by a supervisor of the town.
  const sup = await signedIn('supervisor');
  const file = await api('POST', '/api/v1/towns/fengmao/files', { token: sup.token, raw: PDF(), headers: { 'Content-Type': 'application/pdf' } });
  expect(file.status).toBe(201);
  const insp = await api('POST', `/api/v1/towns/fengmao/inspections`, { token: sup.token, body: { ...inspection, attachments: [{ file: file.body.file, caption: '检查记录扫描件' }] }, headers: idem(-1) });
  expect(insp.status).toBe(201);
  const mk = async () => {
    const b = await api('POST', `/api/v1/towns/fengmao/bulletins`, { token: sup.token, body: draft, headers: idem(-2) });
    expect(b.status).toBe(201);
    return b.body.id as string;
  };
  const draftBulletin = await mk();
  const issuedBulletin = await mk();
  expect((await api('POST', `/api/v1/bulletins/${issuedBulletin}/issue`, { token: sup.token })).status).toBe(200);
  // A draft and an issued region bulletin of Fengmao's county, by its own supervisor.
  const regionSup = await signedIn('region_supervisor', null, { region: 'shanting' });
  const mkRegion = async () => {
    const b = await api('POST', '/api/v1/regions/shanting/bulletins', { token: regionSup.token, body: {}, headers: idem(-3) });
    expect(b.status).toBe(201);
    return b.body.id as string;
  };
  const draftRegionBulletin = await mkRegion();
  const issuedRegionBulletin = await mkRegion();
  expect((await api('POST', `/api/v1/region-bulletins/${issuedRegionBulletin}/issue`, { token: regionSup.token })).status).toBe(200);
  return {
    town: 'fengmao',
    taskRef,
    taskVersion: task!.version,
    taskWeight: task!.weight,
    pendingUpdate: submitted.body.id,
    loginUser: login.username,
    pendingReporter: pending.body.account.id,
    pendingRegionSupervisor: pendingRegion.body.account.id,
    inspection: insp.body.id,
    file: file.body.file,
    attachment: insp.body.attachments[0].id,
    draftBulletin,
    issuedBulletin,
    draftRegionBulletin,
    issuedRegionBulletin,
    tokens,
  };
}

describe('authorisation matrix', () => {
  it('lists every route the app serves, and nothing it does not serve', () => {
    const served = servedRoutes();
    expect(served.length).toBeGreaterThan(15);
    const missing = served.filter((r) => !(r in MATRIX));
    const gone = Object.keys(MATRIX).filter((r) => !served.includes(r));
    expect({ missing, gone }).toEqual({ missing: [], gone: [] });
  });

  let f: Fixture;
  beforeEach(async () => {
    f = await fixture();
  });

  // One test per route: each starts from a fresh database with fresh sessions.
  for (const [route, row] of Object.entries(MATRIX)) {
    const method = route.split(' ')[0]!;
    it(`${route}: each caller gets the answer the matrix says`, async () => {
      const got: Partial<Expect> = {};
      // Callers that must be refused go first, so an allowed write cannot mask a refusal.
      const order = [...CALLERS].sort((a, b) => Number(row.expect[a] < 400) - Number(row.expect[b] < 400));
      let n = 0;
      const refusalBodies: unknown[] = [];
      for (const caller of order) {
        const r = row.req(f, caller, n++);
        const res = await api(method, r.path, { token: f.tokens[caller] ?? undefined, body: r.body, raw: r.raw, headers: r.headers, redirect: 'manual' });
        got[caller] = res.status;
        if (res.status === 401 || res.status === 403) refusalBodies.push(res.body);
        // Review and issue routes: once one allowed caller has acted, the object is no longer pending / a draft.
        if (res.status < 300 && /\/(approve|reject|issue)$/.test(r.path)) break;
      }
      const expected = Object.fromEntries(Object.entries(row.expect).filter(([c]) => c in got));
      expect(got).toEqual(expected);
      for (const b of refusalBodies) expect(b).toMatchObject({ error: { code: expect.stringMatching(/^(unauthenticated|forbidden)$/), message: expect.any(String) } });
    });
  }

  // Authenticate, then authorise, then validate: a caller who may not use a route learns nothing of
  // its input rules. Each malformed variant of the matrix's request is refused exactly as the
  // well-formed one: 401 for anonymous, 403 for a caller whose role or town is not allowed.
  for (const [route, row] of Object.entries(MATRIX)) {
    const method = route.split(' ')[0]!;
    const refusedBeforeInput = CALLERS.filter((c) => (row.expect[c] === 401 || row.expect[c] === 403) && !OBJECT_CHECKED.has(`${route} ${c}`));
    if (!refusedBeforeInput.length) continue;
    it(`${route}: malformed requests are refused 401 / 403 as the matrix says, before any validation`, async () => {
      const got: string[] = [];
      let n = 1_000;
      for (const caller of refusedBeforeInput) {
        for (const [variant, r] of malformed(route, row.req(f, caller, n++))) {
          const res = await api(method, r.path, { token: f.tokens[caller] ?? undefined, body: r.body, raw: r.raw, headers: r.headers, redirect: 'manual' });
          if (res.status !== row.expect[caller]) got.push(`${caller} ${variant}: ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`);
        }
      }
      expect(got).toEqual([]);
    });
  }

  it('every 403 of the matrix left an auth.denied audit row naming the caller and the path', async () => {
    const before = (await env.DB.prepare(`SELECT COUNT(*) AS n FROM audit_log WHERE action = 'auth.denied'`).first<{ n: number }>())!.n;
    const r = await api('GET', `/api/v1/towns/fengmao/audit`, { token: f.tokens.reporter_other_town! });
    expect(r.status).toBe(403);
    const rows = (await env.DB.prepare(`SELECT actor, detail_json FROM audit_log WHERE action = 'auth.denied' ORDER BY id`).all<{ actor: string; detail_json: string }>()).results;
    expect(rows.length).toBe(before + 1);
    expect(JSON.parse(rows.at(-1)!.detail_json)).toMatchObject({ method: 'GET', path: '/api/v1/towns/fengmao/audit', role: 'reporter' });
  });
});

describe('the matrix holds for objects of another town too', () => {
  it("the office and a reporter of Fengmao cannot touch the other town's task, update, queue or audit", async () => {
    const f = await fixture();
    const otherTask = await env.DB.prepare(
      `SELECT t.id, t.version FROM tasks t JOIN task_units tu ON tu.town_id = t.town_id AND tu.task_id = t.id
        WHERE t.town_id = 'othertown' AND tu.unit_id = 'weijiban' AND t.kind = 'deliverable' ORDER BY t.ordinal LIMIT 1`,
    ).first<{ id: string; version: number }>();
    const ref = `othertown:${otherTask!.id}`;
    const theirReporter = f.tokens.reporter_other_town!;
    const sub = await api('POST', `/api/v1/tasks/${ref}/updates`, { token: theirReporter, body: update, headers: idem(1, { 'If-Match': `"${otherTask!.version}"` }) });
    expect(sub.status).toBe(201);
    const ours = { reporter: f.tokens.reporter_own_unit!, office: f.tokens.office!, supervisor: f.tokens.supervisor! };
    expect((await api('POST', `/api/v1/tasks/${ref}/updates`, { token: ours.reporter, body: update, headers: idem(2, { 'If-Match': `"${otherTask!.version}"` }) })).status).toBe(403);
    expect((await api('GET', `/api/v1/tasks/${ref}/history`, { token: ours.supervisor })).status).toBe(403);
    expect((await api('POST', `/api/v1/updates/${sub.body.id}/approve`, { token: ours.office, headers: idem(3, { 'If-Match': `"${otherTask!.version}"` }) })).status).toBe(403);
    expect((await api('POST', `/api/v1/updates/${sub.body.id}/reject`, { token: ours.office, body: { reason: '不是本镇的报告' }, headers: idem(4) })).status).toBe(403);
    expect((await api('GET', `/api/v1/towns/othertown/updates`, { token: ours.office })).status).toBe(403);
    expect((await api('GET', `/api/v1/towns/othertown/audit`, { token: ours.supervisor })).status).toBe(403);
    // Their own office can.
    expect((await api('POST', `/api/v1/updates/${sub.body.id}/approve`, { token: f.tokens.office_other_town!, headers: idem(5, { 'If-Match': `"${otherTask!.version}"` }) })).status).toBe(200);
  });
});
