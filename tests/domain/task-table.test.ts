/** The 任务分解表 import rules as pure functions: CSV reading, encodings, row and table checks. */
import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { toCsv } from '../../worker/domain/csv.ts';
import { decodeCsv, parseTableCsv, planImport, taskTableRows } from '../../worker/domain/task-table.ts';
import type { TaskRecord, TownRefs } from '../../worker/domain/tasks.ts';
import { XlsxError, readXlsxSheet, xmlText, zipEntries } from '../../worker/domain/xlsx-read.ts';

const refs: TownRefs = {
  units: [
    { id: 'weijiban', name: '卫计办' },
    { id: 'minzhengban', name: '民政办' },
  ],
  members: [
    { id: 'zhang-a', name: '张伟', post: '卫计办主任' },
    { id: 'zhang-b', name: '张伟', post: '民政办主任' },
    { id: 'li', name: '李娜', post: '副镇长' },
  ],
  milestones: [
    { id: 'y2018', label: '2018年年底', due: '2018-12-31', year: 2018 },
    { id: 'y2020', label: '2020年年底', due: '2020-12-31', year: 2020 },
  ],
};
const task = (id: string, code: string, parent: string | null, kind: TaskRecord['kind'] = parent ? 'deliverable' : 'key_task'): TaskRecord => ({
  id,
  parent,
  code,
  kind,
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
});
const tasks = [task('a', '一', null), task('a1', '一.1', 'a')];
const header = ['编号', '上级任务', '类别', '任务内容', '牵头单位', '配合单位', '责任人', '完成时限', '权重', '任务标识', '版本'];
/** A row by header; a row naming a task was exported at its version 1 unless it says otherwise. */
const row = (o: Partial<Record<string, string>>) => header.map((h) => o[h] ?? (h === '版本' && o['任务标识'] ? '1' : ''));

