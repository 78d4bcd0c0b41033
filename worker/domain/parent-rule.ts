/**
 * Parents roll up: what a report on a task with sub-tasks may say, judged on the sub-tasks'
 * approved reports by the same roll-up the public pages use (public-status.ts). Pure and free of
 * zod, so the console's task list can apply it without loading the form's schema.
 */
import type { TaskStatus } from './plan-view.ts';
import { publicTaskStates, type PublicTaskState } from './public-status.ts';
import { TASK_STATE_WORDS } from './status-words.ts';

/** A task below the reported one (any depth), with its latest approved report; null when never approved. */
export interface Descendant {
  id: string;
  code: string;
  parent: string;
  weight: number;
  last: { status: TaskStatus; percent: number } | null;
}

/** A direct child of the reported task, in the state the public pages show for it. */
export interface ChildState {
  id: string;
  code: string;
  state: PublicTaskState;
  /** Rolled up for a child that has children of its own; null when nothing is reported. */
  percent: number | null;
}

/** What a parent's children allow a report on it to say. */
export interface ParentAllowance {
  children: ChildState[];
  /** Children not yet completed (by approved reports), in table order. */
  unfinished: ChildState[];
  /** The children's weighted roll-up, unreported children counted as 0 %. */
  rolled_up: number;
  /** The highest percent a report on the parent may give: the roll-up rounded, and below 100 while a child is unfinished. */
  max_percent: number;
}

/**
 * What a report on task `id` may say given its descendants' approved reports; null for a task
 * without children (no limit). Uses the public roll-up (publicTaskStates), so a parent report
 * never claims more than the public pages derive from the children.
 */
export function parentAllowance(id: string, descendants: Descendant[]): ParentAllowance | null {
  const direct = descendants.filter((d) => d.parent === id);
  if (!direct.length) return null;
  // Deadlines play no part in state or percent: the dates given here are placeholders.
  const views = publicTaskStates(
    [{ id, parent: null, weight: 1, due: '', due_basis: 'stated', last: null }, ...descendants.map((d) => ({ ...d, due: '', due_basis: 'stated' as const, last: d.last && { ...d.last, approved_at: '' } }))],
    '',
  );
  const children = direct.map((d) => ({ id: d.id, code: d.code, state: views.get(d.id)!.state, percent: views.get(d.id)!.percent }));
  const unfinished = children.filter((c) => c.state !== 'completed');
  const rolledUp = views.get(id)!.percent ?? 0;
  return { children, unfinished, rolled_up: rolledUp, max_percent: unfinished.length ? Math.min(99, Math.round(rolledUp)) : 100 };
}

/** A refusal with its stable code and the fields it concerns (both languages). */
export interface Refusal {
  code: string;
  message: string;
  message_en: string;
  fields: { path: string; message: string; message_en: string }[];
}

/**
 * The rule for a report on a parent task: it may say 已完成 only when every child is completed,
 * and its percent may not exceed the children's weighted roll-up (the parent's progress is its
 * children's; a report on it adds the narrative, not progress of its own). Null when the report may stand.
 */
export function parentReportRefusal(allow: ParentAllowance | null, report: { status: TaskStatus; percent: number }): Refusal | null {
  if (!allow) return null;
  const fields: Refusal['fields'] = [];
  const list = (lang: 'zh' | 'en') => allow.unfinished.map((c) => (lang === 'zh' ? `${c.code}（${TASK_STATE_WORDS.zh[c.state]}）` : `${c.code} (${TASK_STATE_WORDS.en[c.state].toLowerCase()})`)).join(lang === 'zh' ? '、' : ', ');
  const completedRefused = report.status === 'completed' && allow.unfinished.length > 0;
  if (completedRefused) {
    fields.push({ path: 'status', message: `子任务未完成：${list('zh')}`, message_en: `unfinished sub-tasks: ${list('en')}` });
  }
  if (report.percent > allow.max_percent) {
    fields.push({
      path: 'percent',
      message: `不能超过子任务汇总的进度 ${allow.max_percent}%`,
      message_en: `at most ${allow.max_percent}%, the sub-tasks' weighted progress`,
    });
  }
  if (!fields.length) return null;
  if (completedRefused) {
    return {
      code: 'children_unfinished',
      message: `还有子任务未完成，不能把上级任务报为已完成：${list('zh')}`,
      message_en: `Sub-tasks are not completed, so the parent task cannot be reported completed: ${list('en')}`,
      fields,
    };
  }
  return {
    code: 'percent_above_children',
    message: `上级任务的完成比例由子任务加权汇总得出，目前最多 ${allow.max_percent}%。`,
    message_en: `A parent task's percent is its sub-tasks' weighted progress, at most ${allow.max_percent}% now.`,
    fields,
  };
}
