/**
 * The XLSX export read back by exceljs, an independent reader: the same rows as the CSV. Its own file
 * because exceljs's `load()` leaves the isolate unable to run exceljs for later requests (see
 * worker/domain/xlsx-read.ts); here it is the last exceljs call of the isolate.
 */
import { describe, expect, it } from 'vitest';
import { SELF } from 'cloudflare:test';
import ExcelJS from 'exceljs';
import { parseTableCsv } from '../../worker/domain/task-table.ts';
import { readXlsxSheet } from '../../worker/domain/xlsx-read.ts';
import { loadContent } from './helpers.ts';
import { signIn } from './auth-helpers.ts';

describe('the XLSX export', () => {
  it('exceljs reads the same rows as the CSV from the 任务分解表 sheet, and so does the import reader', async () => {
    await loadContent();
    const office = await signIn('office');
    const get = async (ext: string) =>
      new Uint8Array(await (await SELF.fetch(`http://localhost/api/v1/towns/fengmao/tasks/export.${ext}`, { headers: { Authorization: `Bearer ${office}` } })).arrayBuffer()).slice();
    const csv = parseTableCsv(new TextDecoder().decode(await get('csv')));
    const xlsx = await get('xlsx');
    expect(await readXlsxSheet(xlsx, { prefer: '任务分解表', maxRows: 2000, maxCols: 50, maxBytes: 1e8 })).toEqual(csv);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.buffer as ArrayBuffer);
    const ws = wb.getWorksheet('任务分解表')!;
    const rows: string[][] = [];
    ws.eachRow({ includeEmpty: true }, (row) => rows.push(csv[0]!.map((_, i) => String(row.getCell(i + 1).value ?? ''))));
    expect(rows).toEqual(csv);
    expect(wb.getWorksheet('填写说明')!.getRow(12).values).toEqual([undefined, '完成时限（可填）', '2018年年底', '2020年年底', '2022年年底']);
  });
});
