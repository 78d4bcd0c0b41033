/**
 * The public read model: one zod schema per public question, each built by one pure function
 * from the same progress view (./public-view.ts), and serialised alike by the API, the pages and
 * the open-data files (same field names everywhere; registered in the OpenAPI document).
 *
 * - TownSummary: a town in one line (home and region pages, GET /api/v1/towns).
 * - TownProgress: a town's targets, tasks and approved updates (progress pages, data.json, the
 *   CSVs, the feed, GET /api/v1/towns/{town}/progress).
 */
import { z } from 'zod';
import { AttributedText, IsoDate, Slug, type TownBundle } from './content.ts';
import { PublicAttachment, PublicBulletin, PublicValue } from './public-progress.ts';
import { PUBLIC_TASK_STATES, TARGET_STATUSES, type PublicTaskState, type TargetStatus } from './public-status.ts';
import { TaskStatus } from './plan-view.ts';
import type { ProgressView } from './public-view.ts';

const Count = z.number().int().nonnegative();
const Instant = z.string().min(10);
const TargetStatusEnum = z.enum(TARGET_STATUSES as [TargetStatus, ...TargetStatus[]]);
const TaskStateEnum = z.enum(PUBLIC_TASK_STATES as [PublicTaskState, ...PublicTaskState[]]);

/** Deliverables (tasks without sub-tasks) by public state, and how many are overdue. */
export const DeliverableCounts = z.object({
  total: Count,
  completed: Count,
  in_progress: Count,
  blocked: Count,
  not_started: Count,
  /** No approved report yet: never a failure. */
  not_reported: Count,
  /** Reported unfinished after the deadline. */
  overdue: Count,
});

/** The town's identity as the lists show it; facts the plan does not state carry their basis. */
export const TownIdentity = z.object({
  id: Slug,
  name: z.string().min(1),
  name_en: AttributedText.nullable(),
  province: AttributedText.nullable(),
  city: AttributedText.nullable(),
  county: AttributedText.nullable(),
  /** Demonstration data, not a real town's plan. */
  demo: z.boolean(),
});

/** A town in one line: per milestone its targets by verdict, its deliverables by state. */
export const TownSummary = z.object({
  town: TownIdentity,
  plan: z.object({ title: z.string(), doc_number: z.string() }),
  /** The China day the statuses were judged on. */
  judged_as_of: IsoDate,
  /** The newest approval (null: nothing approved yet, shown as 未报告, never as 0 %). */
  updated_at: Instant.nullable(),
  milestones: z.array(
    z.object({
      id: Slug,
      year: z.number().int(),
      label: z.string(),
      due: IsoDate,
      /** How many targets the plan sets for the milestone. */
      targets: Count,
      counts: z.record(TargetStatusEnum, Count),
    }),
  ),
  deliverables: DeliverableCounts,
  /** Not computed yet (a list recomputes a few summaries per render): the counts are empty, not zero. */
  pending: z.boolean().optional(),
  /** Kept from an earlier day or before the latest write, shown until the list recomputes it. */
  outdated: z.boolean().optional(),
  /** The county and city regions the town belongs to (each has a page), as a list reads them. */
  regions: z
    .object({ county: z.object({ id: Slug, name: z.string() }).nullable(), city: z.object({ id: Slug, name: z.string() }).nullable() })
    .optional(),
});
export type TownSummary = z.infer<typeof TownSummary>;

const identity = (t: TownBundle['town']): z.infer<typeof TownIdentity> => ({
  id: t.id,
  name: t.name,
  name_en: t.name_en ?? null,
  province: t.province ?? null,
  city: t.city ?? null,
  county: t.county ?? null,
  demo: t.demo,
});

/** The summary of a town from its progress view. */
export function townSummary(t: Pick<TownBundle, 'town'>, v: ProgressView): TownSummary {
  return {
    town: identity(t.town),
    plan: { title: t.town.plan.title, doc_number: t.town.plan.doc_number },
    judged_as_of: v.today,
    updated_at: v.data?.updated_at ?? null,
    milestones: v.milestones.map((m) => ({
      id: m.milestone.id,
      year: m.milestone.year,
      label: m.milestone.label,
      due: m.milestone.due,
      targets: m.cards.length,
      counts: m.counts,
    })),
    deliverables: { ...v.counts },
  };
}

