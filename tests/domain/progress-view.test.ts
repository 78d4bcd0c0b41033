/**
 * The progress view the pages are built from (worker/domain/public-view.ts): the plan joined with a
 * snapshot and judged by the supervision rules on the snapshot's date.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readContent } from '../../worker/content/read.ts';
import { fixtureAsPublicData, parseFixture } from '../fixtures/public-seed.ts';
import { progressView } from '../../worker/domain/public-view.ts';

const content = readContent();
const fengmao = content.towns.find((t) => t.town.id === 'fengmao')!;
const fixture = () => fixtureAsPublicData(parseFixture(JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/public/fengmao.json'), 'utf8'))), fengmao.tasks);
const card = (v: ReturnType<typeof progressView>, m: string, ind: string) => v.milestones.find((x) => x.milestone.id === m)!.cards.find((c) => c.indicator.id === ind)!;

describe('progress view', () => {
  it('without a snapshot: the plan only — nothing judged, nothing overdue, no timeline', () => {
    const v = progressView(fengmao, content.indicators, null);
    expect(v.asOf).toBeNull();
    expect(v.counts.completed + v.counts.in_progress + v.counts.blocked + v.counts.overdue).toBe(0);
    expect(v.counts.not_started).toBe(v.counts.total);
    expect(v.milestones.flatMap((m) => m.cards).every((c) => c.status === 'no_data' && c.latest === null)).toBe(true);
    expect(v.timeline).toEqual([]);
  });

  it('judges on the snapshot date: an update approved after it is not counted', () => {
    const s = fixture();
    s.generated_at = '2019-01-01T00:00:00Z'; // before fx-u04 (2019-01-08) completed the signing teams
    const v = progressView(fengmao, content.indicators, s);
    expect(v.asOf).toBe('2019-01-01');
    expect(v.tasks.get('kt2-family-doctor-signing-teams')!.status).toBe('in_progress');
    expect(v.timeline.map((u) => u.id)).toEqual(['fx-u03', 'fx-u02', 'fx-u01']);
    // the 72% of 2018-12-31 was approved on 2019-01-08: on 2019-01-01 the 2018 target is judged on 52%
    expect(card(v, 'y2018', 'family-doctor-signing-elderly')).toMatchObject({ status: 'missed', latest: { value: 52 } });
  });

  it('with the fixture: met, missed and no_data at the 2018 milestone; parents roll up from their children', () => {
    const v = progressView(fengmao, content.indicators, fixture());
    expect(card(v, 'y2018', 'family-doctor-signing-elderly').status).toBe('met');
    expect(card(v, 'y2018', 'green-channel-medical-institutions').status).toBe('missed');
    expect(card(v, 'y2018', 'care-institutions-with-medical-service').status).toBe('no_data');
    expect(v.tasks.get('kt4-institutions')!.status).toBe('blocked');
    expect(v.tasks.get('g4-leadership-leading-group')!.overdue).toBe(false);
    expect(v.tasks.get('kt4-institutions-linkage-mechanism')!.overdue).toBe(true);
  });
});
