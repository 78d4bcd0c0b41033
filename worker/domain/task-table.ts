/**
 * The task table as a spreadsheet (任务分解表): the columns a township clerk recognises, the rows
 * an export writes, and the import rules — every row validated with zod, references resolved by
 * the names a clerk types (卫计办, 邵艳秋, 2018年年底), then checked as a whole table (duplicate
 * codes, parents, cycles) before anything is written. Pure: no Hono, no D1.
 */
import { z } from 'zod';
import { STATUS_ZH } from './bulletin.ts';
import { CsvError, parseCsv, unNeutralise, type Cell } from './csv.ts';
import { KIND_ZH, PlanTaskKind, changedFields, checkTasks, newTaskId, snapshot, stateOf, type TaskField, type TaskRecord, type TaskState, type TownRefs } from './tasks.ts';

/** Limits that keep an import inside one Worker request: file bytes, rows, and unzipped XLSX bytes. */
export const IMPORT_LIMITS = { bytes: 2 * 1024 * 1024, rows: 1000, unzippedBytes: 24 * 1024 * 1024 } as const;

/** One column: a stable key (code, API), the Chinese header a clerk reads, and whether import reads it. */
export interface TaskColumn {
  key: 'code' | 'parent' | 'kind' | 'title' | 'lead_units' | 'support_units' | 'lead_member' | 'due' | 'weight' | 'status' | 'percent' | 'id';
  header: string;
  /** Export only: progress changes through reviewed updates, never through a spreadsheet. */
  readOnly?: true;
  required?: true;
  width: number;
}

/** The columns of the 任务分解表, in order. Headers are matched exactly (or by key) on import. */
export const TASK_COLUMNS: readonly TaskColumn[] = [
  { key: 'code', header: '编号', required: true, width: 10 },
  { key: 'parent', header: '上级任务', width: 10 },
  { key: 'kind', header: '类别', width: 10 },
  { key: 'title', header: '任务内容', required: true, width: 60 },
  { key: 'lead_units', header: '牵头单位', required: true, width: 18 },
  { key: 'support_units', header: '配合单位', width: 30 },
  { key: 'lead_member', header: '责任人', width: 10 },
  { key: 'due', header: '完成时限', required: true, width: 12 },
  { key: 'weight', header: '权重', width: 8 },
  { key: 'status', header: '状态', readOnly: true, width: 8 },
  { key: 'percent', header: '进度(%)', readOnly: true, width: 8 },
  { key: 'id', header: '任务标识', width: 36 },
];

/** Separator between several units in one cell. */
const LIST_SEP = '、';

/** The plan tasks as table rows (header first), in outline order; rectification items are not part of the 任务分解表. */
export function taskTableRows(tasks: TaskRecord[], refs: TownRefs): Cell[][] {
  const unitName = new Map(refs.units.map((u) => [u.id, u.name]));
  const memberName = new Map(refs.members.map((m) => [m.id, m.name]));
  const label = new Map(refs.milestones.map((m) => [m.id, m.label]));
  const code = new Map(tasks.map((t) => [t.id, t.code]));
  const names = (t: TaskRecord, role: 'lead' | 'support') => t.units.filter((u) => u.role === role).map((u) => unitName.get(u.unit) ?? u.unit).join(LIST_SEP);
  const rows: Cell[][] = [TASK_COLUMNS.map((c) => c.header)];
  for (const t of tasks) {
    if (t.kind === 'rectification') continue;
    const cell: Record<TaskColumn['key'], Cell> = {
      code: t.code,
      parent: t.parent ? (code.get(t.parent) ?? t.parent) : '',
      kind: KIND_ZH[t.kind],
      title: t.title,
      lead_units: names(t, 'lead'),
      support_units: names(t, 'support'),
      lead_member: t.lead_member ? (memberName.get(t.lead_member) ?? t.lead_member) : '',
      due: t.due ? (label.get(t.due) ?? t.due) : '',
      weight: t.weight,
      status: STATUS_ZH[t.status] ?? t.status,
      percent: t.percent,
      id: t.id,
    };
    rows.push(TASK_COLUMNS.map((c) => cell[c.key]));
  }
  return rows;
}

// ---------------------------------------------------------------- reading files

/** Why a file could not be read at all (before any row is looked at). */
export class TableFileError extends Error {
  readonly status: 413 | 422;
  readonly code: string;
  readonly zh: string;
  readonly en: string;
  constructor(status: 413 | 422, code: string, zh: string, en: string) {
    super(en);
    this.status = status;
    this.code = code;
    this.zh = zh;
    this.en = en;
  }
}

