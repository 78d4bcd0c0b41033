/**
 * Bulletins (通报): the figures a bulletin carries, computed from the supervision views on its
 * as-of date, and their exports — the table rows shared by CSV and XLSX, the CSV text (UTF-8 BOM,
 * formula injection neutralised) and the print-ready HTML page (A4, 仿宋/宋体, no scripts).
 */
import { z } from 'zod';
import type { Cell } from './csv.ts';
import { INDICATOR_STATUSES, isCalendarDate, type IndicatorStatus } from './supervision.ts';
import type { TaskItem, TownFacts, indicatorBoard, unitStandings } from './supervision-views.ts';

const Count = z.number().int().min(0);
const zh = (cn: string, en: string) => ({ message: `${cn} / ${en}` });
const Day = z.string(zh('请填写日期', 'give a date')).refine(isCalendarDate, zh('日期格式应为 YYYY-MM-DD', 'date must be a real YYYY-MM-DD'));

/** A bulletin's title (town and region bulletins alike): optional, a default is made from its owner. */
export const BulletinTitle = z.string().trim().min(1, zh('请填写标题', 'give a title')).max(200, zh('标题不能超过200字', 'title is at most 200 characters')).optional();
/** A bulletin's 说明 (town and region bulletins alike): printed one paragraph per line. */
export const BulletinRemarks = z.string().trim().max(5000, zh('说明不能超过5000字', 'remarks are at most 5000 characters')).default('');

/** POST /api/v1/towns/{town}/bulletins: a draft for a period (also the console's draft form). */
export const BulletinDraftInput = z
  .strictObject({ title: BulletinTitle, period_from: Day, period_to: Day, remarks: BulletinRemarks })
  .refine((b) => b.period_from <= b.period_to, { message: '统计期间的开始日期不能晚于结束日期 / period_from must not be after period_to', path: ['period_to'] });

/** The frozen content of a bulletin. */
export const BulletinFigures = z
  .object({
    as_of: z.string(),
    period: z.object({ from: z.string(), to: z.string() }),
    town: z.object({ id: z.string(), name: z.string() }),
    headline: z.object({
      tasks: Count,
      completed: Count,
      in_progress: Count,
      not_started: Count,
      blocked: Count,
      completion_rate: z.number().nullable(),
      overdue: Count,
      at_risk: Count,
      stale: Count,
      // `unreported` came later: bulletins issued before it have none (read as 0).
      indicators: z.object({ met: Count, missed: Count, unreported: Count.default(0), on_track: Count, behind: Count, no_data: Count }),
    }),
    units: z.array(
      z.object({
        rank: z.number().int(),
        unit: z.string(),
        name: z.string(),
        total: Count,
        completed: Count,
        completion_rate: z.number(),
        mean_percent: z.number(),
        overdue: Count,
      }),
    ),
    overdue: z.array(
      z.object({
        ref: z.string(),
        code: z.string(),
        title: z.string(),
        units: z.array(z.string()),
        lead_member: z.string().nullable(),
        due: z.string(),
        days_overdue: Count,
        status: z.string(),
        percent: z.number(),
        last_approved_on: z.string().nullable(),
      }),
    ),
    indicators: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        milestone: z.string(),
        milestone_label: z.string(),
        target: z.string(),
        latest: z.number().nullable(),
        status: z.enum(INDICATOR_STATUSES),
      }),
    ),
    inspections: z.array(
      z.object({
        id: z.string(),
        inspected_on: z.string(),
        title: z.string(),
        findings: z.array(z.string()),
        rectifications: z.array(z.object({ code: z.string(), title: z.string(), unit: z.string(), due_on: z.string(), status: z.string() })),
      }),
    ),
  })
  .meta({ id: 'BulletinFigures' });
export type BulletinFigures = z.infer<typeof BulletinFigures>;

