/**
 * Supervision over a town history built across 2018–2022 in a real D1: overdue, at-risk and stale
 * sets at several dates, indicator statuses at each milestone, rollups, unit rankings, and who may
 * read them. History is written through the same DB functions the API uses (submitStmts,
 * approveStmts), with the submission and approval times the scenario needs.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import { content, loadContent } from './helpers.ts';
import { api, signIn } from './auth-helpers.ts';
import { approved } from './supervision-helpers.ts';

/** The scenario: a baseline for one indicator, and updates approved between 2018 and 2020. */
async function buildHistory() {
  const bundle = content();
  const fengmao = bundle.towns.find((t) => t.town.id === 'fengmao')!;
  const ind = fengmao.indicators.find((i) => i.indicator === 'care-institutions-with-medical-service')!;
  ind.baseline = { value: 40, as_of: '2018-01-01', source: '测试基线：2017年底养老机构医疗服务覆盖情况' };
  await loadContent(bundle);

  await approved('g4-leadership-leading-group', 'completed', 100, '2018-03-15T02:00:00.000Z');
  await approved('kt1-health-assessment-baseline-survey', 'in_progress', 40, '2018-06-01T02:00:00.000Z');
  await approved('kt4-institutions-rehab-centre-capacity', 'in_progress', 20, '2018-07-05T02:00:00.000Z', [
    { indicator: 'care-institutions-with-medical-service', value: 55, as_of: '2018-06-30', source: '民政办2018年6月统计' },
  ]);
  await approved('kt2-family-doctor-signing-teams', 'in_progress', 60, '2018-10-01T02:00:00.000Z', [
    { indicator: 'family-doctor-signing-elderly', value: 65, as_of: '2018-09-30', source: '卫生院签约台账' },
  ]);
  await approved('kt4-institutions-rehab-centre-capacity', 'blocked', 30, '2018-10-08T02:00:00.000Z', [
    { indicator: 'care-institutions-with-medical-service', value: 75, as_of: '2018-09-30', source: '民政办2018年9月统计' },
  ]);
  await approved('g1-policy-support-day-care-transformation', 'completed', 100, '2018-11-20T02:00:00.000Z');
  await approved('kt2-family-doctor-service-standards-pricing', 'in_progress', 95, '2018-12-01T02:00:00.000Z');
  await approved('kt1-health-assessment-baseline-survey', 'in_progress', 90, '2018-12-05T02:00:00.000Z');
  await approved('kt4-institutions-linkage-mechanism', 'completed', 100, '2018-12-10T02:00:00.000Z', [
    { indicator: 'green-channel-medical-institutions', value: 92, as_of: '2018-12-01', source: '卫计办绿色通道检查' },
  ]);
  await approved('kt2-family-doctor-signing-teams', 'in_progress', 80, '2018-12-20T02:00:00.000Z', [
    { indicator: 'family-doctor-signing-elderly', value: 68, as_of: '2018-12-15', source: '卫生院签约台账' },
  ]);
  await approved('kt1-health-assessment-baseline-survey', 'completed', 100, '2019-02-20T02:00:00.000Z');
  // 2020: full coverage of family doctors, measured in November, approved in December
  await approved('kt2-family-doctor-full-coverage', 'completed', 100, '2020-12-10T02:00:00.000Z', [
    { indicator: 'family-doctor-signing-elderly', value: 100, as_of: '2020-11-30', source: '卫生院签约台账' },
  ]);
}

const Y2018_LEAVES = [
  'g4-leadership-leading-group',
  'g5-supervision-inspection-scope',
  'g1-policy-support-day-care-transformation',
  'g2-talent-training-system',
  'kt1-health-assessment-assessment-system',
  'kt1-health-assessment-baseline-survey',
  'kt1-health-assessment-graded-service-norms',
  'kt1-health-assessment-health-centre-equipment',
  'kt2-family-doctor-signing-teams',
  'kt2-family-doctor-service-standards-pricing',
  'kt4-institutions-rehab-centre-capacity',
  'kt4-institutions-linkage-mechanism',
];
const without = (xs: string[], ...drop: string[]) => xs.filter((x) => !drop.includes(x)).sort();

