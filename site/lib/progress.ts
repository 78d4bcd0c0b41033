/**
 * A town's progress as the public pages show it: the plan (content) joined with the approved
 * data of the snapshot, judged on the snapshot's date by the supervision rules of
 * worker/domain/supervision.ts (rollup, overdue, indicator status) — the site has no rules
 * of its own. Pure functions.
 */
import type { IndicatorDef, TownBundle } from '../../worker/domain/content.ts';
import type { TaskStatus } from '../../worker/domain/plan-view.ts';
import type { SnapshotUpdate, SnapshotValue, TownSnapshot } from '../../worker/domain/public-snapshot.ts';
import {
  cstDate,
  DEFAULT_OPTIONS,
  flags,
  knownBefore,
  numericStatus,
  qualitativeStatus,
  rollup,
  type ApprovedUpdate,
  type IndicatorStatus,
  type TaskFacts,
} from '../../worker/domain/supervision.ts';
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
  // Judged on the snapshot's date (China Standard Time), from what was approved by then.
  const asOf = snapshot ? cstDate(snapshot.generated_at) : null;
  const known = (at: string) => asOf !== null && at < knownBefore(asOf);
  const milestone = new Map(t.town.milestones.map((m) => [m.id, m]));
  const indicator = new Map(catalogue.map((i) => [i.id, i]));
  const approved = (snapshot?.updates ?? []).filter((u) => known(u.approved_at));
  const updates = new Map(approved.map((u) => [u.id, u]));
  const lastOf = new Map<string, ApprovedUpdate>();
  for (const u of [...approved].sort((a, b) => a.approved_at.localeCompare(b.approved_at) || a.id.localeCompare(b.id))) {
    lastOf.set(u.task, { id: u.id, status: u.status, percent: u.percent, reviewed_at: u.approved_at });
  }
  const planStart = t.town.plan.issued_on?.value ?? `${t.town.plan.year}-01-01`;
  const facts: TaskFacts[] = t.tasks.map((def) => ({
    id: def.id,
    parent: def.parent ?? null,
    weight: def.weight,
    due: milestone.get(def.due)!.due,
    start: planStart,
    last: lastOf.get(def.id) ?? null,
  }));
  const states = rollup(facts);
  const tasks = new Map<string, TaskProgress>();
  const riskOf = new Map<string, boolean>();
  for (const f of facts) {
    const s = states.get(f.id)!;
    const fl = asOf ? flags(f, s, asOf, DEFAULT_OPTIONS) : null;
    riskOf.set(f.id, fl?.at_risk != null);
    tasks.set(f.id, {
      id: f.id,
      status: s.status,
      percent: s.percent,
      due: f.due,
      last: s.last ? (updates.get(s.last.id) ?? null) : null,
      overdue: fl?.overdue_days != null,
    });
  }
  // Headline counts are over deliverables (leaf tasks), so a parent and its children are not counted twice.
  const parents = new Set(t.tasks.map((x) => x.parent).filter(Boolean));
  const leaves = [...tasks.values()].filter((x) => !parents.has(x.id));
  const count = (s: TaskStatus) => leaves.filter((x) => x.status === s).length;
  const counts = {
    total: leaves.length,
    completed: count('completed'),
    in_progress: count('in_progress'),
    blocked: count('blocked'),
    not_started: count('not_started'),
    overdue: leaves.filter((x) => x.overdue).length,
  };

  const valuesOf = (id: string) =>
    (snapshot?.values ?? [])
      .filter((v) => v.indicator === id && known(v.approved_at))
      .sort((a, b) => a.as_of.localeCompare(b.as_of) || a.approved_at.localeCompare(b.approved_at));
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
      // The value judged: the latest known on asOf whose own date is on or before min(asOf, due).
      const cutoff = asOf && asOf < m.due ? asOf : m.due;
      const latest = values.filter((v) => v.as_of <= cutoff).at(-1) ?? null;
      let status: IndicatorStatus = 'no_data';
      if (asOf && target.kind === 'numeric') {
        status = numericStatus({ comparator: target.comparator, value: target.value }, m.due, asOf, latest, baseline ?? null).status;
      } else if (asOf) {
        status = qualitativeStatus(
          m.due,
          asOf,
          mine.map((x) => ({ due: x.due, status: x.status, overdue: x.overdue, at_risk: riskOf.get(x.id) ?? false, has_update: x.last !== null })),
        ).status;
      }
      const cards = milestones.find((x) => x.milestone.id === m.id)!;
      cards.cards.push({ indicator: ind, target, latest, status, tasks: { done: mine.filter((x) => x.status === 'completed').length, total: mine.length } });
      if (status === 'met') cards.met++;
    }
    if (ind.kind === 'numeric') {
      const targets = ti.targets.flatMap((tg) => (tg.kind === 'numeric' ? [{ milestone: milestone.get(tg.milestone)!, value: tg.value, display: tg.display }] : []));
      series.push({ indicator: ind, baseline, targets, values });
    }
  }
  for (const m of milestones) m.cards.sort((a, b) => Number(a.target.kind !== 'numeric') - Number(b.target.kind !== 'numeric'));
  const timeline = [...approved].sort((a, b) => b.approved_at.localeCompare(a.approved_at) || b.id.localeCompare(a.id));
  return { snapshot, asOf, tasks, counts, milestones, series, timeline };
}