export const STATUS_ZH: Record<string, string> = { not_started: '未开始', in_progress: '进行中', completed: '已完成', blocked: '受阻' };
export const INDICATOR_ZH: Record<IndicatorStatus, string> = { met: '已达标', missed: '未达标', unreported: '到期未报告', on_track: '进度正常', behind: '进度滞后', no_data: '暂无数据' };

/** Inspection facts a bulletin cites. */
export interface InspectionForBulletin {
  id: string;
  inspected_on: string;
  title: string;
  findings: { text: string }[];
  rectifications: { code: string; title: string; unit: string; due_on: string; id: string }[];
}

/** The figures of a bulletin for a period, as of `asOf` (the period's end, or today if earlier). */
export function bulletinFigures(
  f: TownFacts,
  items: TaskItem[],
  standings: ReturnType<typeof unitStandings>,
  indicators: ReturnType<typeof indicatorBoard>,
  inspections: InspectionForBulletin[],
  period: { from: string; to: string },
  asOf: string,
): BulletinFigures {
  const leaves = items.filter((t) => t.leaf);
  const n = (s: string) => leaves.filter((t) => t.status === s).length;
  const unitName = new Map(f.units.map((u) => [u.id, u.name]));
  const byId = new Map(items.map((t) => [t.id, t]));
  const label = new Map(f.milestones.map((m) => [m.id, m.label]));
  return {
    as_of: asOf,
    period,
    town: { id: f.town.id, name: f.town.name },
    headline: {
      tasks: leaves.length,
      completed: n('completed'),
      in_progress: n('in_progress'),
      not_started: n('not_started'),
      blocked: n('blocked'),
      completion_rate: leaves.length ? Math.round((n('completed') / leaves.length) * 10_000) / 10_000 : null,
      overdue: leaves.filter((t) => t.overdue_days !== null).length,
      at_risk: leaves.filter((t) => t.at_risk !== null).length,
      stale: leaves.filter((t) => t.stale).length,
      indicators: indicators.counts,
    },
    units: standings
      .filter((s) => s.rank !== null)
      .map((s) => ({ rank: s.rank!, unit: s.unit, name: s.name, total: s.total, completed: s.completed, completion_rate: s.completion_rate!, mean_percent: s.mean_percent!, overdue: s.overdue })),
    overdue: leaves
      .filter((t) => t.overdue_days !== null)
      .sort((a, b) => b.overdue_days! - a.overdue_days! || a.code.localeCompare(b.code))
      .map((t) => ({
        ref: t.ref,
        code: t.code,
        title: t.title,
        units: t.units.filter((u) => u.role === 'lead').map((u) => u.name),
        lead_member: t.lead_member?.name ?? null,
        due: t.due,
        days_overdue: t.overdue_days!,
        status: t.status,
        percent: t.percent,
        last_approved_on: t.last_approved?.reviewed_at ?? null,
      })),
    indicators: indicators.indicators.flatMap((i) =>
      i.targets.map((t) => ({
        id: i.id,
        name: i.name,
        milestone: t.milestone,
        milestone_label: label.get(t.milestone) ?? t.milestone,
        target: t.display ?? t.text ?? String(t.value ?? ''),
        latest: t.latest?.value ?? null,
        status: t.status,
      })),
    ),
    inspections: inspections
      .filter((x) => x.inspected_on >= period.from && x.inspected_on <= period.to)
      .sort((a, b) => a.inspected_on.localeCompare(b.inspected_on))
      .map((x) => ({
        id: x.id,
        inspected_on: x.inspected_on,
        title: x.title,
        findings: x.findings.map((g) => g.text),
        rectifications: x.rectifications.map((r) => ({
          code: r.code,
          title: r.title,
          unit: unitName.get(r.unit) ?? r.unit,
          due_on: r.due_on,
          status: byId.get(r.id)?.status ?? 'not_started',
        })),
      })),
  };
}


/** A share (0–1) as printed: 42.9%, or — when there is none. */
export const pct = (x: number | null): string => (x === null ? '—' : `${Math.round(x * 1000) / 10}%`);

