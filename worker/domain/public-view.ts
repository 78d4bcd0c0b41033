/**
 * A town's progress as every public surface shows it (pages, open data, feed): the plan joined
 * with the approved data read from D1, judged on `today` (China time) by the public rules of
 * ./public-status.ts. Pure functions; the site and the open-data files only format this.
 */
import type { IndicatorDef, TownBundle } from './content.ts';
import type { PublicUpdate, PublicValue, TownPublicData } from './public-progress.ts';
import {
  deliverableCounts,
  numericVerdict,
  publicTaskStates,
  qualitativeVerdict,
  targetCounts,
  type PublicTaskState,
  type PublicTaskView,
  type TargetStatus,
} from './public-status.ts';
import { cstDate } from './supervision.ts';

type Target = TownBundle['indicators'][number]['targets'][number];
type Milestone = TownBundle['town']['milestones'][number];

export interface TaskProgress extends PublicTaskView {
  /** The latest approved update on the task itself (for a parent: on it or any descendant). */
  last: PublicUpdate | null;
}

export interface TargetCard {
  indicator: IndicatorDef;
  target: Target;
  status: TargetStatus;
  /** The value the verdict at the milestone rests on (dated on or before it). */
  at_due: PublicValue | null;
  /** The newest value, whatever its date. */
  latest: PublicValue | null;
  /** For qualitative targets: the tasks that deliver it (due by the milestone). */
  tasks: { done: number; total: number };
}

export interface MilestoneCards {
  milestone: Milestone;
  cards: TargetCard[];
  counts: Record<TargetStatus, number>;
}

export interface Series {
  indicator: IndicatorDef;
  baseline?: { value: number; as_of: string };
  targets: { milestone: Milestone; value: number; display: string }[];
  values: PublicValue[];
}

export interface ProgressView {
  data: TownPublicData | null;
  /** The day (China time) the statuses are judged on: the day the data was read. */
  today: string;
  tasks: Map<string, TaskProgress>;
  /** Deliverables (leaf tasks) by state, and how many are reported unfinished past their deadline. */
  counts: Record<PublicTaskState | 'overdue' | 'total', number>;
  milestones: MilestoneCards[];
  series: Series[];
  /** Approved updates, newest first (on pages: the newest page of them). */
  timeline: PublicUpdate[];
  /** How many approved updates there are in all. */
  updatesTotal: number;
}

/** A partial baseline date (2017, 2017-06) as a day: the end of that period. */
function dayOf(d: string): string {
  if (/^\d{4}$/.test(d)) return `${d}-12-31`;
  if (/^\d{4}-\d{2}$/.test(d)) return `${d}-28`;
  return d;
}

/** The town's public progress; without data (a town not in the database) nothing is reported. */
export function progressView(t: TownBundle, catalogue: IndicatorDef[], data: TownPublicData | null, now = data?.generated_at ?? new Date().toISOString()): ProgressView {
  const today = cstDate(now);
  const milestone = new Map(t.town.milestones.map((m) => [m.id, m]));
  const indicator = new Map(catalogue.map((i) => [i.id, i]));
  const approved = data?.updates ?? [];
  const byTask = new Map<string, PublicUpdate>();
  for (const u of [...approved].sort((a, b) => a.approved_at.localeCompare(b.approved_at) || a.id.localeCompare(b.id))) byTask.set(u.task, u);
  const states = publicTaskStates(
    t.tasks.map((def) => {
      const last = byTask.get(def.id);
      return {
        id: def.id,
        parent: def.parent ?? null,
        weight: def.weight,
        due: milestone.get(def.due)!.due,
        due_basis: def.due_basis,
        last: last ? { status: last.status, percent: last.percent, approved_at: last.approved_at } : null,
      };
    }),
    today,
  );
  const childrenOf = new Map<string, string[]>();
  for (const def of t.tasks) if (def.parent) childrenOf.set(def.parent, [...(childrenOf.get(def.parent) ?? []), def.id]);
  const lastOf = (id: string): PublicUpdate | null =>
    [byTask.get(id) ?? null, ...(childrenOf.get(id) ?? []).map(lastOf)].reduce<PublicUpdate | null>((a, b) => (b && (!a || b.approved_at > a.approved_at) ? b : a), null);
  const tasks = new Map<string, TaskProgress>(t.tasks.map((def) => [def.id, { ...states.get(def.id)!, last: lastOf(def.id) }]));

  const counts = deliverableCounts(tasks.values());

  const valuesOf = (id: string) => (data?.values ?? []).filter((v) => v.indicator === id).sort((a, b) => a.as_of.localeCompare(b.as_of) || a.approved_at.localeCompare(b.approved_at));
  const milestones: MilestoneCards[] = t.town.milestones.map((m) => ({ milestone: m, cards: [], counts: targetCounts([]) }));
  const series: Series[] = [];
  for (const ti of t.indicators) {
    const ind = indicator.get(ti.indicator)!;
    const values = valuesOf(ind.id);
    const baseline = ti.baseline ? { value: ti.baseline.value, as_of: dayOf(ti.baseline.as_of) } : undefined;
    for (const target of ti.targets) {
      const m = milestone.get(target.milestone)!;
      const delivering = t.tasks.filter((x) => x.indicators.includes(ind.id) && milestone.get(x.due)!.due <= m.due).map((x) => tasks.get(x.id)!);
      const q = qualitativeVerdict(delivering);
      let card: TargetCard;
      if (target.kind === 'numeric') {
        const v = numericVerdict({ comparator: target.comparator, value: target.value }, m.due, today, values);
        card = { indicator: ind, target, status: v.status, at_due: v.at_due as PublicValue | null, latest: v.latest as PublicValue | null, tasks: { done: q.done, total: q.total } };
      } else {
        card = { indicator: ind, target, status: q.status, at_due: null, latest: null, tasks: { done: q.done, total: q.total } };
      }
      milestones.find((x) => x.milestone.id === m.id)!.cards.push(card);
    }
    if (ind.kind === 'numeric') {
      const targets = ti.targets.flatMap((tg) => (tg.kind === 'numeric' ? [{ milestone: milestone.get(tg.milestone)!, value: tg.value, display: tg.display }] : []));
      series.push({ indicator: ind, baseline, targets, values });
    }
  }
  for (const m of milestones) {
    m.cards.sort((a, b) => Number(a.target.kind !== 'numeric') - Number(b.target.kind !== 'numeric'));
    m.counts = targetCounts(m.cards.map((c) => c.status));
  }
  // When only the newest updates were read (pages), the timeline is those; each task's latest is read besides.
  const recent = data?.recent ? new Set(data.recent) : null;
  const timeline = approved.filter((u) => !recent || recent.has(u.id)).sort((a, b) => b.approved_at.localeCompare(a.approved_at) || b.id.localeCompare(a.id));
  return { data, today, tasks, counts, milestones, series, timeline, updatesTotal: data?.updates_total ?? approved.length };
}