let supervisor: string;
const board = async (q: string) => {
  const r = await api('GET', `/api/v1/towns/fengmao/overdue?${q}`, { token: supervisor });
  expect(r.status).toBe(200);
  const all = (k: 'overdue' | 'at_risk' | 'stale') => [...new Set((r.body.groups as any[]).flatMap((g) => g[k].map((t: any) => t.id)))].sort() as string[];
  return { body: r.body, overdue: all('overdue'), at_risk: all('at_risk'), stale: all('stale') };
};
const itemOf = (b: any, id: string) => (b.groups as any[]).flatMap((g) => [...g.overdue, ...g.at_risk, ...g.stale]).find((t: any) => t.id === id);

beforeEach(async () => {
  await buildHistory();
  supervisor = await signIn('supervisor', 'jiwei');
});

describe('overdue board as of a date', () => {
  it('on 2019-01-01 lists every 2018 deliverable not completed by then, one day overdue, by responsible unit', async () => {
    const b = await board('asOf=2019-01-01');
    expect(b.overdue).toEqual(without(Y2018_LEAVES, 'g4-leadership-leading-group', 'g1-policy-support-day-care-transformation', 'kt4-institutions-linkage-mechanism'));
    expect(b.body.counts.overdue).toBe(9);
    const survey = itemOf(b.body, 'kt1-health-assessment-baseline-survey');
    expect(survey).toMatchObject({ overdue_days: 1, status: 'in_progress', percent: 90, due: '2018-12-31', milestone: 'y2018', lead_member: { id: 'shao-yanqiu' } });
    expect(survey.last_approved).toMatchObject({ percent: 90, reviewed_at: '2018-12-05T02:00:00.000Z' });
    const weijiban = b.body.groups.find((g: any) => g.unit.id === 'weijiban');
    expect(weijiban.unit.name).toBe('卫计办');
    expect(weijiban.overdue.map((t: any) => t.id).sort()).toEqual(
      without(Y2018_LEAVES, 'g4-leadership-leading-group', 'g1-policy-support-day-care-transformation', 'kt4-institutions-linkage-mechanism', 'kt4-institutions-rehab-centre-capacity', 'g5-supervision-inspection-scope'),
    );
    // 四.3 is 民政办's (the plan names the 养老康复中心 as what it improves, not who acts): the centre,
    // a supporting unit only, has no group; 民政办's other 2018 deliverable (day care) was completed.
    expect(b.body.groups.find((g: any) => g.unit.id === 'minzhengban').overdue.map((t: any) => t.id)).toEqual(['kt4-institutions-rehab-centre-capacity']);
    expect(b.body.groups.map((g: any) => g.unit.id)).not.toContain('yanglao-kangfu-zhongxin');
  });

  it('on 2019-03-01 the survey completed late is no longer overdue, the rest are 60 days overdue', async () => {
    const b = await board('asOf=2019-03-01');
    expect(b.overdue).toEqual(without(Y2018_LEAVES, 'g4-leadership-leading-group', 'g1-policy-support-day-care-transformation', 'kt4-institutions-linkage-mechanism', 'kt1-health-assessment-baseline-survey'));
    expect(itemOf(b.body, 'kt2-family-doctor-signing-teams').overdue_days).toBe(60);
  });

  it('before the deadline: at risk inside the 30-day window when behind schedule, or blocked', async () => {
    // on the deadline itself nothing is overdue yet
    expect((await board('asOf=2018-12-31')).overdue).toEqual([]);
    // 2018-11-15: 46 days before the deadline; only the blocked task is at risk
    expect((await board('asOf=2018-11-15')).at_risk).toEqual(['kt4-institutions-rehab-centre-capacity']);
    // 2018-12-10: 94.2 % of 2018 elapsed; 95 % and completed tasks are fine, everything else open is at risk
    const b = await board('asOf=2018-12-10');
    expect(b.overdue).toEqual([]);
    expect(b.at_risk).toEqual(
      without(Y2018_LEAVES, 'g4-leadership-leading-group', 'g1-policy-support-day-care-transformation', 'kt4-institutions-linkage-mechanism', 'kt2-family-doctor-service-standards-pricing'),
    );
    expect(itemOf(b.body, 'kt4-institutions-rehab-centre-capacity').at_risk).toBe('blocked');
    expect(itemOf(b.body, 'kt1-health-assessment-baseline-survey')).toMatchObject({ at_risk: 'behind_schedule', elapsed_percent: 94.2, percent: 90 });
    // a wider window reaches further back
    expect((await board('asOf=2018-11-15&window_days=60')).at_risk).toContain('kt1-health-assessment-baseline-survey');
  });

  it('stale: no approved update for 30 days (never updated counts from the plan start); completed tasks are never stale', async () => {
    const b = await board('asOf=2018-12-10');
    expect(b.stale).toContain('kt4-institutions-rehab-centre-capacity'); // last 2018-10-08
    expect(b.stale).toContain('kt2-family-doctor-signing-teams'); // last 2018-10-01
    expect(b.stale).toContain('kt7-tourism-eco-agriculture'); // never
    expect(b.stale).not.toContain('kt1-health-assessment-baseline-survey'); // 2018-12-05
    expect(b.stale).not.toContain('kt2-family-doctor-service-standards-pricing'); // 2018-12-01
    expect(b.stale).not.toContain('g4-leadership-leading-group'); // completed
    expect(itemOf(b.body, 'kt4-institutions-rehab-centre-capacity').days_since_update).toBe(63);
    // on 2018-01-20 nothing has been open for 30 days yet
    expect((await board('asOf=2018-01-20')).stale).toEqual([]);
  });

  it('filters by unit, milestone and status, and can show parents rolled up', async () => {
    const b = await board('asOf=2019-01-01&unit=minzhengban');
    expect(b.body.groups.map((g: any) => g.unit.id)).toEqual(['minzhengban']);
    expect(b.overdue).toEqual(['kt4-institutions-rehab-centre-capacity']);
    expect((await board('asOf=2019-01-01&status=blocked')).overdue).toEqual(['kt4-institutions-rehab-centre-capacity']);
    expect((await board('asOf=2021-01-02&milestone=y2018')).overdue).not.toContain('kt2-family-doctor-full-coverage');
    expect((await board('asOf=2021-01-02&milestone=y2020')).overdue).not.toContain('kt2-family-doctor-full-coverage');
    expect((await board('asOf=2021-01-02&milestone=y2020')).overdue).toContain('kt2-family-doctor-four-home-visit-services');
    const withParents = await board('asOf=2023-01-01&parents=true');
    expect(withParents.overdue).toContain('kt1-health-assessment');
    expect((await board('asOf=2023-01-01')).overdue).not.toContain('kt1-health-assessment');
  });

  it('rejects a malformed date naming the field', async () => {
    const r = await api('GET', '/api/v1/towns/fengmao/overdue?asOf=2019-02-30', { token: supervisor });
    expect(r.status).toBe(400);
    expect(r.body.error.fields[0].path).toBe('asOf');
  });
});

