/**
 * The task table as township offices keep it: their template (title rows, another sheet), their
 * dates, files saved by exceljs and by LibreOffice (Debian libreoffice-calc-nogui, headless), other
 * formats refused by name, and rows edited from an older version reported, never applied.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { toCsv } from '../../worker/domain/csv.ts';
import { milestoneOf, parseTypedDate } from '../../worker/domain/sheet-dates.ts';
import { TableFileError, decodeCsv, headerScore, parseTableCsv, pickSheet, planImport, sniffFormat, taskTableRows } from '../../worker/domain/task-table.ts';
import type { TaskRecord, TownRefs } from '../../worker/domain/tasks.ts';
import { readXlsxSheets } from '../../worker/domain/xlsx-read.ts';
import { CSV_IN, TO_XLSX, libreoffice } from '../fixtures/libreoffice.ts';

const refs: TownRefs = {
  units: [
    { id: 'weijiban', name: '卫计办' },
    { id: 'minzhengban', name: '民政办' },
  ],
  members: [{ id: 'li', name: '李娜', post: '副镇长' }],
  milestones: [
    { id: 'y2018', label: '2018年年底', due: '2018-12-31', year: 2018 },
    { id: 'y2020', label: '2020年年底', due: '2020-12-31', year: 2020 },
    { id: 'y2022', label: '2022年年底', due: '2022-12-31', year: 2022 },
  ],
};
const task = (id: string, code: string, parent: string | null, over: Partial<TaskRecord> = {}): TaskRecord => ({
  id,
  parent,
  code,
  kind: parent ? 'deliverable' : 'key_task',
  title: `任务${code}`,
  units: [{ unit: 'weijiban', role: 'lead' }],
  lead_member: null,
  due: 'y2018',
  due_on: null,
  weight: 1,
  evidence_required: false,
  ordinal: 0,
  status: 'not_started',
  percent: 0,
  version: 1,
  edited: [],
  inspection: null,
  updated_at: '2026-01-01T00:00:00.000Z',
  ...over,
});
const tasks = [task('a', '一', null), task('a1', '一.1', 'a'), task('b', '2134.10', null)];
const exported = () => taskTableRows(tasks, refs).map((r) => r.map(String));
const H = exported()[0]!;
const col = (h: string) => H.indexOf(h);
const xlsxBytes = async (wb: ExcelJS.Workbook) => new Uint8Array((await wb.xlsx.writeBuffer()) as ArrayBuffer);
const sheetsOf = (b: Uint8Array) => readXlsxSheets(b, { maxRows: 1100, maxCols: 50, maxBytes: 1e8 });
const tableOf = async (b: Uint8Array) => pickSheet(await sheetsOf(b), '任务分解表', headerScore);
/** The TableFileError a call throws. */
const refusal = (f: () => unknown): TableFileError | undefined => {
  try {
    f();
  } catch (e) {
    if (e instanceof TableFileError) return e;
    throw e;
  }
  return undefined;
};
const plan = (grid: string[][], keep?: number[]) => planImport(grid, tasks, refs, { town: 'x', keep: new Set(keep) });

describe('dates as people type them', () => {
  it('reads slashes, dashes, dots, 年月日, full-width digits, year ends and Excel day numbers', () => {
    for (const t of ['2022/12/31', '2022-12-31', '2022.12.31', '2022年12月31日', '２０２２／１２／３１', '2022-12-31T00:00:00', '44926']) expect(parseTypedDate(t), t).toMatchObject({ day: '2022-12-31' });
    for (const t of ['2022年底', '2022年年底', '2022年末', '2022', '2022年']) expect(parseTypedDate(t), t).toEqual({ year: 2022 });
    expect(parseTypedDate('2022年12月')).toEqual({ month: '2022-12' });
    for (const t of ['2022/2/30', '明年', '2022/13/01', '']) expect(parseTypedDate(t), t).toBeNull();
  });

  it('maps each form to the milestone, and names the date as typed (a day number with its date) when it is none', () => {
    for (const t of ['2022/12/31', '2022.12.31', '2022年12月31日', '2022年底', '2022年12月底', '44926', '2022年年底', 'y2022']) expect(milestoneOf(t, refs.milestones), t).toEqual({ id: 'y2022' });
    expect(milestoneOf('2022/6/30', refs.milestones)).toEqual({ shown: '2022/6/30', understood: '2022-06-30' });
    expect(milestoneOf('44742', refs.milestones)).toEqual({ shown: '44742（即 2022-06-30）', understood: '2022-06-30' });
    const grid = exported();
    grid[1]![col('完成时限')] = '2022/6/30';
    grid[2]![col('完成时限')] = '下半年';
    const res = plan(grid);
    if (!('errors' in res)) throw new Error('expected errors');
    expect(res.errors.map((e) => e.message)).toEqual([
      expect.stringContaining('第2行“完成时限”：完成时限“2022/6/30”不是本镇的时间节点'),
      expect.stringContaining('第3行“完成时限”：无法识别完成时限“下半年”'),
    ]);
  });
});

