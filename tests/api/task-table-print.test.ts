/**
 * The printed 任务分解表 leaves out the internal columns (任务标识, 版本), as its own 填写说明 says.
 * Checked with LibreOffice, the office suite a township clerk may print from: it reads the exported
 * XLSX and saves it as ODS, whose print range is what it prints. Not by reading the file back with
 * exceljs, which wrote it. The defined name itself is checked against ECMA-376 too (a print area
 * is an absolute reference, which Excel and WPS read).
 */
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp } from './office-harness.ts';
import { libreoffice } from '../fixtures/libreoffice.ts';
import { zipEntries } from '../../worker/domain/xlsx-read.ts';
import { TASK_COLUMNS } from '../../worker/domain/task-table.ts';

/** One file of a ZIP archive (ODS), as text. */
function zipText(b: Uint8Array, name: string): string {
  const e = zipEntries(b, 1e9).find((x) => x.name === name)!;
  const start = e.offset + 30 + (b[e.offset + 26]! | (b[e.offset + 27]! << 8)) + (b[e.offset + 28]! | (b[e.offset + 29]! << 8));
  const data = b.subarray(start, start + e.compressed);
  return new TextDecoder().decode(e.method === 0 ? data : inflateRawSync(data));
}

describe('printing the exported 任务分解表 with LibreOffice', () => {
  let app: Awaited<ReturnType<typeof startApp>>;
  let office: string;
  beforeAll(async () => {
    app = await startApp();
    office = await app.signIn('office');
  }, 300_000);
  afterAll(async () => {
    await app?.close();
  });

  it('the workbook defines the print area as an absolute reference ($A$1:$K$n), as ECMA-376 has it', async () => {
    const res = await app.request('/api/v1/towns/fengmao/tasks/export.xlsx', { headers: { Authorization: `Bearer ${office}` } });
    const workbook = zipText(new Uint8Array(await res.arrayBuffer()), 'xl/workbook.xml');
    const area = /<definedName name="_xlnm.Print_Area"[^>]*>([^<]*)<\/definedName>/.exec(workbook)?.[1]?.replace(/&apos;/g, "'");
    const last = String.fromCharCode(64 + TASK_COLUMNS.filter((c) => !c.locked).length);
    expect(area).toMatch(new RegExp(`^'任务分解表'!\\$A\\$1:\\$${last}\\$\\d+$`));
  });

  it('prints only the columns a person fills in: the print range LibreOffice reads ends before 任务标识 and 版本, on every row', async () => {
    const res = await app.request('/api/v1/towns/fengmao/tasks/export.xlsx', { headers: { Authorization: `Bearer ${office}` } });
    expect(res.status).toBe(200);
    const xlsx = new Uint8Array(await res.arrayBuffer());
    const { 'table.xlsx': ods } = libreoffice({ 'table.xlsx': xlsx }, 'ods');
    const content = zipText(ods!, 'content.xml');
    const sheet = /<table:table table:name="任务分解表"[^>]*>/.exec(content)?.[0] ?? '';
    const range = /table:print-ranges="([^"]*)"/.exec(sheet)?.[1];
    // e.g. "任务分解表.A1:任务分解表.K92" (or with $): columns A… up to the last printed one.
    expect(range, sheet).toBeTruthy();
    const printed = TASK_COLUMNS.filter((c) => !c.locked).length;
    const last = String.fromCharCode(64 + printed);
    const m = /\.\$?([A-Z]+)\$?(\d+):[^.]*\.\$?([A-Z]+)\$?(\d+)$/.exec(range!)!;
    expect([m[1], m[2], m[3]]).toEqual(['A', '1', last]);
    const rows = Number(m[4]);
    expect(rows).toBeGreaterThan(10);
    // The internal columns are the ones after the print range.
    expect(TASK_COLUMNS.slice(printed).every((c) => c.locked)).toBe(true);
  }, 300_000);
});