describe('rollups and unit rankings', () => {
  it("a parent's progress is its children's, weighted; units are ranked by completion", async () => {
    const b = await board('asOf=2019-04-01&parents=true&unit=weijiban'); // stale by then, so listed
    const parent = itemOf(b.body, 'kt1-health-assessment');
    // kt1 has 7 deliverables of weight 1: survey completed (100), the rest 0 → 100 / 7
    expect(parent).toMatchObject({ rolled_up: true, status: 'in_progress', percent: 14.3, leaf: false });

    const r = await api('GET', '/api/v1/towns/fengmao/units?asOf=2019-03-01', { token: supervisor });
    expect(r.status).toBe(200);
    const byUnit = Object.fromEntries(r.body.units.map((u: any) => [u.unit, u]));
    // 民政办 leads 13 leaf tasks (四.3 and 保障五.2 among them since the content follows the plan), one
    // completed (day care) by then, 四.3 blocked and overdue; the 养老康复中心 leads none.
    expect(byUnit.minzhengban).toMatchObject({ name: '民政办', total: 13, completed: 1, counts: { blocked: 1 }, overdue: 1 });
    expect(byUnit.minzhengban.completion_rate).toBeCloseTo(1 / 13, 4);
    expect(byUnit['yanglao-kangfu-zhongxin']).toMatchObject({ total: 0, completed: 0, overdue: 0 });
    const ranks = r.body.units.filter((u: any) => u.rank !== null);
    // Competition ranking: a unit equal to the one above on every criterion shares its rank (并列), else its place.
    const same = (a: any, b: any) => a.completion_rate === b.completion_rate && a.mean_percent === b.mean_percent && a.overdue === b.overdue;
    expect(ranks.map((u: any) => u.rank)).toEqual(ranks.map((u: any, i: number) => (i > 0 && same(ranks[i - 1], u) ? null : i + 1)).map((r: number | null, i: number, all: (number | null)[]) => r ?? all.slice(0, i).findLast((x) => x !== null)));
    for (let i = 1; i < ranks.length; i++) expect(ranks[i - 1].completion_rate).toBeGreaterThanOrEqual(ranks[i].completion_rate);
    // the same unit earlier: nothing completed yet in January 2018
    const early = await api('GET', '/api/v1/towns/fengmao/units?asOf=2018-01-31', { token: supervisor });
    expect(early.body.units.find((u: any) => u.unit === 'minzhengban').completed).toBe(0);
  });
});