describe('finding the table', () => {
  it('finds the header under a merged title row and notes, on a sheet that is not first; rows keep their sheet numbers', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('封面').addRow(['冯卯镇医养结合示范镇创建', '编号']);
    wb.addWorksheet('空白');
    const ws = wb.addWorksheet('分解表（2026年修订）');
    ws.addRow(['冯卯镇任务分解表']);
    ws.mergeCells('A1:M1');
    ws.addRow(['填表说明：任务标识、版本请勿修改']);
    ws.addRow([]);
    const grid = exported();
    grid[2]![col('任务内容')] = '改过的任务';
    ws.addRows(grid);
    const table = await tableOf(await xlsxBytes(wb));
    expect(table[3]).toEqual(H);
    const res = plan(table);
    if (!('plan' in res)) throw new Error(JSON.stringify(res));
    expect(res.plan.updates.map((u) => [u.row, u.diff])).toEqual([[6, [{ column: '任务内容', before: '任务一.1', after: '改过的任务' }]]]);
  });

  it('a missing required column is one error naming it, however many rows there are', () => {
    const grid = exported().map((r) => r.filter((_, i) => i !== col('任务标识')));
    const res = plan(grid);
    expect(res).toEqual({ errors: [expect.objectContaining({ path: 'header.任务标识', message: expect.stringContaining('第1行表头缺少“任务标识”列') })] });
    expect(plan([['冯卯镇任务分解表'], ['一', '二']])).toEqual({ errors: [expect.objectContaining({ path: 'header' })] });
  });

  it('reads headers by the names township templates use (责任单位, 完成时间, marked *)', () => {
    const grid = exported();
    grid[0] = grid[0]!.map((h) => ({ 牵头单位: '责任单位', 完成时限: '*完成时间', 任务内容: '工作任务' })[h] ?? h);
    expect(plan(grid)).toMatchObject({ plan: { unchanged: 3, updates: [], creates: [] } });
  });
});

describe('versioned rows', () => {
  const stale = () => {
    // The database moved on: 一.1 renamed (version 2) after the clerk's copy was exported at version 1.
    const now = [task('a', '一', null), task('a1', '一.1', 'a', { title: '系统中的新标题', version: 2 }), task('b', '2134.10', null)];
    const grid = exported();
    grid[2]![col('牵头单位')] = '民政办';
    return { now, grid };
  };

  it('a row edited from an older version is a conflict listing the database value beside the file value; nothing is planned', () => {
    const { now, grid } = stale();
    const res = planImport(grid, now, refs, { town: 'fengmao' });
    expect(res).toEqual({
      conflicts: [
        {
          row: 3,
          ref: 'fengmao:a1',
          code: '一.1',
          title: '系统中的新标题',
          file_version: 1,
          db_version: 2,
          cells: [
            { column: '任务内容', database: '系统中的新标题', file: '任务一.1' },
            { column: '牵头单位', database: '卫计办', file: '民政办' },
          ],
        },
      ],
    });
  });

  it("keeping the file's values for that row plans the update at the stored version; an unchanged stale row is no conflict", () => {
    const { now, grid } = stale();
    const res = planImport(grid, now, refs, { town: 'fengmao', keep: new Set([3]) });
    if (!('plan' in res)) throw new Error(JSON.stringify(res));
    expect(res.plan.updates).toEqual([expect.objectContaining({ row: 3, version: 2, kept_file: true, changed: ['title', 'units'] })]);
    grid[2]![col('任务内容')] = '系统中的新标题';
    grid[2]![col('牵头单位')] = '卫计办';
    expect(planImport(grid, now, refs)).toMatchObject({ plan: { unchanged: 3, updates: [] } });
  });

  it('a version newer than the database, or none on an exported row, is refused', () => {
    const grid = exported();
    grid[1]![col('版本')] = '7';
    grid[2]![col('版本')] = '';
    const res = plan(grid);
    if (!('errors' in res)) throw new Error('expected errors');
    expect(res.errors.map((e) => e.path)).toEqual(['rows.2.版本', 'rows.3.版本']);
  });
});

