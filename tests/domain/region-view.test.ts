/** A region's towns side by side: the ranking's ties, unreported towns apart, counts summed and rates never averaged. */
import { describe, expect, it } from 'vitest';
import { rankTowns, regionView, type RegionTownRow } from '../../worker/domain/region-view.ts';
import type { TownSummary } from '../../worker/domain/public-model.ts';
import type { IndicatorDef, Region } from '../../worker/domain/content.ts';

const counts = (o: Partial<Record<'met' | 'missed' | 'met_late' | 'not_yet_met' | 'tasks_partial' | 'no_data', number>>) => ({ met: 0, missed: 0, met_late: 0, not_yet_met: 0, tasks_partial: 0, no_data: 0, ...o });

function summary(id: string, opts: { completed: number; total: number; met: number; targets: number; approved: string | null; overdue?: number }): TownSummary {
  return {
    town: { id, name: `${id}镇`, name_en: null, province: null, city: null, county: null, demo: false },
    plan: { title: '方案', doc_number: '文号' },
    judged_as_of: '2026-12-06',
    updated_at: opts.approved,
    milestones: [{ id: 'y2018', year: 2018, label: '2018年年底', due: '2018-12-31', targets: opts.targets, counts: counts({ met: opts.met, no_data: opts.targets - opts.met }) }],
    deliverables: { total: opts.total, completed: opts.completed, in_progress: 0, blocked: 0, not_started: 0, not_reported: opts.total - opts.completed, overdue: opts.overdue ?? 0 },
  };
}

const region: Region = { id: 'r', name: '某区', level: 'county' };
const catalogue: IndicatorDef[] = [
  { id: 'centres', name: '社区养老服务中心建设数', name_en: 'Centres', kind: 'numeric', unit: '个', direction: 'increase' } as IndicatorDef,
  { id: 'signing', name: '老年人家庭医生签约率', name_en: 'Signing rate', kind: 'numeric', unit: '%', direction: 'increase' } as IndicatorDef,
];

describe('the ranking of a region', () => {
  it('ranks by share completed, then targets met; equal scores share a place (并列) and the next place skips', () => {
    const v = regionView({
      region,
      city: null,
      counties: [],
      summaries: [
        summary('a', { completed: 5, total: 10, met: 2, targets: 5, approved: '2026-01-01T00:00:00Z' }),
        summary('b', { completed: 5, total: 10, met: 2, targets: 5, approved: '2026-01-02T00:00:00Z' }),
        summary('c', { completed: 8, total: 10, met: 0, targets: 5, approved: '2026-01-03T00:00:00Z' }),
        summary('d', { completed: 5, total: 10, met: 1, targets: 5, approved: '2026-01-04T00:00:00Z' }),
        summary('e', { completed: 0, total: 10, met: 0, targets: 5, approved: null }),
      ],
      values: [],
      catalogue,
      today: '2026-12-06',
    });
    const place = new Map(v.towns.map((t) => [t.town, [t.rank, t.tied]]));
    expect(place.get('c')).toEqual([1, false]);
    expect(place.get('a')).toEqual([2, true]);
    expect(place.get('b')).toEqual([2, true]);
    expect(place.get('d')).toEqual([4, false]);
    // no report: not ranked, not 0 %, not last
    expect(place.get('e')).toEqual([null, false]);
    const e = v.towns.find((t) => t.town === 'e')!;
    expect(e.reported).toBe(false);
    expect(e.completed_share).toBeNull();
    expect(v.towns_reported).toBe(4);
  });

  it('a region of one town works, and a town with no report is never ranked', () => {
    const rows = rankTowns([{ ...(regionView({ region, city: null, counties: [], summaries: [summary('a', { completed: 0, total: 3, met: 0, targets: 1, approved: null })], values: [], catalogue, today: '2026-12-06' }).towns[0] as RegionTownRow) }]);
    expect(rows[0]!.rank).toBeNull();
  });
});

describe('indicators across the towns of a region', () => {
  it('sums counts over the towns that reported one, keeps 暂无数据 apart, and never sums or averages a rate', () => {
    const v = regionView({
      region,
      city: null,
      counties: [],
      summaries: [summary('a', { completed: 1, total: 2, met: 0, targets: 1, approved: 'x' }), summary('b', { completed: 0, total: 2, met: 0, targets: 1, approved: null }), summary('c', { completed: 0, total: 2, met: 0, targets: 1, approved: 'y' })],
      values: [
        { town: 'a', indicator: 'centres', value: 3, as_of: '2019-12-31', source: '甲' },
        { town: 'b', indicator: 'centres', value: null, as_of: null, source: null },
        { town: 'c', indicator: 'centres', value: 4, as_of: '2020-06-30', source: '丙' },
        { town: 'a', indicator: 'signing', value: 70, as_of: '2019-12-31', source: '甲' },
        { town: 'c', indicator: 'signing', value: 50, as_of: '2019-12-31', source: '丙' },
      ],
      catalogue,
      today: '2026-12-06',
    });
    const centres = v.indicators.find((i) => i.indicator === 'centres')!;
    expect(centres).toMatchObject({ aggregation: 'count', sum: 7, towns_with_value: 2 });
    expect(centres.towns.find((t) => t.town === 'b')).toMatchObject({ value: null });
    const signing = v.indicators.find((i) => i.indicator === 'signing')!;
    expect(signing).toMatchObject({ aggregation: 'rate', sum: null });
    expect(signing.towns.map((t) => t.value)).toEqual([70, 50]);
  });
});
