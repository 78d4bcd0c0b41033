/**
 * The words for each status, one per status, used on every surface a person reads: the public
 * pages, open data's readers, the console. Stable keys live in code and data; these labels are
 * the only place their Chinese (and English) wording is written.
 */
import type { PublicTaskState, TargetStatus } from './public-status.ts';

/** A task's state (the latest approved report, or none). */
export const TASK_STATE_WORDS: Record<'zh' | 'en', Record<PublicTaskState, string>> = {
  zh: { not_reported: '未报告', not_started: '未开始', in_progress: '进行中', completed: '已完成', blocked: '受阻' },
  en: { not_reported: 'Not reported', not_started: 'Not started', in_progress: 'In progress', completed: 'Completed', blocked: 'Blocked' },
};

/** A target's verdict at a milestone. */
export const TARGET_STATUS_WORDS: Record<'zh' | 'en', Record<TargetStatus, string>> = {
  zh: { met: '已达成', missed: '未达成', met_late: '逾期达成', not_yet_met: '尚未达成', tasks_partial: '部分完成', no_data: '暂无数据' },
  en: { met: 'Met', missed: 'Missed', met_late: 'Met late', not_yet_met: 'Not yet met', tasks_partial: 'Partly done', no_data: 'No data' },
};

/** The flag for a task reported unfinished after its deadline. */
export const OVERDUE_WORD = { zh: '逾期', en: 'Overdue' } as const;

/** The mark of a deadline the editors inferred (the plan does not state it). */
export const INFERRED_WORD = { zh: '推定', en: 'inferred' } as const;

/** A deadline in a villager's words: "2018年底到期" (the end of the year) or "2018年6月30日到期". */
export function dueWords(due: string, lang: 'zh' | 'en' = 'zh'): string {
  const [y, m, d] = due.split('-');
  if (lang === 'en') return `due ${due}`;
  return m === '12' && d === '31' ? `${y}年底到期` : `${y}年${Number(m)}月${Number(d)}日到期`;
}
