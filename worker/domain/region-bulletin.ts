/**
 * Region bulletins (区县/市 通报, issue 24): a region supervisor's numbered bulletin whose figures
 * are the region's public read model (RegionView, the same numbers as /regions/<id>/), frozen at
 * issue. Its draft input, its number's prefix, its print page in the town bulletin's layout
 * (bulletinPage, bulletinParts) and its sheet (the rows of its CSV and XLSX). Pure.
 */
import { z } from 'zod';
import { BulletinRemarks, BulletinTitle, bulletinPage, bulletinParts, day, pct, remarkParagraphs, share, zhDate, type SheetCell } from './bulletin.ts';
import { TARGET_STATUSES } from './public-status.ts';
import type { RegionView } from './region-view.ts';
import { cstDate } from './supervision.ts';
import { TARGET_STATUS_WORDS, TASK_STATE_WORDS } from './status-words.ts';

/** POST /api/v1/regions/{region}/bulletins: a draft (also the console's form). */
export const RegionBulletinDraftInput = z.strictObject({ title: BulletinTitle, remarks: BulletinRemarks });
export type RegionBulletinDraftInput = z.infer<typeof RegionBulletinDraftInput>;

/** The number's prefix: 山亭区 → 山亭区医养督 (山亭区医养督〔2026〕1号), as a town's is 冯卯医养督. */
export const regionBulletinPrefix = (regionName: string): string => `${regionName}医养督`;

/** The title a draft gets when none is given. */
export const defaultRegionBulletinTitle = (regionName: string, day: string): string => `关于${regionName}医养结合示范镇创建工作进展情况的通报（截至${zhDate(day)}）`;

/** A town's place as the print page words it: 第1, 并列第2; 未报告 / 尚未统计 for a town not ranked. */
const place = (t: RegionView['towns'][number]): string => (t.rank !== null ? `${t.tied ? '并列' : ''}第${t.rank}` : t.pending ? '尚未统计' : TASK_STATE_WORDS.zh.not_reported);

/**
 * The print page: the answer first (towns, reports, deliverables by state, overdue), the towns
 * ranked by the page's rule with 未报告 towns listed apart (never 0 %), the targets of every
 * milestone by verdict, the ranking rule, the 说明. Every figure is one of RegionView's.
 */
export function regionBulletinHtml(b: { title: string; number: string | null; issuer: string; issued_on: string | null; remarks?: string }, v: RegionView): string {
  const { cell, table, row, n, w, txt, esc } = bulletinParts;
  const d = v.deliverables;
  const words = TASK_STATE_WORDS.zh;
  const ranked = v.towns.filter((t) => t.rank !== null).sort((a, b) => a.rank! - b.rank!);
  const apart = v.towns.filter((t) => t.rank === null);
  const townRow = (t: RegionView['towns'][number]) =>
    t.rank !== null
      ? row([
          cell(n(place(t))),
          cell(w(t.name)),
          cell(n(t.deliverables.total)),
          cell(n(t.deliverables.completed)),
          cell(n(pct(t.completed_share))),
          cell(n(t.targets_met)),
          cell(n(t.deliverables.overdue)),
        ])
      : row([cell(n(place(t))), cell(w(t.name)), cell(n(t.deliverables.total)), cell(n('—')), cell(n('—')), cell(n('—')), cell(n('—'))]);
  const milestones = v.milestones.map((m) => row([cell(n(m.label)), cell(n(m.targets)), ...TARGET_STATUSES.map((s) => cell(n(m.counts[s] ?? 0)))]));
  const remarks = remarkParagraphs(b.remarks);
  const body = `<div class="body">
<p>数据截至${txt(zhDate(v.judged_as_of))}，与${esc(v.region.name)}公开页面所示相同（各镇审核通过的进展报告）。</p>
<h2>一、总体情况</h2>
<p>${esc(v.region.name)}共有示范镇创建乡镇 ${v.towns_total} 个，其中 ${v.towns_reported} 个已有审核通过的进展报告，${v.towns_total - v.towns_reported} 个尚未报告（不计为未完成）。各镇具体任务共 ${d.total} 项：${words.completed} ${d.completed} 项，${words.in_progress} ${d.in_progress} 项，${words.not_started} ${d.not_started} 项，${words.blocked} ${d.blocked} 项，${words.not_reported} ${d.not_reported} 项；逾期 ${d.overdue} 项。</p>
</div>
<h2>二、各镇完成情况（排名）</h2>
${table('units', [['名次', 'n'], ['乡镇'], ['具体任务', 'n'], ['已完成', 'n'], ['完成比例', 'n'], ['已达成目标', 'n'], ['逾期', 'n']], ranked.length + apart.length ? [`<tbody>${ranked.map(townRow).join('')}</tbody>`, ...(apart.length ? [`<tbody><tr class="group"><th colspan="7" scope="rowgroup">未报告的镇（不参加排名）</th></tr>${apart.map(townRow).join('')}</tbody>`] : [])] : [])}
<h2>三、各时间节点目标完成情况</h2>
${table('indicators', [['时间节点', 'n'], ['目标数', 'n'], ...TARGET_STATUSES.map((s) => [TARGET_STATUS_WORDS.zh[s], 'n'] as [string, 'n'])], milestones.length ? [`<tbody>${milestones.join('')}</tbody>`] : [])}
<h2>四、排名规则</h2>
<div class="body"><p>${txt(v.ranking_rule)}</p></div>
${remarks.length ? `<h2>五、说明</h2>\n<div class="body">${remarks.map((p) => `<p>${txt(p)}</p>`).join('')}</div>` : ''}
`;
  return bulletinPage(b, body);
}

