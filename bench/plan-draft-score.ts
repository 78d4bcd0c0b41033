/**
 * Compares a draft town folder with one written by hand: precision and recall per kind.
 *   members: (name, post) equal;
 *   targets: (milestone, indicator, value, comparator) equal (qualitative: milestone, indicator);
 *   tasks:   one-to-one pairs by quote (same quote, or one holds the other, or ≥ 60 % of the shorter's
 *            characters in common), then (code, quote, units, due) all equal for the strict score, and each
 *            of the four fields on its own (precision and recall of tasks agreeing on that field). Units are
 *            compared as the same units in the same roles, a draft unit being the hand-written one when any of
 *            their names in units.yaml (name, name without 镇, aliases) agree: the draft cannot know the
 *            editors' ids (weijiban) or which of 卫健办 / 卫生健康办公室 they chose as the name.
 *            Also (an additional view) on the fields the document states: code, quote, and units / due only
 *            where the hand-written task marks them `stated` — an `inferred` one is the editors' judgement.
 */
import { parse } from 'yaml';
import type { LeadingGroup, TaskDef, TownIndicator, Unit } from '../worker/domain/content.ts';

export interface PR {
  draft: number;
  truth: number;
  matched: number;
  precision: number;
  recall: number;
}
export interface DraftScore {
  members: PR;
  targets: PR;
  targetsNumeric: PR;
  /** Tasks whose code, quote, units and due all agree. */
  tasks: PR;
  /** Tasks paired by quote only. */
  tasksByQuote: PR;
  /** Tasks agreeing on each field of the issue on its own (a draft task counts when paired and the field agrees). */
  taskFieldPR: Record<TaskField, PR>;
  /**
   * Tasks agreeing on the fields the document states (an additional view, not the issue's score): code and
   * quote always, units only where the hand-written units are `stated`, due only where its due is `stated`.
   */
  tasksStated: PR;
  /** The hand-written tasks (all / deliverables) and how many of them mark units or due `inferred`: the editors' judgement. */
  truthBasis: { tasks: number; deliverables: number; unitsInferred: number; unitsInferredDeliverables: number; dueInferred: number; dueInferredDeliverables: number };
  /** Of the pairs: share with the same code, quote, units, due, first lead unit and units basis (stated/inferred). */
  taskFields: { code: number; quote: number; units: number; lead: number; due: number; unitsStated: number };
}

/** The four fields of a task the issue compares. */
export type TaskField = 'code' | 'quote' | 'units' | 'due';

const pr = (draft: number, truth: number, matched: number, matchedTruth = matched): PR => ({
  draft,
  truth,
  matched,
  precision: draft ? matched / draft : 1,
  recall: truth ? matchedTruth / truth : 1,
});

/** Files of a town folder, by name (town.yaml, tasks.yaml …). */
export type TownFiles = Record<string, string>;

function targetKeys(files: TownFiles, numericOnly: boolean): string[] {
  const list = parse(files['indicators.yaml']!) as TownIndicator[];
  return list.flatMap((i) =>
    i.targets
      .filter((t) => !numericOnly || t.kind === 'numeric')
      .map((t) => {
        // a proposed new indicator (draft-indicator-*) and an editor's new one (new-*) are the same decision
        const id = /^(draft-indicator-|new-)/.test(i.indicator) ? 'new' : i.indicator;
        return t.kind === 'numeric' ? `${t.milestone}|${id}|${t.value}|${t.comparator}` : `${t.milestone}|${id}${id === 'new' ? `|${t.text}` : ''}`;
      }),
  );
}
function multisetMatch(a: string[], b: string[]): number {
  const left = [...b];
  let n = 0;
  for (const x of a) {
    const i = left.indexOf(x);
    if (i >= 0) {
      left.splice(i, 1);
      n++;
    }
  }
  return n;
}
const strip = (s: string) => s.replace(/[，。；、：“”（）()\s|]/g, '');
function quoteScore(a: string, b: string): number {
  const x = strip(a);
  const y = strip(b);
  if (x === y) return 1;
  if (x.includes(y) || y.includes(x)) return 0.9;
  const [s, l] = x.length < y.length ? [x, y] : [y, x];
  const grams = new Set<string>();
  for (let i = 0; i + 1 < l.length; i++) grams.add(l.slice(i, i + 2));
  let n = 0;
  for (let i = 0; i + 1 < s.length; i++) if (grams.has(s.slice(i, i + 2))) n++;
  return s.length > 1 ? n / (s.length - 1) : 0;
}

