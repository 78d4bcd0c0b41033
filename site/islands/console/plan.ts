/** The town's plan (public API) as the screens need it: tasks by id, units, indicators, plan start. */
import type { PlanView, TaskNode } from '../../../worker/domain/plan-view.ts';
import { api } from './api.ts';

export interface PlanIndex {
  plan: PlanView;
  tasks: Map<string, TaskNode>;
  units: Map<string, string>;
  indicators: Map<string, PlanView['indicators'][number]>;
  /** When a plan task's time starts (the supervision rules' "start"). */
  start: string;
}

const cache = new Map<string, Promise<PlanIndex>>();

export function loadPlan(town: string): Promise<PlanIndex> {
  let p = cache.get(town);
  if (!p) {
    p = api<PlanView>(`/api/v1/towns/${town}/plan`).then((plan) => {
      const tasks = new Map<string, TaskNode>();
      const walk = (ns: TaskNode[]) => ns.forEach((n) => (tasks.set(n.id, n), walk(n.children)));
      walk(plan.tasks as TaskNode[]);
      return {
        plan,
        tasks,
        units: new Map(plan.units.map((u) => [u.id, u.name])),
        indicators: new Map(plan.indicators.map((i) => [i.id, i])),
        start: plan.plan.issued_on?.value ?? `${plan.plan.year}-01-01`,
      };
    });
    p.catch(() => cache.delete(town));
    cache.set(town, p);
  }
  return p;
}
