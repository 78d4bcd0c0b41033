/**
 * The drafting rules on texts no one wrote as a plan: whatever a person uploads, the drafter answers with
 * a draft and its decisions (it never throws), keeps every line of the text in plan.md, and quotes only
 * words the text holds.
 */
import fc from 'fast-check';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { IndicatorDef, TaskDef } from '../../worker/domain/content.ts';
import { draftPlan } from '../../worker/domain/plan-draft/draft.ts';
import { htmlToText, decodeText, documentFormat } from '../../worker/domain/plan-draft/document.ts';

const catalogue = parse(readFileSync(resolve(import.meta.dirname, '../../content/indicators.yaml'), 'utf8')) as IndicatorDef[];
const pieces = ['一、', '二、', '三、重点任务', '四、保障措施', '（一）', '（2）', '1．', '（1）', '到2020年年底，', '70%以上', '10个左右', '三分之二', '全覆盖', '。', '；', '，', '\n', '\t', '组  长：', '成  员：', '张  三  卫计办主任', '领导小组办公室设在镇卫计办，张三兼任办公室主任。', '镇纪委、组织等单位', '由镇卫健办牵头', '工作方案', '冯政发〔2018〕24号', 'x', ' '];

describe('draftPlan on any text', () => {
  it('always answers with the seven files, keeps every line in plan.md and quotes only the text', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 6 })), { maxLength: 60 }), (parts) => {
        const text = parts.join('');
        const d = draftPlan(text, 'any-town', catalogue);
        expect(Object.keys(d.files).sort()).toEqual(['DRAFT.md', 'indicators.yaml', 'leading-group.yaml', 'plan.md', 'tasks.yaml', 'town.yaml', 'units.yaml']);
        const md = d.files['plan.md']!;
        const bare = (s: string) => s.replace(/[\s#|-]/g, '');
        for (const line of text.split('\n')) for (const part of line.split('。')) expect(bare(md)).toContain(bare(part.replace(/\t/g, '')));
        for (const t of parse(d.files['tasks.yaml']!) as TaskDef[] ?? []) expect(md).toContain(t.quote);
      }),
      { numRuns: 300 },
    );
  });
});

describe('reading documents', () => {
  it('reads a Word table from mammoth’s HTML as tab-separated rows and paragraphs as lines', () => {
    const html = '<p>一、主要任务</p><table><tr><td><p>序号</p></td><td><p>工作任务</p></td></tr><tr><td><p>1</p></td><td><p>健康体检 &amp; 随访</p></td></tr></table><p>二、保障措施</p>';
    expect(htmlToText(html)).toBe('一、主要任务\n序号\t工作任务\n1\t健康体检 & 随访\n二、保障措施');
  });
  it('reads GB18030 bytes and UTF-8 bytes to the same text', () => {
    const gb = new Uint8Array([0xb9, 0xa4, 0xd7, 0xf7, 0xb7, 0xbd, 0xb0, 0xb8]); // 工作方案 in GB18030
    expect(decodeText(gb)).toBe('工作方案');
    expect(decodeText(new TextEncoder().encode('工作方案'))).toBe('工作方案');
  });
  it('refuses .doc, .wps and .pdf with how to save as .docx, and reads .docx, .txt and .md', () => {
    for (const f of ['a.doc', 'b.WPS', 'c.pdf']) expect(() => documentFormat(f)).toThrow(/另存为[\s\S]*\.docx/);
    expect(['a.docx', 'b.TXT', 'c.md'].map(documentFormat)).toEqual(['docx', 'txt', 'md']);
  });
});