/** A town's progress: every target's verdict, every task's public state, the approved updates. */
export const TownProgress = z.object({
  town: TownIdentity,
  plan: z.object({ title: z.string(), doc_number: z.string(), issuer: AttributedText.nullable() }),
  /** When the data was read. */
  generated_at: Instant.nullable(),
  /** The newest approval. */
  updated_at: Instant.nullable(),
  /** The China day deadlines and targets were judged on. */
  judged_as_of: IsoDate,
  counts: DeliverableCounts,
  targets: z.array(
    z.object({
      indicator: Slug,
      indicator_name: z.string(),
      indicator_name_en: z.string(),
      milestone: Slug,
      due: IsoDate,
      kind: z.enum(['numeric', 'qualitative']),
      comparator: z.string().nullable(),
      target_value: z.number().nullable(),
      unit: z.string().nullable(),
      target_text: z.string(),
      value_at_due: z.number().nullable(),
      value_at_due_as_of: z.string().nullable(),
      latest_value: z.number().nullable(),
      latest_as_of: z.string().nullable(),
      latest_source: z.string().nullable(),
      tasks_done: Count,
      tasks_total: Count,
      status: TargetStatusEnum,
    }),
  ),
  tasks: z.array(
    z.object({
      id: Slug,
      code: z.string(),
      parent: Slug.nullable(),
      kind: z.string(),
      title: z.string(),
      lead_units: z.array(z.string()),
      support_units: z.array(z.string()),
      due: z.string(),
      units_basis: z.enum(['stated', 'inferred']),
      due_basis: z.enum(['stated', 'inferred']),
      /** The public state: not_reported until an approved report; parents roll up from their children. */
      state: TaskStateEnum,
      percent: z.number().nullable(),
      deadline_passed: z.boolean(),
      overdue: z.boolean(),
      /** True for a task with sub-tasks: its state is rolled up, and it is not counted in `counts`. */
      rolled_up: z.boolean(),
      last_update: z.string().nullable(),
    }),
  ),
  updates: z.array(
    z.object({
      id: z.string(),
      approved_at: Instant,
      task: Slug,
      task_code: z.string().nullable(),
      unit: z.string(),
      status: TaskStatus,
      percent: z.number(),
      narrative: z.string(),
      /** Public evidence files: URL, caption, type, size; the update's approved_at is their date. */
      attachments: z.array(PublicAttachment),
    }),
  ),
  /** How many approved updates the town has; `updates` holds them all in data.json, the newest 50 in the API. */
  updates_total: Count,
  values: z.array(PublicValue),
  bulletins: z.array(PublicBulletin),
});
export type TownProgress = z.infer<typeof TownProgress>;

type Target = TownBundle['indicators'][number]['targets'][number];

/** A target in the plan's words: "70%以上", or "35个行政村的三分之二" where a denominator is given. */
export function targetText(t: Target): string {
  if (t.kind === 'qualitative') return t.text;
  return t.denominator ? `${t.denominator.value}${t.denominator.unit}的${t.display}` : t.display;
}

/** The progress of a town, every record in one shape (the JSON file; the CSVs are its tables). */
export function townProgress(t: TownBundle, v: ProgressView): TownProgress {
  const units = new Map(t.units.map((u) => [u.id, u.name]));
  const unitName = (id: string) => units.get(id) ?? id;
  const taskDef = new Map(t.tasks.map((x) => [x.id, x]));
  return {
    town: identity(t.town),
    plan: { title: t.town.plan.title, doc_number: t.town.plan.doc_number, issuer: t.town.plan.issuer ?? null },
    generated_at: v.data?.generated_at ?? null,
    updated_at: v.data?.updated_at ?? null,
    judged_as_of: v.today,
    counts: { ...v.counts },
    targets: v.milestones.flatMap((m) =>
      m.cards.map((c) => ({
        indicator: c.indicator.id,
        indicator_name: c.indicator.name,
        indicator_name_en: c.indicator.name_en,
        milestone: m.milestone.id,
        due: m.milestone.due,
        kind: c.target.kind,
        comparator: c.target.kind === 'numeric' ? c.target.comparator : null,
        target_value: c.target.kind === 'numeric' ? c.target.value : null,
        unit: c.target.kind === 'numeric' ? c.target.unit : null,
        target_text: targetText(c.target),
        value_at_due: c.at_due?.value ?? null,
        value_at_due_as_of: c.at_due?.as_of ?? null,
        latest_value: c.latest?.value ?? null,
        latest_as_of: c.latest?.as_of ?? null,
        latest_source: c.latest?.source ?? null,
        tasks_done: c.tasks.done,
        tasks_total: c.tasks.total,
        status: c.status,
      })),
    ),
    tasks: t.tasks.map((d) => {
      const p = v.tasks.get(d.id)!;
      return {
        id: d.id,
        code: d.code,
        parent: d.parent ?? null,
        kind: d.kind,
        title: d.title,
        lead_units: d.units.filter((u) => u.role === 'lead').map((u) => unitName(u.unit)),
        support_units: d.units.filter((u) => u.role === 'support').map((u) => unitName(u.unit)),
        due: p.due,
        units_basis: d.units_basis,
        due_basis: d.due_basis,
        state: p.state,
        percent: p.percent,
        deadline_passed: p.deadline_passed,
        overdue: p.overdue,
        rolled_up: p.rolled_up,
        last_update: p.last?.id ?? null,
      };
    }),
    updates: [...v.timeline].reverse().map((u) => ({
      id: u.id,
      approved_at: u.approved_at,
      task: u.task,
      task_code: taskDef.get(u.task)?.code ?? null,
      unit: unitName(u.unit),
      status: u.status,
      percent: u.percent,
      narrative: u.narrative,
      attachments: u.attachments,
    })),
    updates_total: v.updatesTotal,
    values: v.data?.values ?? [],
    bulletins: v.data?.bulletins ?? [],
  };
}
