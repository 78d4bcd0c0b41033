/**
 * The task table as a spreadsheet (任务分解表): the columns a township clerk recognises, the rows
 * an export writes, and the import rules — every row validated with zod, references resolved by
 * the names a clerk types (a unit, a member, a milestone), then checked as a whole table (duplicate
 * codes, parents, cycles) before anything is written. Pure: no Hono, no D1.
 */
import { z } from 'zod';
import { STATUS_ZH } from './bulletin.ts';
import type { Cell } from './csv.ts';
import { milestoneOf } from './sheet-dates.ts';
import { HEADER_SEARCH_ROWS, MAX_TABLE_ROWS, tooManyRows } from './table-file.ts';
import { KIND_ZH, PlanTaskKind, changedFields, checkTasks, newTaskId, snapshot, stateOf, type TaskField, type TaskRecord, type TaskState, type TownRefs } from './tasks.ts';

export { TableFileError, decodeCsv, isZip, parseTableCsv, pickSheet, sniffFormat } from './table-file.ts';

/** Limits that keep an import inside one Worker request: file bytes, rows, and unzipped XLSX bytes. */
export const IMPORT_LIMITS = { bytes: 2 * 1024 * 1024, rows: MAX_TABLE_ROWS, unzippedBytes: 24 * 1024 * 1024 } as const;

/** One column: a stable key (code, API), the Chinese header a clerk reads, and whether import reads it. */
export interface TaskColumn {
  key: 'code' | 'parent' | 'kind' | 'title' | 'lead_units' | 'support_units' | 'lead_member' | 'due' | 'weight' | 'evidence_required' | 'status' | 'percent' | 'id' | 'version';
  header: string;
  /** Other headers township templates use for this column. */
  aliases?: string[];
  /** Written as text so a spreadsheet never turns 2134.10 into 2134.1. */
  text?: true;
  /** Export only: cells a clerk must not edit (shaded in the XLSX). */
  locked?: true;
  /** Export only: progress changes through reviewed updates, never through a spreadsheet. */
  readOnly?: true;
  required?: true;
  width: number;
}

/**
 * The columns of the 任务分解表, in order. On import a header matches by its text (spaces, a leading
 * or trailing *, and a trailing （…） ignored), an alias, or the key; columns may be in any order.
 * 任务标识 and 版本 are what make an edit of an exported file safe: the row's task, and the version
 * it was exported at (an older version than the database's is a conflict, never a silent overwrite).
 */
export const TASK_COLUMNS: readonly TaskColumn[] = [
  { key: 'code', header: '编号', aliases: ['任务编号'], required: true, text: true, width: 9 },
  { key: 'parent', header: '上级任务', aliases: ['上级编号', '上级任务编号'], text: true, width: 9 },
  { key: 'kind', header: '类别', aliases: ['任务类别'], width: 9 },
  { key: 'title', header: '任务内容', aliases: ['工作任务', '具体任务', '工作内容'], required: true, width: 56 },
  { key: 'lead_units', header: '牵头单位', aliases: ['责任单位', '牵头部门'], required: true, width: 16 },
  { key: 'support_units', header: '配合单位', aliases: ['配合部门', '协办单位'], width: 24 },
  { key: 'lead_member', header: '责任人', aliases: ['责任领导', '分管领导'], width: 9 },
  { key: 'due', header: '完成时限', aliases: ['完成时间', '时间节点', '完成期限'], required: true, width: 12 },
  { key: 'weight', header: '权重', width: 6 },
  { key: 'evidence_required', header: '须附佐证', aliases: ['需附佐证', '是否须附佐证', '佐证材料'], width: 8 },
  { key: 'status', header: '状态', readOnly: true, width: 8 },
  { key: 'percent', header: '进度(%)', readOnly: true, width: 8 },
  { key: 'id', header: '任务标识', required: true, locked: true, text: true, width: 30 },
  { key: 'version', header: '版本', required: true, locked: true, width: 6 },
];

/** How the 须附佐证 column reads: 是 / 否 (import also takes Y/N, true/false, 1/0, √/×). */
const YES = '是';
const NO = '否';
const YES_WORDS = new Set([YES, 'y', 'yes', 'true', '1', '√', '✓', '须', '需要', '要']);
const NO_WORDS = new Set([NO, 'n', 'no', 'false', '0', '×', '✗', '不', '不需要', '无']);