/** A cell of the bulletin sheet: text, a count, a share shown as a percentage, or a calendar day. */
export type SheetCell = Cell | { share: number; text: string } | { day: string };

/** A share (0–1) as a sheet cell: a number shown as a percentage; '—' when there is none. */
export const share = (x: number | null): SheetCell => (x === null ? '—' : { share: x, text: pct(x) });
/** A calendar day (YYYY-MM-DD) as a sheet cell: a date in the XLSX; anything else as text. */
export const day = (d: string | null | undefined): SheetCell => (d && /^\d{4}-\d{2}-\d{2}$/.test(d) ? { day: d } : (d ?? ''));

/** A sheet cell as CSV text (what the XLSX shows with its number format). */
export const cellText = (c: SheetCell): Cell => (typeof c === 'object' ? ('share' in c ? c.text : c.day) : c);

/** The bulletin as one table: the rows both CSV and XLSX carry, in reading order. */
export function bulletinRows(b: { title: string; number: string | null; remarks?: string }, f: BulletinFigures): Cell[][] {
  return bulletinSheet(b, f).map((r) => r.map(cellText));
}

/** The bulletin's rows with typed cells: shares and days stay numbers and dates in the XLSX. */
export function bulletinSheet(b: { title: string; number: string | null; remarks?: string }, f: BulletinFigures): SheetCell[][] {
  const h = f.headline;
  const rows: SheetCell[][] = [
    ['通报', b.title],
    ['文号', b.number ?? '（草稿，未印发）'],
    ['统计期间', `${f.period.from} 至 ${f.period.to}`],
    ['数据截至', day(f.as_of)],
    [],
    ['一、总体情况'],
    ['任务总数', h.tasks],
    ['已完成', h.completed],
    ['进行中', h.in_progress],
    ['未开始', h.not_started],
    ['受阻', h.blocked],
    ['完成率', share(h.completion_rate)],
    ['逾期', h.overdue],
    ['存在风险', h.at_risk],
    ['长期未更新', h.stale],
    [],
    ['二、各责任单位完成情况（按完成率排名）'],
    ['名次', '责任单位', '牵头任务数', '已完成', '完成率', '平均进度', '逾期'],
    ...f.units.map((u) => [u.rank, u.name, u.total, u.completed, share(u.completion_rate), { share: u.mean_percent / 100, text: `${u.mean_percent}%` }, u.overdue]),
    [],
    ['三、逾期任务'],
    ['序号', '任务编号', '任务', '责任单位', '责任领导', '应完成日期', '逾期天数', '状态', '进度'],
    ...f.overdue.map((t, i) => [i + 1, t.code, t.title, t.units.join('、'), t.lead_member ?? '', day(t.due), t.days_overdue, STATUS_ZH[t.status] ?? t.status, { share: t.percent / 100, text: `${t.percent}%` }]),
    [],
    ['四、指标完成情况'],
    ['指标', '时间节点', '目标', '最新值', '状态'],
    ...f.indicators.map((i) => [i.name, i.milestone_label, i.target, i.latest ?? '', INDICATOR_ZH[i.status]]),
    [],
    ['五、督导检查发现的问题及整改'],
    ['检查日期', '检查', '发现问题', '整改事项', '责任单位', '整改时限', '整改状态'],
  ];
  for (const x of f.inspections) {
    const n = Math.max(x.findings.length, x.rectifications.length, 1);
    for (let i = 0; i < n; i++) {
      const r = x.rectifications[i];
      rows.push([i === 0 ? day(x.inspected_on) : '', i === 0 ? x.title : '', x.findings[i] ?? '', r ? `${r.code} ${r.title}` : '', r?.unit ?? '', day(r?.due_on), r ? (STATUS_ZH[r.status] ?? r.status) : '']);
    }
  }
  const remarks = remarkParagraphs(b.remarks);
  if (remarks.length) rows.push([], ['六、说明'], ...remarks.map((p) => [p]));
  return rows;
}

