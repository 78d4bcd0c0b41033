/**
 * The supervision rules the public pages apply (overdue tasks, indicator status at a
 * milestone). They live in worker/domain/ (issue 4); this module only adapts them to the
 * site's data so there is a single copy of every rule.
 */
import type { TaskStatus } from '../../worker/domain/plan-view.ts';

export type IndicatorStatus = 'met' | 'missed' | 'on_track' | 'behind' | 'no_data';

export interface IndicatorJudgement {
  kind: 'numeric' | 'qualitative';
  comparator?: string;
  target?: number;
  baseline?: { value: number; as_of: string };
  milestoneDue: string;
  values: { value: number; as_of: string }[];
  /** Approved status of the tasks that deliver the target (qualitative targets). */
  tasks: TaskStatus[];
  asOf: string;
}

/** PENDING MERGE of branch `sup`: replaced by worker/domain/supervision*.ts. */
export function indicatorStatus(_j: IndicatorJudgement): IndicatorStatus {
  return 'no_data';
}

/** PENDING MERGE of branch `sup`: replaced by worker/domain/supervision*.ts. */
export function isOverdue(_t: { status: TaskStatus; due: string }, _asOf: string): boolean {
  return false;
}
