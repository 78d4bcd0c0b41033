/** The supervision rules of worker/domain/supervision.ts, case by case, plus a few properties. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  addDays,
  bulletinNumber,
  bulletinPrefix,
  cstDate,
  daysBetween,
  elapsedShare,
  flags,
  isCalendarDate,
  knownBefore,
  meets,
  numericStatus,
  qualitativeStatus,
  rankUnits,
  rollup,
  type ApprovedUpdate,
  type TaskFacts,
} from '../../worker/domain/supervision.ts';

const upd = (status: ApprovedUpdate['status'], percent: number, reviewed_at: string): ApprovedUpdate => ({ id: `u-${reviewed_at}`, status, percent, reviewed_at });
const task = (id: string, over: Partial<TaskFacts> = {}): TaskFacts => ({ id, parent: null, weight: 1, due: '2018-12-31', start: '2018-01-01', last: null, ...over });
const stateOf = (t: TaskFacts) => rollup([t]).get(t.id)!;

describe('dates', () => {
  it('counts days and knows China Standard Time', () => {
    expect(daysBetween('2018-12-31', '2019-01-01')).toBe(1);
    expect(daysBetween('2019-01-01', '2018-12-31')).toBe(-1);
    expect(daysBetween('2020-02-28', '2020-03-01')).toBe(2); // leap year
    expect(addDays('2018-12-31', 1)).toBe('2019-01-01');
    // 07:00 on 1 January in Beijing is still 31 December in UTC
    expect(cstDate('2018-12-31T23:00:00.000Z')).toBe('2019-01-01');
    expect(knownBefore('2018-12-31')).toBe('2018-12-31T16:00:00.000Z');
    expect(isCalendarDate('2019-02-29')).toBe(false);
    expect(isCalendarDate('2020-02-29')).toBe(true);
  });
});

describe('overdue', () => {
  it('is overdue the day after its due date when not completed, with days overdue', () => {
    const t = task('a', { last: upd('in_progress', 80, '2018-12-01T02:00:00.000Z') });
    expect(flags(t, stateOf(t), '2018-12-31').overdue_days).toBeNull();
    expect(flags(t, stateOf(t), '2019-01-01').overdue_days).toBe(1);
    expect(flags(t, stateOf(t), '2019-03-01').overdue_days).toBe(60);
  });
  it('is never overdue once completed, and a task never updated is overdue too', () => {
    const done = task('a', { last: upd('completed', 100, '2019-02-01T02:00:00.000Z') });
    expect(flags(done, stateOf(done), '2019-03-01').overdue_days).toBeNull();
    const never = task('b');
    expect(flags(never, stateOf(never), '2019-01-10').overdue_days).toBe(10);
  });
});

describe('at risk', () => {
  it('is at risk inside the window when percent is below the elapsed share', () => {
    // start 2018-01-01, due 2018-12-31 (364 days); on 2018-12-10, 343/364 = 94.2 % elapsed
    const behind = task('a', { last: upd('in_progress', 90, '2018-12-05T02:00:00.000Z') });
    const f = flags(behind, stateOf(behind), '2018-12-10');
    expect(f.elapsed_percent).toBe(94.2);
    expect(f.at_risk).toBe('behind_schedule');
    const ahead = task('b', { last: upd('in_progress', 95, '2018-12-05T02:00:00.000Z') });
    expect(flags(ahead, stateOf(ahead), '2018-12-10').at_risk).toBeNull();
  });
  it('is not at risk outside the window, however slow; the window is configurable', () => {
    const slow = task('a', { last: upd('in_progress', 10, '2018-10-01T02:00:00.000Z') });
    expect(flags(slow, stateOf(slow), '2018-11-15').at_risk).toBeNull(); // 46 days before due
    expect(flags(slow, stateOf(slow), '2018-11-15', { windowDays: 60, staleDays: 30 }).at_risk).toBe('behind_schedule');
    expect(flags(slow, stateOf(slow), '2018-12-01').at_risk).toBe('behind_schedule'); // 30 days before due
  });
  it('is at risk whenever blocked, but an overdue task is overdue, not at risk', () => {
    const blocked = task('a', { due: '2020-12-31', last: upd('blocked', 50, '2018-06-01T02:00:00.000Z') });
    expect(flags(blocked, stateOf(blocked), '2018-06-10').at_risk).toBe('blocked');
    const late = task('b', { last: upd('blocked', 50, '2018-06-01T02:00:00.000Z') });
    expect(flags(late, stateOf(late), '2019-01-05')).toMatchObject({ at_risk: null, overdue_days: 5 });
  });
});

describe('stale', () => {
  it('is stale after 30 days without an approved update, counted in China Standard Time', () => {
    const t = task('a', { due: '2020-12-31', last: upd('in_progress', 20, '2018-03-01T17:00:00.000Z') }); // 2018-03-02 in Beijing
    expect(flags(t, stateOf(t), '2018-03-31')).toMatchObject({ days_since_update: 29, stale: false });
    expect(flags(t, stateOf(t), '2018-04-01')).toMatchObject({ days_since_update: 30, stale: true });
    expect(flags(t, stateOf(t), '2018-04-01', { windowDays: 30, staleDays: 45 }).stale).toBe(false);
  });
  it('counts from the start when never updated; completed tasks and tasks not yet started are not stale', () => {
    const never = task('a', { start: '2019-05-01', due: '2019-08-01' });
    expect(flags(never, stateOf(never), '2019-04-01').stale).toBe(false);
    expect(flags(never, stateOf(never), '2019-05-31').stale).toBe(true);
    const done = task('b', { last: upd('completed', 100, '2018-03-01T02:00:00.000Z') });
    expect(flags(done, stateOf(done), '2018-11-01').stale).toBe(false);
  });
});

describe('rollup', () => {
  it('weights children by weight and derives the parent status', () => {
    const rows = [
      task('p'),
      task('c1', { parent: 'p', weight: 3, last: upd('completed', 100, '2018-05-01T02:00:00.000Z') }),
      task('c2', { parent: 'p', weight: 1, last: upd('in_progress', 40, '2018-06-01T02:00:00.000Z') }),
    ];
    const s = rollup(rows).get('p')!;
    expect(s).toMatchObject({ status: 'in_progress', percent: 85, rolled_up: true }); // (3*100 + 1*40)/4
    expect(s.last?.reviewed_at).toBe('2018-06-01T02:00:00.000Z');
  });
  it('is completed only when every child is, blocked when any child is; nested levels roll up', () => {
    const done = rollup([task('p'), task('c1', { parent: 'p', last: upd('completed', 100, 'x') }), task('c2', { parent: 'p', last: upd('completed', 90, 'y') })]);
    expect(done.get('p')).toMatchObject({ status: 'completed', percent: 100 });
    const blocked = rollup([task('p'), task('q', { parent: 'p' }), task('c1', { parent: 'q', last: upd('blocked', 20, 'x') }), task('c2', { parent: 'p' })]);
    expect(blocked.get('q')).toMatchObject({ status: 'blocked', percent: 20 });
    expect(blocked.get('p')).toMatchObject({ status: 'blocked', percent: 10 });
    expect(rollup([task('p'), task('c', { parent: 'p' })]).get('p')).toMatchObject({ status: 'not_started', percent: 0 });
  });
  it('property: a parent percent lies between its children percents', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ w: fc.double({ min: 0.1, max: 10, noNaN: true }), p: fc.integer({ min: 0, max: 100 }) }), { minLength: 1, maxLength: 8 }), (kids) => {
        const rows = [task('p'), ...kids.map((k, i) => task(`c${i}`, { parent: 'p', weight: k.w, last: upd('in_progress', k.p, 'x') }))];
        const p = rollup(rows).get('p')!.percent;
        const ps = kids.map((k) => k.p);
        return p >= Math.min(...ps) - 0.05 && p <= Math.max(...ps) + 0.05;
      }),
    );
  });
});

describe('elapsed share', () => {
  it('runs from start to due and is clamped', () => {
    expect(elapsedShare('2018-01-01', '2018-12-31', '2017-06-01')).toBe(0);
    expect(elapsedShare('2018-01-01', '2018-12-31', '2019-06-01')).toBe(1);
    expect(elapsedShare('2019-01-01', '2019-01-11', '2019-01-06')).toBe(0.5);
  });
  it('property: overdue and at risk never hold together, and completed tasks are neither', () => {
    const date = fc.integer({ min: 0, max: 2000 }).map((n) => addDays('2018-01-01', n));
    const status = fc.constantFrom('not_started', 'in_progress', 'completed', 'blocked') as fc.Arbitrary<ApprovedUpdate['status']>;
    fc.assert(
      fc.property(date, date, status, fc.integer({ min: 0, max: 100 }), (due, asOf, st, pc) => {
        const t = task('a', { due, start: '2018-01-01', last: upd(st, pc, '2018-01-02T00:00:00.000Z') });
        const f = flags(t, stateOf(t), asOf);
        if (f.overdue_days !== null && f.at_risk !== null) return false;
        if (st === 'completed' && (f.overdue_days !== null || f.at_risk !== null || f.stale)) return false;
        return f.overdue_days === null || f.overdue_days === daysBetween(due, asOf);
      }),
    );
  });
});

describe('indicator status', () => {
  const target = { comparator: 'gte' as const, value: 70 };
  it('met when the value satisfies the target, early or late', () => {
    expect(numericStatus(target, '2018-12-31', '2018-06-01', { value: 71, as_of: '2018-05-31' }, null).status).toBe('met');
    expect(numericStatus(target, '2018-12-31', '2019-01-01', { value: 70, as_of: '2018-12-31' }, null).status).toBe('met');
  });
  it('missed when the milestone passed without reaching the target; no_data without a value', () => {
    expect(numericStatus(target, '2018-12-31', '2019-01-01', { value: 65, as_of: '2018-12-31' }, null).status).toBe('missed');
    expect(numericStatus(target, '2018-12-31', '2019-01-01', null, null).status).toBe('no_data');
  });
  it('before the milestone compares with the straight line from the baseline, and says no_data without one', () => {
    const baseline = { value: 50, as_of: '2018-01-01' };
    // halfway (2018-07-02 is 182 of 364 days): the line expects 60
    const on = numericStatus(target, '2018-12-31', '2018-07-10', { value: 61, as_of: '2018-07-02' }, baseline);
    expect(on).toMatchObject({ status: 'on_track', expected: 60 });
    expect(numericStatus(target, '2018-12-31', '2018-07-10', { value: 59, as_of: '2018-07-02' }, baseline).status).toBe('behind');
    expect(numericStatus(target, '2018-12-31', '2018-07-10', { value: 59, as_of: '2018-07-02' }, null).status).toBe('no_data');
    // a decreasing target: below the line is on track
    expect(numericStatus({ comparator: 'lte', value: 10 }, '2018-12-31', '2018-07-10', { value: 14, as_of: '2018-07-02' }, { value: 20, as_of: '2018-01-01' }).status).toBe('on_track');
  });
  it('comparators, including about (左右) within 10 %', () => {
    expect(meets(100, 'eq', 100)).toBe(true);
    expect(meets(99.9, 'eq', 100)).toBe(false);
    expect(meets(9, 'approx', 10)).toBe(true);
    expect(meets(8.9, 'approx', 10)).toBe(false);
    expect(meets(70, 'gt', 70)).toBe(false);
    expect(meets(3, 'lt', 4)).toBe(true);
  });
  it('qualitative targets follow the delivering tasks due by the milestone', () => {
    const d = (due: string, status: ApprovedUpdate['status'], extra: Partial<{ overdue: boolean; at_risk: boolean; has_update: boolean }> = {}) => ({
      due,
      status,
      overdue: false,
      at_risk: false,
      has_update: status !== 'not_started',
      ...extra,
    });
    expect(qualitativeStatus('2018-12-31', '2019-01-01', []).status).toBe('no_data');
    expect(qualitativeStatus('2018-12-31', '2019-01-01', [d('2018-12-31', 'completed'), d('2020-12-31', 'not_started')]).status).toBe('met');
    expect(qualitativeStatus('2018-12-31', '2019-01-01', [d('2018-12-31', 'in_progress')]).status).toBe('missed');
    // the milestone passed and no open delivering task was ever reported: the deadline is a fact, a failure is not
    expect(qualitativeStatus('2018-12-31', '2019-01-01', [d('2018-12-31', 'not_started')]).status).toBe('unreported');
    expect(qualitativeStatus('2018-12-31', '2019-01-01', [d('2018-12-31', 'completed'), d('2018-12-31', 'not_started')]).status).toBe('unreported');
    // one open task reported unfinished is enough to show the miss
    expect(qualitativeStatus('2018-12-31', '2019-01-01', [d('2018-12-31', 'in_progress'), d('2018-12-31', 'not_started')]).status).toBe('missed');
    expect(qualitativeStatus('2018-12-31', '2018-06-01', [d('2018-12-31', 'not_started')]).status).toBe('no_data');
    expect(qualitativeStatus('2018-12-31', '2018-06-01', [d('2018-12-31', 'in_progress')]).status).toBe('on_track');
    expect(qualitativeStatus('2018-12-31', '2018-12-15', [d('2018-12-31', 'in_progress', { at_risk: true })]).status).toBe('behind');
    // an overdue delivering task is a fact even without any report
    expect(qualitativeStatus('2022-12-31', '2021-01-01', [d('2020-12-31', 'not_started', { overdue: true }), d('2022-12-31', 'not_started')]).status).toBe('behind');
  });
});

describe('units and bulletin numbers', () => {
  it('ranks units by completion rate, then mean percent; units without tasks come last unranked', () => {
    const mk = (id: string, lead: string, status: ApprovedUpdate['status'], percent: number) => {
      const t = task(id, { last: upd(status, percent, '2018-05-01T00:00:00.000Z') });
      const s = stateOf(t);
      return { id, lead_units: [lead], leaf: true, state: s, flags: flags(t, s, '2018-06-01') };
    };
    const r = rankUnits(['a', 'b', 'c', 'd'], [mk('1', 'a', 'in_progress', 50), mk('2', 'b', 'completed', 100), mk('3', 'b', 'in_progress', 10), mk('4', 'c', 'completed', 100), mk('5', 'c', 'in_progress', 60)]);
    expect(r.map((x) => [x.unit, x.rank])).toEqual([['c', 1], ['b', 2], ['a', 3], ['d', null]]);
    expect(r[0]).toMatchObject({ total: 2, completed: 1, completion_rate: 0.5, mean_percent: 80, counts: { completed: 1, in_progress: 1 } });
  });

  it('gives units equal on completion rate, mean percent and overdue count the same rank (并列), and the next unit its place', () => {
    const mk = (id: string, lead: string, status: ApprovedUpdate['status'], percent: number) => {
      const t = task(id, { last: upd(status, percent, '2018-05-01T00:00:00.000Z') });
      const s = stateOf(t);
      return { id, lead_units: [lead], leaf: true, state: s, flags: flags(t, s, '2018-06-01') };
    };
    const r = rankUnits(['a', 'b', 'c', 'd'], [mk('1', 'a', 'in_progress', 20), mk('2', 'b', 'completed', 100), mk('3', 'c', 'in_progress', 20), mk('4', 'd', 'in_progress', 10)]);
    expect(r.map((x) => [x.unit, x.rank])).toEqual([['b', 1], ['a', 2], ['c', 2], ['d', 4]]);
  });
  it('numbers bulletins like 冯卯医养督〔2019〕1号', () => {
    expect(bulletinNumber(bulletinPrefix('冯卯镇'), 2019, 1)).toBe('冯卯医养督〔2019〕1号');
  });
});
