import { beforeEach, describe, expect, it } from 'vitest';
import { content, getJson, loadContent } from './helpers.ts';
import type { PlanView, TaskNode } from '../../worker/domain/plan-view.ts';

beforeEach(async () => {
  await loadContent();
});

const flatten = (nodes: TaskNode[]): TaskNode[] => nodes.flatMap((n) => [n, ...flatten(n.children)]);

describe('GET /api/v1/towns', () => {
  it('lists Fengmao with its plan number', async () => {
    const { status, body } = await getJson('/api/v1/towns');
    expect(status).toBe(200);
    const fengmao = body.towns.find((t: any) => t.town.id === 'fengmao');
    expect(fengmao).toMatchObject({ town: { name: '冯卯镇' }, plan: { doc_number: '冯政发〔2018〕24号' } });
  });
});

describe('GET /api/v1/towns/fengmao/plan', () => {
  it('returns the plan document with its number, title and full text', async () => {
    const { status, body } = await getJson<PlanView>('/api/v1/towns/fengmao/plan');
    expect(status).toBe(200);
    expect(body.plan.doc_number).toBe('冯政发〔2018〕24号');
    expect(body.plan.title).toBe('关于创建市级医养结合示范镇的工作方案');
    expect(body.plan.body_markdown).toContain('全镇辖35个行政村');
    expect(body.town.name).toBe('冯卯镇');
  });

  it('returns the three milestones with their due dates', async () => {
    const { body } = await getJson<PlanView>('/api/v1/towns/fengmao/plan');
    expect(body.milestones.map((m) => [m.year, m.due])).toEqual([
      [2018, '2018-12-31'],
      [2020, '2020-12-31'],
      [2022, '2022-12-31'],
    ]);
  });

  it('returns every indicator target exactly as content/ defines it', async () => {
    const town = content().towns.find((t) => t.town.id === 'fengmao')!;
    const { body } = await getJson<PlanView>('/api/v1/towns/fengmao/plan');
    expect(body.indicators.map((i) => i.id)).toEqual(town.indicators.map((i) => i.indicator));
    for (const ind of town.indicators) {
      const got = body.indicators.find((i) => i.id === ind.indicator)!;
      expect(got.targets).toHaveLength(ind.targets.length);
      for (const t of ind.targets) {
        const g = got.targets.find((x) => x.milestone === t.milestone)!;
        if (t.kind === 'numeric') {
          expect(g).toMatchObject({ kind: 'numeric', comparator: t.comparator, value: t.value, unit: t.unit, display: t.display });
          expect(g.denominator).toEqual(t.denominator ?? null);
        } else {
          expect(g).toMatchObject({ kind: 'qualitative', text: t.text });
        }
        expect(g.quote).toBe(t.quote);
      }
    }
  });

  it('the signing-rate target is 70% by end-2018 and everyone by end-2020', async () => {
    const { body } = await getJson<PlanView>('/api/v1/towns/fengmao/plan');
    const signing = body.indicators.find((i) => i.id === 'family-doctor-signing-elderly')!;
    expect(signing.targets.map((t) => [t.milestone, t.comparator, t.value])).toEqual([
      ['y2018', 'gte', 70],
      ['y2020', 'eq', 100],
    ]);
  });

  it('returns the task tree: seven key tasks and the guarantees, with units and deliverables', async () => {
    const town = content().towns.find((t) => t.town.id === 'fengmao')!;
    const { body } = await getJson<PlanView>('/api/v1/towns/fengmao/plan');
    expect(body.tasks.filter((t) => t.kind === 'key_task')).toHaveLength(7);
    expect(body.tasks.filter((t) => t.kind === 'guarantee').length).toBeGreaterThanOrEqual(6);
    const all = flatten(body.tasks);
    expect(all.map((t) => t.id)).toEqual(town.tasks.map((t) => t.id));
    for (const def of town.tasks) {
      const got = all.find((t) => t.id === def.id)!;
      expect(got.title).toBe(def.title);
      expect(got.due).toBe(def.due);
      expect(got.units.map((u) => [u.id, u.role])).toEqual(def.units.map((u) => [u.unit, u.role]));
      expect(got.status).toBe('not_started');
    }
    for (const key of body.tasks) expect(key.children.length).toBeGreaterThan(0);
  });

  it('returns the leading group: leader, deputies, members and the office', async () => {
    const { body } = await getJson<PlanView>('/api/v1/towns/fengmao/plan');
    const g = body.leading_group;
    expect(g.members.filter((m) => m.role === 'leader').map((m) => m.name)).toEqual(['田琨']);
    expect(g.members.filter((m) => m.role === 'deputy_leader').map((m) => m.name)).toEqual(['姚东伟', '邵艳秋']);
    expect(g.members).toHaveLength(21);
    const director = g.members.find((m) => m.id === g.office.director)!;
    expect(director.name).toBe('姚东伟');
    expect(g.office.deputies.map((id) => g.members.find((m) => m.id === id)!.name)).toEqual(['邵艳秋', '杨钦涛']);
    expect(body.units.find((u) => u.id === g.office.unit)!.name).toBe('卫计办');
  });
});

describe('GET /api/v1/jurisdictions', () => {
  it('returns the four other jurisdictions with dated, sourced figures, labelled as theirs', async () => {
    const { status, body } = await getJson('/api/v1/jurisdictions');
    expect(status).toBe(200);
    expect(body.notice).toContain('仅供对照');
    expect(body.jurisdictions.map((j: any) => j.name).sort()).toEqual(['吉林市', '威海市', '峄城区', '滕州市'].sort());
    const jilin = body.jurisdictions.find((j: any) => j.name === '吉林市');
    const rate = jilin.reports[0].figures.find((f: any) => f.indicator === 'family-doctor-signing-elderly');
    expect(rate).toMatchObject({ value: 69, unit: '%', as_of: expect.stringMatching(/^2019/) });
  });
});
