/**
 * The town's plan (public API) as the screens need it: tasks by id, units, indicators, plan start.
 * Kept in this browser (local.ts): a screen gets the kept plan at once and the server is asked,
 * in the background, whether it changed (ETag → 304, no body). The first visit waits for it.
 */
import type { PlanView, TaskNode } from '../../../worker/domain/plan-view.ts';
import { kept, revalidate } from './local.ts';

export interface PlanIndex {
  plan: PlanView;
  tasks: Map<string, TaskNode>;
  /** Each task's parent id (null at the top). */
  parents: Map<string, string | null>;
  units: Map<string, string>;
  indicators: Map<string, PlanView['indicators'][number]>;
  /** When a plan task's time starts (the supervision rules' "start"). */
  start: string;
}

/** Builds the lookups of a plan. */
export function indexPlan(plan: PlanView): PlanIndex {
  const tasks = new Map<string, TaskNode>();
  const parents = new Map<string, string | null>();
  const walk = (ns: TaskNode[], parent: string | null) => ns.forEach((n) => (tasks.set(n.id, n), parents.set(n.id, parent), walk(n.children, n.id)));
  walk(plan.tasks as TaskNode[], null);
  return {
    plan,
    tasks,
    parents,
    units: new Map(plan.units.map((u) => [u.id, u.name])),
    indicators: new Map(plan.indicators.map((i) => [i.id, i])),
    start: plan.plan.issued_on?.value ?? `${plan.plan.year}-01-01`,
  };
}

const cache = new Map<string, Promise<PlanIndex>>();
/** The public plan of a town (GET), kept as public data (local.ts). */
export const planPath = (town: string): string => `/api/v1/towns/${town}/plan`;

/** The kept plan of a town, without asking the server (null on a first visit). */
export function keptPlan(town: string): PlanIndex | null {
  const k = kept<PlanView>('public', planPath(town));
  return k ? indexPlan(k.data) : null;
}

/** The plan as the server has it now (revalidated: a 304 when unchanged); later loadPlan() calls get it too. */
export function freshPlan(town: string): Promise<PlanIndex> {
  const p = revalidate<PlanView>('public', planPath(town)).then((k) => indexPlan(k.data));
  p.then(() => cache.set(town, p), () => undefined);
  return p;
}

/** The plan: the kept copy if there is one (revalidated in the background), else from the server. */
export function loadPlan(town: string): Promise<PlanIndex> {
  let p = cache.get(town);
  if (!p) {
    const fresh = revalidate<PlanView>('public', planPath(town)).then((k) => indexPlan(k.data));
    const local = keptPlan(town);
    p = local ? Promise.resolve(local) : fresh;
    fresh.catch(() => (local ? undefined : cache.delete(town)));
    cache.set(town, p);
  }
  return p;
}
