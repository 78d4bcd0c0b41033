/**
 * The progress view every public surface shows (worker/domain/public-view.ts): the plan joined
 * with the approved data of the test fixture, judged on a given day by the public rules.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readContent } from '../../worker/content/read.ts';
import { progressView } from '../../worker/domain/public-view.ts';
import { fixtureAsPublicData, parseFixture } from '../fixtures/public-seed.ts';

const content = readContent();
const fengmao = content.towns.find((t) => t.town.id === 'fengmao')!;
const fixture = () => fixtureAsPublicData(parseFixture(JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/public/fengmao.json'), 'utf8'))), fengmao.tasks);
const card = (v: ReturnType<typeof progressView>, m: string, ind: string) => v.milestones.find((x) => x.milestone.id === m)!.cards.find((c) => c.indicator.id === ind)!;

describe('progress view', () => {
  it('with nothing approved, years after every deadline: every task 未报告, nothing overdue, every target 暂无数据', () => {
    const empty = fixtureAsPublicData(parseFixture({ town: 'fengmao', generated_at: '2026-12-03T02:00:00Z', updated_at: null, tasks: [], updates: [], values: [] }), fengmao.tasks);
    const v = progressView(fengmao, content.indicators, empty);
    expect(v.today).toBe('2026-12-03');
    expect(v.counts.not_reported).toBe(v.counts.total);
    expect(v.counts.overdue).toBe(0);
    expect([...v.tasks.values()].every((t) => t.state === 'not_reported' && !t.overdue && t.percent === null)).toBe(true);
    expect(v.milestones.flatMap((m) => m.cards).every((c) => c.status === 'no_data')).toBe(true);
    expect(v.timeline).toEqual([]);
  });

  it('with the fixture: met, missed and no data at the 2018 milestone; parents roll up; overdue only where a report says unfinished', () => {
    const v = progressView(fengmao, content.indicators, fixture(), '2026-12-03T02:00:00Z');
    expect(card(v, 'y2018', 'family-doctor-signing-elderly')).toMatchObject({ status: 'met', at_due: { value: 72, as_of: '2018-12-31' } });
    expect(card(v, 'y2018', 'green-channel-medical-institutions').status).toBe('missed');
    expect(card(v, 'y2018', 'care-institutions-with-medical-service').status).toBe('no_data');
    expect(v.tasks.get('kt4-institutions')!.state).toBe('blocked');
    expect(v.tasks.get('g4-leadership-leading-group')!).toMatchObject({ state: 'completed', overdue: false });
    expect(v.tasks.get('kt4-institutions-linkage-mechanism')!).toMatchObject({ state: 'blocked', overdue: true });
    // A task nobody reported on is never overdue, whatever its deadline.
    const unreported = [...v.tasks.values()].filter((t) => t.state === 'not_reported');
    expect(unreported.length).toBeGreaterThan(40);
    expect(unreported.some((t) => t.overdue)).toBe(false);
    expect(v.counts.overdue).toBe([...v.tasks.values()].filter((t) => !t.rolled_up && t.overdue).length);
  });

  it('the timeline is newest first, with every approved update', () => {
    const f = fixture();
    const v = progressView(fengmao, content.indicators, f, '2026-12-03T02:00:00Z');
    expect(v.timeline.map((u) => u.id)).toEqual([...f.updates].sort((a, b) => b.approved_at.localeCompare(a.approved_at)).map((u) => u.id));
  });
});