/** Separator between several units in one cell. */
const LIST_SEP = '、';

type EditColumn = Exclude<TaskColumn['key'], 'status' | 'percent' | 'id' | 'version'>;
/** The columns a clerk edits, as they read in the sheet. */
export const EDIT_COLUMNS = TASK_COLUMNS.filter((c): c is TaskColumn & { key: EditColumn } => !c.readOnly && !c.locked);

/** A task's editable state as the cells a clerk reads (names, not ids); `codeOf` gives a parent's code. */
export function stateCells(t: TaskState, refs: TownRefs, codeOf: (id: string) => string | undefined): Record<EditColumn, string | number> {
  const unitName = (id: string) => refs.units.find((u) => u.id === id)?.name ?? id;
  const names = (role: 'lead' | 'support') => t.units.filter((u) => u.role === role).map((u) => unitName(u.unit)).join(LIST_SEP);
  return {
    code: t.code,
    parent: t.parent ? (codeOf(t.parent) ?? t.parent) : '',
    kind: KIND_ZH[t.kind],
    title: t.title,
    lead_units: names('lead'),
    support_units: names('support'),
    lead_member: t.lead_member ? (refs.members.find((m) => m.id === t.lead_member)?.name ?? t.lead_member) : '',
    due: t.due ? (refs.milestones.find((m) => m.id === t.due)?.label ?? t.due) : '',
    weight: t.weight,
    evidence_required: t.evidence_required ? YES : NO,
  };
}

/** The plan tasks as table rows (header first), in outline order; rectification items are not part of the 任务分解表. */
export function taskTableRows(tasks: TaskRecord[], refs: TownRefs): Cell[][] {
  const code = new Map(tasks.map((t) => [t.id, t.code]));
  const rows: Cell[][] = [TASK_COLUMNS.map((c) => c.header)];
  for (const t of tasks) {
    if (t.kind === 'rectification') continue;
    const cell: Record<TaskColumn['key'], Cell> = {
      ...stateCells(t, refs, (id) => code.get(id)),
      status: STATUS_ZH[t.status] ?? t.status,
      percent: t.percent,
      id: t.id,
      version: t.version,
    };
    rows.push(TASK_COLUMNS.map((c) => cell[c.key]));
  }
  return rows;
}

// ---------------------------------------------------------------- finding the table

const norm = (h: string) =>
  h
    .replace(/\s+/g, '')
    .replace(/^[*＊]+|[*＊]+$/g, '')
    .replace(/[（(][^）)]*[）)]$/, '')
    .toLowerCase();
const HEADER_KEY = new Map<string, TaskColumn>();
for (const c of TASK_COLUMNS) for (const h of [c.header, ...(c.aliases ?? []), c.key]) HEADER_KEY.set(norm(h), c);

/** The column a header cell names, if any. */
export const columnOf = (cell: string): TaskColumn | undefined => HEADER_KEY.get(norm(cell));

/**
 * Where the header is: the row among the first HEADER_SEARCH_ROWS naming the most known columns
 * (title rows, merged banners and notes above it are skipped); -1 when no row names two.
 */
export function findHeader(grid: string[][]): { row: number; score: number } {
  let best = { row: -1, score: 1 };
  grid.slice(0, HEADER_SEARCH_ROWS).forEach((cells, i) => {
    const score = new Set(cells.map((x) => columnOf(x)?.key).filter(Boolean)).size;
    if (score > best.score) best = { row: i, score };
  });
  return best;
}

/** How well a sheet's rows look like the task table (for picking the sheet of a workbook). */
export const headerScore = (grid: string[][]): number => {
  const h = findHeader(grid);
  return h.row < 0 ? 0 : h.score;
};

// ---------------------------------------------------------------- import rules

const zhm = (cn: string, en: string) => `${cn} / ${en}`;
/** Splits a "中文 / English" message (the convention of the zod messages here). */
const split = (m: string): { message: string; message_en: string } => {
  const i = m.lastIndexOf(' / ');
  return i < 0 ? { message: m, message_en: m } : { message: m.slice(0, i), message_en: m.slice(i + 3) };
};

