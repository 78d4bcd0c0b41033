/**
 * The content model: what a town's published plan is made of.
 *
 * These zod schemas are the single source of truth. The Astro content collections,
 * the worker's content loader and the content tests all import them. Keys are stable
 * English snake_case / kebab-case; Chinese text is data.
 */
import { z } from 'zod';

/** A stable identifier: lower-case ASCII words joined by hyphens (used in URLs and the database). */
export const Slug = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: '标识只能使用小写字母、数字和连字符 / id must be lower-case kebab-case' });

/** A calendar date, YYYY-MM-DD. */
export const IsoDate = z.iso.date({ message: '日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD' });

/** A date as precise as the source gives it: YYYY, YYYY-MM or YYYY-MM-DD ("截至2019年底" is 2019-12-31; "2021年度" is 2021). */
export const PartialDate = z
  .string()
  .regex(/^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$/, { message: '日期应为 YYYY、YYYY-MM 或 YYYY-MM-DD / date must be YYYY, YYYY-MM or YYYY-MM-DD' });

/** Verbatim source text, copied character for character from the seed document. */
export const Quote = z.string().min(1);

/**
 * How the editors know a fact the source may not state: `stated` (the source says it; `quote` holds
 * its words), `external` (another source, named in `note`), `inferred` (reasoned from the source;
 * `note` says how). The site marks every fact that is not `stated`.
 */
export const FactBasis = z.enum(['stated', 'external', 'inferred']);
export type FactBasis = z.infer<typeof FactBasis>;

/** A fact with its basis: a stated fact carries its quote, an external or inferred one a note. */
export function attributed<T extends z.ZodType>(value: T) {
  return z
    .object({
      value,
      basis: FactBasis,
      /** Where an external fact comes from, or how an inferred one was reasoned. */
      note: z.string().min(1).optional(),
      /** The source's words that state it (required when `basis` is `stated`), verbatim. */
      quote: Quote.optional(),
    })
    .superRefine((f, ctx) => {
      if (f.basis === 'stated' && !f.quote) ctx.addIssue({ code: 'custom', path: ['quote'], message: '原文所述须附引文 / a stated fact needs its quote' });
      if (f.basis !== 'stated' && !f.note) ctx.addIssue({ code: 'custom', path: ['note'], message: '非原文所述须附说明 / an external or inferred fact needs a note' });
    });
}
/** A text fact with its basis (county, issuer …). */
export const AttributedText = attributed(z.string().min(1));
export type AttributedText = z.infer<typeof AttributedText>;

/** How a figure's number relates to the stated value: 约/左右 is approx, 以上/超过/突破/余 is over. */
export const Qualifier = z.enum(['exact', 'approx', 'over', 'at_least', 'under']);

/** A number as a document states it: the value for computing, the words for showing. */
export const Figure = z.object({
  /** The number in base units (1.5万户 is 15000). */
  value: z.number(),
  /** Unit of the value, e.g. 户, 人, %, 平方公里, 元. */
  unit: z.string().min(1),
  /** How exact the source is. */
  qualifier: Qualifier.default('exact'),
  /** The figure exactly as written in the source, e.g. "1.5万户". */
  text: Quote,
});
export type Figure = z.infer<typeof Figure>;

// ---------------------------------------------------------------- indicators

/** Whether a higher value is better (increase), lower is better (decrease), or the target is a level to hold. */
export const Direction = z.enum(['increase', 'decrease', 'maintain']);
export type Direction = z.infer<typeof Direction>;

/** Numeric comparison a target makes: 以上 → gte, 所有/全覆盖 → eq 100, 左右 → approx. */
export const Comparator = z.enum(['gte', 'gt', 'lte', 'lt', 'eq', 'approx']);
export type Comparator = z.infer<typeof Comparator>;

