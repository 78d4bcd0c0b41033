/**
 * The task table (任务分解表) as a file: export as CSV or XLSX, and import of the same file after a
 * clerk edited it. An import validates every row and writes nothing unless all rows are valid; then
 * it applies every create and update in one batch with their history and audit rows.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { contract } from './contract.ts';
import type { Context } from 'hono';
import ExcelJS from 'exceljs';
import type { AppEnv } from '../env.ts';
import { ApiError, notFound } from '../errors.ts';
import { validationHook } from '../validation.ts';
import { auditStmt } from '../db/audit.ts';
import { readTaskTable, tableFingerprint, tableGuard, taskWriteStmts } from '../db/tasks.ts';
import { toCsv } from '../domain/csv.ts';
import { KIND_ZH, snapshot } from '../domain/tasks.ts';
import {
  IMPORT_LIMITS,
  TASK_COLUMNS,
  TableFileError,
  conflictFields,
  decodeCsv,
  describeChanges,
  headerScore,
  parseTableCsv,
  pickSheet,
  planImport,
  sniffFormat,
  taskTableRows,
  type ImportConflict,
  type ImportPlan,
} from '../domain/task-table.ts';
import { HEADER_SEARCH_ROWS } from '../domain/table-file.ts';
import { XlsxError, readXlsxSheets } from '../domain/xlsx-read.ts';
import { once } from './updates.ts';
import { TOWN_READERS, TownParam, err, json, staffOf, todayCst } from './supervision.ts';
import { officeOf, tableChanged } from './tasks.ts';

type Ctx = Context<AppEnv, any, any>;

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const SHEET = '任务分解表';
const fileResponse = (type: string, description: string) => ({ description, content: { [type]: { schema: z.string().openapi({ format: 'binary' }) } } });
const exportErrors = { 401: err('Not signed in'), 403: err('Not permitted'), 404: err('No such town') };

const Change = z.object({
  row: z.number().int().openapi({ description: 'Row number as the spreadsheet shows it (the header is row 1)' }),
  action: z.enum(['create', 'update']),
  ref: z.string().nullable(),
  code: z.string(),
  title: z.string(),
  fields: z.array(z.string()),
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()),
  diff: z
    .array(z.object({ column: z.string().openapi({ description: 'Chinese column name as in the sheet' }), before: z.string(), after: z.string() }))
    .openapi({ description: 'Each changed column as the clerk reads it: before → after (before is empty for a new task)' }),
  kept_file: z.boolean().openapi({ description: "True when the row was edited from an older version and the office chose to keep the file's values (keep_file_rows)" }),
});
const Conflict = z.object({
  row: z.number().int(),
  ref: z.string(),
  code: z.string(),
  title: z.string(),
  file_version: z.number().int().openapi({ description: 'The version the row was exported at' }),
  db_version: z.number().int().openapi({ description: 'The version stored now' }),
  cells: z.array(z.object({ column: z.string(), database: z.string(), file: z.string() })),
});
const ConflictBody = z
  .object({
    error: z.object({
      code: z.literal('import_conflict'),
      message: z.string(),
      message_en: z.string(),
      fields: z.array(z.object({ path: z.string(), message: z.string(), message_en: z.string().optional() })),
      conflicts: z.array(Conflict),
    }),
  })
  .openapi('TaskImportConflict');
const ImportResult = z
  .object({
    dry_run: z.boolean(),
    format: z.enum(['csv', 'xlsx']),
    rows: z.number().int(),
    created: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    not_in_file: z.number().int().openapi({ description: 'Plan tasks the file does not list: left as they are (an import never deletes)' }),
    changes: z.array(Change),
  })
  .openapi('TaskImportResult');

const csvRoute = contract({ roles: TOWN_READERS, town: 'town' }, {
  method: 'get',
  path: '/towns/{town}/tasks/export.csv',
  summary: 'The 任务分解表 as CSV (UTF-8 with BOM, CRLF, formula-safe cells; Chinese headers) (office, supervisor, region supervisor, admin)',
  request: { params: TownParam },
  responses: { 200: fileResponse('text/csv', 'CSV'), ...exportErrors },
});
const xlsxRoute = contract({ roles: TOWN_READERS, town: 'town' }, {
  method: 'get',
  path: '/towns/{town}/tasks/export.xlsx',
  summary: 'The 任务分解表 as an Excel workbook (same rows as the CSV, plus a sheet of instructions and allowed values) (office, supervisor, region supervisor, admin)',
  request: { params: TownParam },
  responses: { 200: fileResponse(XLSX_TYPE, 'XLSX'), ...exportErrors },
});
const fileBody = { schema: z.string().openapi({ format: 'binary' }) };
const importRoute = contract({ roles: ['office', 'admin'], town: 'town' }, {
  method: 'post',
  path: '/towns/{town}/tasks/import',
  summary:
    'Import an edited 任务分解表 (the raw CSV or XLSX file as the body). Every row is validated; any error → 422 listing each row and nothing is imported. dry_run=1 previews and writes nothing (office, admin)',
  request: {
    params: TownParam,
    query: z.object({
      dry_run: z.enum(['0', '1', 'true', 'false']).optional().openapi({ description: '1: validate and preview the changes, write nothing' }),
      keep_file_rows: z
        .string()
        .regex(/^\d{1,5}(,\d{1,5}){0,999}$/)
        .optional()
        .openapi({ description: "Row numbers (as the sheet numbers them, comma-separated) of conflicting rows whose file values the office keeps over the newer database values" }),
    }),
    headers: z.object({
      'idempotency-key': z.string().min(8).max(200).regex(/^[\x21-\x7e]+$/).optional().openapi({ description: 'Required unless dry_run=1' }),
    }),
    body: { content: { 'text/csv': fileBody, [XLSX_TYPE]: fileBody, 'application/octet-stream': fileBody }, required: true },
  },
  responses: {
    200: json(ImportResult, 'Imported (or, with dry_run=1, what would be)'),
    400: err('Idempotency-Key missing'),
    401: err('Not signed in'),
    403: err('Not the office of this town'),
    404: err('No such town'),
    409: {
      description:
        'import_conflict: rows edited from an older version than the database holds, each changed column with the database value beside the file value (nothing imported; re-export, or keep the file values with keep_file_rows); or tasks_changed: the table changed during the import',
      content: { 'application/json': { schema: ConflictBody } },
    },
    413: err(`File larger than ${IMPORT_LIMITS.bytes} bytes (or unpacking to too much)`),
    422: err('Row-level errors (fields: rows.<row>.<column>), an unreadable file, or too many rows; nothing was imported'),
  },
});

const attachment = (c: Ctx, name: string) => c.header('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(name)}`);

async function tableOf(c: Ctx, town: string) {
  const table = await readTaskTable(c.env.DB, town);
  if (!table) throw notFound('Town', '乡镇', town);
  return table;
}

const THIN = { style: 'thin' as const, color: { argb: 'FF000000' } };
const BORDER = { top: THIN, left: THIN, bottom: THIN, right: THIN };

/**
 * The workbook: the table on the first sheet, print-ready (A4 landscape, fitted to the page width,
 * the header repeated on every page and frozen on screen, borders, wrapped long text; the 任务标识
 * and 版本 columns shaded and left out of the print area), instructions and allowed values on the second.
 */