const esc = (s: string | number): string =>
  String(s).replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

/** Words a printed line must never split: calendar dates (2018-12-31, 2018年12月31日) and the status words. */
const UNBREAKABLE = new RegExp(
  `\\d{4}-\\d{2}-\\d{2}|\\d{4}年\\d{1,2}月\\d{1,2}日|${[...new Set([...Object.values(STATUS_ZH), ...Object.values(INDICATOR_ZH)])].join('|')}`,
  'g',
);

/** Text for the page: escaped, with every date and status word kept on one line. */
const txt = (s: string | number): string => esc(s).replace(UNBREAKABLE, (w) => `<span class="nw">${w}</span>`);

/** 2026-12-04 → 2026年12月4日, as a 公文 writes the date it was issued (GB/T 9704). */
export const zhDate = (d: string): string => {
  const [y, m, day] = d.split('-').map(Number);
  return `${y}年${m}月${day}日`;
};

/** A table cell: its text and how it is set — `n` numbers and short words (centred, one line), `w` words broken only at punctuation. */
type Td = { v: string | number; c?: 'n' | 'w' } | string | number;

/** The bulletin's 说明 (remarks) as paragraphs: one per non-empty line, as the office typed them. */
export const remarkParagraphs = (remarks: string | undefined): string[] => (remarks ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);

/** The pieces a 通报's tables are built from (town and region bulletins alike): cells, rows and tables, all text escaped. */
export const bulletinParts = (() => {
  const cell = (x: Td, tag: 'td' | 'th' = 'td', attrs = '') => {
    const { v, c } = typeof x === 'object' ? x : { v: x, c: typeof x === 'number' ? ('n' as const) : undefined };
    return `<${tag}${c ? ` class="${c}"` : ''}${attrs}>${txt(v)}</${tag}>`;
  };
  /** A table: `head` gives each column's heading and its width (`n`: as wide as its widest entry; `u`: a unit's name; `i`: an indicator's name). */
  const table = (cls: string, head: [string, ('n' | 'u' | 'i')?][], bodies: string[]) =>
    `<table class="${cls}"><colgroup>${head.map(([, c]) => (c === 'n' ? '<col class="fit">' : c ? `<col class="${c === 'u' ? 'unit' : 'name'}">` : '<col>')).join('')}</colgroup><thead><tr>${head
      .map(([x]) => `<th scope="col">${esc(x)}</th>`)
      .join('')}</tr></thead>${bodies.length ? bodies.join('') : `<tbody><tr><td colspan="${head.length}" class="none">无</td></tr></tbody>`}</table>`;
  const row = (cells: string[]) => `<tr>${cells.join('')}</tr>`;
  const n = (v: string | number): Td => ({ v, c: 'n' });
  const w = (v: string | number): Td => ({ v, c: 'w' });
  return { cell, table, row, n, w, txt, esc };
})();

/**
 * A print-ready page in the layout of a 通报: title, 文号, body, the five tables, the 说明 if any, then the issuing
 * body and date, kept on the page that ends the last table. A4 portrait; 仿宋 body, 宋体 tables;
 * table headings repeat on every page; no scripts (the route sends a strict CSP); all text escaped.
 */
