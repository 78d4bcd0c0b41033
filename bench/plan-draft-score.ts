/**
 * Compares a draft town folder with one written by hand: precision and recall per kind.
 *   members: (name, post) equal;
 *   targets: (milestone, indicator, value, comparator) equal (qualitative: milestone, indicator);
 *   tasks:   one-to-one pairs by quote (same quote, or one holds the other, or ≥ 60 % of the shorter's
 *            characters in common), then (code, quote, units by name, due) all equal for the strict score;
 *            the pairing alone and each field's agreement (and the first lead unit's) are reported beside it.
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
  /** Of the pairs: share with the same code, the same units (by name), the same due. */
  taskFields: { code: number; units: number; lead: number; due: number; unitsStated: number };
}

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
  const unitNames = (files: TownFiles) => new Map((parse(files['units.yaml']!) as Unit[]).map((u) => [u.id, u.name.replace(/^镇/, '')]));
  const du = unitNames(draft);
  const tu = unitNames(truth);
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
  const unitsOf = (t: TaskDef, names: Map<string, string>) => t.units.map((u) => `${names.get(u.unit)}:${u.role}`).sort().join(',');
  const same = {
    code: pairs.filter(([d, t]) => d.code === t.code).length,
    units: pairs.filter(([d, t]) => unitsOf(d, du) === unitsOf(t, tu)).length,
    lead: pairs.filter(([d, t]) => du.get(d.units.find((u) => u.role === 'lead')?.unit ?? '') === tu.get(t.units.find((u) => u.role === 'lead')?.unit ?? '')).length,
    due: pairs.filter(([d, t]) => d.due === t.due).length,
    unitsStated: pairs.filter(([d, t]) => (d.units_basis === 'stated') === (t.units_basis === 'stated')).length,
  };
  const strict = pairs.filter(([d, t]) => d.code === t.code && d.due === t.due && unitsOf(d, du) === unitsOf(t, tu) && quoteScore(d.quote, t.quote) >= 0.9).length;
  const share = (n: number) => (pairs.length ? n / pairs.length : 1);
  return {
    members: pr(dm.length, tm.length, multisetMatch(dm, tm)),
    targets: pr(dt.length, tt.length, multisetMatch(dt, tt)),
    targetsNumeric: pr(dn.length, tn.length, multisetMatch(dn, tn)),
    tasks: pr(dTasks.length, tTasks.length, strict),
    tasksByQuote: pr(dTasks.length, tTasks.length, pairs.length),
    taskFields: { code: share(same.code), units: share(same.units), lead: share(same.lead), due: share(same.due), unitsStated: share(same.unitsStated) },
  };
}
