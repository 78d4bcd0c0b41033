/**
 * Reads content/ from disk (Node only) into a validated ContentBundle.
 * Used by the Astro content collections, the content loader CLI and the tests.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import {
  ContentBundle,
  IndicatorDef,
  Jurisdiction,
  LeadingGroup,
  TaskDef,
  TownFile,
  TownIndicator,
  Unit,
} from '../domain/content.ts';
import { checkContentRefs } from '../domain/content-refs.ts';

/** Thrown when content/ does not match the schemas; lists every problem with its file and field path. */
export class ContentError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`content/ is invalid:\n  ${problems.join('\n  ')}`);
    this.name = 'ContentError';
    this.problems = problems;
  }
}

/** Default location of content/, relative to the repository root. */
export const CONTENT_DIR = resolve(import.meta.dirname, '../../content');

function parseFile<T extends z.ZodType>(file: string, schema: T, problems: string[]): z.infer<T> | undefined {
  let raw: unknown;
  try {
    raw = file.endsWith('.md') ? readFileSync(file, 'utf8') : parse(readFileSync(file, 'utf8'));
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

/** Reads and validates everything under `dir`; throws ContentError listing all problems. */
export function readContent(dir: string = CONTENT_DIR): ContentBundle {
  const problems: string[] = [];
  const indicators = parseFile(join(dir, 'indicators.yaml'), z.array(IndicatorDef), problems) ?? [];
  const towns = [];
  const townsDir = join(dir, 'towns');
  for (const id of existsSync(townsDir) ? readdirSync(townsDir).sort() : []) {
    const d = join(townsDir, id);
    const town = parseFile(join(d, 'town.yaml'), TownFile, problems);
    const units = parseFile(join(d, 'units.yaml'), z.array(Unit), problems);
    const leading_group = parseFile(join(d, 'leading-group.yaml'), LeadingGroup, problems);
    const tIndicators = parseFile(join(d, 'indicators.yaml'), z.array(TownIndicator), problems);
    const tasks = parseFile(join(d, 'tasks.yaml'), z.array(TaskDef), problems);
    let plan_markdown: string | undefined;
    try {
      plan_markdown = readFileSync(join(d, 'plan.md'), 'utf8');
    } catch (e) {
      problems.push(`${join(d, 'plan.md')}: ${(e as Error).message}`);
    }
    if (town && town.id !== id) problems.push(`${join(d, 'town.yaml')}: id "${town.id}" must equal its folder name "${id}"`);
    if (town && units && leading_group && tIndicators && tasks && plan_markdown) {
      towns.push({ town, units, leading_group, indicators: tIndicators, tasks, plan_markdown });
    }
  }
  const jurisdictions = [];
  const jDir = join(dir, 'jurisdictions');
  for (const f of existsSync(jDir) ? readdirSync(jDir).filter((f) => f.endsWith('.yaml')).sort() : []) {
    const j = parseFile(join(jDir, f), Jurisdiction, problems);
    if (j && `${j.id}.yaml` !== f) problems.push(`${join(jDir, f)}: id "${j.id}" must equal the file name`);
    if (j) jurisdictions.push(j);
  }
  if (problems.length) throw new ContentError(problems);
  const bundle = ContentBundle.parse({ indicators, towns, jurisdictions });
  const refs = checkContentRefs(bundle);
  if (refs.length) throw new ContentError(refs.map((r) => `${r.path}: ${r.message}`));
  for (const t of bundle.towns) checkPlanSections(t.town.id, t.plan_markdown, t.town.plan.sections.map((s) => s.heading), problems);
  if (problems.length) throw new ContentError(problems);
  return bundle;
}

/** Every section town.yaml declares must be a heading of plan.md. */
function checkPlanSections(town: string, md: string, headings: string[], problems: string[]): void {
  const present = new Set(md.split('\n').filter((l) => /^#{2,3} /.test(l)).map((l) => l.replace(/^#+ /, '').trim()));
  for (const h of headings) if (!present.has(h)) problems.push(`towns/${town}/town.yaml: plan.sections heading "${h}" is not a "##" or "###" heading of plan.md`);
}

// CLI: `node worker/content/read.ts` validates content/ and prints a summary.
if (import.meta.main) {
  try {
    const b = readContent(process.argv[2] ?? CONTENT_DIR);
    console.log(
      `content OK: ${b.indicators.length} indicators, ` +
        b.towns.map((t) => `${t.town.id} (${t.tasks.length} tasks, ${t.indicators.length} indicators, ${t.leading_group.members.length} members)`).join(', ') +
        `, ${b.jurisdictions.length} jurisdictions (${b.jurisdictions.reduce((n, j) => n + j.reports.reduce((m, r) => m + r.figures.length, 0), 0)} figures)`,
    );
  } catch (e) {
    console.error(e instanceof ContentError ? e.message : e);
    process.exit(1);
  }
}
