/**
 * What the API returns for a town's plan: response schemas (for validation and the
 * OpenAPI document) and the pure tree-building rule for tasks.
 */
import { z } from 'zod';
import { Comparator, Direction, FactBasis, GroupRole, Milestone, PlanDoc, Project, ProfileFigure, SectionKind } from './content.ts';

/**
 * A fact the source may not state (county, issuer …): its value and basis. `stated` facts carry the
 * source's words in `quote`; `external` and `inferred` ones a `note`, and pages mark them as such.
 */
export const AttributedView = z
  .object({ value: z.string(), basis: FactBasis, note: z.string().nullable(), quote: z.string().nullable() })
  .meta({ id: 'AttributedFact' });
export type AttributedView = z.infer<typeof AttributedView>;

type BasisEntry = { basis: z.infer<typeof FactBasis>; note?: string; quote?: string };

/**
 * The attributed view of stored optional facts: `values` are the value columns, `basisJson` the row's
 * basis_json. A value stored without a basis entry (a row from before migration 0008, until the next
 * content load) is reported as inferred with a note saying so, never as stated.
 */
export function attributedFacts<K extends string>(values: Record<K, string | null>, basisJson: string): Record<K, AttributedView | null> {
  const basis = JSON.parse(basisJson || '{}') as Partial<Record<K, BasisEntry>>;
  const out = {} as Record<K, AttributedView | null>;
  for (const k of Object.keys(values) as K[]) {
    const v = values[k];
    const b = basis[k];
    out[k] = v === null ? null : b ? { value: v, basis: b.basis, note: b.note ?? null, quote: b.quote ?? null } : { value: v, basis: 'inferred', note: '依据待内容重新加载后补充 / basis pending the next content load', quote: null };
  }
  return out;
}

/** Task progress status: stable keys, labels live in the site's dictionary. */
export const TaskStatus = z.enum(['not_started', 'in_progress', 'completed', 'blocked']);
export type TaskStatus = z.infer<typeof TaskStatus>;

export const UnitView = z.object({ id: z.string(), name: z.string(), kind: z.string(), supervises: z.boolean() });

export const MemberView = z.object({
  id: z.string(),
  name: z.string(),
  role: GroupRole,
  post: z.string(),
  units: z.array(z.string()),
  office_role: z.enum(['director', 'deputy_director']).nullable(),
});

export const TargetView = z.object({
  milestone: z.string(),
  kind: z.enum(['numeric', 'qualitative']),
  comparator: Comparator.nullable(),
  value: z.number().nullable(),
  unit: z.string().nullable(),
  display: z.string().nullable(),
  denominator: z.object({ value: z.number(), unit: z.string() }).nullable(),
  text: z.string().nullable(),
  quote: z.string(),
});

export const IndicatorView = z.object({
  id: z.string(),
  name: z.string(),
  name_en: z.string(),
  kind: z.enum(['numeric', 'qualitative']),
  unit: z.string().nullable(),
  direction: Direction,
  definition: z.string().nullable(),
  baseline: z.object({ value: z.number(), as_of: z.string(), source: z.string() }).nullable(),
  targets: z.array(TargetView),
});

/** A task with its children: the plan's task tree. */
export interface TaskNode {
  id: string;
  code: string;
  kind: 'key_task' | 'guarantee' | 'deliverable';
  title: string;
  quote: string;
  units: { id: string; name: string; role: 'lead' | 'support' }[];
  units_basis: 'stated' | 'inferred';
  lead_member: { id: string; name: string; post: string } | null;
  due: string;
  due_basis: 'stated' | 'inferred';
  weight: number;
  indicators: string[];
  status: TaskStatus;
  percent: number;
  version: number;
  children: TaskNode[];
}

/** Recursive schema of TaskNode; the `id` makes it a named OpenAPI component so the recursion is a $ref. */
export const TaskNodeView = z
  .object({
    id: z.string(),
    code: z.string(),
    kind: z.enum(['key_task', 'guarantee', 'deliverable']),
    title: z.string(),
    quote: z.string(),
    units: z.array(z.object({ id: z.string(), name: z.string(), role: z.enum(['lead', 'support']) })),
    units_basis: z.enum(['stated', 'inferred']),
    lead_member: z.object({ id: z.string(), name: z.string(), post: z.string() }).nullable(),
    due: z.string(),
    due_basis: z.enum(['stated', 'inferred']),
    weight: z.number(),
    indicators: z.array(z.string()),
    status: TaskStatus,
    percent: z.number().int().min(0).max(100),
    version: z.number().int(),
    get children(): z.ZodArray<typeof TaskNodeView> {
      return z.array(TaskNodeView);
    },
  })
  .meta({ id: 'TaskNode' });

/** GET /api/v1/towns/{town}/plan */
export const PlanView = z.object({
  town: z.object({
    id: z.string(),
    name: z.string(),
    name_en: AttributedView.nullable(),
    province: AttributedView.nullable(),
    city: AttributedView.nullable(),
    county: AttributedView.nullable(),
    /** Demonstration data, not a real town's plan: every page shows a banner. */
    demo: z.boolean(),
    profile: z.array(ProfileFigure),
    projects: z.array(Project),
  }),
  plan: PlanDoc.omit({ sections: true, issuer: true, issued_on: true }).extend({
    issuer: AttributedView.nullable(),
    issued_on: AttributedView.nullable(),
    sections: z.array(z.object({ heading: z.string(), kind: SectionKind })),
    body_markdown: z.string(),
  }),
  milestones: z.array(Milestone),
  units: z.array(UnitView),
  leading_group: z.object({
    name: z.string(),
    members: z.array(MemberView),
    office: z.object({ unit: z.string(), director: z.string().nullable(), deputies: z.array(z.string()), quote: z.string() }),
  }),
  indicators: z.array(IndicatorView),
  tasks: z.array(TaskNodeView),
  updated_at: z.string(),
});
export type PlanView = z.infer<typeof PlanView>;

/** GET /api/v1/towns */
export const TownListView = z.object({
  towns: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      name_en: AttributedView.nullable(),
      province: AttributedView.nullable(),
      city: AttributedView.nullable(),
      county: AttributedView.nullable(),
      demo: z.boolean(),
      plan: z.object({ title: z.string(), doc_number: z.string() }),
      updated_at: z.string(),
    }),
  ),
});

/** Builds the task forest from rows listed parents-first; children keep their listed order. */
export function buildTaskTree<T extends { id: string; parent: string | null }, N>(rows: T[], toNode: (row: T) => N & { children: N[] }): N[] {
  const byId = new Map<string, N & { children: N[] }>();
  const roots: N[] = [];
  for (const row of rows) {
    const node = toNode(row);
    byId.set(row.id, node);
    const parent = row.parent ? byId.get(row.parent) : undefined;
    if (row.parent && !parent) throw new Error(`task ${row.id} lists parent ${row.parent} that is not before it`);
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}
