/**
 * Faithfulness rules for content/: nothing the source does not say.
 *
 * Pure functions over a parsed ContentBundle and the source texts (each town's plan.md, each
 * jurisdiction reply's full text). Every problem names the file, the field path and the text.
 */
import type { ContentBundle, Figure, TownBundle } from './content.ts';

/** One breach of faithfulness: file (relative to content/), field path, and what is wrong. */
export interface FaithProblem {
  file: string;
  field: string;
  message: string;
}

/** A parsed number and the qualifier words around it. */
interface ReadNumber {
  value: number;
  /** Words that qualify the number, found in the text or right beside it in its sentence. */
  markers: string[];
}

const DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const UNITS: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };
const MULT: Record<string, number> = { 万: 1e4, 亿: 1e8 };

/** A Chinese numeral below 10,000 (三, 十二, 二百五十) or undefined. */
function chineseInt(s: string): number | undefined {
  if (!s || ![...s].every((c) => c in DIGITS || c in UNITS)) return undefined;
  let total = 0;
  let digit = 0;
  for (const c of s) {
    if (c in DIGITS) digit = DIGITS[c]!;
    else {
      total += (digit || 1) * UNITS[c]!;
      digit = 0;
    }
  }
  return total + digit;
}

/** Markers that qualify a number, by the qualifier or comparator they mean. */
const BEFORE = {
  approx: /大约|约|近/,
  over: /超过|突破|逾/,
  at_least: /不少于|不低于|至少|最低/,
  under: /不足|不到|(?<!不)低于|不超过|最高|最多/,
} as const;
/** Words whose 约 or 近 is no qualifier (签约率达80%以上 is not approximate). */
const NOT_MARKERS = /签约|预约|合约|节约|制约|契约|履约|最近|接近|靠近|临近|附近|近年/g;
const AFTER = { approx: /左右|上下/, over: /以上|余|多/, at_least: /(?!)/, under: /以下/ } as const;
type Kind = keyof typeof BEFORE;

/** The number `text` states, in base units, or undefined where it states none. */
export function readNumber(text: string): number | undefined {
  const frac = /([一二三四五六七八九十]+)分之([一二三四五六七八九十]+)/.exec(text);
  if (frac) {
    const den = chineseInt(frac[1]!);
    const num = chineseInt(frac[2]!);
    return den && num !== undefined ? Math.round((num / den) * 10000) / 100 : undefined;
  }
  if (/一半|半数/.test(text)) return 50;
  const m = /(\d+(?:\.\d+)?)\s*(?:余|多)?\s*(万|亿)?/.exec(text);
  if (m) return Number(m[1]) * (m[2] ? MULT[m[2]]! : 1);
  const c = /([零〇一二两三四五六七八九十百千]+)\s*(万|亿)?/.exec(text);
  if (c) {
    const n = chineseInt(c[1]!);
    if (n !== undefined) return n * (c[2] ? MULT[c[2]]! : 1);
  }
  if (/所有|全部|全覆盖|全面覆盖/.test(text)) return 100;
  return undefined;
}

/** The qualifier kinds marked in `text` or right beside it in `quote` (4 characters before, 2 after). */
export function markersAround(text: string, quote: string | undefined): Kind[] {
  const at = quote ? quote.indexOf(text) : -1;
  const NUM = /[\d一二三四五六七八九十两]/;
  // before the number: up to 4 characters of the quote and the text's own words before its first digit
  const lead = text.slice(0, Math.max(0, text.search(NUM)));
  const head = ((at >= 0 ? quote!.slice(Math.max(0, at - 8), at) : '') + (text.search(NUM) >= 0 ? lead : text)).replace(NOT_MARKERS, '').slice(-4);
  // after the number: the text's words after its last digit and 2 characters of the quote
  let last = -1;
  for (let i = 0; i < text.length; i++) if (NUM.test(text[i]!)) last = i;
  const tail = (last >= 0 ? text.slice(last + 1) : text).replace(NOT_MARKERS, '') + (at >= 0 ? quote!.slice(at + text.length, at + text.length + 2) : '');
  return (Object.keys(BEFORE) as Kind[]).filter((k) => BEFORE[k].test(head) || AFTER[k].test(tail));
}

const close = (a: number, b: number) => Math.abs(a - b) <= Math.max(0.01, Math.abs(b) * 1e-6);

