/** How text becomes index terms, a reader's words a query, and a match a marked snippet (worker/domain/search.ts). */
import { describe, expect, it } from 'vitest';
import { matchExpression, queryRuns, searchGrams, snippetHtml, townSearchDocs } from '../../worker/domain/search.ts';

describe('searchGrams', () => {
  it('indexes each run as overlapping pairs plus its last character, punctuation separating runs', () => {
    expect(searchGrams('家庭医生')).toBe('家庭 庭医 医生 生');
    expect(searchGrams('签约，服务')).toBe('签约 约 服务 务');
    expect(searchGrams('镇')).toBe('镇');
    expect(searchGrams('ＭＷ光伏 40MW')).toBe('mw w光 光伏 伏 40 0m mw w');
    expect(searchGrams('？！')).toBe('');
  });
});

describe('queryRuns and matchExpression', () => {
  it('turns any input into quoted terms of letters and digits only', () => {
    for (const q of ['"签约', '签约*', '签约 OR 1=1', '(医养', 'NEAR(签约', "'; DROP TABLE x; --", '{title}:签约', '^签约', '-签约']) {
      const m = matchExpression(queryRuns(q));
      // Outside the quotes only the column filters, AND and the prefix star remain.
      expect(m.replace(/"[\p{L}\p{N} ]+"/gu, 'T'), q).toMatch(/^(\{title body\} : T( \*)?)( AND \{title body\} : T( \*)?)*$/);
    }
    expect(queryRuns('？！、 ')).toEqual([]);
  });

  it('makes a phrase of pairs for two or more characters, a prefix for one, and keeps to a town as one token', () => {
    expect(matchExpression(['签约'])).toBe('{title body} : "签约"');
    expect(matchExpression(['家庭医生'])).toBe('{title body} : "家庭 庭医 医生"');
    expect(matchExpression(['镇'], 'qing-shi')).toBe('town : "qing-shi" AND {title body} : "镇" *');
  });
});

describe('snippetHtml', () => {
  it('marks every match around the first, escaping the text as written', () => {
    const html = snippetHtml('开展家庭医生<b>签约</b>服务，签约率达到70%以上。', ['签约'])!;
    expect(html).toBe('开展家庭医生&lt;b&gt;<mark>签约</mark>&lt;/b&gt;服务，<mark>签约</mark>率达到70%以上。');
  });

  it('maps full-width and upper-case matches back to the original characters', () => {
    expect(snippetHtml('建成４０ＭＷ光伏电站', ['40mw'])).toBe('建成<mark>４０ＭＷ</mark>光伏电站');
  });

  it('cuts a long text around the match and says so', () => {
    const text = '甲'.repeat(200) + '签约' + '乙'.repeat(200);
    const html = snippetHtml(text, ['签约'], 40)!;
    expect(html.startsWith('…') && html.endsWith('…')).toBe(true);
    expect(html).toContain('<mark>签约</mark>');
    expect(snippetHtml(text, ['医养'])).toBeNull();
  });
});

describe('townSearchDocs', () => {
  it('makes one entry per heading and block, per task and per target indicator', () => {
    const docs = townSearchDocs({
      plan_markdown: '## 一、总体\n\n坚持政府主导。\n\n- 甲\n- 乙\n',
      tasks: [{ id: 'kt1', code: '一', title: '签约服务', quote: '开展签约服务' }],
      targets: [{ indicator: 'signing', name: '签约率', lines: ['2018年年底：70%以上'] }],
    });
    expect(docs.map((d) => [d.kind, d.ref, d.title, d.body])).toEqual([
      ['plan', '一总体', '一、总体', ''],
      ['plan', '一总体.1', '', '坚持政府主导。'],
      ['plan', '一总体.2', '', '甲\n乙'],
      ['task', 'kt1', '一 签约服务', '开展签约服务'],
      ['target', 'signing', '签约率', '2018年年底：70%以上'],
    ]);
  });
});
