/**
 * The public status rules (worker/domain/public-status.ts), each with dated examples: what a
 * reader is told about a task or a target, from approved reports only.
 */
import { describe, expect, it } from 'vitest';
import { numericVerdict, publicTaskStates, qualitativeVerdict, targetCounts, type TaskInput } from '../../worker/domain/public-status.ts';
import { dueWords } from '../../worker/domain/status-words.ts';

const task = (id: string, over: Partial<TaskInput> = {}): TaskInput => ({ id, parent: null, weight: 1, due: '2018-12-31', due_basis: 'inferred', last: null, ...over });
const report = (status: 'not_started' | 'in_progress' | 'completed' | 'blocked', percent: number, approved_at = '2018-06-01T02:00:00Z') => ({ status, percent, approved_at });

describe('a task as the public sees it', () => {
  it('with no approved report it is 未报告: not 未开始, not overdue, no percent, even years after its deadline', () => {
    const s = publicTaskStates([task('a')], '2026-12-03').get('a')!;
    expect(s).toMatchObject({ state: 'not_reported', percent: null, deadline_passed: true, overdue: false, due_basis: 'inferred' });
  });

  it('a report left unfinished after the deadline is overdue; a completed one never is; before the deadline nothing is', () => {
    const tasks = [task('late', { last: report('in_progress', 60) }), task('done', { last: report('completed', 100) }), task('early', { due: '2027-12-31', last: report('in_progress', 10) })];
    const s = publicTaskStates(tasks, '2026-12-03');
    expect(s.get('late')).toMatchObject({ state: 'in_progress', percent: 60, overdue: true });
    expect(s.get('done')).toMatchObject({ state: 'completed', percent: 100, overdue: false });
    expect(s.get('early')).toMatchObject({ state: 'in_progress', deadline_passed: false, overdue: false });
  });

  it('a parent rolls up from its children, weighted; unreported children count 0 % and are counted by state', () => {
    const tasks = [
      task('p'),
      task('c1', { parent: 'p', weight: 3, last: report('completed', 100) }),
      task('c2', { parent: 'p', weight: 1 }),
    ];
    const p = publicTaskStates(tasks, '2019-01-01').get('p')!;
    expect(p).toMatchObject({ state: 'in_progress', percent: 75, rolled_up: true, overdue: true });
    expect(p.children).toMatchObject({ completed: 1, not_reported: 1 });
  });

  it('a parent whose children are all unreported is 未报告; all completed is 已完成; any blocked is 受阻', () => {
    const none = publicTaskStates([task('p'), task('c', { parent: 'p' })], '2026-01-01').get('p')!;
    expect(none).toMatchObject({ state: 'not_reported', percent: null, overdue: false });
    const all = publicTaskStates([task('p'), task('c1', { parent: 'p', last: report('completed', 100) }), task('c2', { parent: 'p', last: report('completed', 100) })], '2026-01-01').get('p')!;
    expect(all).toMatchObject({ state: 'completed', percent: 100, overdue: false });
    const blocked = publicTaskStates([task('p'), task('c1', { parent: 'p', last: report('blocked', 40) }), task('c2', { parent: 'p' })], '2026-01-01').get('p')!;
    expect(blocked.state).toBe('blocked');
  });

  it('a deadline reads as the villager says it: 2018年底到期', () => {
    expect(dueWords('2018-12-31')).toBe('2018年底到期');
    expect(dueWords('2019-06-30')).toBe('2019年6月30日到期');
  });
});

describe('a numeric target at a milestone (70%以上 by 2018-12-31)', () => {
  const target = { comparator: 'gte' as const, value: 70 };
  const v = (value: number, as_of: string, approved_at = `${as_of}T08:00:00Z`) => ({ value, as_of, approved_at });

  it('nothing reported: 暂无数据, never 未达成', () => {
    expect(numericVerdict(target, '2018-12-31', '2026-12-03', []).status).toBe('no_data');
  });

  it('a value of 71.7 % dated 2018-12-20 is 已达成 for 2018', () => {
    expect(numericVerdict(target, '2018-12-31', '2026-12-03', [v(71.7, '2018-12-20')])).toMatchObject({ status: 'met', at_due: { value: 71.7 } });
  });

  it('82 % measured and approved today counts: 逾期达成 for a 2018 target, shown with its date', () => {
    const r = numericVerdict(target, '2018-12-31', '2026-12-03', [v(82, '2026-12-03', '2026-12-03T03:00:00Z')]);
    expect(r).toMatchObject({ status: 'met_late', at_due: null, latest: { value: 82, as_of: '2026-12-03' } });
  });

  it('only a later value below target: 尚未达成; the milestone’s own value below target: 未达成', () => {
    expect(numericVerdict(target, '2018-12-31', '2026-12-03', [v(60, '2020-06-30')]).status).toBe('not_yet_met');
    expect(numericVerdict(target, '2018-12-31', '2026-12-03', [v(60, '2018-12-31')]).status).toBe('missed');
    expect(numericVerdict(target, '2018-12-31', '2026-12-03', [v(60, '2018-12-31'), v(65, '2019-12-31')]).status).toBe('missed');
  });

  it('missed at the milestone but met since: 逾期达成', () => {
    expect(numericVerdict(target, '2018-12-31', '2026-12-03', [v(60, '2018-12-31'), v(75, '2019-12-31')]).status).toBe('met_late');
  });

  it('before the milestone: 已达成 once met, else 尚未达成', () => {
    expect(numericVerdict(target, '2027-12-31', '2026-12-03', [v(72, '2026-06-30')]).status).toBe('met');
    expect(numericVerdict(target, '2027-12-31', '2026-12-03', [v(50, '2026-06-30')]).status).toBe('not_yet_met');
  });
});

describe('a qualitative target (e.g. 全面运行) from the tasks that deliver it', () => {
  it('已达成 only when every delivering task is reported completed; 暂无数据 when none is reported; else the tasks’ state', () => {
    expect(qualitativeVerdict([{ state: 'completed' }, { state: 'completed' }])).toEqual({ status: 'met', done: 2, total: 2 });
    expect(qualitativeVerdict([{ state: 'not_reported' }, { state: 'not_reported' }])).toEqual({ status: 'no_data', done: 0, total: 2 });
    expect(qualitativeVerdict([{ state: 'completed' }, { state: 'not_reported' }, { state: 'in_progress' }])).toEqual({ status: 'tasks_partial', done: 1, total: 3 });
    expect(qualitativeVerdict([]).status).toBe('no_data');
  });

  it('the milestone summary keeps no data apart from missed', () => {
    expect(targetCounts(['met', 'no_data', 'no_data', 'missed', 'met_late'])).toMatchObject({ met: 1, missed: 1, met_late: 1, no_data: 2, not_yet_met: 0 });
  });
});
