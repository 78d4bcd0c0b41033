/**
 * What town bulletins (routes/bulletins.ts) and region bulletins (routes/region-supervision.ts)
 * share: their files — the CSV (UTF-8 BOM, formula-safe cells), the print-ready XLSX (A4 landscape,
 * typed cells) and the print page's answer (strict CSP, no scripts).
 */
import type { Context } from 'hono';
import ExcelJS from 'exceljs';
import type { AppEnv } from '../env.ts';
import { cellText, type SheetCell } from '../domain/bulletin.ts';
import { toCsv } from '../domain/csv.ts';

type Ctx = Context<AppEnv, any, any>;

/** What a bulletin's file is named after: its number, or 通报草稿-<id> for a draft. */
export interface BulletinFileName {
  id: string;
  number: string | null;
}

const THIN = { style: 'thin' as const, color: { argb: 'FF000000' } };
const WIDTHS = [12, 14, 36, 18, 12, 12, 10, 8, 8];

/**
 * The bulletin sheet, print-ready: A4 landscape fitted to the page width, the title merged across
 * and wrapped, section headings bold, tables bordered; counts as numbers, shares as numbers with a
 * percent format, days as date cells.
 */
function bulletinWorksheet(wb: ExcelJS.Workbook, rows: SheetCell[][]) {
  const ws = wb.addWorksheet('通报', {
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, horizontalCentered: true, margins: { left: 0.5, right: 0.5, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 } },
    headerFooter: { oddFooter: '&C第 &P 页，共 &N 页' },
  });
  WIDTHS.forEach((w, i) => (ws.getColumn(i + 1).width = w));
  let table = false;
  rows.forEach((cells, i) => {
    const row = ws.getRow(i + 1);
    cells.forEach((c, j) => {
      const cell = row.getCell(j + 1);
      if (typeof c !== 'object') cell.value = c;
      else if ('share' in c) (cell.value = c.share), (cell.numFmt = '0.0%');
      else {
        const [y, m, d] = c.day.split('-').map(Number);
        cell.value = new Date(Date.UTC(y!, m! - 1, d!));
        cell.numFmt = 'yyyy-mm-dd';
      }
      cell.alignment = { vertical: 'top', wrapText: typeof c === 'string' && c.length > 8 };
    });
    // A table runs from its header row (several cells after a one-cell heading) to the next empty row.
    if (cells.length === 0) table = false;
    else if (cells.length > 2 && (rows[i - 1]?.length ?? 0) === 1) table = true;
    if (table) for (let j = 1; j <= cells.length; j++) row.getCell(j).border = { top: THIN, left: THIN, bottom: THIN, right: THIN };
    if (cells.length === 1) row.font = { bold: true };
  });
  ws.mergeCells(1, 2, 1, WIDTHS.length);
  const title = ws.getRow(1);
  title.font = { bold: true, size: 14 };
  title.height = 40;
  title.getCell(2).alignment = { vertical: 'middle', wrapText: true };
}

const fileName = (b: BulletinFileName, ext: string) => encodeURIComponent(`${b.number ?? `通报草稿-${b.id}`}.${ext}`);

/** The bulletin's rows as a CSV download (what the XLSX shows, as text). */
export function csvAnswer(c: Ctx, b: BulletinFileName, rows: SheetCell[][]): Response {
  c.header('Content-Disposition', `attachment; filename*=UTF-8''${fileName(b, 'csv')}`);
  return c.body(toCsv(rows.map((r) => r.map(cellText))), 200, { 'Content-Type': 'text/csv; charset=utf-8' });
}

/** The bulletin's rows as an XLSX download, dated when the bulletin was issued (or drafted). */
export async function xlsxAnswer(c: Ctx, b: BulletinFileName & { issued_at: string | null; created_at: string }, rows: SheetCell[][]): Promise<Response> {
  const wb = new ExcelJS.Workbook();
  wb.created = new Date(b.issued_at ?? b.created_at);
  bulletinWorksheet(wb, rows);
  const buf = await wb.xlsx.writeBuffer();
  c.header('Content-Disposition', `attachment; filename*=UTF-8''${fileName(b, 'xlsx')}`);
  return c.body(new Uint8Array(buf as ArrayBuffer), 200, { 'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
}

/** The print page (bulletinPage's HTML) under a CSP that runs nothing. */
export function printAnswer(c: Ctx, html: string): Response {
  c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
  return c.html(html, 200) as unknown as Response;
}
