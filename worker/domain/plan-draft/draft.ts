/**
 * A plan document's text → a draft town folder (plan.md, town.yaml, units.yaml, leading-group.yaml,
 * indicators.yaml, tasks.yaml) and DRAFT.md listing, file by file in document order, every decision a
 * person must make. Pure: the CLI (worker/cli/plan-draft.ts) and the console route share it.
 */
import { stringify } from 'yaml';
import type { IndicatorDef, LeadingGroup, Target, TaskDef, TownFile, TownIndicator, Unit } from '../content.ts';
import { profileFigures } from './figures.ts';
import { findUnit, leadingGroup, units as findUnits } from './group.ts';
import { outline } from './outline.ts';
import { milestones, targets } from './targets.ts';
import { tasks as draftTasks } from './tasks.ts';

/** One decision for a person: the file it concerns, where in the document, and what to decide. */
export interface Decision {
  file: 'town.yaml' | 'units.yaml' | 'leading-group.yaml' | 'indicators.yaml' | 'tasks.yaml';
  /** Position in plan.md of the words concerned (for document order); -1 for the whole file. */
  at: number;
  text: string;
  /** Words a content:check problem about this decision contains (so the CLI can say it is listed). */
  check?: string;
}

/** The draft: files keyed by name, the decisions, and catalogue entries the unmapped targets propose. */
export interface PlanDraft {
  files: Record<string, string>;
  decisions: Decision[];
  /** New catalogue indicators (content/indicators.yaml) the draft's unmapped targets refer to. */
  proposedIndicators: IndicatorDef[];
  counts: { figures: number; milestones: number; targets: number; mapped: number; tasks: number; members: number; units: number };
}

const FILE_ORDER: Decision['file'][] = ['town.yaml', 'units.yaml', 'leading-group.yaml', 'indicators.yaml', 'tasks.yaml'];
const yaml = (v: unknown) => stringify(v, { lineWidth: 0 });

