/**
 * Parses and checks a content folder given as file texts (no file system: runs in Node and workerd).
 * Keys are paths relative to the folder: indicators.yaml, towns/<id>/town.yaml …, jurisdictions/<id>.yaml,
 * jurisdictions/sources/<source_file>, regions.yaml.
 */
/// <reference path="./js-yaml.d.ts" />
import { CORE_SCHEMA, load } from 'js-yaml';
import { z } from 'zod';
import { ContentBundle, IndicatorDef, Jurisdiction, LeadingGroup, Region, TaskDef, TownFile, TownIndicator, Unit } from '../domain/content.ts';
import { checkRegions } from '../domain/regions.ts';
import { checkContentRefs } from '../domain/content-refs.ts';
import { checkFaithful } from '../domain/content-faithful.ts';

/** Thrown when content/ does not match the schemas or its sources; lists every problem with its file and field path. */
export class ContentError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`content/ is invalid:\n  ${problems.join('\n  ')}`);
    this.name = 'ContentError';
    this.problems = problems;
  }
}

/** Folder of the jurisdiction replies' full texts, relative to content/. */
export const SOURCES_DIR = 'jurisdictions/sources';

function parseFile<T extends z.ZodType>(files: Readonly<Record<string, string>>, file: string, schema: T, problems: string[]): z.infer<T> | undefined {
  const text = files[file];
  if (text === undefined) {
    problems.push(`${file}: missing`);
    return undefined;
  }
  let raw: unknown;
  try {
    // js-yaml with YAML 1.2's core schema (no timestamps: dates stay strings), as the `yaml`
    // package parsed these files before: the same values for every file of content/ (the content
    // hash is unchanged), about 9× faster, which a load of 1,000 towns needs (issue 23).
    raw = load(text, { schema: CORE_SCHEMA, filename: file });
  } catch (e) {
    problems.push(`${file}: ${(e as Error).message}`);
    return undefined;
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    for (const issue of r.error.issues) problems.push(`${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    return undefined;
  }
  return r.data;
}

/** Parses, validates and checks the folder's files; throws ContentError listing every problem. */
export function parseContent(files: Readonly<Record<string, string>>): ContentBundle {
  const problems: string[] = [];
  const indicators = parseFile(files, 'indicators.yaml', z.array(IndicatorDef), problems) ?? [];
  const paths = Object.keys(files).sort();
  const townIds = [...new Set(paths.map((p) => /^towns\/([^/]+)\//.exec(p)?.[1]).filter((x): x is string => !!x))];
  const towns = [];
  for (const id of townIds) {
    const d = `towns/${id}`;
    const town = parseFile(files, `${d}/town.yaml`, TownFile, problems);
    const units = parseFile(files, `${d}/units.yaml`, z.array(Unit), problems);
    const leading_group = parseFile(files, `${d}/leading-group.yaml`, LeadingGroup, problems);
    const tIndicators = parseFile(files, `${d}/indicators.yaml`, z.array(TownIndicator), problems);
    const tasks = parseFile(files, `${d}/tasks.yaml`, z.array(TaskDef), problems);
    const plan_markdown = files[`${d}/plan.md`];
    if (plan_markdown === undefined) problems.push(`${d}/plan.md: missing`);
    if (town && town.id !== id) problems.push(`${d}/town.yaml: id "${town.id}" must equal its folder name "${id}"`);
    if (town && units && leading_group && tIndicators && tasks && plan_markdown) {
      towns.push({ town, units, leading_group, indicators: tIndicators, tasks, plan_markdown });
    }
  }
  const jurisdictions = [];
  for (const f of paths.filter((p) => /^jurisdictions\/[^/]+\.yaml$/.test(p))) {
    const j = parseFile(files, f, Jurisdiction, problems);
    if (j && `jurisdictions/${j.id}.yaml` !== f) problems.push(`${f}: id "${j.id}" must equal the file name`);
    if (j) jurisdictions.push(j);
  }
  const regions = files['regions.yaml'] === undefined ? [] : (parseFile(files, 'regions.yaml', z.array(Region), problems) ?? []);
  if (problems.length) throw new ContentError(problems);
  const bundle = ContentBundle.parse({ indicators, towns, jurisdictions, regions });
  problems.push(...checkRegions(bundle));
  const refs = checkContentRefs(bundle);
  if (refs.length) throw new ContentError(refs.map((r) => `${r.path}: ${r.message}`));
  for (const t of bundle.towns) checkPlanSections(t.town.id, t.plan_markdown, t.town.plan.sections.map((s) => s.heading), problems);
  const sources = new Map(paths.filter((p) => p.startsWith(`${SOURCES_DIR}/`)).map((p) => [p.slice(SOURCES_DIR.length + 1), files[p]!]));
  for (const p of checkFaithful(bundle, sources)) problems.push(`${p.file}: ${p.field}: ${p.message}`);
  if (problems.length) throw new ContentError(problems);
  return bundle;
}

/** Every section town.yaml declares must be a heading of plan.md. */
function checkPlanSections(town: string, md: string, headings: string[], problems: string[]): void {
  const present = new Set(md.split('\n').filter((l) => /^#{2,3} /.test(l)).map((l) => l.replace(/^#+ /, '').trim()));
  for (const h of headings) if (!present.has(h)) problems.push(`towns/${town}/town.yaml: plan.sections heading "${h}" is not a "##" or "###" heading of plan.md`);
}
