/** Public read API for towns, plans and the other jurisdictions' reported figures. */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { contract } from './contract.ts';
import type { AppEnv } from '../env.ts';
import { ErrorBody, notFound } from '../errors.ts';
import { readJurisdictionRows, readPlanRows } from '../db/towns.ts';
import { readTownList } from '../db/summaries.ts';
import { TownSummary } from '../domain/public-model.ts';
import { PlanView, TaskStatus, attributedFacts, buildTaskTree, type TaskNode } from '../domain/plan-view.ts';
import { ComparisonView } from '../domain/comparison-view.ts';
import { validationHook } from '../validation.ts';
import { jsonEtag, revalidate } from './revalidate.ts';

const TownParam = z.object({
  town: z
    .string()
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/)
    .openapi({ param: { name: 'town', in: 'path' }, example: 'fengmao' }),
});

/** GET /towns: one page of towns with their summaries (the home page's list), in place order. */
export const TownListPage = z.object({
  towns: z.array(TownSummary),
  /** How many towns match the filter. */
  total: z.number().int().nonnegative(),
  page: z.number().int().positive(),
  size: z.number().int().positive(),
});
const Text = z.string().trim().min(1).max(40);
const listRoute = contract('public', {
  method: 'get',
  path: '/towns',
  summary: 'Towns in place order (city, county, name), a page at a time, each with its summary: targets per milestone by verdict, deliverables by state',
  request: {
    query: z.object({
      county: Text.optional().openapi({ description: 'County (区/县/县级市) as the towns name it' }),
      city: Text.optional(),
      q: Text.optional().openapi({ description: "Part of the town's name" }),
      page: z.coerce.number().int().min(1).max(100000).default(1),
      size: z.coerce.number().int().min(1).max(100).default(50),
    }),
  },
  responses: {
    200: { description: 'Towns', content: { 'application/json': { schema: TownListPage } } },
    400: { description: 'A query parameter is malformed', content: { 'application/json': { schema: ErrorBody } } },
  },
});

const planRoute = contract('public', {
  method: 'get',
  path: '/towns/{town}/plan',
  summary: "A town's plan: profile, milestones, indicators with targets, task tree, units and leading group (ETag; If-None-Match → 304)",
  middleware: [revalidate('public')],
  request: { params: TownParam },
  responses: {
    200: { description: 'The plan', content: { 'application/json': { schema: PlanView } } },
    404: { description: 'No such town', content: { 'application/json': { schema: ErrorBody } } },
  },
});

const comparisonRoute = contract('public', {
  method: 'get',
  path: '/jurisdictions',
  summary: 'Figures reported by other jurisdictions, for comparison only',
  responses: { 200: { description: 'Jurisdictions', content: { 'application/json': { schema: ComparisonView } } } },
});

/**
 * A town's plan as GET /towns/{town}/plan answers it, with that answer's ETag (null: no such town).
 * Also handed out with a sign-in that asks for it (`?include=plan`), under the same ETag, so the
 * console's first screen needs no second round trip on a slow network.
 */