const tooManyRows = () =>
  new TableFileError(422, 'too_many_rows', `文件超过 ${IMPORT_LIMITS.rows} 行，请分批导入。`, `The file has more than ${IMPORT_LIMITS.rows} rows; import it in parts.`);

/**
 * Decodes CSV bytes: UTF-8 (with or without BOM), else GB18030/GBK — what Excel's “CSV (逗号分隔)”
 * writes on a Chinese Windows.
 */
export function decodeCsv(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    try {
      return new TextDecoder('gb18030', { fatal: true, ignoreBOM: false }).decode(bytes);
    } catch {
      throw new TableFileError(422, 'file_unreadable', '无法识别文件的文字编码，请另存为“CSV UTF-8”或 XLSX 后再导入。', 'Unknown text encoding; save as CSV UTF-8 or XLSX.');
    }
  }
}

/**
 * The task table's CSV as cells: RFC 4180 (`parseCsv`), the leading apostrophe the export puts
 * before = + - @ tab CR (formula safety) taken off again, at most IMPORT_LIMITS.rows rows after the header.
 */
export function parseTableCsv(text: string): string[][] {
  try {
    return parseCsv(text, { maxRows: IMPORT_LIMITS.rows + 1, cell: unNeutralise });
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    if (e.reason === 'too_many_rows') throw tooManyRows();
    throw new TableFileError(422, 'file_unreadable', 'CSV 文件的引号不成对，文件可能不完整。', 'Unbalanced quotes: the CSV file looks truncated.');
  }
}

/** Whether the bytes are a ZIP archive (an XLSX file is one). */
export const isZip = (b: Uint8Array): boolean => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

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
  const milestone = (text: string): string | undefined => {
    // A date typed into Excel is stored as a day number (1 = 1900-01-01, with Excel's 1900 leap-year bug).
    const serial = /^\d{5}$/.test(text) ? new Date(Date.UTC(1899, 11, 30) + Number(text) * 86_400_000).toISOString().slice(0, 10) : null;
    const s = serial ?? text;
    const exact = refs.milestones.find((m) => m.id === s || m.label === s || m.due === s);
    if (exact) return exact.id;
    const year = /^(\d{4})\s*(?:年|年底|年末|年年底|年年末)?$/.exec(s);
    return year ? refs.milestones.find((m) => m.year === Number(year[1]))?.id : undefined;
  };
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
        const id = s ? milestone(s) : undefined;
        if (id) return id;
        ctx.addIssue({ code: 'custom', message: s ? zhm(`完成时限“${s}”不是本镇的时间节点（可填 ${labels}）`, `${s} is not a milestone of the town`) : zhm(`请填写完成时限（${labels}）`, 'no deadline') });
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

/** What an import would do (and does, unless a dry run). */
export interface ImportPlan {
  rows: number;
  creates: { row: number; state: TaskState; ordinal: number }[];
  updates: { row: number; version: number; before: TaskState; after: TaskState; changed: (TaskField | 'due_on')[] }[];
  unchanged: number;
  /** Plan tasks of the town the file does not list: left as they are (an import never deletes). */
  not_in_file: number;
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
};

/**
 * Plans an import of `grid` (row 1 the header, as the spreadsheet shows it) against the town's
 * tasks: every row is validated and every problem reported; the plan is returned only when there
 * are none. Rows with a 任务标识 update that task; rows without one create a task.
 */
