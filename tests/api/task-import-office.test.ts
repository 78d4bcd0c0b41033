/**
 * The task import through the real app and a real local D1, with the files an office really
 * produces: copies edited and saved by exceljs and by LibreOffice (headless, Debian
 * libreoffice-calc-nogui). The lost update the issue found: a copy exported before someone else's
 * edit must not set that edit back; it is listed as a conflict and the database stays as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { startApp } from './office-harness.ts';
import { CSV_IN, TO_XLSX, libreoffice } from '../fixtures/libreoffice.ts';
import { readXlsxSheet } from '../../worker/domain/xlsx-read.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
type App = Awaited<ReturnType<typeof startApp>>;

describe('importing a stale copy of the 任务分解表', () => {
  let app: App;
  let office: string;
  const get = async (path: string) => new Uint8Array(await (await app.request(path, { headers: { Authorization: `Bearer ${office}` } })).arrayBuffer());
  const upload = async (bytes: Uint8Array, query = '') => {
    const res = await app.request(`/api/v1/towns/fengmao/tasks/import${query}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${office}`, 'Content-Type': XLSX, 'Idempotency-Key': `import-${crypto.randomUUID()}` },
      body: bytes,
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  /** The exported sheet with `edit` applied, written by exceljs. */
  const edited = async (file: Uint8Array, edit: (grid: string[][], col: (h: string) => number) => void) => {
    const grid = await readXlsxSheet(file, { prefer: '任务分解表', maxRows: 2000, maxCols: 50, maxBytes: 1e8 });
    edit(grid, (h) => grid[0]!.indexOf(h));
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('任务分解表').addRows(grid.map((r) => r.map((x) => (/^\d+$/.test(x) ? Number(x) : x))));
    return new Uint8Array((await wb.xlsx.writeBuffer()) as ArrayBuffer);
  };
  const ID = 'kt1-health-assessment-baseline-survey';

  beforeAll(async () => {
    app = await startApp();
    office = await app.signIn('office');
  }, 300_000);
  afterAll(async () => {
    await app?.close();
  });

  it('a copy exported before another edit, saved by exceljs and by LibreOffice, is a 409 conflict (DB value beside file value) and changes nothing; keeping the file values applies it', async () => {
    // Two clerks export the table at version 1.
    const copy = await get('/api/v1/towns/fengmao/tasks/export.xlsx');
    const row = (grid: string[][], col: (h: string) => number) => grid.find((r) => r[col('任务标识')] === ID)!;
    // The first renames the task and imports: version 2.
    const first = await upload(await edited(copy, (g, c) => void (row(g, c)[c('任务内容')] = '开展老年人健康基线调查（第一位办事员修改）')));
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ updated: 1, changes: [{ diff: [{ column: '任务内容', after: '开展老年人健康基线调查（第一位办事员修改）' }] }] });
    // The second edits the lead unit on the old copy, in exceljs and in LibreOffice.
    const stale = await edited(copy, (g, c) => void (row(g, c)[c('牵头单位')] = '民政办'));
    const { 'stale.xlsx': staleLo } = libreoffice({ 'stale.xlsx': stale }, TO_XLSX);
    expect(new TextDecoder().decode(staleLo!.subarray(0, 4000))).not.toContain('exceljs');

    const before = await app.dump();
    for (const file of [stale, staleLo!]) {
      for (const query of ['?dry_run=1', '']) {
        const r = await upload(file, query);
        expect(r.status, JSON.stringify(r.body)).toBe(409);
        expect(r.body.error.code).toBe('import_conflict');
        expect(r.body.error.message).toContain('未导入任何内容');
        const [conflict] = r.body.error.conflicts;
        expect(r.body.error.conflicts).toHaveLength(1);
        expect(conflict).toMatchObject({ ref: `fengmao:${ID}`, file_version: 1, db_version: 2 });
        expect(conflict.cells).toEqual([
          { column: '任务内容', database: '开展老年人健康基线调查（第一位办事员修改）', file: expect.not.stringContaining('第一位') },
          { column: '牵头单位', database: '卫计办', file: '民政办' },
        ]);
        expect(r.body.error.fields.map((f: any) => f.path)).toEqual([`rows.${conflict.row}.任务内容`, `rows.${conflict.row}.牵头单位`]);
      }
    }
    expect(await app.dump()).toEqual(before);

    // The office decides the file is right for that row.
    const conflictRow = (await upload(staleLo!, '?dry_run=1')).body.error.conflicts[0].row;
    const kept = await upload(staleLo!, `?keep_file_rows=${conflictRow}`);
    expect(kept.status, JSON.stringify(kept.body)).toBe(200);
    expect(kept.body).toMatchObject({ updated: 1, changes: [{ row: conflictRow, kept_file: true, fields: ['title', 'units'] }] });
    const list = (await (await app.request('/api/v1/towns/fengmao/tasks?kind=plan', { headers: { Authorization: `Bearer ${office}` } })).json()) as any;
    const task = list.tasks.find((t: any) => t.id === ID);
    expect(task).toMatchObject({ version: 3, units: expect.arrayContaining([expect.objectContaining({ unit: 'minzhengban', role: 'lead' })]) });
    expect(task.title).not.toContain('第一位');
  }, 600_000);

  it('the CSV export opened in LibreOffice and saved as XLSX imports unchanged; .xls and .ods are refused by name', async () => {
    const csv = await get('/api/v1/towns/fengmao/tasks/export.csv');
    const { 'table.csv': xlsx } = libreoffice({ 'table.csv': csv }, TO_XLSX, CSV_IN);
    const same = await upload(xlsx!, '?dry_run=1');
    expect(same.status, JSON.stringify(same.body)).toBe(200);
    expect(same.body).toMatchObject({ created: 0, updated: 0 });
    const { 'table.csv': xls } = libreoffice({ 'table.csv': csv }, 'xls:MS Excel 97', CSV_IN);
    const { 'table.csv': ods } = libreoffice({ 'table.csv': csv }, 'ods', CSV_IN);
    const refusedXls = await upload(xls!, '?dry_run=1');
    expect(refusedXls).toMatchObject({ status: 422, body: { error: { code: 'file_format_unsupported', message: expect.stringContaining('旧版 .xls 文件，请另存为 .xlsx 后再导入') } } });
    const refusedOds = await upload(ods!, '?dry_run=1');
    expect(refusedOds).toMatchObject({ status: 422, body: { error: { code: 'file_format_unsupported', message: expect.stringContaining('.ods') } } });
  }, 600_000);
});
