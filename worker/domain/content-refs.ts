/**
 * Cross-reference rules for content that a single schema cannot express:
 * every id a file mentions must exist, ids are unique, task parents come first.
 */
import type { ContentBundle, TownBundle } from './content.ts';

/** One broken rule, with the path of the offending value. */
export interface RefProblem {
  path: string;
  message: string;
}

function duplicates(ids: string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const id of ids) (seen.has(id) ? dup : seen).add(id);
  return [...dup];
}

/** Checks one town's internal references against itself and the indicator catalogue. */
export function checkTownRefs(t: TownBundle, catalogue: Set<string>): RefProblem[] {
  const p: RefProblem[] = [];
  const at = (path: string, message: string) => p.push({ path: `towns/${t.town.id}/${path}`, message });
  const units = new Set(t.units.map((u) => u.id));
  const members = new Set(t.leading_group.members.map((m) => m.id));
  const milestones = new Set(t.town.milestones.map((m) => m.id));

  for (const [what, ids] of [
    ['units', t.units.map((u) => u.id)],
    ['members', t.leading_group.members.map((m) => m.id)],
    ['milestones', t.town.milestones.map((m) => m.id)],
    ['tasks', t.tasks.map((x) => x.id)],
    ['indicators', t.indicators.map((i) => i.indicator)],
  ] as const) {
    for (const d of duplicates([...ids])) at(what, `duplicate id "${d}"`);
  }

  t.leading_group.members.forEach((m, i) =>
    m.units.forEach((u, j) => units.has(u) || at(`leading_group/members/${i}/units/${j}`, `unknown unit "${u}"`)),
  );
  const office = t.leading_group.office;
  if (!units.has(office.unit)) at('leading_group/office/unit', `unknown unit "${office.unit}"`);
  for (const id of [office.director, ...office.deputies]) {
    if (!members.has(id)) at('leading_group/office', `unknown member "${id}"`);
  }

  t.indicators.forEach((ind, i) => {
    if (!catalogue.has(ind.indicator)) at(`indicators/${i}/indicator`, `not in content/indicators.yaml: "${ind.indicator}"`);
    ind.targets.forEach((tg, j) => {
      if (!milestones.has(tg.milestone)) at(`indicators/${i}/targets/${j}/milestone`, `unknown milestone "${tg.milestone}"`);
    });
    for (const d of duplicates(ind.targets.map((x) => x.milestone))) at(`indicators/${i}/targets`, `two targets for milestone "${d}"`);
  });

  const seen = new Set<string>();
  t.tasks.forEach((task, i) => {
    if (task.parent && !seen.has(task.parent)) at(`tasks/${i}/parent`, `parent "${task.parent}" must be listed before "${task.id}"`);
    if (!task.parent && task.kind === 'deliverable') at(`tasks/${i}/parent`, 'a deliverable needs a parent');
    if (!milestones.has(task.due)) at(`tasks/${i}/due`, `unknown milestone "${task.due}"`);
    if (task.lead_member && !members.has(task.lead_member)) at(`tasks/${i}/lead_member`, `unknown member "${task.lead_member}"`);
    task.units.forEach((u, j) => units.has(u.unit) || at(`tasks/${i}/units/${j}/unit`, `unknown unit "${u.unit}"`));
    task.indicators.forEach((id, j) => catalogue.has(id) || at(`tasks/${i}/indicators/${j}`, `not in the catalogue: "${id}"`));
    seen.add(task.id);
  });
  return p;
}

/** Checks the whole bundle; an empty list means every reference resolves. */
export function checkContentRefs(b: ContentBundle): RefProblem[] {
  const catalogue = new Set(b.indicators.map((i) => i.id));
  const p: RefProblem[] = [];
  for (const d of duplicates(b.indicators.map((i) => i.id))) p.push({ path: 'indicators', message: `duplicate id "${d}"` });
  for (const d of duplicates(b.towns.map((t) => t.town.id))) p.push({ path: 'towns', message: `duplicate town "${d}"` });
  for (const d of duplicates(b.jurisdictions.map((j) => j.id))) p.push({ path: 'jurisdictions', message: `duplicate id "${d}"` });
  for (const t of b.towns) p.push(...checkTownRefs(t, catalogue));
  for (const j of b.jurisdictions) {
    const figureIds = j.reports.flatMap((r) => r.figures.map((f) => f.id));
    for (const d of duplicates(figureIds)) p.push({ path: `jurisdictions/${j.id}`, message: `duplicate figure id "${d}"` });
    j.reports.forEach((r, ri) =>
      r.figures.forEach((f, fi) => {
        if (f.indicator && !catalogue.has(f.indicator)) {
          p.push({ path: `jurisdictions/${j.id}/reports/${ri}/figures/${fi}/indicator`, message: `not in the catalogue: "${f.indicator}"` });
        }
      }),
    );
  }
  return p;
}