export function bulletinHtml(b: { title: string; number: string | null; issuer: string; issued_on: string | null; remarks?: string }, f: BulletinFigures): string {
  const h = f.headline;
  const remarks = remarkParagraphs(b.remarks);
  const { cell, table, row, n, w } = bulletinParts;

  const units = f.units.map((u) => row([cell(n(u.rank)), cell(w(u.name)), cell(n(u.total)), cell(n(u.completed)), cell(n(pct(u.completion_rate))), cell(n(`${u.mean_percent}%`)), cell(n(u.overdue))]));

  // Overdue tasks grouped by their deadline (the list is ordered by days overdue, so a deadline's tasks are together).
  const overdue: string[] = [];
  let seq = 0;
  for (const t of f.overdue) {
    const last = f.overdue[seq - 1];
    if (!last || last.due !== t.due) {
      const count = f.overdue.filter((x) => x.due === t.due).length;
      overdue.push(`<tbody><tr class="group"><th colspan="5" scope="rowgroup">应于${txt(zhDate(t.due))}完成，已逾期 ${t.days_overdue} 天（${count}项）</th></tr>`);
    }
    seq++;
    overdue.push(row([cell(n(seq)), cell(`${t.code} ${t.title}`), cell(t.units.join('、')), cell(n(STATUS_ZH[t.status] ?? t.status)), cell(n(`${t.percent}%`))]));
    if (f.overdue[seq]?.due !== t.due) overdue.push('</tbody>');
  }

  // Indicators: one row group per indicator, its name spanning its milestones.
  const indicators: string[] = [];
  for (let i = 0; i < f.indicators.length; ) {
    let j = i;
    while (j < f.indicators.length && f.indicators[j]!.id === f.indicators[i]!.id) j++;
    const same = f.indicators.slice(i, j);
    indicators.push(
      `<tbody>${same
        .map((x, k) => row([...(k === 0 ? [cell(x.name, 'th', ` scope="rowgroup"${same.length > 1 ? ` rowspan="${same.length}"` : ''}`)] : []), cell(n(x.milestone_label)), cell(x.target), cell(n(x.latest ?? '—')), cell(n(INDICATOR_ZH[x.status]))]))
        .join('')}</tbody>`,
    );
    i = j;
  }

  const inspections = f.inspections.map(
    (x) =>
      `<tbody>${row([
        cell(n(x.inspected_on)),
        cell(x.title),
        `<td>${x.findings.length ? x.findings.map((g, i) => `<p>${i + 1}. ${txt(g)}</p>`).join('') : '—'}</td>`,
        `<td>${
          x.rectifications.length
            ? x.rectifications.map((r) => `<p>${txt(`${r.code} ${r.title}`)}（${txt(r.unit)}，${txt(r.due_on)}前，${txt(STATUS_ZH[r.status] ?? r.status)}）</p>`).join('')
            : '—'
        }</td>`,
      ])}</tbody>`,
  );

  return bulletinPage(b, `<div class="body">
<p>统计期间：${txt(zhDate(f.period.from))}至${txt(zhDate(f.period.to))}，数据截至${txt(zhDate(f.as_of))}。</p>
<h2>一、总体情况</h2>
<p>${esc(f.town.name)}共有任务 ${h.tasks} 项，已完成 ${h.completed} 项，进行中 ${h.in_progress} 项，未开始 ${h.not_started} 项，受阻 ${h.blocked} 项，完成率 ${esc(pct(h.completion_rate))}。逾期 ${h.overdue} 项，存在风险 ${h.at_risk} 项，长期未更新 ${h.stale} 项。</p>
</div>
<h2>二、各责任单位完成情况（按完成率排名）</h2>
${table('units', [['名次', 'n'], ['责任单位'], ['牵头任务数', 'n'], ['已完成', 'n'], ['完成率', 'n'], ['平均进度', 'n'], ['逾期', 'n']], units.length ? [`<tbody>${units.join('')}</tbody>`] : [])}
<h2>三、逾期任务（${f.overdue.length}项）</h2>
${table('overdue', [['序号', 'n'], ['任务'], ['责任单位', 'u'], ['状态', 'n'], ['进度', 'n']], overdue)}
<h2>四、指标完成情况</h2>
${table('indicators', [['指标', 'i'], ['时间节点', 'n'], ['目标'], ['最新值', 'n'], ['状态', 'n']], indicators)}
<h2>五、督导检查发现的问题及整改</h2>
${table('inspections', [['检查日期', 'n'], ['检查'], ['发现问题'], ['整改事项（责任单位，时限，状态）']], inspections)}
${remarks.length ? `<h2>六、说明</h2>\n<div class="body">${remarks.map((p) => `<p>${txt(p)}</p>`).join('')}</div>` : ''}
`);
}