const cell = z.string().transform((s) => s.trim());
const optional = cell.transform((s) => (s === '' ? null : s));

/** The zod schema of one row (cells by column key), resolving names against the town's references. */
export function rowSchema(refs: TownRefs) {
  const unitBy = new Map<string, string>();
  for (const u of refs.units) (unitBy.set(u.id, u.id), unitBy.set(u.name, u.id));
  const memberBy = new Map<string, string[]>();
  for (const m of refs.members) for (const k of new Set([m.id, m.name])) memberBy.set(k, [...(memberBy.get(k) ?? []), m.id]);
  const labels = refs.milestones.map((m) => m.label).join('、');
  const units = (role: string) =>
    cell.transform((s, ctx) => {
      const names = s.split(/[、,，;；/\s]+/).filter(Boolean);
      const ids: string[] = [];
      for (const n of names) {
        const id = unitBy.get(n);
        if (!id) ctx.addIssue({ code: 'custom', message: zhm(`未找到单位“${n}”`, `unknown unit ${n}`) });
        else if (ids.includes(id)) ctx.addIssue({ code: 'custom', message: zhm(`${role}“${n}”重复`, `unit ${n} listed twice`) });
        else ids.push(id);
      }
      return ids;
    });
  return z
    .object({
      id: optional.pipe(z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, zhm('任务标识格式不对（请勿修改导出文件中的任务标识）', 'malformed task id')).nullable()),
      code: cell.pipe(z.string().min(1, zhm('请填写编号', 'code is empty')).max(40, zhm('编号不能超过40字', 'code is at most 40 characters'))),
      parent: optional,
      kind: optional.transform((s, ctx) => {
        if (s === null) return null;
        const k = (Object.entries(KIND_ZH).find(([key, zhName]) => zhName === s || key === s)?.[0] ?? null) as string | null;
        const parsed = PlanTaskKind.safeParse(k);
        if (!parsed.success) {
          ctx.addIssue({ code: 'custom', message: zhm(`类别“${s}”不对，应为 重点任务、组织保障 或 具体工作`, `kind ${s} must be 重点任务, 组织保障 or 具体工作`) });
          return z.NEVER;
        }
        return parsed.data;
      }),
      title: cell.pipe(z.string().min(1, zhm('请填写任务内容', 'title is empty')).max(500, zhm('任务内容不能超过500字', 'title is at most 500 characters'))),
      lead_units: units('牵头单位').pipe(z.array(z.string()).min(1, zhm('请填写牵头单位', 'no lead unit'))),
      support_units: units('配合单位'),
      lead_member: optional.transform((s, ctx) => {
        if (s === null) return null;
        const ids = memberBy.get(s) ?? [];
        if (ids.length === 1) return ids[0]!;
        ctx.addIssue({ code: 'custom', message: ids.length ? zhm(`领导小组中有多人名为“${s}”，请填写成员标识`, `several members are named ${s}`) : zhm(`领导小组成员中没有“${s}”`, `unknown member ${s}`) });
        return z.NEVER;
      }),
      due: cell.transform((s, ctx) => {
        if (!s) {
          ctx.addIssue({ code: 'custom', message: zhm(`请填写完成时限（${labels}）`, 'no deadline') });
          return z.NEVER;
        }
        const m = milestoneOf(s, refs.milestones);
        if ('id' in m) return m.id;
        ctx.addIssue({
          code: 'custom',
          message: m.understood
            ? zhm(`完成时限“${m.shown}”不是本镇的时间节点（可填 ${labels}，或其日期，如 ${refs.milestones[0]?.due.replaceAll('-', '/') ?? ''}）`, `${m.shown} is not a milestone of the town`)
            : zhm(`无法识别完成时限“${m.shown}”（可填 ${labels}，或日期如 2022/12/31、2022年12月31日、2022年底）`, `${m.shown} is not a date or milestone`),
        });
        return z.NEVER;
      }),
      weight: optional.transform((s, ctx) => {
        if (s === null) return null;
        const n = Number(s);
        if (!Number.isFinite(n) || n <= 0 || n > 1000) {
          ctx.addIssue({ code: 'custom', message: zhm(`权重“${s}”应为大于0、不超过1000的数字`, `weight ${s} must be a number above 0 and at most 1000`) });
          return z.NEVER;
        }
        return n;
      }),
      evidence_required: optional.transform((s, ctx) => {
        if (s === null) return null;
        const w = s.toLowerCase();
        if (YES_WORDS.has(w)) return true;
        if (NO_WORDS.has(w)) return false;
        ctx.addIssue({ code: 'custom', message: zhm(`须附佐证“${s}”应为“是”或“否”`, `evidence_required ${s} must be 是 (yes) or 否 (no)`) });
        return z.NEVER;
      }),
      version: optional.transform((s, ctx) => {
        if (s === null) return null;
        const n = Number(s);
        if (!Number.isInteger(n) || n < 1) {
          ctx.addIssue({ code: 'custom', message: zhm(`版本“${s}”不对（请勿修改导出文件中的版本）`, `malformed version ${s}`) });
          return z.NEVER;
        }
        return n;
      }),
    })
    .superRefine((r, ctx) => {
      const both = r.support_units.filter((u) => r.lead_units.includes(u));
      if (both.length) ctx.addIssue({ code: 'custom', path: ['support_units'], message: zhm('同一单位不能既牵头又配合', 'a unit cannot both lead and support') });
    });
}
export type ImportRow = z.infer<ReturnType<typeof rowSchema>>;

