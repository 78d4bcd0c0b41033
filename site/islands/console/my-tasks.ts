/**
 * 我的任务 as pure rules (tested in tests/domain/console-my-tasks.test.ts): what needs the
 * reporter now, the reporter's unit's part in each task (牵头 / 配合), the tasks grouped under
 * their key task in plan order, and the filters (status, milestone, words of the title).
 */
import type { PlanIndex } from './plan.ts';

/** The reporter's tasks (GET), kept per account (local.ts). */
export const ME_TASKS = '/api/v1/me/tasks';

/** One row of GET /api/v1/me/tasks. */
export interface MyTask {
  id: string;
  code: string;
  title: string;
  kind: string;
  parent_id?: string | null;
  status: string;
  percent: number;
  version: number;
  /** The task needs 佐证材料 before it can be reported 已完成 (the office sets it). */
  evidence_required?: boolean;
  due: string | null;
  due_date: string;
  due_label: string | null;
  last_update: { id: string; state: string; status: string; percent: number; created_at: string; reviewed_at: string | null; reject_reason: string | null } | null;
  last_approved: { id: string; status: string; percent: number; reviewed_at: string } | null;
}

/** Why a task needs the reporter now; lower `rank` comes first. */
export interface Need {
  kind: 'returned' | 'overdue' | 'never' | 'due_soon';
  rank: number;
  label: string;
}

/** Days from one YYYY-MM-DD to another. */
const days = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);

/** How soon "due soon" is. */
export const DUE_SOON_DAYS = 30;

/**
 * What a task asks of the reporter today, or null when nothing: returned by the office (a
 * rejected last submission), overdue, never reported, or due within 30 days. A completed task or
 * one whose last submission waits for review asks nothing.
 */
export function needOf(t: MyTask, today: string): Need | null {
  if (t.last_update?.state === 'rejected') return { kind: 'returned', rank: 0, label: '被退回，需重新报送' };
  if (t.status === 'completed' || t.last_update?.state === 'pending') return null;
  const left = days(today, t.due_date);
  if (left < 0) return { kind: 'overdue', rank: 1, label: `已逾期 ${-left} 天` };
  if (!t.last_update) return { kind: 'never', rank: 2, label: '还没有报送' };
  if (left <= DUE_SOON_DAYS) return { kind: 'due_soon', rank: 3, label: `${left} 天后到期` };
  return null;
}

/** Tasks that need the reporter now: returned first, then overdue, never reported, due soon; each by due date, then code. */
export function needsNow(tasks: MyTask[], today: string): { task: MyTask; need: Need }[] {
  return tasks
    .flatMap((task) => {
      const need = needOf(task, today);
      return need ? [{ task, need }] : [];
    })
    .sort((a, b) => a.need.rank - b.need.rank || a.task.due_date.localeCompare(b.task.due_date) || a.task.code.localeCompare(b.task.code, 'zh'));
}

/** The unit's part in a task: 牵头 (lead), 配合 (support), or null when the plan does not say. */
export function partOf(plan: PlanIndex, task: string, unit: string | null): '牵头' | '配合' | null {
  const role = plan.tasks.get(task)?.units.find((u) => u.id === unit)?.role;
  return role === 'lead' ? '牵头' : role === 'support' ? '配合' : null;
}

/** The key task (top of the tree) a task belongs to. */
export function keyTaskOf(plan: PlanIndex, task: string): string {
  let id = task;
  for (let p = plan.parents.get(id); p; p = plan.parents.get(id)) id = p;
  return id;
}

export interface Filters {
  /** A TaskStatus key, or '' for all. */
  status: string;
  /** A milestone id, or '' for all. */
  milestone: string;
  /** Words to find in the code or title; '' for all. */
  q: string;
}

export const noFilters: Filters = { status: '', milestone: '', q: '' };
export const filtering = (f: Filters): boolean => !!(f.status || f.milestone || f.q.trim());

/** Whether a task passes the filters; the words are matched ignoring spaces, each word anywhere in code or title. */
export function matches(t: MyTask, f: Filters): boolean {
  if (f.status && t.status !== f.status) return false;
  if (f.milestone && t.due !== f.milestone) return false;
  const hay = `${t.code} ${t.title}`.toLowerCase();
  return f.q
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((w) => hay.includes(w));
}

/** Tasks grouped under their key task, groups and tasks in plan order (tasks the plan does not know go last, by code). */
export function groupByKeyTask(tasks: MyTask[], plan: PlanIndex): { key: string; code: string; title: string; tasks: MyTask[] }[] {
  const order = new Map([...plan.tasks.keys()].map((id, i) => [id, i]));
  const pos = (id: string) => order.get(id) ?? Number.MAX_SAFE_INTEGER;
  const groups = new Map<string, MyTask[]>();
  for (const t of tasks) {
    const k = keyTaskOf(plan, t.id);
    groups.set(k, [...(groups.get(k) ?? []), t]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => pos(a) - pos(b) || a.localeCompare(b))
    .map(([key, ts]) => {
      const node = plan.tasks.get(key);
      return {
        key,
        code: node?.code ?? '',
        title: node?.title ?? ts[0]!.title,
        tasks: ts.sort((a, b) => pos(a.id) - pos(b.id) || a.code.localeCompare(b.code, 'zh')),
      };
    });
}
