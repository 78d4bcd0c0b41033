/**
 * A region's (county's or city's) towns side by side: the public read model of /regions/<id>/,
 * its open data and GET /api/v1/regions/{region}. Built from the towns' kept summaries
 * (TownSummary, judged by each town's own rules) and their latest approved indicator values.
 * Pure functions.
 *
 * Truthful by construction: a town with no approved report is 未报告 — listed apart from the
 * ranking, never counted as 0 % or as failing; a target without a value is 暂无数据; counts that
 * add up (numeric indicators counted in units, not %) are summed, with each town's value one click
 * away; rates are shown per town and never averaged (their denominators are not stored).
 */
import { z } from 'zod';
import { IsoDate, Slug, type IndicatorDef, type Region } from './content.ts';
import { DeliverableCounts, TownSummary } from './public-model.ts';
import { TARGET_STATUSES, type TargetStatus } from './public-status.ts';

const Count = z.number().int().nonnegative();
const TargetCounts = z.record(z.enum(TARGET_STATUSES as [TargetStatus, ...TargetStatus[]]), Count);

/** How the ranking orders towns; the page and the API say it in words. */
export const RANKING_RULE = {
  zh: '按已完成的具体任务占全部具体任务的比例从高到低排列；比例相同的，按已达成的目标数从多到少排列；两项都相同的并列同一名次。还没有审核通过的报告的镇不参加排名，单独列出。',
  en: 'By the share of deliverables completed, highest first; where equal, by the number of targets met; towns equal on both share a place. Towns with no approved report are not ranked and are listed apart.',
} as const;

/** One town's line in the region's table. */
export const RegionTownRow = z.object({
  town: Slug,
  name: z.string(),
  demo: z.boolean(),
  /** False: no approved report yet (未报告); the row shows no percentages. */
  reported: z.boolean(),
  /** The town's figures are not counted yet (a page recomputes a few per render): left out of every total and the ranking. */
  pending: z.boolean(),
  updated_at: z.string().nullable(),
  /** Per milestone year: targets met and all targets of that milestone. */
  milestones: z.array(z.object({ year: z.number().int(), label: z.string(), met: Count, total: Count })),
  deliverables: DeliverableCounts,
  /** Completed deliverables over all deliverables, 0–1; null for a town with no report. */
  completed_share: z.number().min(0).max(1).nullable(),
  /** Targets met over every milestone. */
  targets_met: Count,
  /** Place in the ranking (ties share it); null for a town with no report. */
  rank: z.number().int().positive().nullable(),
  /** True when another town shares the place (并列). */
  tied: z.boolean(),
});
export type RegionTownRow = z.infer<typeof RegionTownRow>;

/** An indicator across the region's towns: each town's latest approved value, and a sum where values add up. */
export const RegionIndicator = z.object({
  indicator: Slug,
  name: z.string(),
  unit: z.string().nullable(),
  /** `count`: values add up across towns (summed); `rate`: a share, shown per town only. */
  aggregation: z.enum(['count', 'rate']),
  /** The sum of the towns' latest values (count indicators with at least one value); never for rates. */
  sum: z.number().nullable(),
  /** How many towns' values the sum adds up. */
  towns_with_value: Count,
  towns: z.array(
    z.object({
      town: Slug,
      name: z.string(),
      /** Null: 暂无数据 (never 0). */
      value: z.number().nullable(),
      as_of: IsoDate.nullable(),
      source: z.string().nullable(),
    }),
  ),
});
export type RegionIndicator = z.infer<typeof RegionIndicator>;

/** The region's page: the answer first, the towns' table and ranking, indicators across towns. */
export const RegionView = z.object({
  region: z.object({ id: Slug, name: z.string(), name_en: z.string().nullable(), level: z.enum(['county', 'city']), city: z.object({ id: Slug, name: z.string() }).nullable() }),
  /** Counties of a city region that have a page. */
  counties: z.array(z.object({ id: Slug, name: z.string(), towns: Count })),
  judged_as_of: IsoDate,
  towns_total: Count,
  /** Towns with at least one approved report. */
  towns_reported: Count,
  /** Towns whose figures are not counted yet (left out of the totals below). */
  towns_pending: Count,
  /** Per milestone year, the targets of every town by verdict. */
  milestones: z.array(z.object({ year: z.number().int(), label: z.string(), targets: Count, counts: TargetCounts })),
  deliverables: DeliverableCounts,
  towns: z.array(RegionTownRow),
  ranking_rule: z.string(),
  indicators: z.array(RegionIndicator),
  /** The newest approval in any of the towns. */
  updated_at: z.string().nullable(),
});
export type RegionView = z.infer<typeof RegionView>;

/** A town's latest approved value of an indicator of its plan (null: none yet). */
export interface TownIndicatorValue {
  town: string;
  indicator: string;
  value: number | null;
  as_of: string | null;
  source: string | null;
}

/** Numeric indicators counted in units add up across towns; shares (%) do not. */
export const aggregationOf = (d: Pick<IndicatorDef, 'kind' | 'unit'>): 'count' | 'rate' | null =>
  d.kind !== 'numeric' ? null : d.unit === '%' ? 'rate' : 'count';

