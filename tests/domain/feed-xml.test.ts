/**
 * The town's Atom feed stays well-formed XML whatever a unit writes: a narrative pasted from Word
 * carries U+000B, a broken client sends NUL or a lone surrogate. Read back with a strict XML parser.
 */
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { atomFeed, type TownData } from '../../site/lib/open-data.ts';

/** The text of every <summary>, or the parser's error. */
function parse(xml: string): string[] {
  const p = new SaxesParser({ xmlns: true });
  const summaries: string[] = [];
  let inSummary = false;
  p.on('error', (e) => {
    throw e;
  });
  p.on('opentag', (t) => (inSummary = t.local === 'summary'));
  p.on('text', (t) => inSummary && summaries.push(t));
  p.on('closetag', () => (inSummary = false));
  p.write(xml).close();
  return summaries;
}

const town = (narrative: string) =>
  ({
    town: { id: 'demo', name: '示范镇' },
    plan: { issuer: null },
    generated_at: '2026-01-01T00:00:00Z',
    updates: [{ id: 'u1', approved_at: '2026-01-02T00:00:00Z', task: 't1', task_code: '1', unit: '卫健办', status: 'in_progress', percent: 40, narrative }],
    bulletins: [],
  }) as unknown as TownData;

describe('feed.xml', () => {
  it('is well-formed XML when a narrative holds characters XML forbids, which are left out', () => {
    const xml = atomFeed(town('第一段\u000b第二段\u0000完成\uD800了 & <b>“四成”</b>'), new URL('https://example.org/'), '示范镇', () => '任务');
    expect(parse(xml)).toEqual(['卫健办：第一段第二段完成了 & <b>“四成”</b>']);
  });

  it('keeps tabs, line breaks and characters beyond the BMP', () => {
    const xml = atomFeed(town('甲\t乙\n丙 𠀀'), new URL('https://example.org/'), '示范镇', () => '任务');
    expect(parse(xml).join('')).toBe('卫健办：甲\t乙\n丙 𠀀');
  });
});
