/**
 * Supervision rules (督导): overdue, at-risk and stale tasks, parent rollups, indicator status at a
 * milestone, and unit rankings — all computed "as of" a date from the approved-update history.
 * Pure functions: no Hono, no D1. The README section "Supervision" states the same rules.
 *
 * Time: a date is a calendar day in China Standard Time (UTC+08:00, no daylight saving). A fact is
 * "known on" day D when the update that carries it was approved (reviewed_at) before the end of D in
 * China Standard Time, i.e. before `${D}T16:00:00.000Z`.
 */
import type { TaskStatus } from './plan-view.ts';

const DAY_MS = 86_400_000;
const CST_MS = 8 * 3_600_000;

/** Options of the rules; the API lets a supervisor change both. */
export interface SupervisionOptions {
  /** A task due within this many days is checked for being behind schedule (default 30). */
  windowDays: number;
  /** A task without an approved update for this many days is stale (default 30). */
  staleDays: number;
}
export const DEFAULT_OPTIONS: SupervisionOptions = { windowDays: 30, staleDays: 30 };

const dayNumber = (d: string): number => Date.parse(`${d}T00:00:00.000Z`) / DAY_MS;

/** Whole days from date `a` to date `b` (negative when b is earlier). */
export const daysBetween = (a: string, b: string): number => Math.round(dayNumber(b) - dayNumber(a));

/** The date `n` days after `d`. */
export const addDays = (d: string, n: number): string => new Date((dayNumber(d) + n) * DAY_MS).toISOString().slice(0, 10);

/** The China Standard Time date of an instant (ISO timestamp or epoch ms). */
export const cstDate = (at: string | number): string => new Date((typeof at === 'number' ? at : Date.parse(at)) + CST_MS).toISOString().slice(0, 10);

/** The first instant after day `asOf` in China Standard Time: facts approved before it are known on `asOf`. */
export const knownBefore = (asOf: string): string => `${asOf}T16:00:00.000Z`;