const emptyDeliverables = () => ({ total: 0, completed: 0, in_progress: 0, blocked: 0, not_started: 0, not_reported: 0, overdue: 0 });
const emptyTargets = () => Object.fromEntries(TARGET_STATUSES.map((s) => [s, 0])) as Record<TargetStatus, number>;
const milestoneLabel = (year: number) => `${year}年底`;

/** The ranking: towns with a report by completed share then targets met, equal scores sharing a place. */
export function rankTowns(rows: RegionTownRow[]): RegionTownRow[] {
  const reported = rows.filter((r) => r.reported);
  const score = (r: RegionTownRow) => [r.completed_share ?? 0, r.targets_met] as const;
  const sorted = [...reported].sort((a, b) => score(b)[0] - score(a)[0] || score(b)[1] - score(a)[1] || a.name.localeCompare(b.name, 'zh-CN'));
  const same = (a: RegionTownRow, b: RegionTownRow) => score(a)[0] === score(b)[0] && score(a)[1] === score(b)[1];
  const ranked = new Map<string, { rank: number; tied: boolean }>();
  sorted.forEach((r, i) => {
    const prev = sorted[i - 1];
    const rank = prev && same(prev, r) ? ranked.get(prev.town)!.rank : i + 1;
    ranked.set(r.town, { rank, tied: false });
  });
  for (const r of sorted) if (sorted.some((x) => x !== r && ranked.get(x.town)!.rank === ranked.get(r.town)!.rank)) ranked.get(r.town)!.tied = true;
  return rows.map((r) => ({ ...r, ...(ranked.get(r.town) ?? { rank: null, tied: false }) }));
}

/** A town's line from its summary. */
function townRow(s: TownSummary): RegionTownRow {
  const reported = !s.pending && s.updated_at !== null;
  const byYear = new Map<number, { year: number; label: string; met: number; total: number }>();
  for (const m of s.milestones) {
    const e = byYear.get(m.year) ?? { year: m.year, label: milestoneLabel(m.year), met: 0, total: 0 };
    e.met += m.counts.met ?? 0;
    e.total += m.targets;
    byYear.set(m.year, e);
  }
  const d = s.deliverables;
  return {
    town: s.town.id,
    name: s.town.name,
    demo: s.town.demo,
    reported,
    pending: !!s.pending,
    updated_at: s.updated_at,
    milestones: [...byYear.values()].sort((a, b) => a.year - b.year),
    deliverables: { ...d },
    completed_share: reported && d.total > 0 ? d.completed / d.total : null,
    targets_met: s.milestones.reduce((n, m) => n + (m.counts.met ?? 0), 0),
    rank: null,
    tied: false,
  };
}

/** The region's view from its towns' summaries and their latest indicator values. */
export function regionView(input: {
  region: Region;
  city: { id: string; name: string } | null;
  counties: { id: string; name: string; towns: number }[];
  summaries: TownSummary[];
  values: TownIndicatorValue[];
  catalogue: IndicatorDef[];
  today: string;
}): RegionView {
  const { region, summaries } = input;
  const towns = rankTowns(summaries.map(townRow));
  const milestones = new Map<number, { year: number; label: string; targets: number; counts: Record<TargetStatus, number> }>();
  const deliverables = emptyDeliverables();
  for (const s of summaries.filter((x) => !x.pending)) {
    for (const m of s.milestones) {
      const e = milestones.get(m.year) ?? { year: m.year, label: milestoneLabel(m.year), targets: 0, counts: emptyTargets() };
      e.targets += m.targets;
      for (const k of TARGET_STATUSES) e.counts[k] += m.counts[k] ?? 0;
      milestones.set(m.year, e);
    }
    for (const k of Object.keys(deliverables) as (keyof typeof deliverables)[]) deliverables[k] += s.deliverables[k];
  }
  const name = new Map(summaries.map((s) => [s.town.id, s.town.name]));
  const indicators: RegionIndicator[] = [];
  for (const d of input.catalogue) {
    const aggregation = aggregationOf(d);
    const vs = input.values.filter((v) => v.indicator === d.id && name.has(v.town));
    if (!aggregation || vs.length === 0) continue;
    const withValue = vs.filter((v) => v.value !== null);
    indicators.push({
      indicator: d.id,
      name: d.name,
      unit: d.unit ?? null,
      aggregation,
      sum: aggregation === 'count' && withValue.length > 0 ? withValue.reduce((n, v) => n + v.value!, 0) : null,
      towns_with_value: withValue.length,
      towns: vs
        .map((v) => ({ town: v.town, name: name.get(v.town)!, value: v.value, as_of: v.as_of, source: v.source }))
        .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN')),
    });
  }
  const stamps = summaries.map((s) => s.updated_at).filter((x): x is string => !!x).sort();
  return {
    region: { id: region.id, name: region.name, name_en: region.name_en ?? null, level: region.level, city: input.city },
    counties: input.counties,
    judged_as_of: input.today,
    towns_total: summaries.length,
    towns_reported: towns.filter((t) => t.reported).length,
    towns_pending: towns.filter((t) => t.pending).length,
    milestones: [...milestones.values()].sort((a, b) => a.year - b.year),
    deliverables,
    towns,
    ranking_rule: RANKING_RULE.zh,
    indicators,
    updated_at: stamps.at(-1) ?? null,
  };
}