/** The day of a town's newest approval (China Standard Time), or — when it has none. */
const lastApproval = (t: RegionView['towns'][number]): SheetCell => (t.updated_at ? day(cstDate(t.updated_at)) : '—');

/**
 * The region bulletin as one table, the rows its CSV and XLSX carry in reading order: the answer
 * (towns, reports, deliverables by state, overdue), one row per town (ranked first, then the towns
 * not ranked, never 0 %), the targets of every milestone by verdict, the ranking rule, the 说明.
 * The same figures as the print page; shares and days stay numbers and dates in the XLSX.
 */
export function regionBulletinSheet(b: { title: string; number: string | null; remarks?: string }, v: RegionView): SheetCell[][] {
  const d = v.deliverables;
  const words = TASK_STATE_WORDS.zh;
  const ranked = v.towns.filter((t) => t.rank !== null).sort((a, b) => a.rank! - b.rank!);
  const apart = v.towns.filter((t) => t.rank === null);
  const rows: SheetCell[][] = [
    ['通报', b.title],
    ['文号', b.number ?? '（草稿，未印发）'],
    ['地区', v.region.name],
    ['数据截至', day(v.judged_as_of)],
    [],
    ['一、总体情况'],
    ['乡镇数', v.towns_total],
    ['已有审核通过报告的镇', v.towns_reported],
    ['尚未报告的镇', v.towns_total - v.towns_reported],
    ['具体任务', d.total],
    [words.completed, d.completed],
    [words.in_progress, d.in_progress],
    [words.not_started, d.not_started],
    [words.blocked, d.blocked],
    [words.not_reported, d.not_reported],
    ['逾期', d.overdue],
    [],
    ['二、各镇完成情况（排名；未报告的镇不参加排名）'],
    ['名次', '乡镇', '具体任务', '已完成', '完成比例', '已达成目标', '逾期', '最近审核通过'],
    ...ranked.map((t) => [place(t), t.name, t.deliverables.total, t.deliverables.completed, share(t.completed_share), t.targets_met, t.deliverables.overdue, lastApproval(t)]),
    ...apart.map((t) => [place(t), t.name, t.deliverables.total, '—', '—', '—', '—', lastApproval(t)]),
    [],
    ['三、各时间节点目标完成情况'],
    ['时间节点', '目标数', ...TARGET_STATUSES.map((s) => TARGET_STATUS_WORDS.zh[s])],
    ...v.milestones.map((m) => [m.label, m.targets, ...TARGET_STATUSES.map((s) => m.counts[s] ?? 0)]),
    [],
    ['四、排名规则'],
    [v.ranking_rule],
  ];
  const remarks = remarkParagraphs(b.remarks);
  if (remarks.length) rows.push([], ['五、说明'], ...remarks.map((p) => [p]));
  return rows;
}