/** One indicator in the shared catalogue (content/indicators.yaml): identity, shared by towns and jurisdictions. */
export const IndicatorDef = z.object({
  /** Stable id, never reused. */
  id: Slug,
  /** Chinese name as used on public pages. */
  name: z.string().min(1),
  /** English name for the /en/ pages. */
  name_en: z.string().min(1),
  /** numeric targets have a value; qualitative ones are a stated goal judged by the tasks delivering it. */
  kind: z.enum(['numeric', 'qualitative']),
  /** Unit of measured values (numeric only), e.g. %, 处, 个. */
  unit: z.string().min(1).optional(),
  direction: Direction.default('increase'),
  /** What exactly is counted: numerator and denominator in words. */
  definition: z.string().min(1).optional(),
});
export type IndicatorDef = z.infer<typeof IndicatorDef>;

/** The denominator a share is taken of, where the text gives one (三分之二的行政村 → 35 个行政村). */
export const Denominator = z.object({
  value: z.number().positive(),
  /** What is counted, e.g. 个行政村. */
  unit: z.string().min(1),
});

/** A numeric target at one milestone. */
export const NumericTarget = z.object({
  milestone: Slug,
  kind: z.literal('numeric'),
  comparator: Comparator,
  value: z.number(),
  unit: z.string().min(1),
  /** The value as written, e.g. "70%以上", "三分之二", "10个左右". */
  display: z.string().min(1),
  denominator: Denominator.optional(),
  /** The sentence of the plan that sets the target, verbatim. */
  quote: Quote,
});

/** A qualitative target at one milestone: the text of the goal. */
export const QualitativeTarget = z.object({
  milestone: Slug,
  kind: z.literal('qualitative'),
  /** The goal in the plan's words, e.g. "冯卯养老康复中心实现全面运行". */
  text: z.string().min(1),
  quote: Quote,
});

export const Target = z.discriminatedUnion('kind', [NumericTarget, QualitativeTarget]);
export type Target = z.infer<typeof Target>;

/** A baseline measurement where the source gives one. */
export const Baseline = z.object({
  value: z.number(),
  as_of: PartialDate,
  source: z.string().min(1),
});

/** A town's use of a catalogue indicator: its baseline and its target at each milestone. */
export const TownIndicator = z.object({
  /** Catalogue id (content/indicators.yaml). */
  indicator: Slug,
  baseline: Baseline.optional(),
  targets: z.array(Target).min(1),
});
export type TownIndicator = z.infer<typeof TownIndicator>;

// ---------------------------------------------------------------- organisation

/** A responsible unit of the town (卫计办, 民政办, 财政所, 冯卯办事处 …). */
export const Unit = z.object({
  id: Slug,
  name: z.string().min(1),
  /** Other names the plan uses for the unit (镇卫计办 → 卫计办): a `stated` task quote must contain the name or one of these. */
  aliases: z.array(z.string().min(1)).default([]),
  /** department: a town office; subdistrict: an 办事处; institution: a hospital, centre or station; body: a committee. */
  kind: z.enum(['department', 'subdistrict', 'institution', 'body']),
  /** Whether the unit takes part in supervision (督导: 纪委, 组织, 卫计, 民政). */
  supervises: z.boolean().default(false),
});
export type Unit = z.infer<typeof Unit>;

/** Role in the leading group. */
export const GroupRole = z.enum(['leader', 'deputy_leader', 'member']);
export type GroupRole = z.infer<typeof GroupRole>;

/** A member of the leading group, in the order of the published list. */
export const Member = z.object({
  id: Slug,
  /** Name without the alignment spaces of the printed list (a two-character name printed with a space between its characters is one name). */
  name: z.string().min(1),
  role: GroupRole,
  /** Post exactly as printed in the list. */
  post: z.string().min(1),
  /** Units the post belongs to (a member may head two). */
  units: z.array(Slug).default([]),
});
export type Member = z.infer<typeof Member>;

/** The leading group (领导小组) and its office (领导小组办公室). */
export const LeadingGroup = z.object({
  name: z.string().min(1),
  members: z.array(Member).min(1),
  office: z.object({
    /** Unit the office sits in (设在镇卫计办). */
    unit: Slug,
    director: Slug,
    deputies: z.array(Slug),
    quote: Quote,
  }),
});
export type LeadingGroup = z.infer<typeof LeadingGroup>;

// ---------------------------------------------------------------- plan, milestones, tasks