describe('indicators at each milestone', () => {
  const statusAt = async (asOf: string) => {
    const r = await api('GET', `/api/v1/towns/fengmao/indicators?asOf=${asOf}`, { token: supervisor });
    expect(r.status).toBe(200);
    return (id: string, milestone: string) => r.body.indicators.find((i: any) => i.id === id).targets.find((t: any) => t.milestone === milestone);
  };

  it('as of 2019-01-01: which 2018 targets were met, missed or have no data', async () => {
    const at = await statusAt('2019-01-01');
    expect(at('family-doctor-signing-elderly', 'y2018')).toMatchObject({ status: 'missed', latest: { value: 68, as_of: '2018-12-15' } });
    expect(at('green-channel-medical-institutions', 'y2018')).toMatchObject({ status: 'met', latest: { value: 92 } });
    expect(at('care-institutions-with-medical-service', 'y2018')).toMatchObject({ status: 'missed', latest: { value: 75 } });
    expect(at('community-elderly-service-centres-built', 'y2018')).toMatchObject({ status: 'no_data', latest: null });
    // qualitative: judged by the delivering tasks due by the milestone
    expect(at('day-care-facility-transformation', 'y2018')).toMatchObject({ status: 'met', delivering: ['g1-policy-support-day-care-transformation'] });
    expect(at('fengmao-rehab-centre-operation', 'y2018')).toMatchObject({ status: 'missed' });
    // 2020 targets, before their milestone: straight line from the baseline, or no_data without one
    expect(at('care-institutions-with-medical-service', 'y2020')).toMatchObject({ status: 'on_track' });
    expect(at('family-doctor-signing-elderly', 'y2020')).toMatchObject({ status: 'no_data' });
  });

  it('during 2018: no_data before the first value is known, then behind, then on track along the line', async () => {
    expect((await statusAt('2018-07-01'))('care-institutions-with-medical-service', 'y2018')).toMatchObject({ status: 'no_data', latest: null });
    const july = (await statusAt('2018-07-10'))('care-institutions-with-medical-service', 'y2018');
    // 2018-06-30 is 180 of 364 days: the line expects 40 + 40 × 180/364 = 59.78
    expect(july).toMatchObject({ status: 'behind', expected: 59.78, latest: { value: 55 } });
    const oct = await statusAt('2018-10-10');
    expect(oct('care-institutions-with-medical-service', 'y2018')).toMatchObject({ status: 'on_track', latest: { value: 75 } });
    expect(oct('fengmao-rehab-centre-operation', 'y2018')).toMatchObject({ status: 'behind' });
    expect((await statusAt('2018-11-01'))('day-care-facility-transformation', 'y2018')).toMatchObject({ status: 'no_data' });
  });

  it('as of 2021-01-01: the 2020 family-doctor target is met; a 2020 target never measured is no_data, not missed', async () => {
    const at = await statusAt('2021-01-01');
    expect(at('family-doctor-signing-elderly', 'y2020')).toMatchObject({ status: 'met', latest: { value: 100, as_of: '2020-11-30' } });
    // the 2018 verdict is unchanged by the later value: it looks at values dated by the 2018 milestone
    expect(at('family-doctor-signing-elderly', 'y2018')).toMatchObject({ status: 'missed', latest: { value: 68 } });
    expect(at('elderly-health-management-rate', 'y2020')).toMatchObject({ status: 'no_data' });
    expect(at('care-institutions-with-medical-service', 'y2020')).toMatchObject({ status: 'missed' });
    // 2022, qualitative: a delivering task due in 2020 is overdue and none was ever reported
    const service = at('integrated-care-service-system', 'y2022');
    expect(service.status).toBe('behind');
    expect(service.delivering).toContain('kt4-institutions-geriatric-department');
    // 2020, qualitative, the milestone passed and none of its open delivering tasks was ever reported: due, not a reported failure
    expect(at('integrated-care-service-system', 'y2020')).toMatchObject({ status: 'unreported' });
  });

  it('as of 2023-01-01 every milestone has passed: the 2022 targets are met, missed or unreported, never on track', async () => {
    const r = await api('GET', '/api/v1/towns/fengmao/indicators?asOf=2023-01-01', { token: supervisor });
    const all = r.body.indicators.flatMap((i: any) => i.targets.map((t: any) => t.status));
    expect(all.filter((s: string) => s === 'on_track' || s === 'behind')).toEqual([]);
    const at = (id: string, m: string) => r.body.indicators.find((i: any) => i.id === id).targets.find((t: any) => t.milestone === m);
    expect(at('integrated-care-service-system', 'y2022').status).toBe('unreported');
    expect(at('fengmao-rehab-centre-operation', 'y2018').status).toBe('missed');
    expect(r.body.counts.unreported).toBeGreaterThan(0);
    expect(at('family-doctor-signing-elderly', 'y2020').status).toBe('met');
    expect(r.body.counts.missed).toBeGreaterThan(0);
    expect(r.body.counts.no_data).toBeGreaterThan(0);
  });
});

