/**
 * The parent rule of worker/domain/parent-rule.ts: a report on a task with sub-tasks may say 已完成
 * only when every sub-task is completed, and no more percent than their weighted roll-up. Each
 * example is a dated log of approved reports, read as of a day (the latest approval per task wins,
 * as the database reads it), then a report on the parent is judged.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parentAllowance, parentReportRefusal, type Descendant } from '../../worker/domain/parent-rule.ts';
import { publicTaskStates } from '../../worker/domain/public-status.ts';
import type { TaskStatus } from '../../worker/domain/plan-view.ts';

/** 一 with seven sub-tasks 一.1 … 一.7, weight 1 each, as the Fengmao task table has it. */
const seven = (): Omit<Descendant, 'last'>[] => Array.from({ length: 7 }, (_, i) => ({ id: `k1-${i + 1}`, code: `一.${i + 1}`, parent: 'k1', weight: 1 }));

type Approval = { on: string; task: string; status: TaskStatus; percent: number };

/** The tree with each task's latest approval on or before `day`. */
function asOf(tree: Omit<Descendant, 'last'>[], log: Approval[], day: string): Descendant[] {
  const last = new Map<string, Descendant['last']>();
  for (const a of [...log].filter((x) => x.on <= day).sort((x, y) => x.on.localeCompare(y.on))) last.set(a.task, { status: a.status, percent: a.percent });
  return tree.map((t) => ({ ...t, last: last.get(t.id) ?? null }));
}

const judge = (tree: Descendant[], status: TaskStatus, percent: number) => parentReportRefusal(parentAllowance('k1', tree), { status, percent });