/** The town's name as the plan writes it (冯卯镇), from the group's name or the text. */
function townName(text: string, groupName: string | undefined): string | undefined {
  const fromGroup = groupName && /^([\u4e00-\u9fa5]{1,4}?(?:镇|乡|街道))/.exec(groupName)?.[1];
  if (fromGroup) return fromGroup;
  const counts = new Map<string, number>();
  for (const m of text.matchAll(/([\u4e00-\u9fa5]{2,3}(?:镇|乡))/g)) {
    const n = m[1]!;
    if (/示范|全镇|乡镇|城镇|村镇|名镇|强镇|小镇|生态镇|文明镇|本镇|该镇|集群镇|专业镇|重镇|各乡/.test(n) || !/^[\u4e00-\u9fa5]{2}(?:镇|乡)$/.test(n)) continue;
    counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** Two targets for one date that say the same: the same value and comparator, or the same words. */
const sameTarget = (a: Target, b: Target) => (a.kind === 'numeric' && b.kind === 'numeric' ? a.value === b.value && a.comparator === b.comparator : a.kind === 'qualitative' && b.kind === 'qualitative' && a.text === b.text);

/** Drafts a town folder from a plan's text. `catalogue` is content/indicators.yaml (for mapping targets). */
export function draftPlan(text: string, townId: string, catalogue: readonly IndicatorDef[]): PlanDraft {
  const o = outline(text);
  const md = o.markdown;
  const decisions: Decision[] = [];
  const at = (words: string | undefined) => (words ? md.indexOf(words) : -1);
  const decide = (file: Decision['file'], words: string | undefined, text: string, check?: string) => decisions.push({ file, at: at(words), text, ...(check ? { check } : {}) });

  // ---- leading group and units
  const g = leadingGroup(o);
  const name = townName(md, g.name) ?? '';
  const us = findUnits(o, g, name.replace(/(?:镇|乡|街道)$/, ''));
  if (us.length === 0) us.push({ id: 'unit-1', name: '待填写', aliases: [], kind: 'department', supervises: false, found: '' });
  const officeUnit = g.office ? findUnit(us, g.office.unitName) : undefined;

  // ---- town.yaml
  if (!name) decide('town.yaml', undefined, '未能从文中认出镇（乡）名，请填写 `name` / the town name was not found: fill in `name`.');
  const { figures, decisions: figDecisions } = profileFigures(o);
  for (const d of figDecisions) decide('town.yaml', d.figure.quote, `profile “${d.figure.text}”: ${d.reason}`);
  const ms = milestones(o);
  if (ms.length === 0) decide('town.yaml', undefined, '目标部分未写“到XXXX年年底”，请添加 `milestones` / no milestone found in the goals: add `milestones`.');
  const yearFromNumber = o.docNumber ? Number(/〔(\d{4})〕/.exec(o.docNumber)?.[1]) : undefined;
  if (!o.docNumber) decide('town.yaml', undefined, '文中未见文号（如 X政发〔2018〕24号），`plan.doc_number` 须由人填写 / no 文号 found: `plan.doc_number` must be filled in.');
  if (!o.title) decide('town.yaml', undefined, '文中未见方案标题，`plan.title` 须由人填写 / no title found: fill in `plan.title`.');
  // issuer and date: a 落款 line (…人民政府 / …委员会) and a date line near the end
  const lines = md.split('\n').map((l) => l.trim()).filter(Boolean);
  const dateLine = [...lines].reverse().find((l) => /^\d{4}年\d{1,2}月\d{1,2}日$/.test(l));
  const issuerLine = [...lines].reverse().find((l) => /^[\u4e00-\u9fa5]{2,24}(?:人民政府|委员会|办公室|党委)$/.test(l));
  const issued = dateLine ? /^(\d{4})年(\d{1,2})月(\d{1,2})日$/.exec(dateLine)! : undefined;
  const demo = /【测试数据】/.test(md);
  if (demo) decide('town.yaml', '【测试数据】', '文中标有【测试数据】，草稿设 `demo: true`（页面显示演示数据横幅）/ the text is marked test data: `demo: true`.');
  decide('town.yaml', undefined, '`name_en`、`province`、`city`、`county` 方案通常不写，草稿未填；如要添加须注明依据（basis 与 note/quote）/ left out: add only with their basis.');
  if (!issuerLine) decide('town.yaml', undefined, '方案无落款，`plan.issuer` 未填；如按文号推定，须写 basis: inferred 与说明 / no issuer line: `plan.issuer` left out.');
  if (!dateLine) decide('town.yaml', undefined, '方案无成文日期，`plan.issued_on` 未填 / no issue date: `plan.issued_on` left out.');
  const town: TownFile = {
    id: townId,
    name: name || '待填写',
    demo,
    profile: figures,
    projects: [],
    plan: {
      title: o.title ?? '待填写',
      doc_number: o.docNumber ?? '待填写',
      ...(issuerLine ? { issuer: { value: issuerLine, basis: 'stated' as const, quote: issuerLine } } : {}),
      ...(issued ? { issued_on: { value: `${issued[1]}-${issued[2]!.padStart(2, '0')}-${issued[3]!.padStart(2, '0')}`, basis: 'stated' as const, quote: dateLine! } } : {}),
      year: yearFromNumber ?? ms[0]?.year ?? new Date().getFullYear(),
      sections: o.sections,
    },
    milestones: ms,
  };
  if (!yearFromNumber) decide('town.yaml', undefined, '`plan.year` 取自第一个目标年份（文号未给年份），请核对 / `plan.year` taken from the first milestone: check it.');
  const projects = o.blocks.filter((b) => b.kind === 'background' && b.level === 2 && /现状|项目|进展/.test(b.heading ?? ''));
  for (const p of projects) decide('town.yaml', p.heading, `“${p.heading}”所述在建项目未写入 \`projects\`，如需在页面显示请补充 / projects under way are not drafted: add \`projects\` if wanted.`);

  // ---- units.yaml
  const unitRows: Unit[] = us.map((u) => ({ id: u.id, name: u.name, aliases: u.aliases, kind: u.kind, supervises: u.supervises }));
  if (us.length === 1 && us[0]!.name === '待填写') decide('units.yaml', undefined, '未从成员职务或正文中认出任何责任单位，草稿暂设“待填写”，请按方案列出各单位 / no unit found: list the units.');
  for (const u of us.filter((x) => x.found)) decide('units.yaml', u.name, `${u.id}“${u.name}”（见${u.found}）：请定 id（拼音，永不更改）、kind（草稿为 ${u.kind}）${u.aliases.length ? `、别名 ${u.aliases.join('、')}` : ''} / confirm id, kind and aliases.`);

  // ---- leading-group.yaml
  for (const m of g.members) {
    const spaced = md.split('\n').find((l) => l.replace(/\s/g, '').includes(m.name) && l.includes(m.post));
    decide('leading-group.yaml', spaced ?? m.post, `${m.id} ${m.name}（${m.post}）：请定 id（如拼音）${m.units.length ? '' : '；职务中未认出单位，`units` 为空'} / set the member id${m.units.length ? '' : '; no unit found in the post'}.`);
  }
  if (g.members.length === 0) decide('leading-group.yaml', undefined, '未找到领导小组成员名单，请按方案填写 `members` / no member list found.');
  const memberId = (n: string) => g.members.find((m) => m.name === n.replace(/\s/g, ''))?.id;
  if (!g.office || !officeUnit) decide('leading-group.yaml', g.office?.quote, '未找到“领导小组办公室设在……”或其所在单位，请填写 `office` / the office was not found: fill in `office`.');
  const group: LeadingGroup = {
    name: g.name ?? '待填写',
    members: g.members.length ? g.members : [{ id: 'member-1', name: '待填写', role: 'leader', post: '待填写', units: [] }],
    office: {
      unit: officeUnit?.id ?? us[0]?.id ?? 'unit-1',
      director: (g.office && memberId(g.office.director)) ?? g.members[0]?.id ?? 'member-1',
      deputies: (g.office?.deputies ?? []).map((d) => memberId(d)).filter((x): x is string => !!x),
      quote: g.office?.quote ?? '待填写',
    },
  };

  // ---- indicators.yaml
  const known = new Set(catalogue.map((c) => c.id));
  const ts = targets(o, ms, known, figures);
  const proposed: IndicatorDef[] = [];
  const byIndicator = new Map<string, TownIndicator>();
  /** Targets the goals part states (a task's target for the same indicator and date gives way to them). */
  const fromGoals = new Set<Target>();
  for (const t of ts) {
    let id = t.indicator;
    if (!id) {
      const p = t.proposal!;
      const same = proposed.find((x) => x.name === p.name && x.kind === p.kind);
      id = same?.id ?? `draft-indicator-${proposed.length + 1}`;
      if (!same) {
        proposed.push({ id, name: p.name, name_en: 'TODO', kind: p.kind, ...(p.kind === 'numeric' ? { unit: t.target.kind === 'numeric' ? t.target.unit : undefined } : {}), direction: 'increase' } as IndicatorDef);
        decide('indicators.yaml', t.target.quote, `${id}: “${t.target.quote}”—${p.why}。草稿提议新指标“${p.name}”（${p.kind}），请定：并入目录某指标，或给出 id、name_en 后加进 content/indicators.yaml / map it or add it to the catalogue.`, `"${id}"`);
      }
    }
    if (t.target.kind === 'numeric' && t.target.display.includes('分之') && !t.target.display.includes('以上'))
      decide('indicators.yaml', t.target.quote, `“${t.target.display}”未写“以上”，草稿按 gte（至少达到）记，请核对 comparator / comparator read as gte: check it.`);
    const entry = byIndicator.get(id) ?? { indicator: id, targets: [] };
    const clash = entry.targets.find((x) => x.milestone === t.target.milestone);
    if (clash && t.from === 'tasks' && fromGoals.has(clash)) {
      // a task sentence restating a goal's target for the same date adds nothing; one that contradicts it is the
      // plan disagreeing with itself: the goals part, where the plan sets its targets, wins, and a person checks
      if (!sameTarget(clash, t.target))
        decide(
          'indicators.yaml',
          t.target.quote,
          `${id} 在 ${t.target.milestone}：任务中的“${t.target.quote}”与目标部分的“${clash.quote}”不一致。草稿以目标部分为准，只保留后者（任务中的说法留在任务里）；如方案另有说明，请改 / the task's target contradicts the goal's for the same date: the goal section wins — check it.`,
        );
      continue;
    }
    if (t.from === 'goals') fromGoals.add(t.target);
    if (t.folded && t.target.kind === 'qualitative')
      decide('indicators.yaml', t.target.quote, `${id}: “${t.folded.join('，')}”目录中无对应指标，紧随前一目标，草稿读作其延续，并入“${t.target.text}”；如是独立目标，请拆出为新指标 / read as the continuation of the goal before it: split it if it is a goal of its own.`);
    if (clash) {
      const index = byIndicator.has(id) ? [...byIndicator.keys()].indexOf(id) : byIndicator.size;
      decide(
        'indicators.yaml',
        t.target.quote,
        `${id} 在 ${t.target.milestone} 有两个目标：“${clash.quote}”与“${t.target.quote}”。方案前后不一，请定保留哪一个（另一个可只留在任务里）/ two targets for one milestone: keep one.`,
        `indicators/${index}/targets`,
      );
    }
    entry.targets.push(t.target);
    byIndicator.set(id, entry);
  }

  // ---- tasks.yaml
  const dt = ms.length ? draftTasks(o, us, g.members, ms, officeUnit) : [];
  const unitName = new Map(us.map((u) => [u.id, u.name]));
  for (const d of dt) {
    const t = d.task;
    if (t.units_basis === 'inferred' && t.kind === 'deliverable')
      decide('tasks.yaml', t.quote, `${t.code} 单位为推定（${t.units.map((u) => `${unitName.get(u.unit)}${u.role === 'lead' ? '牵头' : '配合'}`).join('、')}）：${d.unitsWhy ?? ''}。请镇里确认 / inferred units: confirm.`);
    if (t.due_basis === 'inferred' && t.kind === 'deliverable') decide('tasks.yaml', t.quote, `${t.code} 期限为推定（${t.due}）：${d.dueWhy ?? ''} / inferred due date: confirm.`);
  }
  if (dt.length === 0) decide('tasks.yaml', undefined, '未找到重点任务或保障措施部分，`tasks.yaml` 须由人编写 / no key tasks found.');
  decide('tasks.yaml', undefined, '各任务 id（kt1-1 …）为草稿编号，首次载入前可改为有意义的 id，载入后不得再改 / task ids are placeholders until the first load.');

  const taskRows: TaskDef[] = dt.map((d) => d.task);
  decisions.sort((a, b) => FILE_ORDER.indexOf(a.file) - FILE_ORDER.indexOf(b.file) || (a.at < 0 ? -1 : a.at) - (b.at < 0 ? -1 : b.at));
  const files: Record<string, string> = {
    'plan.md': md,
    'town.yaml': `# Draft of ${name || townId} from its plan document by \`npm run plan:draft\`: read DRAFT.md before publishing.\n# Schema: TownFile in worker/domain/content.ts.\n${yaml(town)}`,
    'units.yaml': `# Draft: units found in the members' posts and the text (see DRAFT.md). Schema: Unit.\n${yaml(unitRows)}`,
    'leading-group.yaml': `# Draft: the leading group as printed in the plan (see DRAFT.md). Schema: LeadingGroup.\n${yaml(group)}`,
    'indicators.yaml': `# Draft: targets read from the plan's words; draft-indicator-* are proposed new catalogue indicators (see DRAFT.md). Schema: TownIndicator.\n${yaml([...byIndicator.values()])}`,
    'tasks.yaml': `# Draft: key tasks, guarantees and deliverables; inferred units and dates await the town (see DRAFT.md). Schema: TaskDef.\n${yaml(taskRows)}`,
  };
  files['DRAFT.md'] = renderDecisions(name || townId, townId, decisions, proposed);
  return {
    files,
    decisions,
    proposedIndicators: proposed,
    counts: { figures: figures.length, milestones: ms.length, targets: ts.length, mapped: ts.filter((t) => t.indicator).length, tasks: taskRows.length, members: g.members.length, units: us.length },
  };
}

/** DRAFT.md: the decisions file by file, in document order, and the proposed catalogue entries. */
export function renderDecisions(name: string, id: string, decisions: readonly Decision[], proposed: readonly IndicatorDef[]): string {
  const out = [
    `# ${name}（${id}）草稿：待人决定的事项 / decisions before publishing`,
    '',
    '本草稿由 `npm run plan:draft` 从工作方案原文生成。下列每一项都须由人核对或决定，顺序与原文一致。',
    '全部处理后运行 `npm run content:check`，通过后 `npm run db:load` 上线。草稿中“推定”（inferred）的单位与期限，',
    '上线后在页面上标为“待镇里确认”。',
    '',
  ];
  for (const f of FILE_ORDER) {
    const list = decisions.filter((d) => d.file === f);
    if (!list.length) continue;
    out.push(`## ${f}`, '');
    list.forEach((d, i) => out.push(`${i + 1}. [ ] ${d.text}`));
    out.push('');
  }
  if (proposed.length) {
    out.push('## content/indicators.yaml（目录）', '', '未能对应目录的目标，草稿提议以下新指标；决定后把保留的条目加进 `content/indicators.yaml`（填好 `id`、`name_en`），', '或把 town 的 `indicators.yaml` 中的 `draft-indicator-*` 改为已有指标的 id：', '', '```yaml', stringify(proposed, { lineWidth: 0 }).trim(), '```', '');
  }
  return out.join('\n');
}