/** A milestone: the year-end by which targets are due. */
export const Milestone = z.object({
  id: Slug,
  year: z.number().int().min(2000).max(2100),
  /** e.g. 2018年年底 */
  label: z.string().min(1),
  due: IsoDate,
});
export type Milestone = z.infer<typeof Milestone>;

/** The part of the plan a section belongs to. */
export const SectionKind = z.enum(['preamble', 'background', 'guiding_principles', 'principles', 'goals', 'key_tasks', 'guarantees', 'leading_group']);

/** The plan document (工作方案). Its full text lives in plan.md beside town.yaml. */
export const PlanDoc = z.object({
  title: z.string().min(1),
  /** 文号, e.g. 冯政发〔2018〕24号 */
  doc_number: z.string().min(1),
  /** Issuing body; the plan may not name it (no 落款), so it is optional and carries its basis. */
  issuer: AttributedText.optional(),
  /** Issue date, with its basis; omitted where no source gives it. */
  issued_on: attributed(IsoDate).optional(),
  /** Year the document number gives. */
  year: z.number().int(),
  /** The plan's structure: each heading of plan.md (level 2 or 3) mapped to the part it belongs to. */
  sections: z
    .array(z.object({ heading: z.string().min(1), kind: SectionKind }))
    .min(1),
});

/** A project already under way in the town (冯卯养老康复中心, 滨湖颐养小镇). */
export const Project = z.object({
  id: Slug,
  name: z.string().min(1),
  description: z.string().min(1),
  status: z.string().min(1).optional(),
  figures: z.array(Figure.extend({ label: z.string().min(1) })).default([]),
  quote: Quote,
});

/** A town profile figure: an open list, each with the plan's sentence it comes from. */
export const ProfileFigure = Figure.extend({
  /** What is counted, in the editors' words (e.g. 65岁以上老年人). */
  label: z.string().min(1),
  /** The plan's sentence containing `text`, verbatim. */
  quote: Quote,
});
export type ProfileFigure = z.infer<typeof ProfileFigure>;

/** town.yaml: the town's identity, profile, plan document and milestones. */
export const TownFile = z.object({
  id: Slug,
  /** The town's name as the plan writes it. */
  name: z.string().min(1),
  /** English name (a romanisation the plan does not give), with its basis. */
  name_en: AttributedText.optional(),
  /** Province, city and county: optional, and each carries its basis (a plan seldom states them). */
  province: AttributedText.optional(),
  city: AttributedText.optional(),
  county: AttributedText.optional(),
  /** True when the town is demonstration data (not a real town's plan): every page and the API say so. */
  demo: z.boolean().default(false),
  profile: z.array(ProfileFigure).default([]),
  projects: z.array(Project).default([]),
  plan: PlanDoc,
  milestones: z.array(Milestone).min(1),
});
export type TownFile = z.infer<typeof TownFile>;

/** Whether a fact was stated by the plan or inferred by the editors (and so open to correction by the town). */
export const Basis = z.enum(['stated', 'inferred']);

/** A unit's part in a task. */
export const TaskUnit = z.object({ unit: Slug, role: z.enum(['lead', 'support']) });

/** One row of the task breakdown (任务分解表). Rows form a tree through `parent`; parents come before children. */
export const TaskDef = z.object({
  id: Slug,
  parent: Slug.optional(),
  /** Outline number shown to readers, e.g. 一, 一.1, 保障二. */
  code: z.string().min(1),
  kind: z.enum(['key_task', 'guarantee', 'deliverable']),
  title: z.string().min(1),
  /** The plan's own words for this item, verbatim. */
  quote: Quote,
  units: z.array(TaskUnit).min(1),
  /** Whether the plan names the units itself or the editors assigned them from the members' posts. */
  units_basis: Basis,
  lead_member: Slug.optional(),
  due: Slug,
  due_basis: Basis,
  /** Relative weight within its parent for progress roll-up (default 1). */
  weight: z.number().positive().default(1),
  /** Indicators (catalogue ids) this task delivers. */
  indicators: z.array(Slug).default([]),
});
export type TaskDef = z.infer<typeof TaskDef>;