/** One row-level problem: path `rows.<row as the spreadsheet numbers it>.<header>`. */
export interface RowError {
  path: string;
  message: string;
  message_en: string;
}

/** One column of one row, before → after, as the clerk reads the sheet (names and labels, not ids). */
export interface CellChange {
  column: string;
  before: string;
  after: string;
}

/** What an import would do (and does, unless a dry run). */
export interface ImportPlan {
  rows: number;
  creates: { row: number; state: TaskState; ordinal: number; diff: CellChange[] }[];
  updates: { row: number; version: number; before: TaskState; after: TaskState; changed: (TaskField | 'due_on')[]; diff: CellChange[]; kept_file: boolean }[];
  unchanged: number;
  /** Plan tasks of the town the file does not list: left as they are (an import never deletes). */
  not_in_file: number;
}

/**
 * A row edited from an older version of its task than the database's, that would change it: the
 * database's value beside the file's for every column that differs. Nothing is imported while one
 * is left; the office re-exports, or keeps the file's values for that row (`keep`).
 */
export interface ImportConflict {
  row: number;
  ref: string;
  code: string;
  title: string;
  file_version: number;
  db_version: number;
  cells: { column: string; database: string; file: string }[];
}

const HEADER_OF = new Map(TASK_COLUMNS.map((c) => [c.key, c.header]));
const FIELD_COLUMN: Record<TaskField | 'due_on' | 'id', TaskColumn['key']> = {
  id: 'id',
  code: 'code',
  parent: 'parent',
  kind: 'kind',
  title: 'title',
  units: 'lead_units',
  lead_member: 'lead_member',
  due: 'due',
  due_on: 'due',
  weight: 'weight',
  evidence_required: 'evidence_required',
};

/** Codes a spreadsheet may have turned into numbers (2134.10 → 2134.1) that still name the same task. */
const sameNumber = (typed: string, stored: string) => typed !== stored && /^\d+(\.\d+)?$/.test(stored) && /^\d+(\.\d+)?$/.test(typed) && Number(typed) === Number(stored);

/** The columns whose cell text differs between two states of a task. */
function cellDiff(before: Record<string, string | number> | null, after: Record<string, string | number>): CellChange[] {
  return EDIT_COLUMNS.filter((c) => String(before?.[c.key] ?? '') !== String(after[c.key])).map((c) => ({ column: c.header, before: String(before?.[c.key] ?? ''), after: String(after[c.key]) }));
}

/**
 * Plans an import of `grid` (row i is spreadsheet row i + 1; the header is found in its first rows)
 * against the town's tasks: every row is validated and every problem reported; then rows edited
 * from an older version are reported as conflicts (unless their row number is in `keep`); the plan
 * is returned only when there are neither. Rows with a 任务标识 update that task; rows without one
 * create a task. Throws TableFileError when there are more than IMPORT_LIMITS.rows task rows.
 */
