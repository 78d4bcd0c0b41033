import { describe, expect, it } from 'vitest';
import { groupByKeyTask, matches, needOf, needsNow, partOf, type MyTask } from '../../site/islands/console/my-tasks.ts';
import { indexPlan } from '../../site/islands/console/plan.ts';
import type { PlanView } from '../../worker/domain/plan-view.ts';

const node = (id: string, code: string, title: string, units: [string, 'lead' | 'support'][], children: unknown[] = []) => ({
  id,
  code,
  title,
  kind: children.length ? 'key_task' : 'deliverable',
  units: units.map(([u, role]) => ({ id: u, name: u, role })),
  indicators: [],
  children,
});
const plan = indexPlan({
  plan: { issued_on: '2018-06-01', year: 2018 },
  units: [{ id: 'weijiban', name: '卫计办' }],
  indicators: [],
  tasks: [
    node('kt1', '一', '健康评估', [['weijiban', 'lead']], [node('kt1-a', '一.1', '建立评估体系', [['weijiban', 'lead']]), node('kt1-b', '一.2', '基线调查', [['minzhengban', 'lead'], ['weijiban', 'support']])]),
    node('kt2', '二', '家庭医生', [['weijiban', 'lead']], [node('kt2-a', '二.1', '组建家庭医生签约团队', [['weijiban', 'lead']])]),
  ],
} as unknown as PlanView);

const task = (id: string, over: Partial<MyTask> = {}): MyTask => ({
  id,
  code: plan.tasks.get(id)?.code ?? id,
  title: plan.tasks.get(id)?.title ?? id,
  kind: 'deliverable',
  status: 'not_started',
  percent: 0,
  version: 1,
  due: 'y2020',
  due_date: '2020-12-31',
  due_label: '2020年年底',
  last_update: null,
  last_approved: null,
  ...over,
});
const update = (state: string) => ({ id: 'u', state, status: 'in_progress', percent: 10, created_at: '2020-01-01T00:00:00Z', reviewed_at: null, reject_reason: state === 'rejected' ? '缺佐证' : null });

describe('what needs the reporter now', () => {
  const today = '2020-12-10';
  it('puts a task the office returned first, then overdue ones, then never reported, then those due within 30 days', () => {
    const list = needsNow(
      [
        task('kt2-a', { due_date: '2020-12-31', last_update: update('approved') }),
        task('kt1-b', { due_date: '2022-12-31' }),
        task('kt1-a', { due_date: '2018-12-31' }),
        task('kt2', { due_date: '2022-12-31', last_update: update('rejected') }),
      ],
      today,
    );
    expect(list.map((x) => [x.task.id, x.need.label])).toEqual([
      ['kt2', '被退回，需重新报送'],
      ['kt1-a', '已逾期 710 天'],
      ['kt1-b', '还没有报送'],
      ['kt2-a', '21 天后到期'],
    ]);
  });

  it('asks nothing of a completed task, of one waiting for review, or of a reported one due far ahead', () => {
    expect(needOf(task('a', { status: 'completed', due_date: '2018-12-31' }), today)).toBeNull();
    expect(needOf(task('a', { due_date: '2018-12-31', last_update: update('pending') }), today)).toBeNull();
    expect(needOf(task('a', { due_date: '2022-12-31', last_update: update('approved') }), today)).toBeNull();
  });
});

describe('finding a task', () => {
  it("marks the unit's part in each task as 牵头 or 配合", () => {
    expect(partOf(plan, 'kt1-a', 'weijiban')).toBe('牵头');
    expect(partOf(plan, 'kt1-b', 'weijiban')).toBe('配合');
    expect(partOf(plan, 'unknown', 'weijiban')).toBeNull();
  });

  it('groups tasks under their key task in plan order, whatever order they arrive in', () => {
    const groups = groupByKeyTask([task('kt2-a'), task('kt1-b'), task('kt1'), task('kt1-a')], plan);
    expect(groups.map((g) => [g.code, g.title, g.tasks.map((t) => t.code)])).toEqual([
      ['一', '健康评估', ['一', '一.1', '一.2']],
      ['二', '家庭医生', ['二.1']],
    ]);
  });

  it('filters by status and milestone and finds every word of a search in the code or title', () => {
    const t = task('kt2-a', { status: 'in_progress', due: 'y2018' });
    expect(matches(t, { status: '', milestone: '', q: '家庭医生 团队' })).toBe(true);
    expect(matches(t, { status: '', milestone: '', q: '二.1' })).toBe(true);
    expect(matches(t, { status: '', milestone: '', q: '家庭医生 养老' })).toBe(false);
    expect(matches(t, { status: 'in_progress', milestone: 'y2018', q: '' })).toBe(true);
    expect(matches(t, { status: 'completed', milestone: '', q: '' })).toBe(false);
    expect(matches(t, { status: '', milestone: 'y2020', q: '' })).toBe(false);
  });
});