describe('what goes out comes back unchanged', () => {
  it('a code turned into a number by a spreadsheet (2134.10 → 2134.1) still names its task, and the formula guard comes off XLSX cells', async () => {
    const grid = exported();
    grid[3]![col('编号')] = '2134.1';
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('任务分解表');
    ws.addRows(grid);
    ws.getCell(4, col('编号') + 1).value = 2134.1;
    ws.getCell(2, col('任务内容') + 1).value = "'=任务一";
    const table = await tableOf(await xlsxBytes(wb));
    expect(table[1]![col('任务内容')]).toBe('=任务一');
    const res = plan(table);
    if (!('plan' in res)) throw new Error(JSON.stringify(res));
    expect(res.plan.updates.map((u) => [u.row, u.changed])).toEqual([[2, ['title']]]);
  });
});

describe('files that are not a task table', () => {
  it('refuses UTF-16 text and binary data by what to do, and still reads GBK', () => {
    const utf16 = new Uint8Array([0xff, 0xfe, ...[...'编号,任务内容'].flatMap((ch) => [ch.charCodeAt(0) & 0xff, ch.charCodeAt(0) >> 8])]);
    expect(refusal(() => decodeCsv(utf16))).toMatchObject({ code: 'file_unreadable', zh: expect.stringContaining('UTF-16') });
    expect(refusal(() => decodeCsv(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0])))).toMatchObject({ code: 'file_unreadable' });
    expect(decodeCsv(new Uint8Array([0xb1, 0xe0, 0xba, 0xc5]))).toBe('编号');
    expect(sniffFormat(new TextEncoder().encode('编号,任务内容'))).toBe('csv');
    expect(() => sniffFormat(new TextEncoder().encode('%PDF-1.7'))).toThrow(/PDF/);
  });
});

