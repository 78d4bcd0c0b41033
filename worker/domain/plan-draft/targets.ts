/**
 * Milestones and targets from a plan's goals (and the dated sentences of its tasks): value, comparator and
 * qualifier read from the words (70%以上, 10个左右, 三分之二, 全覆盖, 2个), mapped to a catalogue indicator only
 * when the words measure the same thing (catalogue-match.ts), otherwise left for a person as a new indicator.
 * - A goal clause the catalogue does not know, right after a qualitative goal of the same sentence it does know,
 *   continues that goal (…服务体系不断健全，患病老年人得到有效治疗): its words join that target (listed in DRAFT.md).
 * - A task's dated target for the same indicator and date as a goal's is not a second target: restating it adds
 *   nothing, contradicting it is listed in DRAFT.md and the goals part wins (draft.ts).
 */
import type { Comparator, Milestone, ProfileFigure, Target } from '../content.ts';
import { markersAround, readNumber } from '../content-faithful.ts';
import { matchCatalogue } from './catalogue-match.ts';
import { sentences, type Outline } from './outline.ts';

/** A target as drafted: its catalogue indicator, or a proposal for a new one. */
export interface DraftTarget {
  indicator?: string;
  /** For an unmapped target: the name a new indicator would have (the words measured). */
  proposal?: { name: string; kind: 'numeric' | 'qualitative'; unit?: string; why: string };
  target: Target;
  /** Where the plan states it: its goals part, or a dated sentence of its tasks (the goals part wins a clash). */
  from: 'goals' | 'tasks';
  /** Clauses of the same sentence folded into this qualitative goal as its continuation (listed in DRAFT.md). */
  folded?: string[];
}

const YEAR_GOAL = /^(?:到|至|于)(\d{4})年((?:年底|底|末|年末)?)/;
/** Count targets: a number, its unit and the qualifier after it (10个左右). */
const COUNT = /(\d+|[一二两三四五六七八九十]+)(个|处|家|所|张|名|支|项|座|条)(左右|以上|以下)?/g;
const PERCENT = /(\d+(?:\.\d+)?)[%％](以上|左右|以下)?/g;
const FRACTION = /[一二三四五六七八九十]+分之[一二三四五六七八九十]+/g;
const ALL = /所有([\u4e00-\u9fa5]{2,12}?)(?=为|提供|实现|都|均|的|，|。|$)/g;
const FULL = /([\u4e00-\u9fa5]{0,2})全覆盖/g;

/** Milestones: one per year-end the goals name (到2018年年底 …), in order. */
export function milestones(o: Outline): Milestone[] {
  const out = new Map<number, Milestone>();
  const add = (year: number, label: string) => {
    if (!out.has(year)) out.set(year, { id: `y${year}`, year, label, due: `${year}-12-31` });
  };
  for (const b of o.blocks) {
    if (b.kind !== 'goals') continue;
    const m = YEAR_GOAL.exec(b.text);
    if (m) add(Number(m[1]), `${m[1]}年${m[2]}`);
  }
  if (out.size === 0) {
    for (const b of o.blocks) for (const m of b.text.matchAll(/(?:到|至)(\d{4})年((?:年底|底|末)?)/g)) add(Number(m[1]), `${m[1]}年${m[2]}`);
  }
  return [...out.values()].sort((a, b) => a.year - b.year);
}

function comparatorOf(display: string, quote: string): Comparator {
  const kinds = markersAround(display, quote);
  if (kinds.length === 0) return /分之/.test(display) ? 'gte' : 'eq';
  return ({ approx: 'approx', over: 'gte', at_least: 'gte', under: 'lte' } as const)[kinds[0]!];
}

/** The noun a count counts: the words after it up to the next 、，。 (10个左右市级智慧健康养老示范社区 → 市级智慧健康养老示范社区). */
const objectAfter = (clause: string, end: number) => clause.slice(end).replace(/^的/, '').split(/[、，。；,]/)[0] ?? '';