// ---------------------------------------------------------------- other jurisdictions

/** A figure a jurisdiction reported, dated and sourced, for comparison only. */
export const ReportedFigure = Figure.extend({
  id: Slug,
  /** Catalogue indicator this figure is comparable with, if any. */
  indicator: Slug.optional(),
  label: z.string().min(1),
  /** When the figure applies, as precisely as the source says; omitted where the source gives no time (原文未写时点). */
  as_of: PartialDate.optional(),
  /** The source's own words for a period that is not a date, e.g. "2021年以来" (a running total); shown as written. */
  as_of_text: z.string().min(1).optional(),
  /** Where `indicator` is set but the figure's scope differs from the catalogue definition: the difference, shown beside it. */
  scope_note: z.string().min(1).optional(),
  /** The sentence it comes from, verbatim. */
  quote: Quote,
});
export type ReportedFigure = z.infer<typeof ReportedFigure>;

/** A reply document from another jurisdiction. */
export const JurisdictionReport = z.object({
  id: Slug,
  title: z.string().min(1),
  doc_number: z.string().min(1).optional(),
  issuer: z.string().min(1),
  /** Date on the document, where it has one. */
  date: IsoDate.optional(),
  addressee: z.string().min(1).optional(),
  /** Seed file the figures were taken from. */
  source_file: z.string().min(1),
  /** Anything a reader should know about the source (missing date, inconsistencies). */
  note: z.string().min(1).optional(),
  figures: z.array(ReportedFigure).min(1),
});

/** content/jurisdictions/<id>.yaml */
export const Jurisdiction = z.object({
  id: Slug,
  name: z.string().min(1),
  name_en: z.string().min(1),
  level: z.enum(['prefecture_city', 'county_city', 'district']),
  /** Province, with its basis: the replies seldom name it. */
  province: AttributedText.optional(),
  reports: z.array(JurisdictionReport).min(1),
});
export type Jurisdiction = z.infer<typeof Jurisdiction>;

// ---------------------------------------------------------------- regions

/**
 * A county (区/县/县级市) or city (市) that runs demonstration towns (content/regions.yaml). Its
 * towns are those whose county or city field names it (worker/domain/regions.ts); a town belongs
 * to at most one county and one city.
 */
export const Region = z.object({
  id: Slug,
  /** As the towns' county or city field writes it, e.g. 山亭区, 枣庄市. */
  name: z.string().min(1),
  name_en: z.string().min(1).optional(),
  level: z.enum(['county', 'city']),
  /** For a county: the city region it belongs to, with how the editors know it. */
  city: z
    .object({ region: Slug, basis: FactBasis, note: z.string().min(1).optional(), quote: Quote.optional() })
    .optional(),
  /** A jurisdiction (content/jurisdictions/<id>.yaml) whose published replies are this region's own figures. */
  jurisdiction: Slug.optional(),
});
export type Region = z.infer<typeof Region>;

// ---------------------------------------------------------------- bundles

/** Everything about one town, as read from its folder. */
export const TownBundle = z.object({
  town: TownFile,
  plan_markdown: z.string().min(1),
  units: z.array(Unit).min(1),
  leading_group: LeadingGroup,
  indicators: z.array(TownIndicator),
  tasks: z.array(TaskDef).min(1),
});
export type TownBundle = z.infer<typeof TownBundle>;

/**
 * What D1 keeps of a town's content as one document (towns.document_json): the bundle less its
 * tasks (the task table, rows the office edits) and its plan text (plans.body_markdown).
 */
export const TownDocument = TownBundle.omit({ tasks: true, plan_markdown: true });
export type TownDocument = z.infer<typeof TownDocument>;

/** The whole of content/. */
export const ContentBundle = z.object({
  indicators: z.array(IndicatorDef),
  towns: z.array(TownBundle),
  jurisdictions: z.array(Jurisdiction),
  /** content/regions.yaml (absent: no region pages). */
  regions: z.array(Region).default([]),
});
export type ContentBundle = z.infer<typeof ContentBundle>;
