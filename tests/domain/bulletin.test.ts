/** Bulletin exports as pure functions: CSV escaping and formula neutralisation, HTML escaping. */
import { describe, expect, it } from 'vitest';
import { bulletinHtml, type BulletinFigures } from '../../worker/domain/bulletin.ts';
import { neutralise, toCsv } from '../../worker/domain/csv.ts';

describe('CSV', () => {
  it('starts with a BOM, ends rows with CRLF and quotes commas, quotes and newlines', () => {
    const csv = toCsv([['单位', '说明'], ['卫计办', '签约"全覆盖",已完成\n待核'], [3, -2]]);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv.slice(1)).toBe('单位,说明\r\n卫计办,"签约""全覆盖"",已完成\n待核"\r\n3,-2\r\n');
  });
  it('neutralises text cells a spreadsheet would run as a formula, not numbers', () => {
    for (const s of ['=1+1', '+86', '-A1', '@SUM(A1)', '\tx', '\rx']) expect(neutralise(s)).toBe(`'${s}`);
    for (const s of ['卫计办', '1=1', 'a-b', '']) expect(neutralise(s)).toBe(s);
    expect(toCsv([['=cmd|calc', -5]])).toBe("\uFEFF'=cmd|calc,-5\r\n");
  });
});

describe('print page', () => {
  it('escapes every text and carries no script', () => {
    const f: BulletinFigures = {
      as_of: '2019-01-01',
      period: { from: '2018-01-01', to: '2018-12-31' },
      town: { id: 'fengmao', name: '冯卯镇' },
      headline: { tasks: 1, completed: 0, in_progress: 0, not_started: 1, blocked: 0, completion_rate: 0, overdue: 1, at_risk: 0, stale: 1, indicators: { met: 0, missed: 0, on_track: 0, behind: 0, no_data: 0 } },
      units: [],
      overdue: [{ ref: 'fengmao:x', code: '一.1', title: '<script>alert(1)</script>', units: ['卫计办'], lead_member: null, due: '2018-12-31', days_overdue: 1, status: 'not_started', percent: 0, last_approved_on: null }],
      indicators: [],
      inspections: [],
    };
    const html = bulletinHtml({ title: '通报 & 说明', number: '冯卯医养督〔2019〕1号', issuer: '冯卯镇' }, f);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('通报 &amp; 说明');
    expect(html).toContain('@page { size: A4');
  });
});