/** Numeric targets a clause states, in order of their words. */
function numericIn(clause: string, quote: string, villages: ProfileFigure | undefined): { display: string; value: number; unit: string; object: string; denominator?: { value: number; unit: string } }[] {
  const found: { at: number; display: string; value: number; unit: string; object: string; denominator?: { value: number; unit: string } }[] = [];
  const taken: [number, number][] = [];
  const free = (a: number, b: number) => !taken.some(([x, y]) => a < y && b > x);
  for (const m of clause.matchAll(PERCENT)) {
    found.push({ at: m.index, display: m[0], value: Number(m[1]), unit: '%', object: objectAfter(clause, m.index + m[0].length) });
    taken.push([m.index, m.index + m[0].length]);
  }
  for (const m of clause.matchAll(FRACTION)) {
    const object = objectAfter(clause, m.index + m[0].length);
    const den = villages && object.startsWith(villages.unit.replace(/^个/, '')) ? { value: villages.value, unit: villages.unit } : undefined;
    found.push({ at: m.index, display: m[0], value: readNumber(m[0])!, unit: '%', object, ...(den ? { denominator: den } : {}) });
    taken.push([m.index, m.index + m[0].length]);
  }
  for (const m of clause.matchAll(COUNT)) {
    if (!free(m.index, m.index + m[0].length) || /岁/.test(clause.slice(m.index + m[0].length, m.index + m[0].length + 1))) continue;
    if (/[\d.]$/.test(clause.slice(0, m.index)) || (/^[一二两三四五六七八九十]/.test(m[1]!) && m[1]!.length === 1 && m[1] === '一')) continue;
    const value = readNumber(m[1]!);
    if (value === undefined) continue;
    const display = m[0];
    found.push({ at: m.index, display, value, unit: m[2]!, object: objectAfter(clause, m.index + m[0].length) });
    taken.push([m.index, m.index + m[0].length]);
  }
  for (const m of clause.matchAll(/(?:一半|半数)(?:以上)?/g)) {
    found.push({ at: m.index, display: m[0], value: 50, unit: '%', object: objectAfter(clause, m.index + m[0].length) });
  }
  for (const m of clause.matchAll(ALL)) {
    found.push({ at: m.index, display: m[0], value: 100, unit: '%', object: m[1]! });
  }
  for (const m of clause.matchAll(FULL)) {
    if (clause.slice(0, m.index).endsWith('面')) continue;
    found.push({ at: m.index, display: m[0], value: 100, unit: '%', object: clause });
  }
  void quote;
  return found.sort((a, b) => a.at - b.at);
}

/** Goal texts that start a whole-sentence goal (鼓励…，加快… is one goal). */
const WHOLE_SENTENCE = /^(?:鼓励|推动|推进|加快|引导|支持)/;

