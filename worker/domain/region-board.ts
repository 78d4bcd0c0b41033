/**
 * The cross-town overdue board of a region (county or city), for its supervisors: each town's
 * overdue deliverables by responsible unit, and every unit of every town ranked by what it has
 * overdue. Built town by town with the town board's own rules (overdueBoard in
 * supervision-views.ts), so a task counts here exactly when it counts on its town's board. Pure.
 *
 * Units are a town's own bodies: 卫生院 of one town and of another are two lines, never summed.
 */
import { overdueBoard, type BoardFilters, type TaskItem, type TownFacts } from './supervision-views.ts';

/** One town's evaluated tasks. */
export interface TownItems {
  facts: Pick<TownFacts, 'town' | 'units'>;
  items: TaskItem[];
}

/** One unit of one town: its counts, and its overdue tasks (most days first). */
export interface RegionUnitLine {
  town: { id: string; name: string };
  unit: { id: string; name: string };
  overdue: number;
  at_risk: number;
  stale: number;
}

/** An overdue task as the region's board lists it: enough to name it and say how late it is (the town's board has the rest). */
export interface RegionOverdueItem {
  ref: string;
  code: string;
  title: string;
  due: string;
  overdue_days: number;
  status: string;
  percent: number;
}

const slim = (t: TaskItem): RegionOverdueItem => ({ ref: t.ref, code: t.code, title: t.title, due: t.due, overdue_days: t.overdue_days ?? 0, status: t.status, percent: t.percent });

/**
 * The board: totals, each town (its counts, and with `detail` its units' overdue tasks), and the
 * units ranked. Without `detail` a town carries its counts only: a county's hundred towns with
 * every overdue task listed would be over a megabyte to a phone; the console asks for one town's
 * tasks when its line is opened (GET …/board?town=).
 */
export function regionBoard(towns: TownItems[], f: Pick<BoardFilters, 'kind'> & { detail?: boolean } = {}) {
  const lines: RegionUnitLine[] = [];
  const byTown = towns.map(({ facts, items }) => {
    const b = overdueBoard(items, facts.units, { kind: f.kind });
    const town = { id: facts.town.id, name: facts.town.name };
    for (const g of b.groups) lines.push({ town, unit: g.unit, overdue: g.overdue.length, at_risk: g.at_risk.length, stale: g.stale.length });
    const detail = f.detail
      ? { units: b.groups.filter((g) => g.overdue.length).map((g) => ({ unit: g.unit, overdue: g.overdue.map(slim) })), unassigned: b.unassigned.filter((t) => t.overdue_days !== null).map(slim) }
      : {};
    return { town, counts: b.counts, ...detail };
  });
  const sum = (k: 'tasks' | 'overdue' | 'at_risk' | 'stale') => byTown.reduce((a, t) => a + t.counts[k], 0);
  return {
    counts: { towns: towns.length, towns_with_overdue: byTown.filter((t) => t.counts.overdue > 0).length, tasks: sum('tasks'), overdue: sum('overdue'), at_risk: sum('at_risk'), stale: sum('stale') },
    // Most overdue first; equal towns by name, so the order is stable.
    towns: byTown.sort((a, b) => b.counts.overdue - a.counts.overdue || a.town.name.localeCompare(b.town.name, 'zh-CN')),
    units: lines
      .filter((l) => l.overdue + l.at_risk + l.stale > 0)
      .sort((a, b) => b.overdue - a.overdue || b.at_risk - a.at_risk || b.stale - a.stale || a.town.name.localeCompare(b.town.name, 'zh-CN') || a.unit.name.localeCompare(b.unit.name, 'zh-CN')),
  };
}