export function planImport(
  grid: string[][],
  tasks: TaskRecord[],
  refs: TownRefs,
  opts: { town?: string; keep?: ReadonlySet<number> } = {},
): { errors: RowError[] } | { conflicts: ImportConflict[] } | { plan: ImportPlan } {
  const errors: RowError[] = [];
  const at = (row: number, key: TaskColumn['key'] | string, m: string) => {
    const header = HEADER_OF.get(key as TaskColumn['key']) ?? key;
    const { message, message_en } = split(m);
    errors.push({ path: `rows.${row}.${header}`, message: `第${row}行“${header}”：${message}`, message_en: `row ${row}, ${header}: ${message_en}` });
  };
  const head = findHeader(grid);
  if (head.row < 0) {
    return {
      errors: [
        {
          path: 'header',
          message: `前${HEADER_SEARCH_ROWS}行中找不到任务分解表的表头（“编号”“任务内容”“牵头单位”“完成时限”等列名）。请使用导出的任务分解表；CSV 文件请保存为 UTF-8 或 GBK 编码。`,
          message_en: `no header row (编号, 任务内容, 牵头单位, 完成时限 …) in the first ${HEADER_SEARCH_ROWS} rows`,
        },
      ],
    };
  }
  const headerRow = head.row + 1;
  const index = new Map<TaskColumn['key'], number>();
  grid[head.row]!.forEach((h, i) => {
    const col = columnOf(h);
    if (!col || col.readOnly) return;
    if (index.has(col.key)) errors.push({ path: `header.${col.header}`, message: `第${headerRow}行“${col.header}”列出现了两次`, message_en: `column ${col.header} appears twice` });
    else index.set(col.key, i);
  });
  for (const c of TASK_COLUMNS) {
    if (!c.required || index.has(c.key)) continue;
    const hint = c.locked ? '请在导出的任务分解表上修改，不要删除这一列；新增任务在“任务标识”“版本”列留空' : '请使用导出的任务分解表';
    errors.push({ path: `header.${c.header}`, message: `第${headerRow}行表头缺少“${c.header}”列（${hint}）`, message_en: `the header (row ${headerRow}) has no ${c.header} column` });
  }
  if (errors.length) return { errors };
  const body = grid.slice(head.row + 1).map((cells, i) => ({ row: headerRow + 1 + i, cells }));
  const filled = body.filter(({ cells }) => cells.some((x) => x.trim() !== ''));
  if (filled.length > IMPORT_LIMITS.rows) throw tooManyRows();
  if (filled.length === 0) return { errors: [{ path: 'rows', message: '文件中没有任务行', message_en: 'the file has no task rows' }] };
  const cellOf = (cells: string[], key: TaskColumn['key']) => (index.has(key) ? (cells[index.get(key)!] ?? '').trim() : '');

  // 1. each row on its own (blank rows are skipped)
  const schema = rowSchema(refs);
  // Codes of rows that failed: a child naming one as its parent is not reported again.
  const failedCodes = new Set<string>();
  const parsed: { row: number; r: ImportRow }[] = [];
  for (const { row, cells } of filled) {
    const input = Object.fromEntries(TASK_COLUMNS.filter((c) => !c.readOnly).map((c) => [c.key, index.has(c.key) ? (cells[index.get(c.key)!] ?? '') : '']));
    const res = schema.safeParse(input);
    if (res.success) parsed.push({ row, r: res.data });
    else {
      for (const issue of res.error.issues) at(row, String(issue.path[0] ?? 'code'), issue.message);
      failedCodes.add(String(input.code).trim());
    }
  }

  // 2. the rows together: ids, versions, codes, parents
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const codeById = new Map(tasks.map((t) => [t.id, t.code]));
  // Repeated ids and codes, over every row (also rows that failed on their own): each repeat is reported.
  const firstId = new Map<string, number>();
  const firstCode = new Map<string, number>();
  const repeated = new Set<number>();
  const badCode = new Set<number>();
  for (const { row, cells } of filled) {
    const id = cellOf(cells, 'id');
    const existing = id ? byId.get(id) : undefined;
    let code = cellOf(cells, 'code');
    if (existing && sameNumber(code, existing.code)) code = existing.code;
    if (id && firstId.has(id)) (at(row, 'id', zhm(`任务标识与第${firstId.get(id)}行重复`, `same task id as row ${firstId.get(id)}`)), repeated.add(row));
    else if (id) firstId.set(id, row);
    if (code && firstCode.has(code)) (at(row, 'code', zhm(`编号“${code}”与第${firstCode.get(code)}行重复`, `code ${code} repeats row ${firstCode.get(code)}`)), repeated.add(row), badCode.add(row));
    else if (code) firstCode.set(code, row);
  }
  const ok: { row: number; r: ImportRow; id: string; existing: TaskRecord | null }[] = [];
  for (const { row, r } of parsed) {
    let fine = !repeated.has(row);
    const t = r.id ? byId.get(r.id) : undefined;
    if (r.id && fine) {
      if (!t) (at(row, 'id', zhm(`本镇没有任务标识为“${r.id}”的任务（新增任务请留空）`, `no task ${r.id} in this town (leave it empty for a new task)`)), (fine = false));
      else if (t.kind === 'rectification') (at(row, 'id', zhm('整改事项不在任务分解表中修改', 'rectification items are not edited in the task table')), (fine = false));
      else if (r.version === null) (at(row, 'version', zhm('版本为空（请勿修改导出文件中的任务标识和版本）', 'no version for an exported task')), (fine = false));
      else if (r.version > t.version) (at(row, 'version', zhm(`版本“${r.version}”比系统中的第${t.version}版还新（请勿修改导出文件中的版本）`, `version ${r.version} is newer than the stored ${t.version}`)), (fine = false));
    }
    if (t && sameNumber(r.code, t.code)) r.code = t.code;
    if (t && r.parent && t.parent && sameNumber(r.parent, codeById.get(t.parent) ?? '')) r.parent = codeById.get(t.parent)!;
    if (fine) ok.push({ row, r, id: r.id ?? newTaskId(), existing: t ?? null });
    else failedCodes.add(r.code);
  }
  const inFile = new Set(ok.filter((x) => x.existing).map((x) => x.id));
  const states = new Map<string, TaskState>();
  for (const t of tasks) if (!inFile.has(t.id)) states.set(t.id, stateOf(t));
  const codeToId = new Map<string, string>();
  for (const s of states.values()) if (s.kind !== 'rectification') codeToId.set(s.code, s.id);
  for (const x of ok) codeToId.set(x.r.code, x.id);
  const rowOf = new Map<string, number>();
  for (const x of ok) {
    rowOf.set(x.id, x.row);
    let parent: string | null = null;
    if (x.r.parent) {
      parent = codeToId.get(x.r.parent) ?? (byId.has(x.r.parent) ? x.r.parent : null);
      if (!parent && !failedCodes.has(x.r.parent)) at(x.row, 'parent', zhm(`未找到编号为“${x.r.parent}”的上级任务`, `no task with code ${x.r.parent}`));
    }
    const units = [...x.r.lead_units.map((unit) => ({ unit, role: 'lead' as const })), ...x.r.support_units.map((unit) => ({ unit, role: 'support' as const }))];
    states.set(x.id, {
      id: x.id,
      parent: x.r.parent && !parent ? (x.existing?.parent ?? null) : parent,
      code: x.r.code,
      kind: x.r.kind ?? x.existing?.kind ?? (parent ? 'deliverable' : 'key_task'),
      title: x.r.title,
      units: x.existing && sameUnits(x.existing.units, units) ? x.existing.units : units,
      lead_member: x.r.lead_member,
      due: x.r.due,
      due_on: x.existing?.due_on ?? null,
      weight: x.r.weight ?? x.existing?.weight ?? 1,
      // An empty cell (or a file without the column) keeps the task's flag; a new task is not flagged.
      evidence_required: x.r.evidence_required ?? x.existing?.evidence_required ?? false,
    });
  }
  const parentMissing = new Set(errors.filter((e) => e.path.endsWith('.上级任务')).map((e) => e.path));
  for (const p of checkTasks([...states.values()], new Set(ok.map((x) => x.id)), refs)) {
    const row = rowOf.get(p.id)!;
    if (p.field === 'code' && badCode.has(row)) continue;
    if (p.field === 'parent' && parentMissing.has(`rows.${row}.上级任务`)) continue;
    at(row, FIELD_COLUMN[p.field], `${p.message} / ${p.message_en}`);
  }
  if (errors.length) {
    const rowNo = (e: RowError) => Number(/^rows\.(\d+)\./.exec(e.path)?.[1] ?? 0);
    return { errors: errors.sort((a, b) => rowNo(a) - rowNo(b)) };
  }

  // 3. what changes, and what would overwrite a newer version
  const oldCode = (id: string) => codeById.get(id);
  const newCode = (id: string) => states.get(id)?.code;
  let ordinal = tasks.reduce((n, t) => Math.max(n, t.ordinal), -1);
  const plan: ImportPlan = { rows: ok.length, creates: [], updates: [], unchanged: 0, not_in_file: tasks.filter((t) => t.kind !== 'rectification' && !inFile.has(t.id)).length };
  const conflicts: ImportConflict[] = [];
  for (const x of ok) {
    const after = states.get(x.id)!;
    const afterCells = stateCells(after, refs, newCode);
    if (!x.existing) {
      plan.creates.push({ row: x.row, state: after, ordinal: ++ordinal, diff: cellDiff(null, afterCells) });
      continue;
    }
    const before = stateOf(x.existing);
    const changed = changedFields(before, after);
    if (!changed.length) {
      plan.unchanged++;
      continue;
    }
    const diff = cellDiff(stateCells(before, refs, oldCode), afterCells);
    const stale = x.r.version! < x.existing.version;
    if (stale && !opts.keep?.has(x.row)) {
      conflicts.push({
        row: x.row,
        ref: `${opts.town ?? ''}:${x.id}`,
        code: x.existing.code,
        title: x.existing.title,
        file_version: x.r.version!,
        db_version: x.existing.version,
        cells: diff.map((d) => ({ column: d.column, database: d.before, file: d.after })),
      });
      continue;
    }
    plan.updates.push({ row: x.row, version: x.existing.version, before, after, changed, diff, kept_file: stale });
  }
  if (conflicts.length) return { conflicts };
  return { plan };
}

