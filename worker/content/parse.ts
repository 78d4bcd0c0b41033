/**
 * Parses and checks a content folder given as file texts (no file system: runs in Node and workerd).
 * Keys are paths relative to the folder: indicators.yaml, towns/<id>/town.yaml …, jurisdictions/<id>.yaml,
 * jurisdictions/sources/<source_file>, regions.yaml.
 */
/// <reference path="./js-yaml.d.ts" />
import { CORE_SCHEMA, load } from 'js-yaml';
import { z } from 'zod';
import { IndicatorDef, Jurisdiction, LeadingGroup, Region, TaskDef, TownFile, TownIndicator, Unit, type ContentBundle, type TownBundle } from '../domain/content.ts';
import { checkRegions } from '../domain/regions.ts';
import { checkContentRefs, checkTownRefs } from '../domain/content-refs.ts';
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

/** What every town is checked against and loaded with: the files outside towns/ (issue 23: parsed once, whatever the number of towns). */
export interface ContentGlobals {
  indicators: ContentBundle['indicators'];
  jurisdictions: ContentBundle['jurisdictions'];
  regions: ContentBundle['regions'];
}

/**
 * Parses and checks the files outside towns/ (indicators, regions, jurisdictions and their
 * sources). `problems` lists every problem; `globals` is usable only when it is empty.
 */
export function parseGlobals(files: Readonly<Record<string, string>>): { globals: ContentGlobals; problems: string[] } {
  const problems: string[] = [];
  const indicators = parseFile(files, 'indicators.yaml', z.array(IndicatorDef), problems) ?? [];
  const paths = Object.keys(files).sort();
  const jurisdictions = [];
  for (const f of paths.filter((p) => /^jurisdictions\/[^/]+\.yaml$/.test(p))) {
    const j = parseFile(files, f, Jurisdiction, problems);
    if (j && `jurisdictions/${j.id}.yaml` !== f) problems.push(`${f}: id "${j.id}" must equal the file name`);
    if (j) jurisdictions.push(j);
  }
  const regions = files['regions.yaml'] === undefined ? [] : (parseFile(files, 'regions.yaml', z.array(Region), problems) ?? []);
  const globals = { indicators, jurisdictions, regions };
  if (problems.length) return { globals, problems };
  // The rules that span files, run on the bundle without its towns (each town is checked alone: checkTown).
  const bundle: ContentBundle = { ...globals, towns: [] };
  problems.push(...checkRegions(bundle));
  const refs = checkContentRefs(bundle);
  if (refs.length) return { globals, problems: [...problems, ...refs.map((r) => `${r.path}: ${r.message}`)] };
  const sources = new Map(paths.filter((p) => p.startsWith(`${SOURCES_DIR}/`)).map((p) => [p.slice(SOURCES_DIR.length + 1), files[p]!]));
  for (const p of checkFaithful(bundle, sources)) problems.push(`${p.file}: ${p.field}: ${p.message}`);
  return { globals, problems };
}

/**
 * Parses and checks one town's files (`towns/<id>/…` keys) against the catalogue of `globals`:
 * its schemas, its references, its plan sections and faithfulness. A town is checked alone: no rule
 * relates two towns (their ids are their folders' names), so a loader may check only the towns
 * whose files changed (worker/cli/load-content.ts). `town` is set only when `problems` is empty.
 */
export function parseTown(files: Readonly<Record<string, string>>, id: string, globals: ContentGlobals): { town?: TownBundle; problems: string[] } {
  const problems: string[] = [];
  const d = `towns/${id}`;
  const town = parseFile(files, `${d}/town.yaml`, TownFile, problems);
  const units = parseFile(files, `${d}/units.yaml`, z.array(Unit).min(1), problems);
  const leading_group = parseFile(files, `${d}/leading-group.yaml`, LeadingGroup, problems);
  const indicators = parseFile(files, `${d}/indicators.yaml`, z.array(TownIndicator), problems);
  const tasks = parseFile(files, `${d}/tasks.yaml`, z.array(TaskDef).min(1), problems);
  const plan_markdown = files[`${d}/plan.md`];
  if (plan_markdown === undefined) problems.push(`${d}/plan.md: missing`);
  else if (!plan_markdown) problems.push(`${d}/plan.md: empty`);
  if (town && town.id !== id) problems.push(`${d}/town.yaml: id "${town.id}" must equal its folder name "${id}"`);
  if (problems.length || !town || !units || !leading_group || !indicators || !tasks || !plan_markdown) return { problems };
  // The key order of the TownBundle schema: a town's JSON (and so its hash) is the same however it was read.
  const t: TownBundle = { town, plan_markdown, units, leading_group, indicators, tasks };
  const refs = checkTownRefs(t, new Set(globals.indicators.map((i) => i.id)));
  if (refs.length) return { problems: refs.map((r) => `${r.path}: ${r.message}`) };
  checkPlanSections(id, plan_markdown, town.plan.sections.map((s) => s.heading), problems);
  for (const p of checkFaithful({ indicators: [], towns: [t], jurisdictions: [], regions: [] }, new Map())) problems.push(`${p.file}: ${p.field}: ${p.message}`);
  return problems.length ? { problems } : { town: t, problems };
}

/** The town ids of a folder's file keys (towns/<id>/…), sorted. */
export const townIdsOf = (paths: Iterable<string>): string[] =>
  [...new Set([...paths].map((p) => /^towns\/([^/]+)\//.exec(p)?.[1]).filter((x): x is string => !!x))].sort();

/** Parses, validates and checks the folder's files; throws ContentError listing every problem. */
export function parseContent(files: Readonly<Record<string, string>>): ContentBundle {
  const { globals, problems } = parseGlobals(files);
  const towns: TownBundle[] = [];
  for (const id of townIdsOf(Object.keys(files))) {
    const r = parseTown(files, id, globals);
    problems.push(...r.problems);
    if (r.town) towns.push(r.town);
  }
  if (problems.length) throw new ContentError(problems);
  return { ...globals, towns };
}

/** Every section town.yaml declares must be a heading of plan.md. */
function checkPlanSections(town: string, md: string, headings: string[], problems: string[]): void {
  const present = new Set(md.split('\n').filter((l) => /^#{2,3} /.test(l)).map((l) => l.replace(/^#+ /, '').trim()));
  for (const h of headings) if (!present.has(h)) problems.push(`towns/${town}/town.yaml: plan.sections heading "${h}" is not a "##" or "###" heading of plan.md`);
}
