/**
 * A plan document's text → its outline: the heading lines its numbering makes (一、 （一） 1. （1）),
 * the paragraphs under each, and plan.md with `##`/`###` headings. Pure: no file system, runs in Node and workerd.
 */
import type { z } from 'zod';
import type { SectionKind } from '../content.ts';

type Kind = z.infer<typeof SectionKind>;

/** One block of the document, in order. */
export interface Block {
  /** 1 一、  2 （一）  3 1.  4 （1）; 0 for a paragraph, a list line or a table row. */
  level: 0 | 1 | 2 | 3 | 4;
  /** The outline number as printed ("一", "（一）" → "一", "（2）" → "2"), for headings. */
  number?: string;
  /** Heading text: the line up to its first 。 (the heading's own words, number included). */
  heading?: string;
  /** Body text: for a heading, what follows its first 。 on the same line; for a paragraph, the line. */
  text: string;
  /** Table cells, where the block is a table row (from a Word table). */
  cells?: string[];
  /** Index of the L1 / L2 / L3 heading this block sits under (-1 when none). */
  l1: number;
  l2: number;
  l3: number;
  /** Part of the plan this block belongs to. */
  kind: Kind;
}

/** A parsed document: header facts, blocks and the plan.md text. */
export interface Outline {
  /** 文号, e.g. 冯政发〔2018〕24号, where the document prints one before its title. */
  docNumber?: string;
  /** The plan's title line (…方案 / …意见 / …通知 / …计划). */
  title?: string;
  blocks: Block[];
  /** The plan's text with `##`/`###` headings, every word kept. */
  markdown: string;
  /** Each `##`/`###` heading of plan.md with its part. */
  sections: { heading: string; kind: Kind }[];
}

const CN = '一二三四五六七八九十';
const L1 = new RegExp(`^([${CN}]+)[、．.]\\s*`);
const L2 = new RegExp(`^[（(]([${CN}]+)[)）]\\s*`);
const L3 = /^(\d{1,2})[.．、]\s*(?!\d)/;
const L4 = /^[（(](\d{1,2})[)）]\s*/;
export const DOC_NUMBER = /^[\u4e00-\u9fa5]{1,8}〔\d{4}〕\d{1,4}号$/;
const TITLE = /^关于.{2,60}(?:方案|意见|通知|计划|规划)$|^.{2,40}(?:工作方案|实施方案|行动方案|实施意见|工作计划)$/;

/** Chinese numeral 1–99 → number. */
export function cnNumber(s: string): number {
  if (/^\d+$/.test(s)) return Number(s);
  if (s === '十') return 10;
  const [a, b] = s.split('十');
  if (b === undefined) return CN.indexOf(a!) + 1;
  return (a ? CN.indexOf(a) + 1 : 1) * 10 + (b ? CN.indexOf(b) + 1 : 0);
}
/** number → Chinese numeral (1–99). */
export function numberCn(n: number): string {
  if (n <= 10) return n === 10 ? '十' : CN[n - 1]!;
  const t = Math.floor(n / 10);
  const u = n % 10;
  return `${t > 1 ? CN[t - 1] : ''}十${u ? CN[u - 1] : ''}`;
}

/** Part of the plan a heading names, or undefined when its words name none. */
export function kindOf(title: string): Kind | undefined {
  if (/领导小组.*(名单|成员)|成员名单/.test(title)) return 'leading_group';
  if (/目标/.test(title)) return 'goals';
  if (/基本原则|原则/.test(title)) return 'principles';
  if (/指导思想|总体要求|总体思路/.test(title)) return 'guiding_principles';
  if (/现实基础|基本情况|工作基础|现状|基础条件|背景/.test(title)) return 'background';
  if (/保障|措施|组织领导|工作要求/.test(title)) return 'guarantees';
  if (/任务|重点工作|主要工作|工作内容|实施步骤/.test(title)) return 'key_tasks';
  return undefined;
}

/** Splits a heading line at its first 。: the heading's own words and the sentence after it. */
function splitHeading(line: string): { heading: string; rest: string } {
  const i = line.search(/。/);
  // a closing 。 is the heading's full stop; a ； is kept, as plan.md keeps every character but the 。 it splits at
  if (i < 0 || i > 40) return { heading: line.replace(/。$/, ''), rest: '' };
  return { heading: line.slice(0, i), rest: line.slice(i + 1).trim() };
}

/** Normalises line ends and drops a byte-order mark; keeps every character of the text. */
export function normaliseText(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').replace(/\u00a0/g, ' ');
}