/** Problems of one figure: its text must state its value and its qualifier, and stand in its quote. */
export function checkFigure(f: Figure, quote: string | undefined, file: string, field: string): FaithProblem[] {
  const out: FaithProblem[] = [];
  if (quote !== undefined && !quote.includes(f.text)) out.push({ file, field: `${field}.text`, message: `“${f.text}” is not in its quote “${quote}”` });
  const n = readNumber(f.text);
  if (n === undefined) out.push({ file, field: `${field}.text`, message: `“${f.text}” states no number for value ${f.value}` });
  else if (!close(n, f.value)) out.push({ file, field: `${field}.value`, message: `${f.value} contradicts its text “${f.text}” (${n})` });
  const kinds = markersAround(f.text, quote);
  const expected = kinds.length === 0 ? 'exact' : kinds.length === 1 ? kinds[0]! : undefined;
  if (expected === undefined) out.push({ file, field: `${field}.qualifier`, message: `“${f.text}” has conflicting qualifier words (${kinds.join(', ')})` });
  else if (f.qualifier !== expected)
    out.push({
      file,
      field: `${field}.qualifier`,
      message: `${f.qualifier} is not what the source says for “${f.text}”: ${expected === 'exact' ? 'no 约/左右/近/以上/余 beside it, so exact' : expected}`,
    });
  return out;
}

/** Comparators a target's display words allow. */
function comparatorsFor(kinds: Kind[]): string[] {
  if (kinds.length === 0) return ['eq', 'gte']; // a bare number is a level to reach
  if (kinds.length > 1) return [];
  return { approx: ['approx'], over: ['gte', 'gt'], at_least: ['gte'], under: ['lte', 'lt'] }[kinds[0]!];
}

/** Whether a unit is named in `text` by its name, an alias, or its name without the leading 镇. */
function names(text: string, unit: { name: string; aliases: string[] }): boolean {
  return [unit.name, unit.name.replace(/^镇/, ''), ...unit.aliases].some((n) => n.length > 1 && text.includes(n));
}

function checkTown(t: TownBundle): FaithProblem[] {
  const dir = `towns/${t.town.id}`;
  const md = t.plan_markdown;
  const out: FaithProblem[] = [];
  const inPlan = (file: string, field: string, quote: string | undefined) => {
    if (quote !== undefined && !md.includes(quote)) out.push({ file, field, message: `“${quote}” is not in ${dir}/plan.md` });
  };
  const tf = `${dir}/town.yaml`;
  // a real town's name is the plan's; demonstration copies (benchmark towns) may be renamed
  if (!t.town.demo && !md.includes(t.town.name)) out.push({ file: tf, field: 'name', message: `“${t.town.name}” is not in ${dir}/plan.md` });
  for (const k of ['name_en', 'province', 'city', 'county'] as const) {
    const fact = t.town[k];
    if (fact?.basis === 'stated') {
      inPlan(tf, `${k}.quote`, fact.quote);
      if (fact.quote && !fact.quote.includes(fact.value)) out.push({ file: tf, field: `${k}.quote`, message: `“${fact.quote}” does not state “${fact.value}”` });
    }
  }
  for (const [k, fact] of [['plan.issuer', t.town.plan.issuer], ['plan.issued_on', t.town.plan.issued_on]] as const) {
    if (fact?.basis === 'stated') inPlan(tf, `${k}.quote`, fact.quote);
  }
  if (!md.includes(t.town.plan.title)) out.push({ file: tf, field: 'plan.title', message: `“${t.town.plan.title}” is not in ${dir}/plan.md` });
  if (!md.includes(t.town.plan.doc_number)) out.push({ file: tf, field: 'plan.doc_number', message: `“${t.town.plan.doc_number}” is not in ${dir}/plan.md` });
  t.town.profile.forEach((f, i) => {
    inPlan(tf, `profile.${i}.quote`, f.quote);
    out.push(...checkFigure(f, f.quote, tf, `profile.${i}`));
  });
  t.town.projects.forEach((p, i) => {
    inPlan(tf, `projects.${i}.quote`, p.quote);
    p.figures.forEach((f, j) => out.push(...checkFigure(f, p.quote, tf, `projects.${i}.figures.${j}`)));
  });
  t.town.milestones.forEach((m, i) => {
    if (!md.includes(m.label)) out.push({ file: tf, field: `milestones.${i}.label`, message: `“${m.label}” is not in ${dir}/plan.md` });
  });

  const lf = `${dir}/leading-group.yaml`;
  inPlan(lf, 'office.quote', t.leading_group.office.quote);
  if (!md.includes(t.leading_group.name)) out.push({ file: lf, field: 'name', message: `“${t.leading_group.name}” is not in ${dir}/plan.md` });
  const mdNoSpace = md.replace(/[ \u3000\t]/g, '');
  t.leading_group.members.forEach((m, i) => {
    if (!mdNoSpace.includes(m.name)) out.push({ file: lf, field: `members.${i}.name`, message: `“${m.name}” is not in ${dir}/plan.md` });
    if (!md.includes(m.post)) out.push({ file: lf, field: `members.${i}.post`, message: `“${m.post}” is not in ${dir}/plan.md` });
  });

  const inf = `${dir}/indicators.yaml`;
  t.indicators.forEach((ind, i) =>
    ind.targets.forEach((tg, j) => {
      const field = `${i}.targets.${j}`;
      inPlan(inf, `${field}.quote`, tg.quote);
      if (tg.kind === 'qualitative') {
        if (!tg.quote.includes(tg.text)) out.push({ file: inf, field: `${field}.text`, message: `“${tg.text}” is not in its quote “${tg.quote}”` });
        return;
      }
      if (!tg.quote.includes(tg.display)) out.push({ file: inf, field: `${field}.display`, message: `“${tg.display}” is not in its quote “${tg.quote}”` });
      const value = readNumber(tg.display);
      if (value === undefined) out.push({ file: inf, field: `${field}.display`, message: `“${tg.display}” states no number for value ${tg.value}` });
      else if (!close(value, tg.value)) out.push({ file: inf, field: `${field}.value`, message: `${tg.value} contradicts its display “${tg.display}” (${value})` });
      const allowed = comparatorsFor(markersAround(tg.display, tg.quote));
      if (!allowed.includes(tg.comparator))
        out.push({ file: inf, field: `${field}.comparator`, message: `${tg.comparator} is not what “${tg.display}” says (allowed: ${allowed.join(', ') || 'none: conflicting words'})` });
    }),
  );

  const tkf = `${dir}/tasks.yaml`;
  const units = new Map(t.units.map((u) => [u.id, u]));
  const milestones = new Map(t.town.milestones.map((m) => [m.id, m]));
  t.tasks.forEach((task, i) => {
    inPlan(tkf, `${i}.quote`, task.quote);
    if (task.units_basis === 'stated') {
      task.units.forEach((u, j) => {
        const unit = units.get(u.unit);
        if (unit && !names(task.quote, unit))
          out.push({ file: tkf, field: `${i}.units.${j}`, message: `${task.id}: units_basis is stated but its quote does not name “${unit.name}”: “${task.quote}”` });
      });
    }
    if (task.due_basis === 'stated') {
      const m = milestones.get(task.due);
      if (m && !task.quote.includes(`${m.year}`) && !task.quote.includes(m.label))
        out.push({ file: tkf, field: `${i}.due`, message: `${task.id}: due_basis is stated but its quote does not name ${m.label}: “${task.quote}”` });
    }
  });
  return out;
}