/** The conflicts as field problems (`rows.<row>.<column>`), the database's value beside the file's. */
export function conflictFields(conflicts: ImportConflict[]): RowError[] {
  return conflicts.flatMap((c) =>
    c.cells.map((x) => ({
      path: `rows.${c.row}.${x.column}`,
      message: `第${c.row}行（${c.code}）“${x.column}”：系统中现为“${x.database}”（第${c.db_version}版），文件中为“${x.file}”（据第${c.file_version}版修改）`,
      message_en: `row ${c.row} (${c.code}), ${x.column}: the database has "${x.database}" (version ${c.db_version}), the file "${x.file}" (edited from version ${c.file_version})`,
    })),
  );
}

const sameUnits = (a: TaskState['units'], b: TaskState['units']) =>
  a.length === b.length && a.every((u) => b.some((v) => v.unit === u.unit && v.role === u.role));

/** The preview of one change, for the console: which row, which task, which fields, and each column before → after. */
export function describeChanges(plan: ImportPlan, town: string) {
  return [
    ...plan.creates.map((c) => ({
      row: c.row,
      action: 'create' as const,
      ref: null,
      code: c.state.code,
      title: c.state.title,
      fields: [] as string[],
      before: null,
      after: snapshot(c.state, ['code', 'parent', 'kind', 'title', 'units', 'lead_member', 'due', 'weight', 'evidence_required']),
      diff: c.diff,
      kept_file: false,
    })),
    ...plan.updates.map((u) => ({
      row: u.row,
      action: 'update' as const,
      ref: `${town}:${u.after.id}`,
      code: u.after.code,
      title: u.after.title,
      fields: u.changed as string[],
      before: snapshot(u.before, u.changed),
      after: snapshot(u.after, u.changed),
      diff: u.diff,
      kept_file: u.kept_file,
    })),
  ].sort((a, b) => a.row - b.row);
}