/** Every target of the goals part and every dated target of the tasks, in document order. */
export function targets(o: Outline, ms: Milestone[], knownIds: ReadonlySet<string>, profile: ProfileFigure[]): DraftTarget[] {
  const out: DraftTarget[] = [];
  const byYear = new Map(ms.map((m) => [m.year, m]));
  const villages = profile.find((f) => f.unit === '个行政村');
  const numeric = (clause: string, quote: string, milestone: string, from: DraftTarget['from']) => {
    for (const n of numericIn(clause, quote, villages)) {
      const target: Target = {
        milestone,
        kind: 'numeric',
        comparator: comparatorOf(n.display, quote),
        value: n.value,
        unit: n.unit,
        display: n.display,
        ...(n.denominator ? { denominator: n.denominator } : {}),
        quote,
      };
      const indicator = matchCatalogue('numeric', quote, n.object, knownIds);
      out.push(
        indicator
          ? { indicator, target, from }
          : { target, from, proposal: { name: n.unit === '%' ? clause : n.object || clause, kind: 'numeric', unit: n.unit, why: `目录中没有计量“${n.unit === '%' ? clause : n.object || clause}”的指标 / no catalogue indicator measures this` } },
      );
    }
  };
  const qualitative = (text: string, quote: string, milestone: string, from: DraftTarget['from']): DraftTarget | undefined => {
    if (text.length < 6) return undefined;
    const indicator = matchCatalogue('qualitative', text, text, knownIds);
    const target: Target = { milestone, kind: 'qualitative', text, quote };
    const t: DraftTarget = indicator ? { indicator, target, from } : { target, from, proposal: { name: text, kind: 'qualitative', why: `目录中没有与“${text}”同义的定性目标 / no catalogue indicator states this goal` } };
    out.push(t);
    return t;
  };
  let current: Milestone | undefined;
  for (const b of o.blocks) {
    if (b.kind === 'goals' && b.level === 0) {
      const m = YEAR_GOAL.exec(b.text);
      if (m) current = byYear.get(Number(m[1]));
      if (!current) continue;
      for (const s of sentences(b.text)) {
        const body = s.replace(/[。！？]$/, '');
        const clauses = body.split(/[，,；]/).filter((c) => c && !YEAR_GOAL.test(c) || (YEAR_GOAL.test(c) && c.replace(YEAR_GOAL, '').length > 0));
        const hasNumber = clauses.some((c) => numericIn(c, c, villages).length > 0);
        if (!hasNumber && WHOLE_SENTENCE.test(body)) {
          qualitative(body, s, current.id, 'goals');
          continue;
        }
        // the qualitative goal the catalogue knows that the previous clause of this sentence set, if any
        let lastKnown: DraftTarget | undefined;
        for (const c of clauses) {
          const clause = c.replace(YEAR_GOAL, '').replace(/^年内/, '');
          if (numericIn(c, c, villages).length) {
            numeric(c, c, current.id, 'goals');
            lastKnown = undefined;
            continue;
          }
          // a clause the catalogue does not know, right after one it does (服务体系不断健全，患病老年人得到有效治疗),
          // reads as that goal's continuation, not a goal of its own: it joins that target's words (DRAFT.md says so)
          const prev = lastKnown?.target;
          if (prev?.kind === 'qualitative' && clause.length >= 6 && !matchCatalogue('qualitative', clause, clause, knownIds)) {
            const at = body.indexOf(prev.text);
            const joined = at >= 0 ? body.slice(at, body.indexOf(clause, at + prev.text.length) + clause.length) : '';
            if (joined.endsWith(clause) && joined.length <= prev.text.length + clause.length + 1) {
              prev.text = joined;
              (lastKnown!.folded ??= []).push(clause);
              continue;
            }
          }
          const t = qualitative(clause, YEAR_GOAL.test(body) ? s : c, current.id, 'goals');
          lastKnown = t?.indicator ? t : undefined;
        }
      }
    }
    if (b.kind === 'key_tasks' || b.kind === 'guarantees') {
      for (const s of sentences(b.text)) {
        // clauses with their places in the sentence, so a quote of two clauses keeps the sentence's own comma
        const spans = [...s.replace(/[。！？]$/, '').matchAll(/[^，,；]+/g)].map((m) => ({ text: m[0], from: m.index, to: m.index + m[0].length }));
        spans.forEach((c, i) => {
          const m = /^(?:到|至)(\d{4})年(?:年底|底|末)?(.*)$/.exec(c.text);
          const ms = m ? byYear.get(Number(m[1])) : undefined;
          if (!m || !ms) return;
          const next = spans[i + 1];
          if (numericIn(c.text, c.text, villages).length) {
            const from = spans[Math.max(0, i - 1)]!.from;
            numeric(c.text, s.slice(from, c.to), ms.id, 'tasks');
          } else if (!m[2] && next) {
            const quote = s.slice(c.from, next.to);
            if (numericIn(next.text, next.text, villages).length) numeric(next.text, quote, ms.id, 'tasks');
            else qualitative(next.text, quote, ms.id, 'tasks');
          }
        });
      }
    }
  }
  return out;
}
