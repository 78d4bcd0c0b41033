/** What a reader sees of a reporter's narrative: the safe subset works, everything else stays text. */
import { describe, expect, it } from 'vitest';
import { renderNarrative } from '../../worker/domain/narrative.ts';

describe('renderNarrative', () => {
  it('renders the subset: paragraphs, line breaks, lists, bold, italic, http(s) links', () => {
    const html = renderNarrative('已完成**入户登记**，共 *5200* 人。\n第二行\n\n- 卫生院\n- 敬老院\n\n1. 一\n2. 二\n\n[报表](https://example.gov.cn/a?b=1&c=2)');
    expect(html).toContain('<p>已完成<strong>入户登记</strong>，共 <em>5200</em> 人。<br>\n第二行</p>');
    expect(html).toContain('<ul>\n<li>卫生院</li>\n<li>敬老院</li>\n</ul>');
    expect(html).toContain('<ol>\n<li>一</li>\n<li>二</li>\n</ol>');
    expect(html).toContain('<a href="https://example.gov.cn/a?b=1&amp;c=2" rel="nofollow noopener noreferrer ugc">报表</a>');
  });

  it('keeps raw HTML and script as visible text', () => {
    const html = renderNarrative('<script>alert(1)</script><img src=x onerror=alert(2)> <b>粗</b>');
    expect(html).not.toMatch(/<script|<img|<b>/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt;');
  });

  it('never produces a javascript:, data: or relative link, nor an image', () => {
    for (const src of ['[点我](javascript:alert(1))', '[点我](JaVaScRiPt:alert(1))', '[点我](data:text/html;base64,PHNjcmlwdD4=)', '[点我](/api/v1/me)', '<javascript:alert(1)>']) {
      const html = renderNarrative(src);
      expect(html, src).not.toMatch(/<a |<img/);
    }
    // Image syntax is not in the subset: at most a plain link to the picture, never an <img>.
    expect(renderNarrative('![图](https://example.com/x.png)')).not.toMatch(/<img/);
  });

  it('leaves headings, tables and block quotes as typed', () => {
    const html = renderNarrative('# 标题\n\n| a | b |\n|---|---|\n\n> 引用');
    expect(html).not.toMatch(/<h1|<table|<blockquote/);
    expect(html).toContain('# 标题');
    expect(html).toContain('&gt; 引用');
  });

  it('escapes quotes inside link text and titles', () => {
    const html = renderNarrative('[a"><script>x</script>](https://example.com/" onmouseover="x)');
    expect(html).not.toMatch(/<script|onmouseover="x"/);
  });
});
