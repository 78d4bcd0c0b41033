/** A plan's blocks and HTML: the anchors a search result links to, and the heading ids Astro gives today. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createSatteriMarkdownProcessor } from '@astrojs/markdown-satteri';
import { describe, expect, it } from 'vitest';
import { planBlocks, planHtml, planBlockUrl } from '../../worker/domain/plan-text.ts';

const root = resolve(import.meta.dirname, '../..');
const plans = {
  fengmao: readFileSync(resolve(root, 'content/towns/fengmao/plan.md'), 'utf8'),
  qingshi: readFileSync(resolve(root, 'tests/fixtures/content/towns/qingshi/plan.md'), 'utf8'),
};
const ids = (html: string) => [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);

describe('planHtml', () => {
  it('gives every heading the id Astro gives it (the plan page TOC and old links keep working)', async () => {
    // Astro's own Markdown renderer (what site/pages/towns/[id]/plan.astro renders today).
    const astro = await createSatteriMarkdownProcessor({});
    const tricky = '## 一、现实基础\n\n正文\n\n## 一、现实基础\n\n## A "quoted" -- heading...\n\n### `code` & *em* 2.5%\n';
    for (const [name, text] of Object.entries({ ...plans, tricky })) {
      const { metadata } = await astro.render(text);
      const headingIds = planBlocks(text).filter((b) => b.kind === 'heading').map((b) => b.anchor);
      expect(headingIds, name).toEqual(metadata.headings.map((h) => h.slug));
      const html = planHtml(text);
      for (const h of metadata.headings) expect(html, name).toContain(`<h${h.depth} id="${h.slug}">`);
    }
  });

  it('gives every paragraph and list its own anchor, unique on the page', () => {
    const html = planHtml(plans.fengmao);
    const all = ids(html);
    expect(new Set(all).size).toBe(all.length);
    const paragraphs = html.match(/<p[ >]/g)!.length;
    expect(html.match(/<p id="/g)!.length).toBe(paragraphs);
    expect(html.match(/<ul id="/g)!.length).toBe(html.match(/<ul[ >]/g)!.length);
  });

  it('shows raw HTML in the Markdown as text, never as markup', () => {
    const html = planHtml('## 标题\n\n<script>alert(1)</script>\n\n段落<img src=x onerror=alert(2)>');
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});

describe('planBlocks', () => {
  it('lists the blocks in order with their heading path and plain text', () => {
    const blocks = planBlocks('文号\n\n## 一、总体\n\n### （一）原则\n\n坚持**政府主导**，\n多方参与。\n\n- 甲\n- 乙\n\n## 二、保障\n\n经费。\n');
    expect(blocks).toEqual([
      { anchor: 'top.1', kind: 'paragraph', path: [], text: '文号' },
      { anchor: '一总体', kind: 'heading', depth: 2, path: ['一、总体'], text: '一、总体' },
      { anchor: '一原则', kind: 'heading', depth: 3, path: ['一、总体', '（一）原则'], text: '（一）原则' },
      { anchor: '一原则.1', kind: 'paragraph', path: ['一、总体', '（一）原则'], text: '坚持政府主导，\n多方参与。' },
      { anchor: '一原则.2', kind: 'list', path: ['一、总体', '（一）原则'], text: '甲\n乙' },
      { anchor: '二保障', kind: 'heading', depth: 2, path: ['二、保障'], text: '二、保障' },
      { anchor: '二保障.1', kind: 'paragraph', path: ['二、保障'], text: '经费。' },
    ]);
  });

  it('keeps the anchors of other sections when one section gains a paragraph', () => {
    const before = planBlocks('## 甲\n\n一。\n\n## 乙\n\n二。\n\n三。\n');
    const after = planBlocks('## 甲\n\n新增。\n\n一。\n\n## 乙\n\n二。\n\n三。\n');
    const of = (bs: typeof before, text: string) => bs.find((b) => b.text === text)!.anchor;
    expect(of(after, '二。')).toBe(of(before, '二。'));
    expect(of(after, '三。')).toBe(of(before, '三。'));
  });

  it('finds the text of every line of the Fengmao plan in some block', () => {
    const text = planBlocks(plans.fengmao).map((b) => b.text).join('\n');
    expect(text).toContain('签约');
    for (const line of plans.fengmao.split('\n')) {
      const plain = line.replace(/^#+\s*|^-\s+/, '').trim();
      if (plain) expect(text).toContain(plain);
    }
  });

  it('links a block on the town plan page', () => {
    expect(planBlockUrl('fengmao', '一原则.1')).toBe('/towns/fengmao/plan/#%E4%B8%80%E5%8E%9F%E5%88%99.1');
  });
});