async function workbook(name: string, rows: ReturnType<typeof taskTableRows>, refs: NonNullable<Awaited<ReturnType<typeof readTaskTable>>>['refs']) {
  const wb = new ExcelJS.Workbook();
  const printed = TASK_COLUMNS.filter((c) => !c.locked).length;
  const lastPrinted = String.fromCharCode(64 + printed);
  const ws = wb.addWorksheet(SHEET, {
    views: [{ state: 'frozen', ySplit: 1 }],
    pageSetup: {
      paperSize: 9,
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: '1:1',
      // Absolute rows and columns ($A$1:$K$92): exceljs prefixes only a "$" to each end, and LibreOffice ignores a print area with relative rows.
      printArea: `A$1:${lastPrinted}$${rows.length}`,
      horizontalCentered: true,
      margins: { left: 0.4, right: 0.4, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
    },
    headerFooter: { oddHeader: `&C${name}任务分解表`, oddFooter: '&C第 &P 页，共 &N 页' },
  });
  ws.addRows(rows);
  TASK_COLUMNS.forEach((col, i) => {
    const column = ws.getColumn(i + 1);
    column.width = col.width;
    if (col.text) column.numFmt = '@';
  });
  const wrap = new Set(['title', 'support_units', 'lead_units']);
  ws.eachRow((row, n) => {
    row.eachCell({ includeEmpty: true }, (cell, colNo) => {
      const col = TASK_COLUMNS[colNo - 1];
      if (!col) return;
      cell.border = BORDER;
      cell.alignment = { vertical: n === 1 ? 'middle' : 'top', horizontal: n === 1 ? 'center' : undefined, wrapText: n === 1 || wrap.has(col.key) };
      if (col.locked) cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEDEDED' } };
    });
  });
  ws.getRow(1).font = { bold: true };
  // 须附佐证: a 是/否 drop-down on every task row (a typed 是/否, Y/N, 1/0 imports too).
  const evidenceCol = TASK_COLUMNS.findIndex((c) => c.key === 'evidence_required') + 1;
  for (let n = 2; n <= rows.length; n++) ws.getCell(n, evidenceCol).dataValidation = { type: 'list', allowBlank: true, formulae: ['"是,否"'] };
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: TASK_COLUMNS.length } };
  const help = wb.addWorksheet('填写说明');
  help.addRows([
    [`${name}任务分解表 填写说明`],
    ['一行一项任务。修改后在“任务管理”中导入本文件；有任何一行出错时不会导入任何内容，并列出出错的行。'],
    ['任务标识、版本：导出时生成，请勿修改或删除（打印时不印出）；新增任务请留空。不在文件中的任务保持不变（导入不会删除任务）。'],
    ['若导出之后系统中的任务又被修改过，导入时会列出这些行（系统中的值与文件中的值），不会覆盖；请重新导出，或逐行确认以文件为准。'],
    ['上级任务：填上级任务的“编号”；留空为顶层任务。编号在本镇内不能重复。'],
    [`类别：${Object.values(KIND_ZH).slice(0, 3).join('、')}（留空：有上级任务为具体工作，否则为重点任务）。`],
    ['牵头单位、配合单位：填单位名称，多个单位用“、”分隔。责任人：填领导小组成员姓名，可留空。'],
    ['完成时限：填下列时间节点，或其日期（如 2022/12/31、2022-12-31、2022.12.31、2022年12月31日、2022年底），也可以是日期格式的单元格。'],
    ['权重：大于0的数字，留空为1（已有任务留空则不变）。状态、进度只供查看，导入时不读取（进度通过进展报告更新）。'],
    ['须附佐证：填“是”或“否”（可从下拉列表选）。为“是”的任务，报“已完成”时必须附照片或文件（佐证材料）。留空：新任务为否，已有任务不变。'],
    [],
    ['完成时限（可填）', ...refs.milestones.map((m) => m.label)],
    ['单位', ...refs.units.map((u) => u.name)],
    ['领导小组成员', ...refs.members.map((m) => m.name)],
  ]);
  help.getColumn(1).width = 18;
  return new Uint8Array((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}

/** The cells of the sheet of an uploaded workbook whose header is the task table's. */
async function readXlsx(bytes: Uint8Array): Promise<string[][]> {
  try {
    const sheets = await readXlsxSheets(bytes, { maxRows: IMPORT_LIMITS.rows + HEADER_SEARCH_ROWS + 1, maxCols: 50, maxBytes: IMPORT_LIMITS.unzippedBytes });
    return pickSheet(sheets, SHEET, headerScore);
  } catch (e) {
    if (!(e instanceof XlsxError)) throw e;
    if (e.status === 413) throw new TableFileError(413, 'file_too_large', '文件解压后过大，请分批导入。', 'The file unpacks to too much data; import it in parts.');
    if (e.cell) throw new TableFileError(422, 'text_not_unicode', `单元格 ${e.cell} 含有无效字符（不成对的代理项），请改正后再导入。`, `Cell ${e.cell} holds text that is not valid Unicode (a lone surrogate); correct it and import again.`);
    throw new TableFileError(422, 'file_unreadable', '无法读取这个 XLSX 文件，请用 Excel 或 WPS 重新保存后再导入。', `This XLSX file cannot be read (${e.message}); save it again from Excel or WPS.`);
  }
}

/** 409: rows edited from an older version; the body lists each with the database's value beside the file's. */
class ImportConflictError extends ApiError {
  readonly conflicts: ImportConflict[];
  constructor(conflicts: ImportConflict[]) {
    super(
      409,
      'import_conflict',
      `有 ${conflicts.length} 行是在旧版本上修改的：导出之后，系统中的这些任务又被修改过。未导入任何内容。请重新导出后再修改，或逐行确认以文件为准。`,
      `${conflicts.length} rows were edited from an older version than the database holds; nothing was imported. Export again, or keep the file's values for those rows (keep_file_rows).`,
      conflictFields(conflicts),
    );
    this.conflicts = conflicts;
  }
  override body() {
    const b = super.body();
    return { error: { ...b.error, conflicts: this.conflicts } } as ReturnType<ApiError['body']>;
  }
}

const sha256 = async (b: Uint8Array) => [...new Uint8Array(await crypto.subtle.digest('SHA-256', b))].map((x) => x.toString(16).padStart(2, '0')).join('');

/** Plans the import against the table as it is now; 422 listing every bad row. */
async function plan(c: Ctx, town: string, grid: string[][], keep: ReadonlySet<number>) {
  const table = await tableOf(c, town);
  let res: ReturnType<typeof planImport>;
  try {
    res = planImport(grid, table.tasks, table.refs, { town, keep });
  } catch (e) {
    if (e instanceof TableFileError) throw new ApiError(e.status, e.code, e.zh, e.en);
    throw e;
  }
  if ('conflicts' in res) throw new ImportConflictError(res.conflicts);
  if ('errors' in res) {
    const shown = res.errors.slice(0, 300);
    const rows = new Set(res.errors.map((e) => e.path.split('.')[1]).filter((x) => /^\d+$/.test(x!)));
    throw new ApiError(
      422,
      'import_invalid',
      `导入文件有 ${res.errors.length} 处错误${rows.size ? `（涉及 ${rows.size} 行）` : ''}，未导入任何内容。请修改后重新导入。${shown.length < res.errors.length ? `以下列出前 ${shown.length} 处。` : ''}`,
      `The file has ${res.errors.length} errors${rows.size ? ` in ${rows.size} rows` : ''}; nothing was imported.`,
      shown,
    );
  }
  return { table, plan: res.plan };
}

/** An import's counts, as its answer and its audit row both give them. */
const counts = (p: ImportPlan) => ({ rows: p.rows, created: p.creates.length, updated: p.updates.length, unchanged: p.unchanged, not_in_file: p.not_in_file });

const result = (p: ImportPlan, town: string, dry: boolean, format: 'csv' | 'xlsx') => ({ dry_run: dry, format, ...counts(p), changes: describeChanges(p, town) });

/** Mounted at /api/v1. */
export const taskTable = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(csvRoute, async (c) => {
    const { town } = c.req.valid('param');
    await staffOf(c, town, 'read');
    const table = await tableOf(c, town);
    attachment(c, `${table.name}任务分解表-${todayCst()}.csv`);
    return c.body(toCsv(taskTableRows(table.tasks, table.refs)), 200, { 'Content-Type': 'text/csv; charset=utf-8' }) as never;
  })
  .openapi(xlsxRoute, async (c) => {
    const { town } = c.req.valid('param');
    await staffOf(c, town, 'read');
    const table = await tableOf(c, town);
    attachment(c, `${table.name}任务分解表-${todayCst()}.xlsx`);
    return c.body(await workbook(table.name, taskTableRows(table.tasks, table.refs), table.refs), 200, { 'Content-Type': XLSX_TYPE }) as never;
  })
  .openapi(importRoute, async (c) => {
    const { town } = c.req.valid('param');
    const caller = await officeOf(c, town);
    const query = c.req.valid('query');
    const dry = ['1', 'true'].includes(query.dry_run ?? '0');
    const keep = new Set((query.keep_file_rows ?? '').split(',').filter(Boolean).map(Number));
    if (!dry && !c.req.header('idempotency-key')) {
      throw new ApiError(400, 'validation_failed', '请带上 Idempotency-Key（试导入 dry_run=1 除外）。', 'Send an Idempotency-Key (except with dry_run=1).', [
        { path: 'Idempotency-Key', message: '缺少', message_en: 'missing' },
      ]);
    }
    const tooLarge = () => new ApiError(413, 'file_too_large', `文件不能超过 ${IMPORT_LIMITS.bytes / 1024 / 1024} MB，请分批导入。`, `The file must be at most ${IMPORT_LIMITS.bytes} bytes.`);
    if (Number(c.req.header('content-length') ?? 0) > IMPORT_LIMITS.bytes) throw tooLarge();
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.byteLength > IMPORT_LIMITS.bytes) throw tooLarge();
    if (bytes.byteLength === 0) throw new ApiError(422, 'file_empty', '上传的文件是空的。', 'The uploaded file is empty.');
    let format: 'xlsx' | 'csv';
    let grid: string[][];
    try {
      format = sniffFormat(bytes);
      grid = format === 'xlsx' ? await readXlsx(bytes) : parseTableCsv(decodeCsv(bytes));
    } catch (e) {
      if (e instanceof TableFileError) throw new ApiError(e.status, e.code, e.zh, e.en);
      throw e;
    }
    if (dry) {
      const { plan: p } = await plan(c, town, grid, keep);
      return c.json(result(p, town, true, format), 200);
    }
    return once(c, caller, { file: await sha256(bytes), keep: [...keep].sort((a, b) => a - b) }, async () => {
      const { table, plan: p } = await plan(c, town, grid, keep);
      const now = new Date().toISOString();
      const answer = result(p, town, false, format);
      const changes = p.creates.length + p.updates.length;
      return {
        status: 200 as const,
        answer,
        // An unchanged file changes nothing: no task, history or audit row.
        stmts: changes
          ? [
              tableGuard(town, tableFingerprint(table.tasks)),
              ...taskWriteStmts(
                town,
                { creates: p.creates, updates: p.updates.map((u) => ({ version: u.version, after: u.after, changed: u.changed, before: snapshot(u.before, u.changed), afterFields: snapshot(u.after, u.changed) })) },
                { actor: caller.id, now, source: 'import', rows: new Map([...p.creates.map((x) => [x.state.id, x.row] as const), ...p.updates.map((x) => [x.after.id, x.row] as const)]) },
              ),
              auditStmt({
                at: now,
                actor: caller.id,
                action: 'task.import',
                town_id: town,
                entity: 'task_table',
                entity_id: town,
                detail: { format, ...counts(p), kept_file_rows: p.updates.filter((u) => u.kept_file).map((u) => u.row) },
              }),
            ]
          : [],
        onConflict: async () => tableChanged(),
      };
    });
  });