describe('with LibreOffice as the office suite', () => {
  let lo: Record<string, Uint8Array>;
  let loCsv: Record<string, Uint8Array>;
  let loOther: Record<string, Uint8Array>;
  beforeAll(async () => {
    // One copy of the export, edited as a clerk would: dates typed in every form, a title with the formula guard.
    const grid = exported();
    grid.push(['三', '', '', '新任务甲', '卫计办', '', '', '2022/12/31', '', '', '', '', '']);
    grid.push(['四', '', '', '新任务乙', '卫计办', '', '', '2020年12月31日', '', '', '', '', '']);
    grid.push(['五', '', '', '新任务丙', '卫计办', '', '', '2022.12.31', '', '', '', '', '']);
    grid.push(['六', '', '', '=新任务丁', '卫计办', '', '', '2018年底', '', '', '', '', '']);
    const csv = new TextEncoder().encode(toCsv(grid));
    const workbook = (withNotes: boolean) => {
      const wb = new ExcelJS.Workbook();
      if (withNotes) wb.addWorksheet('说明').addRow(['本表由办公室填写']);
      const t = wb.addWorksheet('任务分解表');
      t.addRow(['冯卯镇任务分解表']);
      t.mergeCells('A1:M1');
      t.addRows(exported());
      t.getCell(3, col('完成时限') + 1).value = new Date(Date.UTC(2020, 11, 31));
      t.getCell(4, col('完成时限') + 1).value = new Date(Date.UTC(2022, 5, 30));
      for (const r of [3, 4]) t.getCell(r, col('完成时限') + 1).numFmt = 'yyyy/m/d';
      return xlsxBytes(wb);
    };
    // 须附佐证 typed as a clerk would: 是 on an exported task, on a new one, and Y on another.
    const flagged = exported();
    flagged[2]![col('须附佐证')] = '是';
    flagged[3]![col('须附佐证')] = 'Y';
    const newRow = flagged[0]!.map(() => '');
    Object.assign(newRow, { [col('编号')]: '七', [col('任务内容')]: '须附佐证的新任务', [col('牵头单位')]: '卫计办', [col('完成时限')]: '2020年年底', [col('须附佐证')]: '是' });
    flagged.push(newRow);
    lo = libreoffice({ 'from-csv.csv': csv, 'evidence.csv': new TextEncoder().encode(toCsv(flagged)) }, TO_XLSX, CSV_IN);
    loCsv = libreoffice({ 'from-xlsx.xlsx': await workbook(false) }, 'csv:Text - txt - csv (StarCalc):44,34,76,1');
    loOther = libreoffice({ 'old.csv': csv }, 'xls:MS Excel 97', CSV_IN);
    Object.assign(loOther, libreoffice({ 'open.csv': csv }, 'ods', CSV_IN));
    Object.assign(lo, libreoffice({ 'from-xlsx.xlsx': await workbook(true) }, TO_XLSX));
  }, 900_000);

  it('the CSV export saved as XLSX by LibreOffice (typed dates become date cells) imports: guard off, codes as the database has them, every date form a milestone', async () => {
    const table = await tableOf(lo['from-csv.csv']!);
    const res = plan(table);
    if (!('plan' in res)) throw new Error(JSON.stringify(res));
    expect(res.plan).toMatchObject({ unchanged: 3, updates: [] });
    expect(res.plan.creates.map((c) => [c.state.code, c.state.title, c.state.due])).toEqual([
      ['三', '新任务甲', 'y2022'],
      ['四', '新任务乙', 'y2020'],
      ['五', '新任务丙', 'y2022'],
      ['六', '=新任务丁', 'y2018'],
    ]);
  });

  it('须附佐证 (是 / Y) in the export, saved as XLSX by LibreOffice, imports as the flag on those tasks and on a new one; the others stay 否', async () => {
    const table = await tableOf(lo['evidence.csv']!);
    expect(table[0]![col('须附佐证')]).toBe('须附佐证');
    const res = plan(table);
    if (!('plan' in res)) throw new Error(JSON.stringify(res));
    expect(res.plan.updates.map((u) => [u.after.id, u.changed, u.after.evidence_required])).toEqual([
      ['a1', ['evidence_required'], true],
      ['b', ['evidence_required'], true],
    ]);
    expect(res.plan.updates[0]!.diff).toEqual([{ column: '须附佐证', before: '否', after: '是' }]);
    expect(res.plan.creates.map((c) => [c.state.code, c.state.evidence_required])).toEqual([['七', true]]);
    expect(res.plan.unchanged).toBe(1);
  });

  it('a workbook LibreOffice saved (title row, second sheet, date cells) reads as the clerk saw it; a date that is no milestone is shown as a date', async () => {
    const table = await tableOf(lo['from-xlsx.xlsx']!);
    expect(table[2]![col('完成时限')]).toBe('2020-12-31');
    const res = plan(table);
    if (!('errors' in res)) throw new Error(JSON.stringify(res));
    expect(res.errors).toEqual([expect.objectContaining({ path: 'rows.4.完成时限', message: expect.stringContaining('“2022-06-30”不是本镇的时间节点') })]);
  });

  it('LibreOffice CSV of that workbook (dates as it prints them) reads the same way', () => {
    const table = parseTableCsv(decodeCsv(loCsv['from-xlsx.xlsx']!));
    const res = plan(table);
    if (!('errors' in res)) throw new Error(JSON.stringify(res));
    expect(res.errors).toEqual([expect.objectContaining({ path: 'rows.4.完成时限' })]);
  });

  it('refuses .xls and .ods saved by LibreOffice, each by name', () => {
    expect(refusal(() => sniffFormat(loOther['old.csv']!))).toMatchObject({ code: 'file_format_unsupported', zh: expect.stringContaining('旧版 .xls 文件') });
    expect(refusal(() => sniffFormat(loOther['open.csv']!))).toMatchObject({ code: 'file_format_unsupported', zh: expect.stringContaining('（.ods）') });
  });
});
