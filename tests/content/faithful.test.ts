/**
 * content:check proves faithfulness (issue 17): it passes on content/ and on the fictional fixture
 * town, and fails, naming the file, the field and the text, when a planted edit says more than the
 * source: an invented quote, a value contradicting its words, a qualifier the source does not use, a
 * `stated` unit or date the quote does not support, a jurisdiction quote or date not in its reply.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONTENT_DIR, readContent, readContentFiles } from '../../worker/content/read.ts';
import { ContentError, parseContent } from '../../worker/content/parse.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/content/', import.meta.url));

/** The problems content:check reports after replacing `from` with `to` in `file` (which must contain it). */
function problemsAfter(dir: string, file: string, from: string, to: string): string[] {
  const files = readContentFiles(dir);
  expect(files[file], file).toContain(from);
  files[file] = files[file]!.replace(from, to);
  try {
    parseContent(files);
  } catch (e) {
    if (e instanceof ContentError) return e.problems;
    throw e;
  }
  return [];
}

describe('content:check', () => {
  it('passes on content/', () => {
    expect(() => readContent(CONTENT_DIR)).not.toThrow();
  });

  it('passes on the fictional fixture town', () => {
    const b = readContent(FIXTURE);
    expect(b.towns.map((t) => [t.town.id, t.town.demo])).toEqual([['qingshi', true]]);
  });

  it('fails on a task quote that is not in the town\'s plan.md, naming file, field and text', () => {
    const p = problemsAfter(FIXTURE, 'towns/qingshi/tasks.yaml', 'quote: 推进村卫生室改造，改善村民就医条件。', 'quote: 推进村卫生室改造，确保年内全部完工。');
    expect(p).toEqual(['towns/qingshi/tasks.yaml: 2.quote: “推进村卫生室改造，确保年内全部完工。” is not in towns/qingshi/plan.md']);
  });

  it('fails on an invented target quote in content/ (冯卯镇)', () => {
    const p = problemsAfter(CONTENT_DIR, 'towns/fengmao/indicators.yaml', '家庭医生签约服务力争覆盖70%以上的常住老年人群', '家庭医生签约服务覆盖70%以上的常住老年人群');
    expect(p.join('\n')).toContain('towns/fengmao/indicators.yaml: 0.targets.0.quote: “家庭医生签约服务覆盖70%以上的常住老年人群” is not in towns/fengmao/plan.md');
  });

  it('fails on a target value that contradicts its display ("60%以上" with 50)', () => {
    const p = problemsAfter(FIXTURE, 'towns/qingshi/indicators.yaml', 'value: 60\n', 'value: 50\n');
    expect(p).toEqual(['towns/qingshi/indicators.yaml: 0.targets.0.value: 50 contradicts its display “60%以上” (60)']);
  });

  it('fails on "70%以上" shown with value 60 in content/', () => {
    const p = problemsAfter(CONTENT_DIR, 'towns/fengmao/indicators.yaml', 'value: 70\n', 'value: 60\n');
    expect(p).toEqual(['towns/fengmao/indicators.yaml: 0.targets.0.value: 60 contradicts its display “70%以上” (70)']);
  });

  it('fails on a comparator the words do not say ("60%以上" as eq)', () => {
    const p = problemsAfter(FIXTURE, 'towns/qingshi/indicators.yaml', 'comparator: gte', 'comparator: eq');
    expect(p.join('\n')).toContain('towns/qingshi/indicators.yaml: 0.targets.0.comparator: eq is not what “60%以上” says');
  });

  it('fails on approx where the source writes no 约, and on exact where it does', () => {
    const noYue = problemsAfter(CONTENT_DIR, 'towns/fengmao/town.yaml', 'qualifier: exact # the plan writes 1.5万户 without 约', 'qualifier: approx');
    expect(noYue).toEqual(['towns/fengmao/town.yaml: profile.1.qualifier: approx is not what the source says for “1.5万户”: no 约/左右/近/以上/余 beside it, so exact']);
    const yue = problemsAfter(FIXTURE, 'towns/qingshi/town.yaml', 'qualifier: approx', 'qualifier: exact');
    expect(yue).toEqual(['towns/qingshi/town.yaml: profile.1.qualifier: exact is not what the source says for “8000人”: approx']);
  });

  it('fails on a profile figure whose text is not in its quote', () => {
    const p = problemsAfter(FIXTURE, 'towns/qingshi/town.yaml', 'text: 40眼', 'text: 45眼');
    expect(p.join('\n')).toContain('towns/qingshi/town.yaml: profile.2.text: “45眼” is not in its quote “现有饮用水井40眼。”');
  });

  it('fails on units_basis stated when the quote does not name the unit', () => {
    const p = problemsAfter(FIXTURE, 'towns/qingshi/tasks.yaml', 'units: [{ unit: caizhengsuo, role: lead }]\n  units_basis: stated', 'units: [{ unit: shuilizhan, role: lead }]\n  units_basis: stated');
    expect(p).toEqual(['towns/qingshi/tasks.yaml: 3.units.0: funds: units_basis is stated but its quote does not name “镇水利站”: “镇财政所安排专项经费。”']);
  });

  it('fails on due_basis stated when the quote names no date', () => {
    const p = problemsAfter(FIXTURE, 'towns/qingshi/tasks.yaml', 'lead_member: wu-lan\n  due: y2027\n  due_basis: inferred', 'lead_member: wu-lan\n  due: y2027\n  due_basis: stated');
    expect(p).toEqual(['towns/qingshi/tasks.yaml: 3.due: funds: due_basis is stated but its quote does not name 2027年年底: “镇财政所安排专项经费。”']);
  });

  it('fails on an unstated county without a note, and on a stated one without a quote', () => {
    const noNote = problemsAfter(FIXTURE, 'towns/qingshi/town.yaml', 'demo: true\n', 'demo: true\ncounty: { value: 青山县, basis: external }\n');
    expect(noNote.join('\n')).toContain('towns/qingshi/town.yaml: county.note:');
    const noQuote = problemsAfter(FIXTURE, 'towns/qingshi/town.yaml', 'demo: true\n', 'demo: true\ncounty: { value: 青山县, basis: stated }\n');
    expect(noQuote.join('\n')).toContain('towns/qingshi/town.yaml: county.quote:');
    const wrongQuote = problemsAfter(FIXTURE, 'towns/qingshi/town.yaml', 'demo: true\n', 'demo: true\ncounty: { value: 青山县, basis: stated, quote: 青山县青石镇 }\n');
    expect(wrongQuote).toEqual(['towns/qingshi/town.yaml: county.quote: “青山县青石镇” is not in towns/qingshi/plan.md']);
  });

  it('fails on a jurisdiction quote that is not in the reply\'s full text', () => {
    const p = problemsAfter(CONTENT_DIR, 'jurisdictions/weihai.yaml', 'quote: 组建718个家庭医生服务团队', 'quote: 组建718个家庭医生团队');
    expect(p).toEqual(['jurisdictions/weihai.yaml: reports.0.figures.24.quote: “组建718个家庭医生团队” is not in jurisdictions/sources/004_972f247833b0ee4b.txt']);
  });

  it('fails on a date an undated reply does not give', () => {
    const p = problemsAfter(CONTENT_DIR, 'jurisdictions/weihai.yaml', '        quote: 组建718个家庭医生服务团队', '        as_of: "2022"\n        quote: 组建718个家庭医生服务团队');
    expect(p).toEqual(['jurisdictions/weihai.yaml: reports.0.figures.24.as_of: 2022: its quote names no 2022年 and the reply is not dated so (“组建718个家庭医生服务团队”)']);
  });

  it('fails on a reported figure whose value contradicts its text', () => {
    const p = problemsAfter(CONTENT_DIR, 'jurisdictions/weihai.yaml', 'value: 718\n', 'value: 781\n');
    expect(p).toEqual(['jurisdictions/weihai.yaml: reports.0.figures.24.value: 781 contradicts its text “718个” (718)']);
  });
});
