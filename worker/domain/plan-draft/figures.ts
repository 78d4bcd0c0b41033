/**
 * Profile figures (行政村, 户数, 人口, 65岁以上老年人 …) from the background part of a plan: each with its
 * words (`text`), value, qualifier read by the same rule content:check applies, and its sentence (`quote`).
 */
import type { ProfileFigure } from '../content.ts';
import { markersAround, readNumber } from '../content-faithful.ts';
import { sentences, type Outline } from './outline.ts';

/** A figure whose qualifier words conflict: a person must decide. */
export interface FigureDecision {
  figure: ProfileFigure;
  reason: string;
}

const FIGURE = /(\d+(?:\.\d+)?)(万|亿)?(个行政村|个社区|个自然村|个村|平方公里|人次|户|人|%|％|亩|家|张|所|处|MW)/g;
/** Sub-parts about projects under way: their figures describe a project, not the town. */
const PROJECTS = /现状|项目|进展|成效/;
/** A word for a bare figure of this unit. */
const BARE: Record<string, string> = { 户: '户数', 人: '人口', 个行政村: '行政村', 个社区: '社区', 个村: '村', 个自然村: '自然村', 平方公里: '面积' };

/** The words before a figure in its clause that say what is counted (其中65岁以上老年人6106人 → 65岁以上老年人). */
function labelBefore(clause: string, at: number, unit: string, previous: string | undefined): string {
  let words = clause.slice(0, at).replace(/^(?:全镇|全乡|全街道|其中|目前|现有|共有|辖|有|镇域|全系统)+/, '');
  words = words.replace(/(?:辖|现有|共有|设有|达到|达|为|有|约|突破|超过|近|共|总|计)+$/, '');
  if (/^占.*的?$/.test(words) && previous) return `${previous}${words.replace(/的$/, '')}比例`;
  if (!words || /^[\d.]/.test(words)) return BARE[unit] ?? unit;
  return words.replace(/^(?:全镇|全乡)/, '');
}

/** Profile figures of the background part, in document order, and the ones whose qualifier a person must decide. */
export function profileFigures(o: Outline): { figures: ProfileFigure[]; decisions: FigureDecision[] } {
  const figures: ProfileFigure[] = [];
  const decisions: FigureDecision[] = [];
  for (const b of o.blocks) {
    if (b.kind !== 'background' || b.level === 1) continue;
    const sub = b.l2 >= 0 ? o.blocks[b.l2]!.heading ?? '' : '';
    if (PROJECTS.test(sub) || (b.level === 2 && PROJECTS.test(b.heading ?? ''))) continue;
    for (const s of sentences(b.text)) {
      let previous: string | undefined;
      for (const clause of s.split(/[，,；]/)) {
        for (const m of clause.matchAll(FIGURE)) {
          const before = clause.slice(0, m.index);
          if (/[\d.]$/.test(before)) continue;
          const unit = m[3] === '％' ? '%' : m[3]!;
          const text = m[0];
          const value = readNumber(text);
          if (value === undefined) continue;
          const label = labelBefore(clause, m.index, unit, previous);
          previous = label;
          const kinds = markersAround(text, s);
          const f: ProfileFigure = { label, value, unit, qualifier: kinds.length === 1 ? kinds[0]! : 'exact', text, quote: s };
          figures.push(f);
          if (kinds.length > 1) decisions.push({ figure: f, reason: `“${text}”旁有互相矛盾的限定词（${kinds.join('、')}），请定 qualifier / conflicting qualifier words` });
        }
      }
    }
  }
  return { figures, decisions };
}