/**
 * The page of a 通报 (town or region): title, 文号 (or 草稿), the body given, then the issuing body
 * and date, kept on the page that ends the last table. A4 portrait; 仿宋 body, 宋体 tables; table
 * headings repeat on every page; no scripts (the routes send a strict CSP). `body` is HTML the
 * caller built with `bulletinTable` and escaped text.
 */
export function bulletinPage(b: { title: string; number: string | null; issuer: string; issued_on: string | null }, body: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(b.number ?? '通报（草稿）')} ${esc(b.title)}</title>
<style>
@page { size: A4 portrait; margin: 20mm 20mm 20mm 20mm; @bottom-center { content: "— " counter(page) " —"; font: 12pt "Noto Serif CJK SC", serif; } }
html { font-family: "FangSong", "仿宋", "FangSong_GB2312", "STFangsong", "SimSun", "宋体", "Songti SC", "Noto Serif CJK SC", "Source Han Serif SC", serif; font-size: 15pt; line-height: 1.5; color: #000; background: #fff; }
body { max-width: 170mm; margin: 0 auto; padding: 1em; }
h1 { font-family: "FZXiaoBiaoSong-B05S", "方正小标宋简体", "SimSun", "宋体", "Songti SC", "Noto Serif CJK SC", serif; font-size: 20pt; line-height: 1.4; text-align: center; font-weight: bold; margin: 0 0 0.3em; }
.number { text-align: center; margin: 0 0 0.8em; }
.draft { text-align: center; color: #a00; font-weight: bold; }
p { margin: 0; }
.body p { text-indent: 2em; }
h2 { font-family: "SimHei", "黑体", "Heiti SC", "Noto Sans CJK SC", sans-serif; font-size: 15pt; font-weight: normal; margin: 0.6em 0 0.2em; break-after: avoid; page-break-after: avoid; }
table { width: 100%; border-collapse: collapse; font-family: "SimSun", "宋体", "Songti SC", "Noto Serif CJK SC", serif; font-size: 9.5pt; line-height: 1.25; margin: 0.2em 0 0.3em; }
thead { display: table-header-group; }
tr, .inspections tbody, .indicators tbody { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 0.5pt solid #000; padding: 0.5pt 3pt; text-align: left; vertical-align: middle; }
thead th { font-family: "SimHei", "黑体", "Heiti SC", "Noto Sans CJK SC", sans-serif; font-weight: normal; text-align: center; white-space: nowrap; }
tbody th { font-weight: normal; }
.group th { font-family: "SimHei", "黑体", "Heiti SC", "Noto Sans CJK SC", sans-serif; background: #eee; }
.fit { width: 1%; }
.unit { width: 6.5em; }
.name { width: 13em; }
.n { text-align: center; white-space: nowrap; }
.w { word-break: keep-all; }
.nw { white-space: nowrap; }
td p { text-indent: 0; }
.none { text-align: center; }
.end { break-before: avoid; page-break-before: avoid; break-inside: avoid; page-break-inside: avoid; display: flex; justify-content: flex-end; padding-top: 1.5em; }
.issuer { text-align: center; margin-right: 2em; }
@media print { body { padding: 0; max-width: none; } .group th { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
</style>
</head>
<body>
<h1>${txt(b.title)}</h1>
${b.number ? `<p class="number">${esc(b.number)}</p>` : '<p class="draft">草稿（未印发）</p>'}
${body}<div class="end"><div class="issuer"><p>${esc(b.issuer)}</p><p>${b.issued_on ? txt(zhDate(b.issued_on)) : '（未印发）'}</p></div></div>
</body>
</html>
`;
}
