/**
 * What the public may be told about a town's progress: only what approved reports show. These
 * rules are the one source for every public surface (pages, open data, the public progress API);
 * the internal supervision board (worker/domain/supervision.ts) keeps its stricter rules and
 * labels them as such. Pure functions, no I/O.
 *
 * - A task nobody has reported on is 未报告 (`not_reported`): never 未开始, 逾期 or 未达成.
 * - Its deadline is shown as a date ("2018年底到期"), marked 推定 when the editors inferred it;
 *   逾期 only for a task whose latest approved report leaves it unfinished after its deadline.
 * - A parent task's state and percent roll up from its children, weighted (a report on a parent
 *   may not claim more: worker/domain/parent-rule.ts).
 * - A numeric target is judged on the value dated on or before the milestone; a value dated
 *   after it is shown with its own status (逾期达成 / 尚未达成); no value at all is 暂无数据.
 * - A qualitative target shows the state of the tasks that deliver it; it is 已达成 only when
 *   every one of them is reported completed.
 */
import type { TaskStatus } from './plan-view.ts';
import { meets, type Comparator } from './supervision.ts';

/** A task's state as the public sees it: the latest approved report, or not reported. */
export type PublicTaskState = TaskStatus | 'not_reported';

/** Stable keys, in the order they are listed. */
export const PUBLIC_TASK_STATES: readonly PublicTaskState[] = ['completed', 'in_progress', 'blocked', 'not_started', 'not_reported'];

/** The facts of one task, as the public data holds them. */
export interface TaskInput {
  id: string;
  parent: string | null;
  weight: number;
  /** The milestone's date, YYYY-MM-DD. */
  due: string;
  due_basis: 'stated' | 'inferred';
  /** The latest approved report on this task itself, if any. */
  last: { status: TaskStatus; percent: number; approved_at: string } | null;
}

export interface PublicTaskView {
  id: string;
  state: PublicTaskState;
  /** Percent complete; null when nothing is reported (for a parent: when no child is). */
  percent: number | null;
  due: string;
  due_basis: 'stated' | 'inferred';
  /** The deadline is before `today`. */
  deadline_passed: boolean;
  /** Reported unfinished and past its deadline (never true without a report). */
  overdue: boolean;
  /** Derived from children. */
  rolled_up: boolean;
  /** For a parent: how many of its deliverables are in each state. */
  children?: Record<PublicTaskState, number>;
}

const emptyCounts = (): Record<PublicTaskState, number> => ({ completed: 0, in_progress: 0, blocked: 0, not_started: 0, not_reported: 0 });
const round1 = (n: number) => Math.round(n * 10) / 10;

/** Every task's public state on `today` (YYYY-MM-DD, China time); parents roll up from their children. */
export function publicTaskStates(tasks: TaskInput[], today: string): Map<string, PublicTaskView> {
  const kids = new Map<string, TaskInput[]>();
  for (const t of tasks) if (t.parent) kids.set(t.parent, [...(kids.get(t.parent) ?? []), t]);
  const out = new Map<string, PublicTaskView>();
  const visit = (t: TaskInput, depth: number): PublicTaskView => {
    const done = out.get(t.id);
    if (done) return done;
    if (depth > 64) throw new Error(`task tree too deep or cyclic at ${t.id}`);
    const children = kids.get(t.id) ?? [];
    const passed = today > t.due;
    let v: PublicTaskView;
    if (!children.length) {
      const state: PublicTaskState = t.last?.status ?? 'not_reported';
      const percent = t.last ? (t.last.status === 'completed' ? 100 : t.last.percent) : null;
      v = { id: t.id, state, percent, due: t.due, due_basis: t.due_basis, deadline_passed: passed, overdue: passed && !!t.last && state !== 'completed', rolled_up: false };
    } else {
      const ks = children.map((k) => ({ k, v: visit(k, depth + 1) }));
      const counts = emptyCounts();
      for (const x of ks) {
        if (x.v.children) for (const s of PUBLIC_TASK_STATES) counts[s] += x.v.children[s];
        else counts[x.v.state]++;
      }
      const anyReported = ks.some((x) => x.v.state !== 'not_reported');
      const state: PublicTaskState = !anyReported
        ? 'not_reported'
        : ks.every((x) => x.v.state === 'completed')
          ? 'completed'
          : ks.some((x) => x.v.state === 'blocked')
            ? 'blocked'
            : ks.some((x) => x.v.state === 'in_progress' || x.v.state === 'completed' || (x.v.percent ?? 0) > 0)
              ? 'in_progress'
              : 'not_started';
      const total = ks.reduce((a, x) => a + x.k.weight, 0);
      // Unreported children count as 0 %: the parent's percent is what the reports show, a lower bound.
      const percent = anyReported ? round1(ks.reduce((a, x) => a + x.k.weight * (x.v.percent ?? 0), 0) / total) : null;
      v = { id: t.id, state, percent, due: t.due, due_basis: t.due_basis, deadline_passed: passed, overdue: passed && anyReported && state !== 'completed', rolled_up: true, children: counts };
    }
    out.set(t.id, v);
    return v;
  };
  for (const t of tasks) visit(t, 0);
  return out;
}