/** Scores `draft` against `truth` (both town folders' files). */
export function scoreDraft(draft: TownFiles, truth: TownFiles): DraftScore {
  const dm = (parse(draft['leading-group.yaml']!) as LeadingGroup).members.map((m) => `${m.name}|${m.post}`);
  const tm = (parse(truth['leading-group.yaml']!) as LeadingGroup).members.map((m) => `${m.name}|${m.post}`);
  const dt = targetKeys(draft, false);
  const tt = targetKeys(truth, false);
  const dn = targetKeys(draft, true);
  const tn = targetKeys(truth, true);
  // a unit's key: the hand-written unit's id when any name agrees, else the draft's own name
  const names = (u: Unit) => [u.name, u.name.replace(/^镇/, ''), ...(u.aliases ?? [])];
  const truthUnits = parse(truth['units.yaml']!) as Unit[];
  const byName = new Map(truthUnits.flatMap((u) => names(u).map((n) => [n, u.id] as const)));
  const tu = new Map(truthUnits.map((u) => [u.id, u.id]));
  const du = new Map((parse(draft['units.yaml']!) as Unit[]).map((u) => [u.id, names(u).map((n) => byName.get(n)).find(Boolean) ?? `draft:${u.name}`]));
  const dTasks = parse(draft['tasks.yaml']!) as TaskDef[];
  const tTasks = parse(truth['tasks.yaml']!) as TaskDef[];
  // one-to-one pairs, best quote agreement first, parents only with parents
  const cands: { d: number; t: number; s: number }[] = [];
  dTasks.forEach((d, i) =>
    tTasks.forEach((t, j) => {
      if ((d.kind === 'deliverable') !== (t.kind === 'deliverable')) return;
      const s = quoteScore(d.quote, t.quote);
      if (s >= 0.6) cands.push({ d: i, t: j, s });
    }),
  );
  cands.sort((a, b) => b.s - a.s);
  const usedD = new Set<number>();
  const usedT = new Set<number>();
  const pairs: [TaskDef, TaskDef][] = [];
  for (const c of cands) {
    if (usedD.has(c.d) || usedT.has(c.t)) continue;
    usedD.add(c.d);
    usedT.add(c.t);
    pairs.push([dTasks[c.d]!, tTasks[c.t]!]);
  }
  const unitsOf = (t: TaskDef, key: Map<string, string>) => t.units.map((u) => `${key.get(u.unit)}:${u.role}`).sort().join(',');
  const agrees: Record<TaskField, (d: TaskDef, t: TaskDef) => boolean> = {
    code: (d, t) => d.code === t.code,
    quote: (d, t) => quoteScore(d.quote, t.quote) >= 0.9,
    units: (d, t) => unitsOf(d, du) === unitsOf(t, tu),
    due: (d, t) => d.due === t.due,
  };
  const count = (f: (d: TaskDef, t: TaskDef) => boolean) => pairs.filter(([d, t]) => f(d, t)).length;
  const same = {
    code: count(agrees.code),
    quote: count(agrees.quote),
    units: count(agrees.units),
    lead: count((d, t) => du.get(d.units.find((u) => u.role === 'lead')?.unit ?? '') === tu.get(t.units.find((u) => u.role === 'lead')?.unit ?? '')),
    due: count(agrees.due),
    unitsStated: count((d, t) => (d.units_basis === 'stated') === (t.units_basis === 'stated')),
  };
  const fields = Object.keys(agrees) as TaskField[];
  const strict = count((d, t) => fields.every((f) => agrees[f](d, t)));
  const onStated = count((d, t) => agrees.code(d, t) && agrees.quote(d, t) && (t.units_basis !== 'stated' || agrees.units(d, t)) && (t.due_basis !== 'stated' || agrees.due(d, t)));
  const deliverables = tTasks.filter((t) => t.kind === 'deliverable');
  const share = (n: number) => (pairs.length ? n / pairs.length : 1);
  return {
    members: pr(dm.length, tm.length, multisetMatch(dm, tm)),
    targets: pr(dt.length, tt.length, multisetMatch(dt, tt)),
    targetsNumeric: pr(dn.length, tn.length, multisetMatch(dn, tn)),
    tasks: pr(dTasks.length, tTasks.length, strict),
    tasksByQuote: pr(dTasks.length, tTasks.length, pairs.length),
    tasksStated: pr(dTasks.length, tTasks.length, onStated),
    truthBasis: {
      tasks: tTasks.length,
      deliverables: deliverables.length,
      unitsInferred: tTasks.filter((t) => t.units_basis === 'inferred').length,
      unitsInferredDeliverables: deliverables.filter((t) => t.units_basis === 'inferred').length,
      dueInferred: tTasks.filter((t) => t.due_basis === 'inferred').length,
      dueInferredDeliverables: deliverables.filter((t) => t.due_basis === 'inferred').length,
    },
    taskFieldPR: { code: pr(dTasks.length, tTasks.length, same.code), quote: pr(dTasks.length, tTasks.length, same.quote), units: pr(dTasks.length, tTasks.length, same.units), due: pr(dTasks.length, tTasks.length, same.due) },
    taskFields: { code: share(same.code), quote: share(same.quote), units: share(same.units), lead: share(same.lead), due: share(same.due), unitsStated: share(same.unitsStated) },
  };
}
