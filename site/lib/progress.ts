/**
 * A town's progress as the public pages show it: the plan (content) joined with the approved
 * data of the snapshot, judged by the supervision rules (site/lib/rules.ts). Pure functions.
 */
import type { IndicatorDef, TownBundle } from '../../worker/domain/content.ts';
import type { TaskStatus } from '../../worker/domain/plan-view.ts';
import type { SnapshotUpdate, SnapshotValue, TownSnapshot } from '../../worker/domain/public-snapshot.ts';
import { indicatorStatus, isOverdue, type IndicatorStatus } from './rules.ts';
import type { Milestone, Target } from './view.ts';

export interface TaskProgress {
  id: string;
  status: TaskStatus;
  percent: number;
  due: string;
  last: SnapshotUpdate | null;
  overdue: boolean;
}

export interface TargetCard {
  indicator: IndicatorDef;
  target: Target;
  /** The value the card shows: for a past milestone the latest at its date, else the latest. */
  latest: SnapshotValue | null;
  status: IndicatorStatus;
  /** For qualitative targets: the tasks that deliver it. */
  tasks: { done: number; total: number };
}

export interface MilestoneCards {
  milestone: Milestone;
  cards: TargetCard[];
  met: number;
}

export interface Series {
  indicator: IndicatorDef;
  baseline?: { value: number; as_of: string };
  targets: { milestone: Milestone; value: number; display: string }[];
  values: SnapshotValue[];
}

export interface ProgressView {
  snapshot: TownSnapshot | null;
  /** The date the statuses are judged at: the snapshot's date. */
  asOf: string | null;
  tasks: Map<string, TaskProgress>;
  counts: Record<TaskStatus | 'overdue' | 'total', number>;
  milestones: MilestoneCards[];
  series: Series[];
  /** Approved updates, newest first. */
  timeline: SnapshotUpdate[];
}

/** A partial baseline date (2017, 2017-06) as a day: the end of that period. */
function dayOf(d: string): string {
  if (/^\d{4}$/.test(d)) return `${d}-12-31`;
  if (/^\d{4}-\d{2}$/.test(d)) return `${d}-28`;
  return d;
}

export function progressView(t: TownBundle, catalogue: IndicatorDef[], snapshot: TownSnapshot | null): ProgressView {
  const asOf = snapshot ? snapshot.generated_at.slice(0, 10) : null;
  const milestone = new Map(t.town.milestones.map((m) => [m.id, m]));
  const indicator = new Map(catalogue.map((i) => [i.id, i]));
  const byId = new Map(snapshot?.tasks.map((x) => [x.id, x]));
  const updates = new Map(snapshot?.updates.map((u) => [u.id, u]));

  const tasks = new Map<string, TaskProgress>();
  for (const def of t.tasks) {
    const s = byId.get(def.id);
    const status: TaskStatus = s?.status ?? 'not_started';
    const due = milestone.get(def.due)!.due;
    tasks.set(def.id, {
      id: def.id,
      status,
      percent: s?.percent ?? 0,
      due,
      last: s?.last_update ? (updates.get(s.last_update) ?? null) : null,
      overdue: asOf ? isOverdue({ status, due }, asOf) : false,
    });
  }
  const all = [...tasks.values()];
  const count = (s: TaskStatus) => all.filter((x) => x.status === s).length;
  const counts = {
    total: all.length,
    completed: count('completed'),
    in_progress: count('in_progress'),
    blocked: count('blocked'),
    not_started: count('not_started'),
    overdue: all.filter((x) => x.overdue).length,
  };

  const valuesOf = (id: string) => (snapshot?.values ?? []).filter((v) => v.indicator === id).sort((a, b) => a.as_of.localeCompare(b.as_of) || a.approved_at.localeCompare(b.approved_at));
  const milestones: MilestoneCards[] = t.town.milestones.map((m) => ({ milestone: m, cards: [], met: 0 }));
  const series: Series[] = [];
  for (const ti of t.indicators) {
    const ind = indicator.get(ti.indicator)!;
    const values = valuesOf(ind.id);
    const delivering = t.tasks.filter((x) => x.indicators.includes(ind.id)).map((x) => tasks.get(x.id)!);
    const baseline = ti.baseline ? { value: ti.baseline.value, as_of: dayOf(ti.baseline.as_of) } : undefined;
    for (const target of ti.targets) {
      const m = milestone.get(target.milestone)!;
      const mine = delivering.filter((x) => x.due <= m.due);
      const passed = asOf !== null && asOf > m.due;
      const shown = passed ? values.filter((v) => v.as_of <= m.due) : values;
      const status = asOf
        ? indicatorStatus({
            kind: target.kind,
            comparator: target.kind === 'numeric' ? target.comparator : undefined,
            target: target.kind === 'numeric' ? target.value : undefined,
            baseline,
            milestoneDue: m.due,
            values: values.map((v) => ({ value: v.value, as_of: v.as_of })),
            tasks: mine.map((x) => x.status),
            asOf,
          })
        : 'no_data';
      const cards = milestones.find((x) => x.milestone.id === m.id)!;
      cards.cards.push({ indicator: ind, target, latest: shown.at(-1) ?? null, status, tasks: { done: mine.filter((x) => x.status === 'completed').length, total: mine.length } });
      if (status === 'met') cards.met++;
    }
    if (ind.kind === 'numeric') {
      const targets = ti.targets.flatMap((tg) => (tg.kind === 'numeric' ? [{ milestone: milestone.get(tg.milestone)!, value: tg.value, display: tg.display }] : []));
      series.push({ indicator: ind, baseline, targets, values });
    }
  }
  for (const m of milestones) m.cards.sort((a, b) => Number(a.target.kind !== 'numeric') - Number(b.target.kind !== 'numeric'));
  const timeline = [...(snapshot?.updates ?? [])].sort((a, b) => b.approved_at.localeCompare(a.approved_at) || b.id.localeCompare(a.id));
  return { snapshot, asOf, tasks, counts, milestones, series, timeline };
}