/**
 * Headline counts over deliverables (tasks without sub-tasks, so a parent and its children are not
 * counted twice): how many in each state, how many overdue, in all. Pages and the progress API.
 */
export function deliverableCounts(views: Iterable<PublicTaskView>): Record<PublicTaskState | 'overdue' | 'total', number> {
  const leaves = [...views].filter((v) => !v.rolled_up);
  const counts = { ...emptyCounts(), total: leaves.length, overdue: leaves.filter((v) => v.overdue).length };
  for (const v of leaves) counts[v.state]++;
  return counts;
}

// ---------------------------------------------------------------- targets

/** A target's verdict as the public sees it. */
export type TargetStatus = 'met' | 'missed' | 'met_late' | 'not_yet_met' | 'tasks_partial' | 'no_data';

/** Stable keys, in the order the milestone summary lists them. */
export const TARGET_STATUSES: readonly TargetStatus[] = ['met', 'missed', 'met_late', 'not_yet_met', 'tasks_partial', 'no_data'];

/** One dated, approved value of an indicator. */
export interface DatedValue {
  value: number;
  /** The date the value describes (YYYY-MM-DD). */
  as_of: string;
  approved_at: string;
}

export interface NumericVerdict {
  status: TargetStatus;
  /** The value the verdict at the milestone rests on (dated on or before it), if any. */
  at_due: DatedValue | null;
  /** The newest value, whatever its date (shown with its date). */
  latest: DatedValue | null;
}

const byDate = (a: DatedValue, b: DatedValue) => a.as_of.localeCompare(b.as_of) || a.approved_at.localeCompare(b.approved_at);

/**
 * A numeric target at a milestone, on `today`:
 * - before the milestone: met once the latest value meets it, else 尚未达成 (or no data);
 * - after it: the value dated on or before the milestone decides 已达成/未达成; with no such
 *   value (or a miss), a later value that meets the target is 逾期达成, one that does not is
 *   尚未达成 (未达成 stays when the milestone's own value missed and nothing later meets it).
 */
export function numericVerdict(target: { comparator: Comparator; value: number }, due: string, today: string, values: DatedValue[]): NumericVerdict {
  const sorted = [...values].sort(byDate);
  const latest = sorted.at(-1) ?? null;
  const atDue = sorted.filter((v) => v.as_of <= due).at(-1) ?? null;
  const ok = (v: DatedValue | null) => v !== null && meets(v.value, target.comparator, target.value);
  if (!latest) return { status: 'no_data', at_due: null, latest: null };
  if (today <= due) return { status: ok(latest) ? 'met' : 'not_yet_met', at_due: atDue, latest };
  if (ok(atDue)) return { status: 'met', at_due: atDue, latest };
  const laterMet = sorted.some((v) => v.as_of > due && ok(v));
  if (laterMet) return { status: 'met_late', at_due: atDue, latest };
  return { status: atDue ? 'missed' : 'not_yet_met', at_due: atDue, latest };
}

/** A qualitative target from the tasks that deliver it: 已达成 only when all are reported completed. */
export function qualitativeVerdict(delivering: { state: PublicTaskState }[]): { status: TargetStatus; done: number; total: number } {
  const total = delivering.length;
  const done = delivering.filter((d) => d.state === 'completed').length;
  if (total > 0 && done === total) return { status: 'met', done, total };
  if (!delivering.some((d) => d.state !== 'not_reported')) return { status: 'no_data', done, total };
  return { status: 'tasks_partial', done, total };
}

/** How many targets of a milestone are in each state. */
export function targetCounts(statuses: TargetStatus[]): Record<TargetStatus, number> {
  const c = Object.fromEntries(TARGET_STATUSES.map((s) => [s, 0])) as Record<TargetStatus, number>;
  for (const s of statuses) c[s]++;
  return c;
}
