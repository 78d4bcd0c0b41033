/**
 * Turns validated content into what the pages show: lookups, the task tree, targets by
 * milestone, dates in Chinese. Pure functions, no Astro APIs.
 */
import { targetText } from '../../worker/domain/public-model.ts';
import type { AttributedText, IndicatorDef, Jurisdiction, Member, TaskDef, TownBundle, Unit } from '../../worker/domain/content.ts';
import { buildTaskTree } from '../../worker/domain/plan-view.ts';
import { zh } from '../i18n/zh.ts';

export type Target = TownBundle['indicators'][number]['targets'][number];
export type Milestone = TownBundle['town']['milestones'][number];

/** URLs of a town's pages (trailing slash: the site is built with trailingSlash 'always'). */
export const townUrl = (id: string, page: 'overview' | 'progress' | 'tasks' | 'group' | 'plan' = 'overview'): string =>
  page === 'overview' ? `/towns/${id}/` : `/towns/${id}/${page}/`;

/** An instant (ISO, UTC) in Beijing time: "2021年3月1日 16:00" (zh) or "2021-03-01 16:00 (UTC+8)" (en). */
export function formatInstant(iso: string, lang: 'zh' | 'en' = 'zh'): string {
  const t = new Date(new Date(iso).getTime() + 8 * 3600_000).toISOString();
  const date = t.slice(0, 10);
  const time = t.slice(11, 16);
  return lang === 'zh' ? `${formatDate(date)} ${time}` : `${date} ${time} (UTC+8)`;
}

/** A date for the given language: 2018年12月31日 or 2018-12-31. */
export const formatDay = (date: string, lang: 'zh' | 'en' = 'zh'): string => (lang === 'zh' ? formatDate(date) : date);

/** "2018-12-31" → "2018年12月31日"; "2021-12" → "2021年12月"; "2021" → "2021年". */
export function formatDate(date: string): string {
  const [y, m, d] = date.split('-');
  return `${y}年` + (m ? `${Number(m)}月` : '') + (d ? `${Number(d)}日` : '');
}

/** Where a town is, from the facts content gives (山东省枣庄市山亭区); empty when it gives none. */
export const townPlace = (t: TownBundle['town']): string => [t.province, t.city, t.county].map((f) => f?.value ?? '').join('');

/** The place facts of a town that are present, in order (each rendered with its basis by Fact.astro). */
export const placeFacts = (t: TownBundle['town']): AttributedText[] => [t.province, t.city, t.county].filter((f): f is AttributedText => !!f);

/** Headings of the plan's parts ("##" headings of plan.md) of the given kinds, in plan order: the town's own words. */
export function planParts(t: TownBundle, kinds: readonly string[]): string[] {
  const top = new Set(t.plan_markdown.split('\n').filter((l) => l.startsWith('## ')).map((l) => l.slice(3).trim()));
  return t.town.plan.sections.filter((s) => kinds.includes(s.kind) && top.has(s.heading)).map((s) => s.heading);
}

/** A denominator written out, e.g. "35个行政村". */
export const denominatorText = (d: { value: number; unit: string }): string => `${d.value}${d.unit}`;

/** A numeric target as a reader should see it: "70%以上", or "35个行政村的三分之二" where a denominator is given. */
export const targetDisplay = targetText;

export interface TownLookups {
  unit: (id: string) => Unit;
  member: (id: string) => Member;
  milestone: (id: string) => Milestone;
  indicator: (id: string) => IndicatorDef;
}

function lookup<T extends { id: string }>(items: T[], what: string): (id: string) => T {
  const m = new Map(items.map((x) => [x.id, x]));
  return (id) => {
    const x = m.get(id);
    if (!x) throw new Error(`unknown ${what} "${id}"`);
    return x;
  };
}

export function townLookups(t: TownBundle, catalogue: IndicatorDef[]): TownLookups {
  return {
    unit: lookup(t.units, 'unit'),
    member: lookup(t.leading_group.members, 'member'),
    milestone: lookup(t.town.milestones, 'milestone'),
    indicator: lookup(catalogue, 'indicator'),
  };
}

/** A task with its children, in the order of tasks.yaml. */
export interface TaskNode extends TaskDef {
  children: TaskNode[];
}

/** The task forest: tasks.yaml is flat with `parent`, parents listed before children. */
export function taskTree(tasks: TaskDef[]): TaskNode[] {
  return buildTaskTree(
    tasks.map((t) => ({ ...t, parent: t.parent ?? null })),
    (row): TaskNode => ({ ...row, parent: row.parent ?? undefined, children: [] }),
  );
}

/** One target of the town at one milestone, with its indicator. */
export interface MilestoneTarget {
  indicator: IndicatorDef;
  target: Target;
}

/** The town's targets due at each milestone, numeric ones first, in indicators.yaml order. */
export function targetsByMilestone(t: TownBundle, catalogue: IndicatorDef[]): Map<string, MilestoneTarget[]> {
  const { indicator } = townLookups(t, catalogue);
  const out = new Map<string, MilestoneTarget[]>(t.town.milestones.map((m) => [m.id, []]));
  for (const ti of t.indicators) {
    for (const target of ti.targets) out.get(target.milestone)?.push({ indicator: indicator(ti.indicator), target });
  }
  for (const list of out.values()) list.sort((a, b) => Number(a.target.kind !== 'numeric') - Number(b.target.kind !== 'numeric'));
  return out;
}

/** Units a member heads, as names: "组织办、扶贫办". */
export function memberUnits(m: Member, unit: (id: string) => Unit): string {
  return m.units.map((u) => unit(u).name).join('、');
}

/** A document title in book-title marks; marks inside the title become 〈〉 as Chinese usage requires. */
export const bookTitle = (title: string): string => `《${title.replace(/《/g, '〈').replace(/》/g, '〉')}》`;

/** A report's source in one line: 《title》（文号），issuer，date. */
export function reportSource(r: Jurisdiction['reports'][number]): string {
  const parts = [bookTitle(r.title) + (r.doc_number ? `（${r.doc_number}）` : ''), r.issuer, r.date ? formatDate(r.date) : zh.compare.report_date_unknown];
  return parts.join('，');
}

/** The anchor id of a jurisdiction section on the comparison page. */
export const jurisdictionAnchor = (id: string): string => `place-${id}`;
/** The anchor id of an indicator section on the comparison page. */
export const indicatorAnchor = (id: string): string => `indicator-${id}`;

/** When a reported figure applies, as the source says it: a date, the source's words, or 原文未写时点. */
export function figureWhen(f: { as_of?: string | null; as_of_text?: string | null }): string {
  if (f.as_of_text) return f.as_of ? `${f.as_of_text}（截至${formatDate(f.as_of)}）` : f.as_of_text;
  return f.as_of ? formatDate(f.as_of) : zh.as_of_unstated;
}
