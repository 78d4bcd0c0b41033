/**
 * Key tasks, guarantees and their deliverables with outline codes (一, 一.1, 保障二.3), the plan's words
 * verbatim, and who and when:
 * - units `stated` only when the sentence names them as its actors (镇报道站要…, 党政办会同卫健办…, 由…牵头、…配合,
 *   a list 镇纪委、组织、卫计、民政等单位, a 任务分解表's 牵头/配合 columns), by name, name without 镇 or alias;
 * - otherwise `inferred` (listed in DRAFT.md with the words that made them): the units the sentence's words point at
 *   (DUTIES below; words of the plan's title, its theme, do not count); where they point at none, the assignment
 *   the section states (由卫健办牵头，镇卫生院具体实施 — lead and support as stated), else the units of its section's
 *   heading, else the office's unit; a unit the section states leads among them; village work (各村, 农村, 入户 —
 *   VILLAGE_WORK) goes through the town's subdistrict offices (办事处, 管区), which join in support;
 * - deliverables: one per sentence (or clause set apart by ；), per numbered item, or per row of a 任务分解表; a
 *   sentence opening with words the sentence before it holds (CARRY_ON) continues that deliverable;
 * - due `stated` from a milestone's year in the sentence; otherwise `inferred`: setting up (成立…领导小组, 明确专人)
 *   with the first milestone; a step before a dated sentence of its paragraph with that sentence's milestone
 *   (组建团队。到2024年底，实现…); a sentence sharing a named phrase with a goal (GOAL_PHRASE) with that goal's
 *   milestone (the latest, where goals of several dates share it); anything else with the last milestone.
 */
import type { Milestone, TaskDef } from '../content.ts';
import { findUnit, type DraftMember, type DraftUnit } from './group.ts';
import { numberCn, taskSentences, type Block, type Outline } from './outline.ts';

/** A drafted task and why its inferred parts were inferred. */
export interface DraftTask {
  task: TaskDef;
  /** Words that made the units (for an inferred assignment). */
  unitsWhy?: string;
  dueWhy?: string;
}

/** Which words point at which kind of unit (by the unit's name), for inferred assignments. */
const DUTIES: { words: RegExp; unit: RegExp }[] = [
  { words: /医疗|卫生|健康|签约|中医|疾病|诊疗|护理|康复|医护|医养/, unit: /卫计|卫健|卫生健康|卫生计生|卫生院/ },
  { words: /组织领导|领导小组|统筹推进/, unit: /党政办|党政综合办|党政办公室/ },
  { words: /养老|老年人日间|幸福院|福利院|敬老院|托养|社会组织|志愿|补贴|社会保障/, unit: /民政|社会事务|社事/ },
  { words: /资金|财政|补贴|保险|金融|投入/, unit: /财政|财政所/ },
  { words: /建设工程|改造|无障碍|设施建设|规划|绿道/, unit: /建设|规划|城建/ },
  { words: /旅游|民宿|康体|旅居/, unit: /旅服|旅游|文旅/ },
  { words: /农业|种植|田园|农村新型经营主体/, unit: /民经|农业|经管|农经/ },
  { words: /宣传|报道|舆论|媒体/, unit: /报道|宣传/ },
  { words: /督查|督导|考核|通报/, unit: /纪委|党政办|督查/ },
  { words: /土地/, unit: /国土|自然资源/ },
];

const YEAR = /(\d{4})年/;

/** Work in the villages goes through the town's subdistrict offices (办事处, 管区): words that say a sentence is village work. */
const VILLAGE_WORK = /各村|农村|村级|村居|进村|入户/;

/**
 * A sentence whose first this many characters the sentence before it holds continues it (one deliverable).
 * Measured on both bench plans: 2 merges sentences that only share a common word, 3 merges 冯卯镇's two
 * continuations its editors also kept as one, 4 only one of them (bench/results.md).
 */
const CARRY_ON = 3;

/** Characters a phrase is compared on: Chinese, Latin letters and digits (no punctuation). */
const bare = (s: string) => s.replace(/[^\u4e00-\u9fa5A-Za-z0-9]/g, '');

/** The longest run of characters two texts share (one row of the classic table: O(|a|·|b|)). */
export function sharedPhrase(a: string, b: string): string {
  let row = new Uint16Array(b.length + 1);
  let len = 0;
  let end = 0;
  for (let i = 1; i <= a.length; i++) {
    const next = new Uint16Array(b.length + 1);
    for (let j = 1; j <= b.length; j++) {
      if (a[i - 1] !== b[j - 1]) continue;
      next[j] = row[j - 1]! + 1;
      if (next[j]! > len) {
        len = next[j]!;
        end = i;
      }
    }
    row = next;
  }
  return a.slice(end - len, end);
}