/** A real calendar date YYYY-MM-DD (rejects 2019-02-30). */
export const isCalendarDate = (d: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && addDays(d, 0) === d;

/** The latest approved update of a task known on the as-of date. */
export interface ApprovedUpdate {
  id: string;
  status: TaskStatus;
  percent: number;
  reviewed_at: string;
}

/** What the rules need to know about one task (plan task or rectification item). */
export interface TaskFacts {
  id: string;
  parent: string | null;
  weight: number;
  /** Due date: the due milestone's date, or a rectification item's own deadline. */
  due: string;
  /** When the task's time starts: the plan's start for plan tasks, the inspection date for rectification items. */
  start: string;
  /** Latest approved update known on the as-of date, or null. */
  last: ApprovedUpdate | null;
}

/** A task's progress as of a date: its own latest approved update, or its children's rollup. */
export interface TaskState {
  status: TaskStatus;
  /** 0–100; a completed task counts as 100; a parent's is the weighted mean of its children's (one decimal). */
  percent: number;
  /** True when the state comes from the children (the task has children). */
  rolled_up: boolean;
  /** The newest approved update of the task or any descendant, known on the as-of date. */
  last: ApprovedUpdate | null;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/**
 * Parent rollup. A leaf takes its latest approved update (none: not_started, 0 %). A task with
 * children takes its progress from them: percent is the mean of the children's percents weighted
 * by `weight`; status is completed when every child is, blocked when any child is, in_progress
 * when any child has progress, else not_started. Approved updates on a parent stay in its history
 * but do not override its children.
 */
export function rollup(tasks: TaskFacts[]): Map<string, TaskState> {
  const children = new Map<string, TaskFacts[]>();
  for (const t of tasks) if (t.parent) children.set(t.parent, [...(children.get(t.parent) ?? []), t]);
  const out = new Map<string, TaskState>();
  const visit = (t: TaskFacts, depth: number): TaskState => {
    const done = out.get(t.id);
    if (done) return done;
    if (depth > 64) throw new Error(`task tree too deep or cyclic at ${t.id}`);
    const kids = children.get(t.id) ?? [];
    let s: TaskState;
    if (!kids.length) {
      const status = t.last?.status ?? 'not_started';
      s = { status, percent: status === 'completed' ? 100 : (t.last?.percent ?? 0), rolled_up: false, last: t.last };
    } else {
      const ks = kids.map((k) => ({ k, s: visit(k, depth + 1) }));
      const totalWeight = ks.reduce((a, x) => a + x.k.weight, 0);
      const percent = round1(ks.reduce((a, x) => a + x.k.weight * x.s.percent, 0) / totalWeight);
      const status: TaskStatus = ks.every((x) => x.s.status === 'completed')
        ? 'completed'
        : ks.some((x) => x.s.status === 'blocked')
          ? 'blocked'
          : ks.some((x) => x.s.status !== 'not_started' || x.s.percent > 0)
            ? 'in_progress'
            : 'not_started';
      const last = [t.last, ...ks.map((x) => x.s.last)].reduce<ApprovedUpdate | null>(
        (a, b) => (b && (!a || b.reviewed_at > a.reviewed_at) ? b : a),
        null,
      );
      s = { status, percent, rolled_up: true, last };
    }
    out.set(t.id, s);
    return s;
  };
  for (const t of tasks) visit(t, 0);
  return out;
}

/** Share (0–1) of a task's time elapsed on `asOf`: from its start to its due date. */
export function elapsedShare(start: string, due: string, asOf: string): number {
  const total = daysBetween(start, due);
  if (total <= 0) return asOf >= due ? 1 : 0;
  return Math.min(1, Math.max(0, daysBetween(start, asOf) / total));
}

/** Why a task is at risk. */
export type RiskReason = 'blocked' | 'behind_schedule';

/** The supervision flags of one task on a date. */
export interface Flags {
  /** Days past the due date, when overdue; else null. */
  overdue_days: number | null;
  /** Why it is at risk, when it is (never when overdue or completed); else null. */
  at_risk: RiskReason | null;
  /** Percent of time elapsed (0–100, one decimal) on the date. */
  elapsed_percent: number;
  /** Days since the last approved update (or since the task's start when there is none). */
  days_since_update: number;
  /** True when not completed and no approved update for `staleDays` days or more. */
  stale: boolean;
}

/**
 * - overdue: the due date has passed (asOf > due) and the task is not completed; days = asOf − due.
 * - at risk: not completed, not overdue, and either blocked, or due within `windowDays`
 *   (0 ≤ due − asOf ≤ windowDays) with percent below the share of its time elapsed.
 * - stale: not completed, its time has started, and the last approved update (of it or a
 *   descendant) was approved `staleDays` or more days before asOf — or there is none and the
 *   task started that long ago.
 */
export function flags(t: TaskFacts, s: TaskState, asOf: string, opts: SupervisionOptions = DEFAULT_OPTIONS): Flags {
  const open = s.status !== 'completed';
  const overdue = open && asOf > t.due ? daysBetween(t.due, asOf) : null;
  const share = elapsedShare(t.start, t.due, asOf);
  const dueIn = daysBetween(asOf, t.due);
  const atRisk: RiskReason | null =
    !open || overdue !== null ? null : s.status === 'blocked' ? 'blocked' : dueIn >= 0 && dueIn <= opts.windowDays && s.percent < share * 100 ? 'behind_schedule' : null;
  const since = s.last ? daysBetween(cstDate(s.last.reviewed_at), asOf) : daysBetween(t.start, asOf);
  return {
    overdue_days: overdue,
    at_risk: atRisk,
    elapsed_percent: round1(share * 100),
    days_since_update: since,
    stale: open && asOf >= t.start && since >= opts.staleDays,
  };
}

// ---------------------------------------------------------------- indicators

/**
 * An indicator target's standing at a milestone. `unreported`: the milestone has passed and no task
 * still open for it has any approved report — the deadline is a fact, a failure is not (the office has
 * nothing to judge); `missed` needs a value or a report that shows it.
 */
export type IndicatorStatus = 'met' | 'missed' | 'unreported' | 'on_track' | 'behind' | 'no_data';
/** Every IndicatorStatus, in the order boards and bulletins list them. */
export const INDICATOR_STATUSES = ['met', 'missed', 'unreported', 'on_track', 'behind', 'no_data'] as const satisfies readonly IndicatorStatus[];
export type Comparator = 'gte' | 'gt' | 'lte' | 'lt' | 'eq' | 'approx';

/** "About" (左右) accepts a value within this share of the target. */
export const APPROX_TOLERANCE = 0.1;

/** Whether `v` satisfies `comparator target`. */
export function meets(v: number, comparator: Comparator, target: number): boolean {
  const eps = 1e-9 * Math.max(1, Math.abs(target));
  switch (comparator) {
    case 'gte':
      return v >= target - eps;
    case 'gt':
      return v > target + eps;
    case 'lte':
      return v <= target + eps;
    case 'lt':
      return v < target - eps;
    case 'eq':
      return Math.abs(v - target) <= eps;
    case 'approx':
      return Math.abs(v - target) <= APPROX_TOLERANCE * Math.abs(target) + eps;
  }
}

/** A measured value with the date it applies to. */
export interface Measured {
  value: number;
  as_of: string;
}

/** The verdict on one target, with what it was based on. */
export interface IndicatorVerdict {
  status: IndicatorStatus;
  /** For numeric targets before the milestone: the value the straight path expects on the value's date. */
  expected: number | null;
  /** Why, in English (stable, for the console's tooltips). */
  basis: string;
}

/**
 * A numeric target at a milestone due on `due`, judged on `asOf` with `value` = the latest approved
 * measurement known on asOf whose own date is on or before min(asOf, due):
 * - met: the value satisfies the target (early achievement counts);
 * - missed: the milestone has passed (asOf > due) and the value does not satisfy it;
 * - before the milestone, with a baseline: on_track when the value is at or beyond the straight line
 *   from the baseline (at its date) to the target (at the due date) on the value's date, else behind;
 * - no_data: no value, or (before the milestone) no baseline to draw the line from.
 */
export function numericStatus(
  target: { comparator: Comparator; value: number },
  due: string,
  asOf: string,
  value: Measured | null,
  baseline: Measured | null,
): IndicatorVerdict {
  if (!value) return { status: 'no_data', expected: null, basis: 'no approved value' };
  if (meets(value.value, target.comparator, target.value)) return { status: 'met', expected: null, basis: 'value satisfies the target' };
  if (asOf > due) return { status: 'missed', expected: null, basis: 'milestone passed without reaching the target' };
  if (!baseline) return { status: 'no_data', expected: null, basis: 'no baseline for the straight-line path' };
  const span = daysBetween(baseline.as_of, due);
  const share = span <= 0 ? 1 : Math.min(1, Math.max(0, daysBetween(baseline.as_of, value.as_of) / span));
  const expected = baseline.value + (target.value - baseline.value) * share;
  const decreasing = target.comparator === 'lte' || target.comparator === 'lt' || target.value < baseline.value;
  const onTrack = decreasing ? value.value <= expected + 1e-9 : value.value >= expected - 1e-9;
  return { status: onTrack ? 'on_track' : 'behind', expected: Math.round(expected * 100) / 100, basis: 'compared with the straight line from baseline to target' };
}

/** A delivering task's state, for qualitative targets. */
export interface DeliveringTask {
  due: string;
  status: TaskStatus;
  overdue: boolean;
  at_risk: boolean;
  has_update: boolean;
}

/**
 * A qualitative target is judged by the approved status of the tasks that deliver it (task_indicators)
 * and are due on or before the milestone:
 * - no such task: no_data; all completed: met; milestone passed otherwise: missed when an open task
 *   has an approved report, unreported when none of the open ones has;
 * - before the milestone: behind when any is blocked, overdue or at risk (facts that need no report),
 *   else no_data while none has an approved update, else on_track.
 */
export function qualitativeStatus(due: string, asOf: string, delivering: DeliveringTask[]): IndicatorVerdict {
  const relevant = delivering.filter((d) => d.due <= due);
  if (!relevant.length) return { status: 'no_data', expected: null, basis: 'no delivering task due by the milestone' };
  if (relevant.every((d) => d.status === 'completed')) return { status: 'met', expected: null, basis: 'every delivering task completed' };
  if (asOf > due) {
    const open = relevant.filter((d) => d.status !== 'completed');
    return open.some((d) => d.has_update)
      ? { status: 'missed', expected: null, basis: 'milestone passed with delivering tasks reported open' }
      : { status: 'unreported', expected: null, basis: 'milestone passed; no approved report on the open delivering tasks' };
  }
  if (relevant.some((d) => d.status === 'blocked' || d.overdue || d.at_risk)) return { status: 'behind', expected: null, basis: 'a delivering task is blocked, overdue or at risk' };
  if (!relevant.some((d) => d.has_update)) return { status: 'no_data', expected: null, basis: 'no approved update on any delivering task' };
  return { status: 'on_track', expected: null, basis: 'delivering tasks progressing' };
}

// ---------------------------------------------------------------- units

/** One unit's standing on a date. */
export interface UnitStanding {
  unit: string;
  /** Leaf tasks the unit leads (plan deliverables and rectification items). */
  total: number;
  completed: number;
  counts: Record<TaskStatus, number>;
  /** completed / total, 0–1 (4 decimals); null without tasks. */
  completion_rate: number | null;
  /** Mean percent of those tasks (one decimal); null without tasks. */
  mean_percent: number | null;
  overdue: number;
  at_risk: number;
  stale: number;
  /** 1 = best; units equal on every criterion share a rank (并列: 1, 2, 2, 4); units without tasks are not ranked (null). */
  rank: number | null;
}

/**
 * Units ranked by completion: completion rate (desc), then mean percent (desc), then fewer overdue.
 * Units equal on all three share a rank (standard competition ranking: 1, 2, 2, 4), listed in the
 * units' own order: nothing a supervisor could point to separates them, so neither is placed above
 * the other. Counted over leaf tasks the unit leads, so a parent is not counted twice.
 */
export function rankUnits(
  units: string[],
  tasks: { id: string; lead_units: string[]; leaf: boolean; state: TaskState; flags: Flags }[],
): UnitStanding[] {
  const rows = units.map((unit, ordinal) => {
    const mine = tasks.filter((t) => t.leaf && t.lead_units.includes(unit));
    const counts: Record<TaskStatus, number> = { not_started: 0, in_progress: 0, completed: 0, blocked: 0 };
    for (const t of mine) counts[t.state.status]++;
    const total = mine.length;
    return {
      ordinal,
      s: {
        unit,
        total,
        completed: counts.completed,
        counts,
        completion_rate: total ? Math.round((counts.completed / total) * 10_000) / 10_000 : null,
        mean_percent: total ? round1(mine.reduce((a, t) => a + t.state.percent, 0) / total) : null,
        overdue: mine.filter((t) => t.flags.overdue_days !== null).length,
        at_risk: mine.filter((t) => t.flags.at_risk !== null).length,
        stale: mine.filter((t) => t.flags.stale).length,
        rank: null as number | null,
      },
    };
  });
  const better = (a: (typeof rows)[number], b: (typeof rows)[number]) =>
    b.s.completion_rate! - a.s.completion_rate! || b.s.mean_percent! - a.s.mean_percent! || a.s.overdue - b.s.overdue;
  const ranked = rows.filter((r) => r.s.total > 0).sort((a, b) => better(a, b) || a.ordinal - b.ordinal);
  ranked.forEach((r, i) => (r.s.rank = i > 0 && better(ranked[i - 1]!, r) === 0 ? ranked[i - 1]!.s.rank : i + 1));
  return [...ranked, ...rows.filter((r) => r.s.total === 0)].map((r) => r.s);
}

/** The number of an issued bulletin: 冯卯医养督〔2019〕1号. */
export const bulletinNumber = (prefix: string, year: number, seq: number): string => `${prefix}〔${year}〕${seq}号`;

/** The number prefix of a town's bulletins: the town's name without 镇, then 医养督 (冯卯镇 → 冯卯医养督). */
export const bulletinPrefix = (townName: string): string => `${townName.replace(/镇$/, '')}医养督`;