export function planImport(grid: string[][], tasks: TaskRecord[], refs: TownRefs): { errors: RowError[] } | { plan: ImportPlan } {
  const errors: RowError[] = [];
  const at = (row: number, key: TaskColumn['key'] | string, m: string) => {
    const header = HEADER_OF.get(key as TaskColumn['key']) ?? key;
    const { message, message_en } = split(m);
    errors.push({ path: `rows.${row}.${header}`, message: `第${row}行“${header}”：${message}`, message_en: `row ${row}, ${header}: ${message_en}` });
  };
  const header = (grid[0] ?? []).map((h) => h.replace(/\s+/g, '').replace(/[（(][^）)]*[）)]$/, ''));
  const index = new Map<TaskColumn['key'], number>();
  header.forEach((h, i) => {
    const col = TASK_COLUMNS.find((c) => c.header === h || c.key === h.toLowerCase());
    if (!col || col.readOnly) return;
    if (index.has(col.key)) errors.push({ path: `header.${col.header}`, message: `“${col.header}”列出现了两次`, message_en: `column ${col.header} appears twice` });
    else index.set(col.key, i);
  });
  for (const c of TASK_COLUMNS) {
    if (c.required && !index.has(c.key)) errors.push({ path: `header.${c.header}`, message: `第1行缺少“${c.header}”列（请使用导出的任务分解表）`, message_en: `row 1 has no ${c.header} column` });
  }
  if (errors.length) return { errors };

  // 1. each row on its own (blank rows are skipped)
  const schema = rowSchema(refs);
  // Codes of rows that failed: a child naming one as its parent is not reported again.
  const failedCodes = new Set<string>();
  const parsed: { row: number; r: ImportRow }[] = [];
  grid.slice(1).forEach((cells, i) => {
    const row = i + 2;
    if (cells.every((x) => x.trim() === '')) return;
    const input = Object.fromEntries(TASK_COLUMNS.filter((c) => !c.readOnly).map((c) => [c.key, index.has(c.key) ? (cells[index.get(c.key)!] ?? '') : '']));
    const res = schema.safeParse(input);
    if (res.success) parsed.push({ row, r: res.data });
    else {
      for (const issue of res.error.issues) at(row, String(issue.path[0] ?? 'code'), issue.message);
      failedCodes.add(String(input.code).trim());
    }
  });
  const dataRows = grid.slice(1).filter((cells) => cells.some((x) => x.trim() !== '')).length;
  if (dataRows === 0) return { errors: [{ path: 'rows', message: '文件中没有任务行', message_en: 'the file has no task rows' }] };

  // 2. the rows together: ids, codes, parents
  const byId = new Map(tasks.map((t) => [t.id, t]));
  // Repeated ids and codes, over every row (also rows that failed on their own): each repeat is reported.
  const firstId = new Map<string, number>();
  const firstCode = new Map<string, number>();
  const repeated = new Set<number>();
  const badCode = new Set<number>();
  grid.slice(1).forEach((cells, i) => {
    const row = i + 2;
    const id = index.has('id') ? (cells[index.get('id')!] ?? '').trim() : '';
    const code = (cells[index.get('code')!] ?? '').trim();
    if (id && firstId.has(id)) (at(row, 'id', zhm(`任务标识与第${firstId.get(id)}行重复`, `same task id as row ${firstId.get(id)}`)), repeated.add(row));
    else if (id) firstId.set(id, row);
    if (code && firstCode.has(code)) (at(row, 'code', zhm(`编号“${code}”与第${firstCode.get(code)}行重复`, `code ${code} repeats row ${firstCode.get(code)}`)), repeated.add(row), badCode.add(row));
    else if (code) firstCode.set(code, row);
  });
  const ok: { row: number; r: ImportRow; id: string; existing: TaskRecord | null }[] = [];
  for (const { row, r } of parsed) {
    let fine = !repeated.has(row);
    const t = r.id ? byId.get(r.id) : undefined;
    if (r.id && fine) {
      if (!t) (at(row, 'id', zhm(`本镇没有任务标识为“${r.id}”的任务（新增任务请留空）`, `no task ${r.id} in this town (leave it empty for a new task)`)), (fine = false));
      else if (t.kind === 'rectification') (at(row, 'id', zhm('整改事项不在任务分解表中修改', 'rectification items are not edited in the task table')), (fine = false));
    }
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

  // 3. what changes
  let ordinal = tasks.reduce((n, t) => Math.max(n, t.ordinal), -1);
  const plan: ImportPlan = { rows: ok.length, creates: [], updates: [], unchanged: 0, not_in_file: tasks.filter((t) => t.kind !== 'rectification' && !inFile.has(t.id)).length };
  for (const x of ok) {
    const after = states.get(x.id)!;
    if (!x.existing) {
      plan.creates.push({ row: x.row, state: after, ordinal: ++ordinal });
      continue;
    }
    const before = stateOf(x.existing);
    const changed = changedFields(before, after);
    if (changed.length) plan.updates.push({ row: x.row, version: x.existing.version, before, after, changed });
    else plan.unchanged++;
  }
  return { plan };
}

const sameUnits = (a: TaskState['units'], b: TaskState['units']) =>
  a.length === b.length && a.every((u) => b.some((v) => v.unit === u.unit && v.role === u.role));

/** The preview of one change, for the console: which row, which task, which fields, before and after. */
export function describeChanges(plan: ImportPlan, town: string) {
  return [
    ...plan.creates.map((c) => ({ row: c.row, action: 'create' as const, ref: null, code: c.state.code, title: c.state.title, fields: [] as string[], before: null, after: snapshot(c.state, ['code', 'parent', 'kind', 'title', 'units', 'lead_member', 'due', 'weight']) })),
    ...plan.updates.map((u) => ({ row: u.row, action: 'update' as const, ref: `${town}:${u.after.id}`, code: u.after.code, title: u.after.title, fields: u.changed as string[], before: snapshot(u.before, u.changed), after: snapshot(u.after, u.changed) })),
  ].sort((a, b) => a.row - b.row);
}
