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

describe('who and when, where the plan does not say', () => {
  const plan = [
    '测政发〔2024〕1号',
    '测试镇医养结合示范镇工作方案',
    '一、工作目标',
    '到2024年底，家庭医生签约服务覆盖70%以上的常住老年人群。',
    '到2025年底，建成3处老年人日间照料中心。',
    '到2026年底，医养结合服务体系全面建成。',
    '二、重点任务',
    '（一）推进签约服务。加快推进老年人家庭医生签约服务全覆盖，确保慢病有管理。组织开展老年人健康讲座。',
    '（二）加强医养结合。推动医养结合服务进村入户。',
    '三、保障措施',
    '（一）加强组织领导。成立测试镇医养结合工作领导小组，统筹推进创建工作。各村要明确专人负责。',
    '（二）强化资金保障。财政所要将工作经费纳入年度预算。对养老机构给予资金补助。',
    '测试镇医养结合工作领导小组',
    '成员名单',
    '组  长：张  三  镇长',
    '成  员：李  四  卫健办主任',
    '        王  五  民政办主任',
    '        赵  六  财政所所长',
    '        钱  七  党政办主任',
    '领导小组办公室设在镇党政办，钱七兼任办公室主任。',
  ].join('\n');
  const d = draftPlan(plan, 'test-town', catalogue);
  const tasks = parse(d.files['tasks.yaml']!) as TaskDef[];
  const names = new Map((parse(d.files['units.yaml']!) as { id: string; name: string }[]).map((u) => [u.id, u.name]));
  const task = (start: string) => tasks.find((t) => t.quote.startsWith(start))!;
  const who = (t: TaskDef) => t.units.map((u) => `${names.get(u.unit)}${u.role === 'lead' ? '牵头' : '配合'}`);
  const md = d.files['DRAFT.md']!;

  it('dates an undated task by the goal it shares a named phrase with, and lists why', () => {
    expect(task('加快推进老年人家庭医生签约服务全覆盖')).toMatchObject({ due: 'y2024', due_basis: 'inferred' });
    expect(md).toContain('家庭医生签约服务');
    expect(task('组织开展老年人健康讲座')).toMatchObject({ due: 'y2026', due_basis: 'inferred' });
  });

  it('dates setting up the leading group with the first milestone', () => {
    expect(task('成立测试镇医养结合工作领导小组')).toMatchObject({ due: 'y2024', due_basis: 'inferred' });
  });

  it('gives a sentence that names no unit the unit its section heading points at', () => {
    const t = task('各村要明确专人负责');
    expect([who(t), t.units_basis]).toEqual([['党政办牵头'], 'inferred']);
    expect(md).toContain('加强组织领导');
  });

  it('does not read the plan’s theme (医养结合, in its title) as health work', () => {
    expect(who(task('推动医养结合服务进村入户'))).toEqual(['党政办牵头']);
  });

  it('lets the unit a section names as its actor lead the section’s other sentences', () => {
    expect(task('财政所要将工作经费纳入年度预算').units_basis).toBe('stated');
    expect(who(task('对养老机构给予资金补助'))).toEqual(['财政所牵头', '民政办配合']);
  });
});

describe('targets a plan states twice, and goals that run on', () => {
  const plan = [
    '测政发〔2024〕2号',
    '测试镇医养结合示范镇工作方案',
    '一、工作目标',
    '到2024年底，全镇老年人家庭医生签约率达到65%以上。',
    '到2025年底，建立起较为完善的医养结合政策体系，健康养老服务体系不断健全，患病老年人得到有效治疗。',
    '二、重点任务',
    '（一）推进签约服务。组建家庭医生团队。到2024年底，实现老年人家庭医生签约服务全覆盖。对失能老年人每季度上门随访一次。',
    '测试镇医养结合工作领导小组',
    '成员名单',
    '组  长：张  三  镇长',
    '成  员：李  四  卫健办主任',
    '领导小组办公室设在镇卫健办，李四兼任办公室主任。',
  ].join('\n');
  const d = draftPlan(plan, 'test-town', catalogue);
  const inds = parse(d.files['indicators.yaml']!) as { indicator: string; targets: { milestone: string; kind: string; value?: number; text?: string }[] }[];
  const md = d.files['DRAFT.md']!;

  it('keeps the goal’s target where a task’s dated sentence contradicts it, and lists the clash as a decision', () => {
    const signing = inds.find((i) => i.indicator === 'family-doctor-signing-elderly')!;
    expect(signing.targets.filter((t) => t.milestone === 'y2024').map((t) => t.value)).toEqual([65]);
    expect(md).toContain('实现老年人家庭医生签约服务全覆盖');
    expect(md).toContain('以目标部分为准');
  });

  it('reads a goal clause the catalogue does not know, right after one it does, as that goal’s continuation', () => {
    const texts = inds.flatMap((i) => i.targets.filter((t) => t.milestone === 'y2025').map((t) => [i.indicator, t.text]));
    expect(texts).toContainEqual(['integrated-care-service-system', '健康养老服务体系不断健全，患病老年人得到有效治疗']);
    expect(texts.some(([id]) => id!.startsWith('draft-indicator-'))).toBe(false);
    expect(md).toContain('患病老年人得到有效治疗');
  });

  it('dates a step before a dated sentence of its paragraph with that sentence, and one after it with the plan’s last milestone', () => {
    const tasks = parse(d.files['tasks.yaml']!) as TaskDef[];
    const task = (start: string) => tasks.find((t) => t.quote.startsWith(start))!;
    expect(task('组建家庭医生团队')).toMatchObject({ due: 'y2024', due_basis: 'inferred' });
    expect(task('到2024年底')).toMatchObject({ due: 'y2024', due_basis: 'stated' });
    expect(task('对失能老年人每季度上门随访一次')).toMatchObject({ due: 'y2025', due_basis: 'inferred' });
  });
});

