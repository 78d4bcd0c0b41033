/**
 * `npm run plan:draft -- <file> --town <id> [--force] [--content DIR]`: drafts content/towns/<id>/ from a
 * plan document (.docx, .txt, .md; UTF-8 or GB18030), writes DRAFT.md with every decision a person must
 * make, and runs content:check on the draft, saying which of its problems DRAFT.md lists.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import mammoth from 'mammoth';
import { parse } from 'yaml';
import { CONTENT_DIR } from '../content/read.ts';
import type { IndicatorDef } from '../domain/content.ts';
import { decodeText, documentFormat, DocumentError, htmlToText } from '../domain/plan-draft/document.ts';
import { draftPlan, type PlanDraft } from '../domain/plan-draft/draft.ts';
import { checkPlanDraft, checkSection } from '../domain/plan-draft/check.ts';
import { Slug } from '../domain/content.ts';

/** A document's text, by its format. */
export async function documentText(file: string): Promise<string> {
  const format = documentFormat(basename(file));
  const bytes = readFileSync(file);
  if (format !== 'docx') return decodeText(bytes);
  const { value } = await mammoth.convertToHtml({ buffer: bytes });
  return htmlToText(value);
}

/** content:check on the drafted town, with the catalogue of `contentDir` and the draft's proposed indicators. */
export function checkDraft(contentDir: string, townId: string, draft: PlanDraft): { problem: string; listed: boolean }[] {
  return checkPlanDraft(draft, townId, parse(readFileSync(resolve(contentDir, 'indicators.yaml'), 'utf8')) as IndicatorDef[]);
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const flag = (f: string) => {
    const i = args.indexOf(f);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const file = args.find((a, i) => !a.startsWith('--') && !['--town', '--content'].includes(args[i - 1] ?? ''));
  const town = flag('--town');
  const contentDir = resolve(flag('--content') ?? CONTENT_DIR);
  if (!file || !town) {
    console.error('用法 / usage: npm run plan:draft -- <工作方案.docx|.txt|.md> --town <town-id> [--force]');
    process.exit(2);
  }
  if (!Slug.safeParse(town).success) {
    console.error(`--town “${town}”: 标识只能使用小写字母、数字和连字符 / the town id must be lower-case kebab-case (e.g. xiazhuang)`);
    process.exit(2);
  }
  const dir = resolve(contentDir, 'towns', town);
  if (existsSync(dir) && !args.includes('--force')) {
    console.error(`${dir} 已存在，不覆盖；确要重写请加 --force / ${dir} exists: not overwritten without --force`);
    process.exit(1);
  }
  try {
    const started = performance.now();
    const text = await documentText(resolve(file));
    const catalogue = parse(readFileSync(resolve(contentDir, 'indicators.yaml'), 'utf8')) as IndicatorDef[];
    const draft = draftPlan(text, town, catalogue);
    const results = checkDraft(contentDir, town, draft);
    const ms = Math.round(performance.now() - started);
    // each problem either concerns a decision DRAFT.md lists, or is one the drafter did not foresee
    const unlisted = results.filter((r) => !r.listed).map((r) => r.problem);
    draft.files['DRAFT.md'] += checkSection(draft, results);
    mkdirSync(dir, { recursive: true });
    for (const [name, body] of Object.entries(draft.files)) writeFileSync(resolve(dir, name), body);
    const c = draft.counts;
    console.log(
      `draft written to ${dir} in ${ms} ms: ${c.figures} profile figures, ${c.milestones} milestones, ${c.targets} targets (${c.mapped} mapped to the catalogue, ${draft.proposedIndicators.length} new indicators proposed), ${c.tasks} tasks, ${c.members} group members, ${c.units} units; ${draft.decisions.length} decisions in DRAFT.md`,
    );
    console.log(
      unlisted.length
        ? `content:check on the draft: ${unlisted.length} problems NOT listed in DRAFT.md (see its end):\n  ${unlisted.join('\n  ')}`
        : `content:check on the draft: passes except for what DRAFT.md lists (${draft.proposedIndicators.length} proposed indicators${results.length ? `, ${results.length} listed problems` : ''}).`,
    );
    if (unlisted.length) process.exitCode = 3;
  } catch (e) {
    console.error(e instanceof DocumentError ? e.message : e);
    process.exit(1);
  }
}
