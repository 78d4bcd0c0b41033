/**
 * Product text is town-neutral (issue 17): no sentence of the site's dictionaries names a part or
 * section of any town's plan, counts its milestones or points at its structure. Part names, section
 * references and milestone counts come from the town's data; the sentences that carry them are
 * functions, checked here with a fictional town's values.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readContent } from '../../worker/content/read.ts';
import { zh } from '../../site/i18n/zh.ts';
import { en } from '../../site/i18n/en.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/content/', import.meta.url));
const towns = [...readContent().towns, ...readContent(FIXTURE).towns];

/** A heading without its outline number: "四、组织保障" → "组织保障", "（2） 工作基础" → "工作基础". */
const core = (h: string) => h.replace(/^[（(]?[一二三四五六七八九十\d]+[)）、.]?\s*/, '').replace(/^第[一二三四五六七八九十]+[项条部分节]\s*/, '').trim();

/** Every sentence a dictionary holds: strings, and functions called with sample values. Kind labels (taxonomy) are not sentences. */
function sentences(d: unknown, path = ''): [string, string][] {
  if (typeof d === 'string') return [[path, d]];
  // a function fills in the town's values: called here with a fictional town's (two milestones, parts "X")
  if (typeof d === 'function') return [[`${path}()`, String((d as (...a: unknown[]) => unknown)(...Array.from({ length: d.length }, (_, i) => (i === 0 ? 2 : 'X'))))]];
  if (d && typeof d === 'object')
    return Object.entries(d).flatMap(([k, v]) => (['section_kind', 'task_kind'].includes(k) && !path ? [] : sentences(v, path ? `${path}.${k}` : k)));
  return [];
}

describe.each([
  ['zh', zh],
  ['en', en],
])('the %s dictionary', (_, dict) => {
  const all = sentences(dict);

  it.each(towns.map((t) => [t.town.id, t] as const))('names no heading of %s\'s plan', (_id, t) => {
    const headings = t.town.plan.sections.map((s) => core(s.heading)).filter((h) => h.length >= 4);
    const hits = all.flatMap(([path, text]) => headings.filter((h) => text.includes(h)).map((h) => `${path}: “${h}”`));
    expect(hits).toEqual([]);
  });

  it('points at no numbered part, section or fixed count of a plan', () => {
    const pattern = /第[一二三四五六七八九十\d]+部分|一节|[一二三四五六七八九十两]个时间节点|parts? (?:one|two|three|four|five)|three milestones/i;
    expect(all.filter(([p, text]) => !p.endsWith('()') && pattern.test(text)).map(([p]) => p)).toEqual([]);
  });
});

describe('sentences filled from the town\'s data', () => {
  it('counts the milestones the town has', () => {
    expect(zh.overview.milestones_heading(2)).toBe('两个时间节点的目标');
    expect(zh.overview.milestones_heading(3)).toBe('三个时间节点的目标');
    expect(en.overview.milestones_heading(2)).toBe('Targets at 2 milestones');
  });

  it('names the town\'s own parts', () => {
    expect(zh.tasks.intro(['丙、工作任务', '丁、工作保障'])).toContain('工作方案“丙、工作任务”和“丁、工作保障”分解出的各项工作');
    expect(zh.overview.profile_source('甲、镇情概况')).toBe('以下数字摘自工作方案“甲、镇情概况”部分。');
    expect(zh.overview.profile_source(null)).toBe('以下数字摘自工作方案。');
  });
});