describe('a section that states who does its work', () => {
  const plan = [
    '测政发〔2024〕3号',
    '测试镇医养结合示范镇工作方案',
    '一、工作目标',
    '到2024年底，建成2处老年人日间照料中心。',
    '二、重点任务',
    '（一）推进上门服务。由镇卫健办牵头，镇卫生院具体实施，组建上门服务队伍。对失能老年人每季度上门随访一次。',
    '测试镇医养结合工作领导小组',
    '成员名单',
    '组  长：张  三  镇长',
    '成  员：李  四  卫健办主任',
    '        王  五  镇卫生院院长',
    '领导小组办公室设在镇卫健办，李四兼任办公室主任。',
  ].join('\n');
  const d = draftPlan(plan, 'test-town', catalogue);
  const tasks = parse(d.files['tasks.yaml']!) as TaskDef[];
  const names = new Map((parse(d.files['units.yaml']!) as { id: string; name: string }[]).map((u) => [u.id, u.name]));
  const who = (t: TaskDef) => t.units.map((u) => `${names.get(u.unit)?.replace(/^镇/, '')}${u.role === 'lead' ? '牵头' : '配合'}`);

  it('gives a sentence with no words of its own the section’s stated assignment, lead and support, as inferred', () => {
    const t = tasks.find((x) => x.quote.startsWith('对失能老年人'))!;
    expect([who(t), t.units_basis]).toEqual([['卫健办牵头', '卫生院配合'], 'inferred']);
  });
});

describe('work in the villages', () => {
  const plan = [
    '测政发〔2024〕4号',
    '测试镇医养结合示范镇工作方案',
    '一、工作目标',
    '到2024年底，建成2处老年人日间照料中心。',
    '二、重点任务',
    '（一）推进健康服务。组织医务人员入户为老年人提供健康服务。完善镇卫生院健康服务设施。',
    '测试镇医养结合工作领导小组',
    '成员名单',
    '组  长：张  三  镇长',
    '成  员：李  四  卫健办主任',
    '        王  五  东山办事处党总支书记',
    '        赵  六  西河办事处党总支书记',
    '领导小组办公室设在镇卫健办，李四兼任办公室主任。',
  ].join('\n');
  const d = draftPlan(plan, 'test-town', catalogue);
  const tasks = parse(d.files['tasks.yaml']!) as TaskDef[];
  const names = new Map((parse(d.files['units.yaml']!) as { id: string; name: string }[]).map((u) => [u.id, u.name]));
  const who = (t: TaskDef) => t.units.map((u) => `${names.get(u.unit)}${u.role === 'lead' ? '牵头' : '配合'}`);

  it('adds the subdistrict offices in support of a sentence about village work, and of no other', () => {
    expect(who(tasks.find((t) => t.quote.startsWith('组织医务人员入户'))!)).toEqual(['卫健办牵头', '东山办事处配合', '西河办事处配合']);
    expect(who(tasks.find((t) => t.quote.startsWith('完善镇卫生院'))!)).toEqual(['卫健办牵头']);
    expect(d.files['DRAFT.md']).toContain('village work');
  });
});

describe('deliverables from sentences', () => {
  const plan = [
    '测政发〔2024〕5号',
    '测试镇医养结合示范镇工作方案',
    '一、工作目标',
    '到2024年底，建成2处老年人日间照料中心。',
    '二、重点任务',
    '（一）推进医养联动。建设医疗养老联合体，促进资源共享。联合体内医疗机构要优先接诊转诊老年患者。组织医务人员开展巡诊。',
  ].join('\n');
  const quotes = (parse(draftPlan(plan, 'test-town', catalogue).files['tasks.yaml']!) as TaskDef[]).filter((t) => t.kind === 'deliverable').map((t) => t.quote);

  it('keeps a sentence that opens with words of the one before it in that deliverable, and the next sentence apart', () => {
    expect(quotes).toEqual(['建设医疗养老联合体，促进资源共享。联合体内医疗机构要优先接诊转诊老年患者。', '组织医务人员开展巡诊。']);
  });
});
