/**
 * Supervision views assembled from a town's facts on a date: the overdue board, unit rankings,
 * indicator statuses by milestone, bulletin figures and the daily snapshot rows. Pure: the facts
 * come from worker/db/supervision.ts (readTownFacts); the rules from ./supervision.ts.
 */
import type { TaskStatus } from './plan-view.ts';
import {
  DEFAULT_OPTIONS,
  flags,
  numericStatus,
  qualitativeStatus,
  rankUnits,
  rollup,
  type ApprovedUpdate,
  type Comparator,
  type IndicatorStatus,
  INDICATOR_STATUSES,
  type RiskReason,
  type SupervisionOptions,
  type TaskFacts,
  type UnitStanding,
} from './supervision.ts';

/** A task row with its due date, lead member and latest approved update known before the cutoff. */
export interface TaskFactRow {
  id: string;
  parent_id: string | null;
  code: string;
  kind: string;
  title: string;
  weight: number;
  ordinal: number;
  milestone: string | null;
  due: string;
  inspection_id: string | null;
  inspected_on: string | null;
  lead_member_id: string | null;
  lead_member_name: string | null;
  lead_member_post: string | null;
  last: ApprovedUpdate | null;
}

/** Everything the supervision views of one town need, as known before `cutoff` (an instant). */
export interface TownFacts {
  town: { id: string; name: string; plan_start: string };
  milestones: { id: string; label: string; due: string }[];
  units: { id: string; name: string }[];
  tasks: TaskFactRow[];
  taskUnits: { task_id: string; unit_id: string; role: 'lead' | 'support' }[];
  taskIndicators: { task_id: string; indicator_id: string }[];
  indicators: {
    id: string;
    name: string;
    kind: 'numeric' | 'qualitative';
    unit: string | null;
    baseline_value: number | null;
    baseline_as_of: string | null;
  }[];
  targets: {
    indicator_id: string;
    milestone_id: string;
    due: string;
    kind: 'numeric' | 'qualitative';
    comparator: string | null;
    value: number | null;
    display: string | null;
    text: string | null;
    latest: { value: number; as_of: string; source: string; approved_at: string } | null;
  }[];
}

/** One task on the supervision board, as of a date. */
export interface TaskItem {
  id: string;
  /** `<town>:<task>`, as the task endpoints take it. */
  ref: string;
  code: string;
  title: string;
  kind: string;
  /** Due milestone id (null for a rectification item). */
  milestone: string | null;
  due: string;
  /** True when the task has no children (its progress is its own). */
  leaf: boolean;
  status: TaskStatus;
  percent: number;
  rolled_up: boolean;
  overdue_days: number | null;
  at_risk: RiskReason | null;
  elapsed_percent: number;
  stale: boolean;
  days_since_update: number;
  units: { id: string; name: string; role: 'lead' | 'support' }[];
  lead_member: { id: string; name: string; post: string | null } | null;
  last_approved: ApprovedUpdate | null;
  /** The inspection that raised a rectification item; null for plan tasks. */
  inspection: string | null;
}

/** Every task of the town evaluated on `asOf`, in plan order (rectification items last). */
export function evaluateTasks(f: TownFacts, asOf: string, opts: SupervisionOptions = DEFAULT_OPTIONS): TaskItem[] {
  const facts: TaskFacts[] = f.tasks.map((t) => ({
    id: t.id,
    parent: t.parent_id,
    weight: t.weight,
    due: t.due,
    start: t.inspected_on ?? f.town.plan_start,
    last: t.last,
  }));
  const states = rollup(facts);
  const unitName = new Map(f.units.map((u) => [u.id, u.name]));
  const unitsOf = new Map<string, TaskItem['units']>();
  for (const x of f.taskUnits) unitsOf.set(x.task_id, [...(unitsOf.get(x.task_id) ?? []), { id: x.unit_id, name: unitName.get(x.unit_id) ?? x.unit_id, role: x.role }]);
  const hasChildren = new Set(f.tasks.filter((t) => t.parent_id).map((t) => t.parent_id!));
  return f.tasks.map((t, i) => {
    const s = states.get(t.id)!;
    const fl = flags(facts[i]!, s, asOf, opts);
    return {
      id: t.id,
      ref: `${f.town.id}:${t.id}`,
      code: t.code,
      title: t.title,
      kind: t.kind,
      milestone: t.milestone,
      due: t.due,
      leaf: !hasChildren.has(t.id),
      status: s.status,
      percent: s.percent,
      rolled_up: s.rolled_up,
      ...fl,
      units: unitsOf.get(t.id) ?? [],
      lead_member: t.lead_member_id ? { id: t.lead_member_id, name: t.lead_member_name ?? t.lead_member_id, post: t.lead_member_post } : null,
      last_approved: s.last,
      inspection: t.inspection_id,
    };
  });
}

const leadUnits = (t: TaskItem) => t.units.filter((u) => u.role === 'lead').map((u) => u.id);

/** Filters of the overdue board. */
export interface BoardFilters {
  unit?: string;
  milestone?: string;
  status?: TaskStatus;
  kind?: 'plan' | 'rectification';
  /** Include parent tasks (their state rolled up from children); default leaves only. */
  parents?: boolean;
}

/** One responsible unit's overdue, at-risk and stale tasks. */
export interface BoardGroup {
  unit: { id: string; name: string };
  overdue: TaskItem[];
  at_risk: TaskItem[];
  stale: TaskItem[];
}

