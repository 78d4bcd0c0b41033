/**
 * content:check on a draft: the drafted town's files with the catalogue and the draft's proposed
 * indicators, through the same parser and faithfulness rules as `npm run content:check`
 * (worker/content/parse.ts, no file system). Says which problems DRAFT.md lists.
 */
import { stringify } from 'yaml';
import { ContentError, parseContent } from '../../content/parse.ts';
import type { IndicatorDef } from '../content.ts';
import type { PlanDraft } from './draft.ts';

/** The problems content:check finds in the draft, each marked listed (a decision in DRAFT.md) or not. */
export function checkPlanDraft(draft: PlanDraft, townId: string, catalogue: readonly IndicatorDef[]): { problem: string; listed: boolean }[] {
  const files: Record<string, string> = { 'indicators.yaml': stringify([...catalogue, ...draft.proposedIndicators]) };
  for (const [name, text] of Object.entries(draft.files)) if (name !== 'DRAFT.md') files[`towns/${townId}/${name}`] = text;
  let problems: string[] = [];
  try {
    parseContent(files);
  } catch (e) {
    if (!(e instanceof ContentError)) throw e;
    problems = e.problems;
  }
  return problems.map((problem) => ({ problem, listed: draft.decisions.some((d) => d.check !== undefined && problem.includes(d.check)) }));
}

/** The closing section of DRAFT.md: what content:check says of the draft. */
export function checkSection(draft: PlanDraft, results: readonly { problem: string; listed: boolean }[]): string {
  const unlisted = results.filter((r) => !r.listed).length;
  const n = draft.proposedIndicators.length;
  const head =
    results.length === 0
      ? n
        ? `把上面 ${n} 个提议的新指标加进 content/indicators.yaml（或改为已有指标）后，content:check 对本草稿无其他问题。/ With the proposed indicators added, content:check reports nothing else.`
        : 'content:check 对本草稿无问题。/ content:check passes on this draft.'
      : `把提议的新指标加进目录后，content:check 报告 ${results.length} 个问题，其中 ${results.length - unlisted} 个属于上面列出的决定${unlisted ? `，${unlisted} 个未列出，须逐一处理` : ''} / ${results.length} problems, ${unlisted} not listed above:`;
  return ['', '## content:check', '', head, '', ...results.map((r) => `- ${r.listed ? '（已列出 / listed）' : '（未列出 / not listed）'} ${r.problem}`), ''].join('\n');
}