/**
 * Every faithfulness problem of `b`. `sources` maps a jurisdiction report's `source_file` to its
 * full text (content/jurisdictions/sources/).
 */
export function checkFaithful(b: ContentBundle, sources: ReadonlyMap<string, string>): FaithProblem[] {
  const out: FaithProblem[] = [];
  for (const t of b.towns) out.push(...checkTown(t));
  for (const j of b.jurisdictions) {
    const file = `jurisdictions/${j.id}.yaml`;
    if (j.province?.basis === 'stated' && j.province.quote && !j.province.quote.includes(j.province.value))
      out.push({ file, field: 'province.quote', message: `“${j.province.quote}” does not state “${j.province.value}”` });
    j.reports.forEach((r, ri) => {
      const src = sources.get(r.source_file);
      if (src === undefined) {
        out.push({ file, field: `reports.${ri}.source_file`, message: `“${r.source_file}” is not in jurisdictions/sources/` });
        return;
      }
      const flat = src.replace(/\s+/g, '');
      const inSource = (field: string, q: string | undefined) => {
        if (q !== undefined && !src.includes(q) && !flat.includes(q.replace(/\s+/g, '')))
          out.push({ file, field, message: `“${q}” is not in jurisdictions/sources/${r.source_file}` });
      };
      if (j.province?.basis === 'stated' && ri === 0) inSource('province.quote', j.province.quote);
      if (!flat.includes(j.name)) out.push({ file, field: 'name', message: `“${j.name}” is not in jurisdictions/sources/${r.source_file}` });
      if (r.doc_number && !flat.includes(r.doc_number.replace(/\s+/g, '')))
        out.push({ file, field: `reports.${ri}.doc_number`, message: `“${r.doc_number}” is not in jurisdictions/sources/${r.source_file}` });
      r.figures.forEach((f, fi) => {
        const field = `reports.${ri}.figures.${fi}`;
        inSource(`${field}.quote`, f.quote);
        out.push(...checkFigure(f, f.quote, file, field));
        if (f.as_of_text && !f.quote.includes(f.as_of_text))
          out.push({ file, field: `${field}.as_of_text`, message: `“${f.as_of_text}” is not in its quote “${f.quote}”` });
        if (f.as_of && f.as_of !== r.date && !f.quote.includes(`${f.as_of.slice(0, 4)}年`))
          out.push({ file, field: `${field}.as_of`, message: `${f.as_of}: its quote names no ${f.as_of.slice(0, 4)}年 and the reply is not dated so (“${f.quote}”)` });
      });
    });
  }
  return out;
}