/**
 * The overdue board: tasks overdue (most days first), at risk and stale, grouped by their lead
 * (responsible) unit in the units' order; a task led by two units appears under both. Units with
 * nothing to report are left out. Counts are of distinct tasks.
 */
export function overdueBoard(items: TaskItem[], units: { id: string; name: string }[], f: BoardFilters = {}) {
  const shown = items.filter(
    (t) =>
      (f.parents || t.leaf) &&
      (!f.milestone || t.milestone === f.milestone) &&
      (!f.status || t.status === f.status) &&
      (!f.kind || (f.kind === 'rectification') === (t.kind === 'rectification')) &&
      (!f.unit || leadUnits(t).includes(f.unit)),
  );
  const flagged = shown.filter((t) => t.overdue_days !== null || t.at_risk !== null || t.stale);
  const groups: BoardGroup[] = [];
  for (const u of units) {
    if (f.unit && u.id !== f.unit) continue;
    const mine = flagged.filter((t) => leadUnits(t).includes(u.id));
    if (!mine.length) continue;
    groups.push({
      unit: u,
      overdue: mine.filter((t) => t.overdue_days !== null).sort((a, b) => b.overdue_days! - a.overdue_days!),
      at_risk: mine.filter((t) => t.at_risk !== null).sort((a, b) => a.due.localeCompare(b.due)),
      stale: mine.filter((t) => t.stale).sort((a, b) => b.days_since_update - a.days_since_update),
    });
  }
  const unassigned = flagged.filter((t) => !leadUnits(t).length);
  return {
    counts: {
      tasks: shown.length,
      overdue: shown.filter((t) => t.overdue_days !== null).length,
      at_risk: shown.filter((t) => t.at_risk !== null).length,
      stale: shown.filter((t) => t.stale).length,
    },
    groups,
    unassigned,
  };
}

/** Units ranked by completion over the leaf tasks they lead. */
export function unitStandings(items: TaskItem[], units: { id: string; name: string }[]): (UnitStanding & { name: string })[] {
  const name = new Map(units.map((u) => [u.id, u.name]));
  return rankUnits(
    units.map((u) => u.id),
    items.map((t) => ({
      id: t.id,
      lead_units: leadUnits(t),
      leaf: t.leaf,
      state: { status: t.status, percent: t.percent, rolled_up: t.rolled_up, last: t.last_approved },
      flags: t,
    })),
  ).map((s) => ({ ...s, name: name.get(s.unit) ?? s.unit }));
}

/** One indicator target judged on a date. */
export interface TargetStatus {
  milestone: string;
  due: string;
  kind: 'numeric' | 'qualitative';
  comparator: string | null;
  value: number | null;
  display: string | null;
  text: string | null;
  status: IndicatorStatus;
  expected: number | null;
  basis: string;
  latest: { value: number; as_of: string; source: string; approved_at: string } | null;
  /** Delivering tasks due by the milestone (qualitative targets). */
  delivering: string[];
}

/** Every indicator of the town with the status of each of its targets on `asOf`. */
export function indicatorBoard(f: TownFacts, items: TaskItem[], asOf: string) {
  const byId = new Map(items.map((t) => [t.id, t]));
  const deliveringOf = new Map<string, TaskItem[]>();
  for (const x of f.taskIndicators) {
    const t = byId.get(x.task_id);
    if (t) deliveringOf.set(x.indicator_id, [...(deliveringOf.get(x.indicator_id) ?? []), t]);
  }
  const indicators = f.indicators.map((ind) => {
    const baseline = ind.baseline_value !== null && ind.baseline_as_of ? { value: ind.baseline_value, as_of: ind.baseline_as_of } : null;
    const targets: TargetStatus[] = f.targets
      .filter((t) => t.indicator_id === ind.id)
      .map((t) => {
        const delivering = (deliveringOf.get(ind.id) ?? []).filter((d) => d.due <= t.due);
        const verdict =
          t.kind === 'numeric'
            ? numericStatus({ comparator: t.comparator as Comparator, value: t.value! }, t.due, asOf, t.latest, baseline)
            : qualitativeStatus(
                t.due,
                asOf,
                delivering.map((d) => ({ due: d.due, status: d.status, overdue: d.overdue_days !== null, at_risk: d.at_risk !== null, has_update: d.last_approved !== null })),
              );
        return {
          milestone: t.milestone_id,
          due: t.due,
          kind: t.kind,
          comparator: t.comparator,
          value: t.value,
          display: t.display,
          text: t.text,
          ...verdict,
          latest: t.kind === 'numeric' ? t.latest : null,
          delivering: delivering.map((d) => d.id),
        };
      });
    return { id: ind.id, name: ind.name, kind: ind.kind, unit: ind.unit, baseline, targets };
  });
  const counts = Object.fromEntries(INDICATOR_STATUSES.map((s) => [s, 0])) as Record<IndicatorStatus, number>;
  for (const i of indicators) for (const t of i.targets) counts[t.status]++;
  return { indicators, counts };
}

/** Per-unit counts for the daily snapshot (leaf tasks each unit leads). */
export function snapshotCounts(items: TaskItem[], units: { id: string; name: string }[]) {
  return unitStandings(items, units).map((s) => ({ unit: s.unit, overdue: s.overdue, at_risk: s.at_risk, stale: s.stale, tasks: s.total }));
}