describe('reading CSV', () => {
  it('reads quoted cells with commas, doubled quotes and line breaks, CRLF or LF, and takes off the formula guard', () => {
    const text = toCsv([
      ['编号', '任务内容'],
      ['一', '含,逗号与"引号"\r\n及换行'],
      ['二', '=SUM(A1)'],
    ]);
    expect(parseTableCsv(text)).toEqual([
      ['编号', '任务内容'],
      ['一', '含,逗号与"引号"\r\n及换行'],
      ['二', '=SUM(A1)'],
    ]);
    expect(parseTableCsv('a,b\nc,"d"\n')).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('decodes UTF-8 with or without BOM, and GBK as Excel saves it on Chinese Windows', () => {
    expect(decodeCsv(new TextEncoder().encode('\uFEFF编号'))).toBe('编号');
    // 编号,卫计办 in GBK
    expect(decodeCsv(new Uint8Array([0xb1, 0xe0, 0xba, 0xc5, 0x2c, 0xce, 0xc0, 0xbc, 0xc6, 0xb0, 0xec]))).toBe('编号,卫计办');
  });
});

describe('planning an import', () => {
  it('creates a parent listed after its child, and resolves names, years and Excel day numbers', () => {
    const res = planImport(
      [header, row({ 编号: '二.1', 上级任务: '二', 任务内容: '子任务', 牵头单位: '卫计办', 配合单位: '民政办', 责任人: '李娜', 完成时限: '43465' }), row({ 编号: '二', 任务内容: '新任务', 牵头单位: '民政办', 完成时限: '2020年底' })],
      tasks,
      refs,
    );
    if (!('plan' in res)) throw new Error(JSON.stringify(res.errors));
    expect(res.plan.creates).toHaveLength(2);
    const [child, parent] = res.plan.creates.map((c) => c.state);
    expect(child).toMatchObject({ parent: parent!.id, kind: 'deliverable', lead_member: 'li', due: 'y2018', units: [{ unit: 'weijiban', role: 'lead' }, { unit: 'minzhengban', role: 'support' }] });
    expect(parent).toMatchObject({ parent: null, kind: 'key_task', due: 'y2020', weight: 1 });
    expect(res.plan.not_in_file).toBe(2);
  });

  it('reports a cycle made only of new rows, an ambiguous member name, a repeated id and a unit both leading and supporting', () => {
    const res = planImport(
      [
        header,
        row({ 编号: '三', 上级任务: '三.1', 类别: '重点任务', 任务内容: 'x', 牵头单位: '卫计办', 完成时限: '2018' }),
        row({ 编号: '三.1', 上级任务: '三', 任务内容: 'y', 牵头单位: '卫计办', 完成时限: '2018' }),
        row({ 编号: '一', 任务内容: 'z', 牵头单位: '卫计办', 责任人: '张伟', 完成时限: '2018', 任务标识: 'a' }),
        row({ 编号: '一.1', 上级任务: '一', 任务内容: 'w', 牵头单位: '卫计办', 配合单位: '卫计办', 完成时限: '2018', 任务标识: 'a' }),
      ],
      tasks,
      refs,
    );
    if (!('errors' in res)) throw new Error('expected errors');
    expect(res.errors.map((e) => e.path)).toEqual(['rows.2.上级任务', 'rows.3.上级任务', 'rows.4.责任人', 'rows.5.配合单位', 'rows.5.任务标识']);
    expect(res.errors[0]!.message).toBe('第2行“上级任务”：上级任务形成循环：三 → 三.1 → 三');
    expect(res.errors[2]!.message).toContain('多人名为“张伟”');
  });

  it('an export of the table plans no change when read back', () => {
    const rows = taskTableRows(tasks, refs).map((r) => r.map(String));
    const res = planImport(rows, tasks, refs);
    if (!('plan' in res)) throw new Error(JSON.stringify(res.errors));
    expect(res.plan).toMatchObject({ creates: [], updates: [], unchanged: 2 });
  });
});

describe('reading XLSX', () => {
  it('reads what exceljs writes: shared strings with markup characters, numbers, rich text, booleans, empty cells and rows', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('说明').addRow(['不是这张表']);
    const ws = wb.addWorksheet('任务分解表');
    ws.addRow(['编号', '任务内容', '权重']);
    ws.addRow(['一', '<甲> & "乙"', 2.5]);
    ws.addRow([]);
    ws.getCell('A4').value = { richText: [{ text: '二' }, { text: '.1', font: { bold: true } }] };
    ws.getCell('C4').value = true;
    const bytes = new Uint8Array((await wb.xlsx.writeBuffer()) as ArrayBuffer);
    expect(await readXlsxSheet(bytes, { prefer: '任务分解表', maxRows: 10, maxCols: 10, maxBytes: 1e7 })).toEqual([
      ['编号', '任务内容', '权重'],
      ['一', '<甲> & "乙"', '2.5'],
      [],
      ['二.1', '', 'TRUE'],
    ]);
    await expect(readXlsxSheet(bytes, { prefer: '任务分解表', maxRows: 2, maxCols: 10, maxBytes: 1e7 })).rejects.toThrow('too many rows');
    await expect(readXlsxSheet(bytes, { prefer: '任务分解表', maxRows: 10, maxCols: 10, maxBytes: 1000 })).rejects.toMatchObject({ status: 413 });
  });

  it('refuses a damaged deflate stream as a bad file (422), and reads a character reference beyond Unicode as U+FFFD (both were 500s, found by the hostile-input fuzzing)', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('任务分解表').addRow(['编号']);
    const bytes = new Uint8Array((await wb.xlsx.writeBuffer()) as ArrayBuffer);
    const e = zipEntries(bytes, 1e7).find((x) => x.name === 'xl/workbook.xml')!;
    expect(e.method).toBe(8);
    const start = e.offset + 30 + (bytes[e.offset + 26]! | (bytes[e.offset + 27]! << 8)) + (bytes[e.offset + 28]! | (bytes[e.offset + 29]! << 8));
    // 0xff: a final block of the reserved type 3, which no inflater accepts.
    bytes.fill(0xff, start, start + Math.min(16, e.compressed));
    const err = await readXlsxSheet(bytes, { prefer: '任务分解表', maxRows: 10, maxCols: 10, maxBytes: 1e7 }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(XlsxError);
    expect(err).toMatchObject({ status: 422 });
    expect(xmlText('&#x110000;&#99999999999;&#65;&#x4E00;')).toBe('\uFFFD\uFFFDA一');
  });
});