describe('a report on a parent task', () => {
  it('on 2018-12-03, with no sub-task reported, 已完成 100 % is refused and every sub-task is named 未报告', () => {
    const r = judge(asOf(seven(), [], '2018-12-03'), 'completed', 100);
    expect(r?.code).toBe('children_unfinished');
    expect(r?.message).toBe('还有子任务未完成，不能把上级任务报为已完成：一.1（未报告）、一.2（未报告）、一.3（未报告）、一.4（未报告）、一.5（未报告）、一.6（未报告）、一.7（未报告）');
    expect(r?.message_en).toContain('一.1 (not reported), 一.2 (not reported)');
    expect(r?.fields.map((f) => f.path)).toEqual(['status', 'percent']);
    expect(r?.fields[1]!.message).toBe('不能超过子任务汇总的进度 0%');
  });

  const log: Approval[] = [
    { on: '2018-11-30', task: 'k1-1', status: 'completed', percent: 100 },
    { on: '2018-12-10', task: 'k1-2', status: 'in_progress', percent: 50 },
    { on: '2018-12-20', task: 'k1-3', status: 'blocked', percent: 20 },
  ];

  it('on 2018-12-31, with 一.1 done, 一.2 at 50 % and 一.3 blocked, names only the unfinished ones with their state', () => {
    const tree = asOf(seven(), log, '2018-12-31');
    const r = judge(tree, 'completed', 100);
    expect(r?.message).toBe('还有子任务未完成，不能把上级任务报为已完成：一.2（进行中）、一.3（受阻）、一.4（未报告）、一.5（未报告）、一.6（未报告）、一.7（未报告）');
    // (100 + 50 + 20) / 7 = 24.3 %: the parent may say up to 24 %, in progress or blocked, with its narrative
    expect(parentAllowance('k1', tree)).toMatchObject({ rolled_up: 24.3, max_percent: 24 });
    expect(judge(tree, 'in_progress', 24)).toBeNull();
    expect(judge(tree, 'blocked', 10)).toBeNull();
    const over = judge(tree, 'in_progress', 25);
    expect(over).toMatchObject({ code: 'percent_above_children', message: '上级任务的完成比例由子任务加权汇总得出，目前最多 24%。' });
    expect(over?.fields).toEqual([{ path: 'percent', message: '不能超过子任务汇总的进度 24%', message_en: "at most 24%, the sub-tasks' weighted progress" }]);
  });

  it('as of 2019-06-30, when all seven are approved completed, 已完成 100 % stands', () => {
    const done = [...log, ...seven().map((t) => ({ on: '2019-06-30', task: t.id, status: 'completed' as const, percent: 100 }))];
    const tree = asOf(seven(), done, '2019-06-30');
    expect(parentAllowance('k1', tree)).toMatchObject({ unfinished: [], rolled_up: 100, max_percent: 100 });
    expect(judge(tree, 'completed', 100)).toBeNull();
    // a day earlier 一.2 … 一.7 were not yet approved completed
    expect(judge(asOf(seven(), done, '2019-06-29'), 'completed', 100)?.code).toBe('children_unfinished');
  });

  it('after a sub-task is reopened on 2019-07-15, 已完成 is refused again', () => {
    const reopened = [
      ...seven().map((t) => ({ on: '2019-06-30', task: t.id, status: 'completed' as const, percent: 100 })),
      { on: '2019-07-15', task: 'k1-3', status: 'in_progress' as const, percent: 80 },
    ];
    const tree = asOf(seven(), reopened, '2019-07-15');
    expect(judge(tree, 'completed', 100)?.message).toBe('还有子任务未完成，不能把上级任务报为已完成：一.3（进行中）');
    // (6 × 100 + 80) / 7 = 97.1 %
    expect(judge(tree, 'in_progress', 97)).toBeNull();
    expect(judge(tree, 'in_progress', 98)?.code).toBe('percent_above_children');
  });

  it('never allows 100 % while a sub-task is unfinished, even when the roll-up rounds to 100', () => {
    const log99 = [...seven().slice(0, 6).map((t) => ({ on: '2020-01-10', task: t.id, status: 'completed' as const, percent: 100 })), { on: '2020-01-10', task: 'k1-7', status: 'in_progress' as const, percent: 99 }];
    const tree = asOf(seven(), log99, '2020-01-10');
    expect(parentAllowance('k1', tree)).toMatchObject({ rolled_up: 99.9, max_percent: 99 });
    expect(judge(tree, 'in_progress', 100)?.code).toBe('percent_above_children');
  });

  it('weighs sub-tasks as the task table says', () => {
    const tree: Omit<Descendant, 'last'>[] = [
      { id: 'a', code: '二.1', parent: 'k1', weight: 3 },
      { id: 'b', code: '二.2', parent: 'k1', weight: 1 },
    ];
    const t = asOf(tree, [{ on: '2020-05-01', task: 'a', status: 'completed', percent: 100 }], '2020-05-01');
    expect(parentAllowance('k1', t)).toMatchObject({ rolled_up: 75, max_percent: 75 });
    expect(judge(t, 'in_progress', 75)).toBeNull();
    expect(judge(t, 'in_progress', 76)?.code).toBe('percent_above_children');
  });

  it('judges a sub-task by its own sub-tasks: one reported completed over an unfinished grandchild is unfinished', () => {
    const tree: Omit<Descendant, 'last'>[] = [
      { id: 'mid', code: '三.1', parent: 'k1', weight: 1 },
      { id: 'leaf1', code: '三.1.1', parent: 'mid', weight: 1 },
      { id: 'leaf2', code: '三.1.2', parent: 'mid', weight: 1 },
    ];
    const t = asOf(
      tree,
      [
        { on: '2021-03-01', task: 'leaf1', status: 'completed', percent: 100 },
        { on: '2021-03-01', task: 'mid', status: 'completed', percent: 100 },
      ],
      '2021-03-31',
    );
    expect(parentAllowance('k1', t)?.children).toEqual([{ id: 'mid', code: '三.1', state: 'in_progress', percent: 50 }]);
    expect(judge(t, 'completed', 100)?.message).toBe('还有子任务未完成，不能把上级任务报为已完成：三.1（进行中）');
  });

  it('puts no limit on a task without sub-tasks', () => {
    expect(parentAllowance('k1-1', asOf(seven(), [], '2018-12-03'))).toBeNull();
    expect(parentReportRefusal(null, { status: 'completed', percent: 100 })).toBeNull();
  });

  it('lets 已完成 stand exactly when the public roll-up of the sub-tasks says 已完成, and never a percent above it', () => {
    const state = fc.option(fc.record({ status: fc.constantFrom<TaskStatus>('not_started', 'in_progress', 'completed', 'blocked'), percent: fc.integer({ min: 0, max: 100 }) }), { nil: null });
    fc.assert(
      fc.property(
        fc.array(fc.record({ weight: fc.integer({ min: 1, max: 10 }), last: state }), { minLength: 1, maxLength: 9 }),
        fc.constantFrom<TaskStatus>('not_started', 'in_progress', 'completed', 'blocked'),
        fc.integer({ min: 0, max: 100 }),
        (kids, status, percent) => {
          const tree: Descendant[] = kids.map((k, i) => ({ id: `c${i}`, code: `一.${i + 1}`, parent: 'k1', ...k }));
          const pub = publicTaskStates(
            [{ id: 'k1', parent: null, weight: 1, due: '2022-12-31', due_basis: 'stated', last: null }, ...tree.map((d) => ({ ...d, due: '2022-12-31', due_basis: 'stated' as const, last: d.last && { ...d.last, approved_at: '2020-01-01T00:00:00Z' } }))],
            '2020-06-01',
          ).get('k1')!;
          const r = judge(tree, status, percent);
          if (status === 'completed') expect(r?.code === 'children_unfinished').toBe(pub.state !== 'completed');
          if (percent > Math.round(pub.percent ?? 0)) expect(r).not.toBeNull();
          if (r === null) expect(percent).toBeLessThanOrEqual(pub.state === 'completed' ? 100 : Math.min(99, Math.round(pub.percent ?? 0)));
        },
      ),
    );
  });
});