/**
 * A sentence serves a goal when they share a phrase of at least this many characters — the name of a
 * project or a service (滨湖颐养小镇建设项目, 家庭医生签约服务), not a common turn of words (为老年人提供,
 * 社区养老服务). Measured on both bench plans: 6 links too much, 8 too little (bench/results.md).
 */
const GOAL_PHRASE = 7;

/**
 * Setting up the leading group (成立…领导小组) and naming the people responsible (明确专人负责) are the plan's
 * first steps: due with its first milestone.
 */
const SETUP = /^成立.{0,30}(?:领导小组|工作专班|指挥部)|(?:明确|落实|指定)专人/;

/** The goal clauses of the plan (split at ，。；), each with the milestone of the 到XXXX年 paragraph it sits in. */
function goalClauses(o: Outline, ms: readonly Milestone[]): { milestone: Milestone; clause: string }[] {
  const out: { milestone: Milestone; clause: string }[] = [];
  let current: Milestone | undefined;
  for (const b of o.blocks) {
    if (b.kind !== 'goals') continue;
    const y = /^(?:到|至|于)(\d{4})年/.exec(b.text);
    if (y) current = ms.find((m) => m.year === Number(y[1]));
    if (!current) continue;
    for (const c of b.text.split(/[，。；,]/)) if (bare(c).length >= GOAL_PHRASE) out.push({ milestone: current, clause: c });
  }
  return out;
}

/** The units a sentence names as its subject: names at its start joined by 、和及, then 等单位/要/将/负责/牵头 or a verb. */
export function subjectUnits(sentence: string, us: readonly DraftUnit[]): DraftUnit[] {
  const names = us.flatMap((u) => [u.name, u.name.replace(/^镇/, ''), `镇${u.name.replace(/^镇/, '')}`, ...u.aliases].map((n) => [n, u] as const)).sort((a, b) => b[0].length - a[0].length);
  const found: DraftUnit[] = [];
  let rest = sentence;
  for (;;) {
    // a two-character short name (组织, 卫计) is a unit only in a list of units (组织、卫计、民政等单位), not as a verb (组织医疗机构…)
    const hit = names.find(([n]) => n.length > 1 && rest.startsWith(n) && (n.length > 2 || /^[、和及与等]/.test(rest.slice(n.length))));
    if (!hit) break;
    if (!found.includes(hit[1])) found.push(hit[1]);
    rest = rest.slice(hit[0].length);
    const sep = /^[、和及与]/.exec(rest);
    if (!sep) break;
    rest = rest.slice(1);
  }
  return found;
}