describe('who may read the supervision views', () => {
  const paths = ['/api/v1/towns/fengmao/overdue', '/api/v1/towns/fengmao/units', '/api/v1/towns/fengmao/indicators', '/api/v1/towns/fengmao/overdue-snapshots?from=2018-01-01&to=2018-12-31'];
  it('supervisors, the office and admins of the town: 200; reporters 403; anonymous 401; another town 403', async () => {
    await env.DB.prepare(
      `INSERT INTO towns (id, name, name_en, province, city, county, profile_json, projects_json, updated_at) VALUES ('othertown', '他镇', 'Other', '山东省', '市', '县', '[]', '[]', '2026-01-01T00:00:00Z')`,
    ).run();
    const tokens = {
      office: await signIn('office'),
      admin: await signIn('admin'),
      reporter: await signIn('reporter', 'weijiban'),
      foreignSupervisor: await signIn('supervisor', null, { town: 'othertown' }),
    };
    for (const p of paths) {
      expect((await api('GET', p, { token: supervisor })).status, p).toBe(200);
      expect((await api('GET', p, { token: tokens.office })).status, p).toBe(200);
      expect((await api('GET', p, { token: tokens.admin })).status, p).toBe(200);
      expect((await api('GET', p, { token: tokens.reporter })).status, p).toBe(403);
      expect((await api('GET', p, { token: tokens.foreignSupervisor })).status, p).toBe(403);
      expect((await api('GET', p)).status, p).toBe(401);
    }
  });
});

describe('OpenAPI', () => {
  it('documents every supervision, inspection and bulletin route', async () => {
    const doc = (await api('GET', '/api/openapi.json')).body;
    const expected: [string, string][] = [
      ['get', '/towns/{town}/overdue'],
      ['get', '/towns/{town}/units'],
      ['get', '/towns/{town}/indicators'],
      ['get', '/towns/{town}/overdue-snapshots'],
      ['post', '/towns/{town}/inspections'],
      ['get', '/towns/{town}/inspections'],
      ['get', '/inspections/{inspection}'],
      ['post', '/towns/{town}/bulletins'],
      ['get', '/towns/{town}/bulletins'],
      ['get', '/towns/{town}/bulletins/published'],
      ['get', '/bulletins/{bulletin}'],
      ['post', '/bulletins/{bulletin}/issue'],
      ['post', '/bulletins/{bulletin}/publish'],
      ['get', '/bulletins/{bulletin}/export.csv'],
      ['get', '/bulletins/{bulletin}/export.xlsx'],
      ['get', '/bulletins/{bulletin}/print'],
    ];
    for (const [method, path] of expected) expect(doc.paths[path]?.[method]?.responses?.['200'] ?? doc.paths[path]?.[method]?.responses?.['201'], `${method} ${path}`).toBeTruthy();
    expect(doc.components.schemas.BulletinFigures).toBeTruthy();
    expect(doc.components.schemas.SupervisionTask).toBeTruthy();
  });
});