export async function planAnswer(db: D1Database, town: string): Promise<{ body: PlanView; etag: string } | null> {
  const r = await readPlanRows(db, town);
  if (!r || !r.plan || !r.group) return null;
  const unitName = new Map(r.units.map((u) => [u.id, u.name]));
  const memberById = new Map(r.members.map((m) => [m.id, m]));
  const unitsOfMember = groupBy(r.memberUnits, (x) => x.member_id, (x) => x.unit_id);
  const unitsOfTask = groupBy(r.taskUnits, (x) => x.task_id, (x) => x);
  const indicatorsOfTask = groupBy(r.taskIndicators, (x) => x.task_id, (x) => x.indicator_id);
  const targetsOf = groupBy(r.targets, (x) => x.indicator_id, (x) => x);

  const tasks = buildTaskTree(
    r.tasks.map((t) => ({ ...t, parent: t.parent_id })),
    (t): TaskNode => {
      const lead = t.lead_member_id ? memberById.get(t.lead_member_id) : undefined;
      return {
        id: t.id,
        code: t.code,
        kind: t.kind as TaskNode['kind'],
        title: t.title,
        quote: t.quote,
        units: (unitsOfTask.get(t.id) ?? []).map((u) => ({ id: u.unit_id, name: unitName.get(u.unit_id) ?? u.unit_id, role: u.role as 'lead' | 'support' })),
        units_basis: t.units_basis as TaskNode['units_basis'],
        lead_member: lead ? { id: lead.id, name: lead.name, post: lead.post } : null,
        due: t.due_milestone_id,
        due_basis: t.due_basis as TaskNode['due_basis'],
        weight: t.weight,
        indicators: indicatorsOfTask.get(t.id) ?? [],
        status: TaskStatus.parse(t.status),
        percent: t.percent,
        version: t.version,
        children: [],
      };
    },
  );
  const milestoneOrder = new Map(r.milestones.map((m, i) => [m.id, i]));
  const body: PlanView = {
    town: {
      id: r.town.id,
      name: r.town.name,
      ...attributedFacts({ name_en: r.town.name_en, province: r.town.province, city: r.town.city, county: r.town.county }, r.town.basis_json),
      demo: r.town.demo === 1,
      profile: JSON.parse(r.town.profile_json),
      projects: JSON.parse(r.town.projects_json),
    },
    plan: {
      title: r.plan.title,
      doc_number: r.plan.doc_number,
      ...attributedFacts({ issuer: r.plan.issuer, issued_on: r.plan.issued_on }, r.plan.basis_json),
      year: r.plan.year,
      sections: JSON.parse(r.plan.sections_json),
      body_markdown: r.plan.body_markdown,
    },
    milestones: r.milestones.map((m) => ({ id: m.id, year: m.year, label: m.label, due: m.due })),
    units: r.units.map((u) => ({ id: u.id, name: u.name, kind: u.kind, supervises: u.supervises === 1 })),
    leading_group: {
      name: r.group.name,
      members: r.members.map((m) => ({
        id: m.id,
        name: m.name,
        role: m.role as 'leader' | 'deputy_leader' | 'member',
        post: m.post,
        units: unitsOfMember.get(m.id) ?? [],
        office_role: m.office_role as 'director' | 'deputy_director' | null,
      })),
      office: {
        unit: r.group.office_unit_id,
        director: r.members.find((m) => m.office_role === 'director')?.id ?? null,
        deputies: r.members.filter((m) => m.office_role === 'deputy_director').map((m) => m.id),
        quote: r.group.office_quote,
      },
    },
    indicators: r.indicators.map((i) => ({
      id: i.id,
      name: i.name,
      name_en: i.name_en,
      kind: i.kind as 'numeric' | 'qualitative',
      unit: i.unit,
      direction: i.direction as 'increase' | 'decrease' | 'maintain',
      definition: i.definition,
      baseline:
        i.baseline_value !== null && i.baseline_as_of && i.baseline_source
          ? { value: i.baseline_value, as_of: i.baseline_as_of, source: i.baseline_source }
          : null,
      targets: (targetsOf.get(i.id) ?? [])
        .sort((a, b) => (milestoneOrder.get(a.milestone_id) ?? 0) - (milestoneOrder.get(b.milestone_id) ?? 0))
        .map((t) => ({
          milestone: t.milestone_id,
          kind: t.kind as 'numeric' | 'qualitative',
          comparator: t.comparator as PlanView['indicators'][number]['targets'][number]['comparator'],
          value: t.value,
          unit: t.unit,
          display: t.display,
          denominator: t.denominator_value !== null && t.denominator_unit ? { value: t.denominator_value, unit: t.denominator_unit } : null,
          text: t.text,
          quote: t.quote,
        })),
    })),
    tasks,
    updated_at: [r.town.updated_at, r.plan.updated_at, ...r.tasks.map((t) => t.updated_at)].sort().at(-1)!,
  };
  return { body, etag: await jsonEtag(body) };
}

/** Mounted at /api/v1. */
export const towns = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    const list = await readTownList(c.env.DB, { county: q.county, city: q.city, name: q.q }, q.page, q.size);
    return c.json(list, 200);
  })
  .openapi(planRoute, async (c) => {
    const { town } = c.req.valid('param');
    const a = await planAnswer(c.env.DB, town);
    if (!a) throw notFound('Town', '乡镇', town);
    c.header('ETag', a.etag);
    return c.json(a.body, 200);
  })
  .openapi(comparisonRoute, async (c) => {
    const r = await readJurisdictionRows(c.env.DB);
    const figuresOf = groupBy(r.figures, (f) => f.report_id, (f) => f);
    const reportsOf = groupBy(r.reports, (x) => x.jurisdiction_id, (x) => x);
    return c.json(
      {
        notice: '以下数据由各地政府在其公开答复中报告，仅供对照，不计入任何乡镇自身的创建进度。',
        notice_en: "Figures reported by these governments in their published replies; shown for comparison only and never counted in a town's own progress.",
        jurisdictions: r.jurisdictions.map(({ basis_json, ...j }) => ({
          ...j,
          ...attributedFacts({ province: j.province }, basis_json),
          reports: (reportsOf.get(j.id) ?? []).map((rep) => ({
            id: rep.id,
            title: rep.title,
            doc_number: rep.doc_number,
            issuer: rep.issuer,
            date: rep.date,
            addressee: rep.addressee,
            source_file: rep.source_file,
            note: rep.note,
            figures: (figuresOf.get(rep.id) ?? []).map((f) => ({
              id: f.id,
              indicator: f.indicator_id,
              label: f.label,
              value: f.value,
              unit: f.unit,
              qualifier: f.qualifier,
              text: f.text,
              as_of: f.as_of,
              as_of_text: f.as_of_text,
              scope_note: f.scope_note,
              quote: f.quote,
            })),
          })),
        })),
      },
      200,
    );
  });

function groupBy<T, K, V>(rows: T[], key: (r: T) => K, val: (r: T) => V): Map<K, V[]> {
  const m = new Map<K, V[]>();
  for (const r of rows) {
    const k = key(r);
    const list = m.get(k);
    if (list) list.push(val(r));
    else m.set(k, [val(r)]);
  }
  return m;
}