/** Reads the document's lines (a table row as cells separated by tabs) into an outline. */
export function outline(text: string): Outline {
  const lines = normaliseText(text)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const out: Outline = { blocks: [], markdown: '', sections: [] };
  const md: string[] = [];
  let l1 = -1, l2 = -1, l3 = -1;
  let kind1: Kind = 'preamble', kind2: Kind | undefined;
  let l2count = 0, l3seen = false;
  let inList = false;
  let i = 0;
  // header: 文号 and title before the first numbered heading
  for (; i < lines.length; i++) {
    const l = lines[i]!;
    if (L1.test(l)) break;
    if (!out.docNumber && DOC_NUMBER.test(l)) {
      out.docNumber = l;
      md.push(l, '');
      continue;
    }
    if (!out.title && TITLE.test(l)) {
      out.title = l;
      md.push(`## ${l}`, '');
      out.sections.push({ heading: l, kind: 'preamble' });
      continue;
    }
    out.blocks.push({ level: 0, text: l, l1, l2, l3, kind: 'preamble' });
    md.push(l, '');
  }
  for (; i < lines.length; i++) {
    let l = lines[i]!;
    const push = (b: Omit<Block, 'l1' | 'l2' | 'l3' | 'kind'>) => {
      const kind = kind2 ?? kind1;
      out.blocks.push({ ...b, l1, l2, l3, kind });
      return out.blocks.length - 1;
    };
    const heading = (level: 2 | 3, h: string, kind: Kind) => {
      if (inList) md.push('');
      inList = false;
      md.push(`${'#'.repeat(level)} ${h}`, '');
      out.sections.push({ heading: h, kind });
    };
    if (l.includes('\t')) {
      const cells = l.split('\t').map((c) => c.trim());
      push({ level: 0, text: cells.join(' | '), cells });
      if (!inList) md.push('');
      if (!md.at(-2)?.startsWith('|')) {
        md.push(`| ${cells.join(' | ')} |`, `|${cells.map(() => ' --- |').join('')}`);
      } else md.push(`| ${cells.join(' | ')} |`);
      inList = true;
      continue;
    }
    if (inList && md.at(-1)?.startsWith('|')) {
      md.push('');
      inList = false;
    }
    // the leading group's list: a line naming the group, optionally followed by "成员名单"
    if (/领导小组$/.test(l) && /^成员名单$/.test(lines[i + 1] ?? '')) {
      l = `${l}${lines[i + 1]}`;
      i++;
    }
    if (/(领导小组|工作专班).{0,6}(成员)?名单$/.test(l) && l.length <= 40) {
      kind1 = 'leading_group';
      kind2 = undefined;
      l1 = push({ level: 1, heading: l, text: '' });
      l2 = l3 = -1;
      heading(2, l, 'leading_group');
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = L1.exec(l))) {
      const { heading: h, rest } = splitHeading(l);
      kind1 = kindOf(h) ?? (kind1 === 'preamble' ? 'background' : kind1);
      kind2 = undefined;
      l1 = out.blocks.length;
      l2 = l3 = -1;
      l2count = 0;
      push({ level: 1, number: m[1]!, heading: h, text: rest });
      heading(2, h, kind1);
      if (rest) md.push(rest, '');
      continue;
    }
    const m4 = L4.exec(l);
    // "（2）" where "（二）" is due reads as the next second-level heading (a printing slip kept as printed)
    const asL2 = (m = L2.exec(l)) || (m4 && !l3seen && Number(m4[1]) === l2count + 1 && l1 >= 0);
    if (asL2) {
      const num = m ? m[1]! : m4![1]!;
      const { heading: h, rest } = splitHeading(l);
      l2count = cnNumber(num);
      l3seen = false;
      kind2 = kindOf(h.replace(L2, '').replace(L4, '')) ?? undefined;
      if (kind1 === 'key_tasks' || kind1 === 'guarantees') kind2 = kind2 === 'leading_group' ? kind2 : undefined;
      l2 = out.blocks.length;
      l3 = -1;
      push({ level: 2, number: num, heading: h, text: rest });
      heading(3, h, kind2 ?? kind1);
      if (rest) md.push(rest, '');
      continue;
    }
    if ((m = L3.exec(l)) && l1 >= 0) {
      l3seen = true;
      const { heading: h, rest } = splitHeading(l);
      l3 = out.blocks.length;
      push({ level: 3, number: m[1]!, heading: h, text: rest });
      md.push(l, '');
      continue;
    }
    if (m4 && l1 >= 0) {
      const { heading: h, rest } = splitHeading(l);
      push({ level: 4, number: m4[1]!, heading: h, text: rest });
      md.push(l, '');
      continue;
    }
    push({ level: 0, text: l });
    if ((kind2 ?? kind1) === 'leading_group' && !/。$/.test(l) && !/^领导小组办公室/.test(l)) {
      md.push(`- ${l}`);
      inList = true;
    } else {
      if (inList) md.push('');
      inList = false;
      md.push(l, '');
    }
  }
  out.markdown = md.join('\n').replace(/\n{3,}/g, '\n\n').trim() + '\n';
  return out;
}

/** Splits a paragraph into sentences ending in 。！？ (the mark kept), or at its end. */
export function sentences(text: string): string[] {
  return text.match(/[^。！？]+[。！？]?/g)?.map((s) => s.trim()).filter((s) => s.length > 0) ?? [];
}

/**
 * Splits a task paragraph into its items: sentences, and clauses a ； sets apart (冯卯中心卫生院增设…；提高…),
 * except inside brackets or quotes, where a ； lists parts of one item (（五保障：…；四优先：…）).
 */
export function taskSentences(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if ('（(“《'.includes(c)) depth++;
    else if ('）)”》'.includes(c)) depth = Math.max(0, depth - 1);
    else if ('。！？'.includes(c) || (c === '；' && depth === 0)) {
      out.push(text.slice(from, i + 1).trim());
      from = i + 1;
      depth = 0;
    }
  }
  if (from < text.length) out.push(text.slice(from).trim());
  return out.filter((s) => s.length > 0);
}