/** Drafts the task breakdown from the key-task and guarantee parts (or a 任务分解表 table, where the plan has one). */
export function tasks(o: Outline, us: readonly DraftUnit[], members: readonly DraftMember[], ms: readonly Milestone[], officeUnit: DraftUnit | undefined): DraftTask[] {
  const out: DraftTask[] = [];
  const last = ms.at(-1);
  const byYear = new Map(ms.map((m) => [m.year, m]));
  const clauses = goalClauses(o, ms);
  const leadMember = (unitId: string | undefined) => members.find((m) => m.units[0] === unitId && m.units.includes(unitId ?? ''))?.id;

  const statedDue = (quote: string): Milestone | undefined => {
    const y = YEAR.exec(quote);
    return y ? byYear.get(Number(y[1])) : undefined;
  };
  /** `ahead`: the next sentence of the same paragraph that states its date, if any. */
  const due = (quote: string, ahead?: { quote: string; milestone: Milestone }): { due: string; basis: 'stated' | 'inferred'; why?: string } => {
    const m = statedDue(quote);
    if (m) return { due: m.id, basis: 'stated' };
    if (SETUP.test(quote)) return { due: ms[0]!.id, basis: 'inferred', why: `成立领导小组、明确专人是方案的第一步，取第一个期限 ${ms[0]!.label} / setting up: the first milestone` };
    // the steps a paragraph lists before its dated result lead up to it (组建团队。到2024年底，实现…全覆盖。)
    if (ahead) return { due: ahead.milestone.id, basis: 'inferred', why: `本段其后“${ahead.quote.slice(0, 20)}…”限期${ahead.milestone.label}，其前的步骤同期 / a step before its paragraph's dated sentence` };
    // the goal it serves: the longest phrase shared with a goal; where goals of several dates share it, the latest
    const q = bare(quote);
    let best: { phrase: string; milestone: Milestone; clause: string } | undefined;
    for (const g of clauses) {
      const phrase = sharedPhrase(q, bare(g.clause));
      if (phrase.length < GOAL_PHRASE) continue;
      if (!best || phrase.length > best.phrase.length || (phrase.length === best.phrase.length && g.milestone.year > best.milestone.year)) best = { phrase, ...g };
    }
    if (best) return { due: best.milestone.id, basis: 'inferred', why: `与${best.milestone.label}目标“${best.clause}”同有“${best.phrase}” / shares words with the goal it serves` };
    return { due: last!.id, basis: 'inferred', why: `句中无年份，取方案最后期限 ${last!.label} / no year in the sentence: the plan's last milestone` };
  };

  const assign = (quote: string, cells?: string[]): { units: TaskDef['units']; basis: 'stated' | 'inferred'; why?: string } => {
    if (cells) {
      const lead = cells.flatMap((c) => c.split(/[、，,]/)).map((n) => findUnit(us, n.trim())).filter((u): u is DraftUnit => !!u);
      if (lead.length) {
        const [first, ...others] = [...new Set(lead)];
        return { units: [{ unit: first!.id, role: 'lead' }, ...others.map((u) => ({ unit: u.id, role: 'support' as const }))], basis: 'stated' };
      }
    }
    const subject = subjectUnits(quote, us);
    if (subject.length) {
      const more = subjectUnits(quote.slice(quote.indexOf('会同') + 2), us).filter((u) => !subject.includes(u));
      return { units: [...subject.map((u) => ({ unit: u.id, role: 'lead' as const })), ...(quote.includes('会同') ? more.map((u) => ({ unit: u.id, role: 'support' as const })) : [])], basis: 'stated' };
    }
    const led = /由(.+?)牵头/.exec(quote);
    if (led) {
      const leads = subjectUnits(led[1]!.replace(/（[^）]*）/g, ''), us);
      const after = quote.slice(led.index + led[0].length).replace(/^[，,]/, '');
      const support = /^(.+?)(?:配合|协助|参与|具体实施|共同)/.exec(after);
      const sup = support ? subjectUnits(support[1]!, us).filter((u) => !leads.includes(u)) : [];
      if (leads.length) return { units: [...leads.map((u) => ({ unit: u.id, role: 'lead' as const })), ...sup.map((u) => ({ unit: u.id, role: 'support' as const }))], basis: 'stated' };
    }
    return { units: [], basis: 'inferred' };
  };

  // the plan's theme (医养结合 in a 医养结合示范镇 plan) is in every sentence and points at no one: words of the title do not count
  const duties = DUTIES.map((d) => {
    const words = d.words.source.split('|').filter((w) => !(o.title ?? '').includes(w));
    return { words: words.length ? new RegExp(words.join('|'), 'g') : undefined, unit: d.unit };
  });
  /** Units the words of a text point at (DUTIES), most words first; a non-institution unit before an institution. */
  const byWords = (text: string): { u: DraftUnit; words: string[] }[] => {
    const hits: { u: DraftUnit; words: string[] }[] = [];
    for (const d of duties) {
      const words = d.words ? text.match(d.words) ?? [] : [];
      if (!words.length) continue;
      const u = us.find((x) => d.unit.test(x.name) && x.kind !== 'subdistrict' && x.kind !== 'institution') ?? us.find((x) => d.unit.test(x.name));
      if (!u) continue;
      const h = hits.find((x) => x.u === u);
      if (h) h.words.push(...words);
      else hits.push({ u, words: [...words] });
    }
    return hits.sort((a, b) => b.words.length - a.words.length).slice(0, 3);
  };
  const saying = (hits: { u: DraftUnit; words: string[] }[]) => hits.map((h) => `${h.u.name}（${[...new Set(h.words)].join('、')}）`).join('、');

  /**
   * An assignment the sentence does not state: the units its words point at (at most three); where they point at
   * none, the assignment its section states, then the units of its section's heading, then the office's unit.
   * A unit the section states as an actor leads among them.
   */
  const infer = (quote: string, heading: string, sectionStated: readonly DraftUnit[], sectionAssignment?: TaskDef['units']): { units: TaskDef['units']; basis: 'inferred'; why: string } => {
    const own = byWords(quote);
    // no words of its own: the sentence carries on the section's work as the section assigns it (lead and support)
    if (!own.length && sectionAssignment?.length) {
      const names = sectionAssignment.map((u) => `${us.find((x) => x.id === u.unit)!.name}${u.role === 'lead' ? '牵头' : '配合'}`).join('、');
      return { units: sectionAssignment.map((u) => ({ ...u })), basis: 'inferred', why: `句中无对应词语，按本部分写明的分工：${names} / the section's stated assignment` };
    }
    const fromHeading = own.length ? [] : byWords(heading);
    let chosen: DraftUnit[];
    let why: string;
    if (own.length) {
      chosen = own.map((h) => h.u);
      why = `按句中词语分派：${saying(own)} / from the sentence's words`;
    } else if (fromHeading.length) {
      chosen = fromHeading.map((h) => h.u);
      why = `句中无对应词语，按所在部分标题“${heading}”分派：${saying(fromHeading)} / from the section's heading`;
    } else {
      chosen = officeUnit ? [officeUnit] : us.slice(0, 1);
      why = '句中无可对应的单位，暂交领导小组办公室所在单位 / no unit matches: the office unit';
    }
    const named = sectionStated.find((u) => chosen.includes(u));
    if (named && chosen[0] !== named) {
      chosen = [named, ...chosen.filter((u) => u !== named)];
      why += `；本部分写明由${named.name}承担，故其牵头 / the section names it as the actor`;
    }
    const village = VILLAGE_WORK.exec(quote)?.[0];
    const offices = village ? us.filter((u) => u.kind === 'subdistrict' && !chosen.includes(u)) : [];
    if (offices.length) {
      chosen = [...chosen, ...offices];
      why += `；句中有“${village}”，村一级的工作经各${offices[0]!.name.replace(/^.*?(办事处|管区|社区)$/, '$1')}，故其配合 / village work: the subdistrict offices support`;
    }
    return { units: chosen.map((u, i) => ({ unit: u.id, role: i === 0 ? 'lead' : 'support' })), basis: 'inferred', why };
  };

  // parents: the （一） headings of a task part; where a part has none, its 1. items; where it has neither, the part itself
  const isTaskPart = (b: Block) => b.kind === 'key_tasks' || b.kind === 'guarantees';
  const parents: (readonly [Block, number])[] = [];
  o.blocks.forEach((b, i) => {
    if (!isTaskPart(b)) return;
    const underL1 = o.blocks.filter((x) => x.l1 === b.l1);
    if (b.level === 2) parents.push([b, i]);
    else if (b.level === 3 && b.l2 < 0 && !underL1.some((x) => x.level === 2)) parents.push([b, i]);
    else if (b.level === 1 && !underL1.some((x) => x.level === 2 || x.level === 3)) parents.push([b, i]);
  });
  parents.forEach(([p, pi], n) => {
    const guarantee = p.kind === 'guarantees';
    const ordinal = parents.filter(([b], j) => j < n && b.kind === p.kind).length + 1;
    const code = `${guarantee ? '保障' : ''}${numberCn(ordinal)}`;
    const id = `${guarantee ? 'g' : 'kt'}${ordinal}`;
    const title = (p.heading ?? '').replace(/^[（(][^）)]+[）)]\s*/, '').replace(/^[一二三四五六七八九十]+[、．.]\s*/, '').replace(/^\d+[.．、]\s*/, '');
    const parentAt = out.length;
    out.push({ task: { id, code, kind: guarantee ? 'guarantee' : 'key_task', title, quote: title, units: [], units_basis: 'inferred', due: last!.id, due_basis: 'inferred', weight: 1, indicators: [] } });
    const children: { quote: string; title?: string; cells?: string[]; para?: number }[] = [];
    const body: Block[] = [];
    for (let i = pi + 1; i < o.blocks.length; i++) {
      const b = o.blocks[i]!;
      if (b.level !== 0 && b.level <= p.level) break;
      if (b.kind !== p.kind) break;
      body.push(b);
    }
    const deeper = (p.level + 1) as Block['level'];
    const items = body.filter((b) => b.level === deeper);
    const rows = body.filter((b) => b.cells && b.cells.length >= 3 && !b.cells.some((c) => /^(序号|工作任务|主要任务|任务内容)$|牵头单位|责任单位/.test(c)));
    if (rows.length) {
      for (const r of rows) children.push({ quote: r.text, title: r.cells!.find((c) => c.length > 4 && !/\d{4}年/.test(c)) ?? r.text, cells: r.cells!.filter((c) => c.length <= 30 && !/\d{4}年|^\d+$/.test(c)) });
    } else if (items.length) {
      for (const it of items) children.push({ quote: [it.heading!, ...(it.text ? [it.text] : [])].join('。'), title: it.heading!.replace(/^[（(]?\d+[)）.．、]\s*/, '') });
    } else {
      const texts = [p.text, ...body.filter((b) => b.level === 0 && !b.cells).map((b) => b.text)].filter(Boolean);
      // a line with no sentence mark and few words is a signature (落款, date), not a task
      texts.forEach((t, para) => {
        let from = 0;
        let prev: { child: { quote: string; para: number }; at: number } | undefined;
        for (const s of taskSentences(t)) {
          const at = t.indexOf(s, from);
          from = at + s.length;
          if (!(s.length >= 8 && (/[。！？；]$/.test(s) || s.length > 20))) continue;
          // a sentence opening with words the sentence before it holds carries on its subject (建设医疗养老联合体…。
          // 联合体内医疗机构要…): one deliverable, the paragraph's words kept as printed
          const opening = bare(s).slice(0, CARRY_ON);
          if (prev && opening.length === CARRY_ON && bare(prev.child.quote).includes(opening)) {
            prev.child.quote = t.slice(prev.at, from);
            continue;
          }
          const child = { quote: s, para };
          children.push(child);
          prev = { child, at };
        }
      });
    }
    const stated = children.map((c) => assign(c.quote, c.cells));
    const sectionStated = [...new Set(stated.flatMap((a) => a.units.filter((u) => u.role === 'lead').map((u) => us.find((x) => x.id === u.unit)!)))];
    children.forEach((c, k) => {
      const a = stated[k]!.units.length ? stated[k]! : infer(c.quote, title, sectionStated, stated.find((x) => x.units.length)?.units);
      const next = c.para === undefined ? undefined : children.slice(k + 1).find((x) => x.para === c.para && statedDue(x.quote));
      const d = due(c.quote, next && { quote: next.quote, milestone: statedDue(next.quote)! });
      const lead = a.units[0]?.unit;
      const lm = leadMember(lead);
      const titleText = (c.title ?? c.quote.split(/[，。；]/)[0]!).slice(0, 40);
      out.push({
        task: {
          id: `${id}-${k + 1}`,
          parent: id,
          code: `${code}.${k + 1}`,
          kind: 'deliverable',
          title: titleText,
          quote: c.quote,
          units: a.units,
          units_basis: a.basis,
          ...(lm ? { lead_member: lm } : {}),
          due: d.due,
          due_basis: d.basis,
          weight: 1,
          indicators: [],
        },
        ...(a.why ? { unitsWhy: a.why } : {}),
        ...(d.why ? { dueWhy: d.why } : {}),
      });
    });
    // a parent: its deliverables' units (the most frequent lead first), due with its latest deliverable
    const kids = out.slice(parentAt + 1).map((x) => x.task);
    const parent = out[parentAt]!.task;
    const count = new Map<string, number>();
    for (const k of kids) for (const u of k.units) count.set(u.unit, (count.get(u.unit) ?? 0) + (u.role === 'lead' ? 2 : 1));
    const ranked = [...count.entries()].sort((a, b) => b[1] - a[1]).map(([u]) => u);
    const fallback = officeUnit?.id ?? us[0]!.id;
    parent.units = (ranked.length ? ranked : [fallback]).map((u, i) => ({ unit: u, role: i === 0 ? 'lead' : 'support' }));
    // where every deliverable states its units (a 任务分解表), the part is led jointly by their leads; still
    // inferred, as the heading it quotes names none of them
    if (kids.length && kids.every((k) => k.units_basis === 'stated')) {
      const leads = [...new Set(kids.flatMap((k) => k.units.filter((u) => u.role === 'lead').map((u) => u.unit)))];
      parent.units = [...leads.map((u) => ({ unit: u, role: 'lead' as const })), ...ranked.filter((u) => !leads.includes(u)).map((u) => ({ unit: u, role: 'support' as const }))];
    }
    const lm = leadMember(parent.units[0]!.unit);
    if (lm) parent.lead_member = lm;
    const years = kids.map((k) => ms.find((m) => m.id === k.due)!.year);
    if (years.length) parent.due = `y${Math.max(...years)}`;
    out[parentAt]!.unitsWhy = '由其分项的单位汇总 / rolled up from its deliverables';
    out[parentAt]!.dueWhy = '与最晚的分项同期 / due with its latest deliverable';
  });
  return out;
}
