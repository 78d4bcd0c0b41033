/**
 * An uploaded table file before any row is read: which format it is (XLSX or CSV, with a clear
 * refusal for .xls/.et/.ods/.numbers and text that cannot be decoded), the CSV text and cells, and
 * which sheet of a workbook holds the table (the one whose header is found). Pure: no Hono, no D1.
 */
import { CsvError, parseCsv, unNeutralise } from './csv.ts';
import { zipEntries, XlsxError, type SheetGrid } from './xlsx-read.ts';

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

const unsupported = (zh: string, en: string) => new TableFileError(422, 'file_format_unsupported', zh, en);

/** Whether the bytes are a ZIP archive (an XLSX file is one). */
export const isZip = (b: Uint8Array): boolean => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

const startsWith = (b: Uint8Array, sig: number[]) => sig.every((x, i) => b[i] === x);

/**
 * The format of an uploaded table by its bytes (the name a browser sends cannot be trusted): 'xlsx'
 * or 'csv'; an older or other office format is refused with what to do instead.
 */
export function sniffFormat(b: Uint8Array): 'xlsx' | 'csv' {
  // OLE2 compound file: Excel 97–2003 .xls, WPS .et (and old .doc, which is no table either).
  if (startsWith(b, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    throw unsupported('旧版 .xls 文件，请另存为 .xlsx 后再导入（WPS 的 .et 文件同样请另存为 .xlsx）。', 'This is an old .xls (or WPS .et) file; save it as .xlsx and import again.');
  }
  if (isZip(b)) {
    let names: string[];
    try {
      names = zipEntries(b, Number.MAX_SAFE_INTEGER).map((e) => e.name.replace(/^\//, ''));
    } catch (e) {
      if (e instanceof XlsxError) return 'xlsx'; // the XLSX reader reports the damage
      throw e;
    }
    if (names.includes('xl/workbook.xml')) return 'xlsx';
    if (names.includes('content.xml') || new TextDecoder().decode(b.subarray(30, 30 + 80)).includes('opendocument')) {
      throw unsupported('这是 OpenDocument（.ods）文件，请在 WPS 或 LibreOffice 中另存为 .xlsx 后再导入。', 'This is an OpenDocument (.ods) file; save it as .xlsx and import again.');
    }
    if (names.some((n) => n.startsWith('Index/') || n === 'Index.zip' || n.endsWith('.iwa'))) {
      throw unsupported('这是 Numbers 文件，请在 Numbers 中导出为 Excel（.xlsx）后再导入。', 'This is an Apple Numbers file; export it to Excel (.xlsx) and import again.');
    }
    throw unsupported('这个压缩文件不是 XLSX 表格，请上传导出的任务分解表（.xlsx 或 .csv）。', 'This ZIP archive is not an XLSX workbook; upload the task table as .xlsx or .csv.');
  }
  if (startsWith(b, [0x25, 0x50, 0x44, 0x46])) throw unsupported('这是 PDF 文件，无法导入；请上传 .xlsx 或 .csv 文件。', 'This is a PDF file; upload .xlsx or .csv.');
  return 'csv';
}

const unreadableText = () =>
  new TableFileError(
    422,
    'file_unreadable',
    '无法识别文件的文字编码（不是 UTF-8 或 GBK/GB18030，例如 UTF-16 的“Unicode 文本”），请在 Excel 或 WPS 中另存为“CSV UTF-8”或 .xlsx 后再导入。',
    'The text encoding is not UTF-8 or GBK/GB18030 (e.g. UTF-16 "Unicode text"); save as CSV UTF-8 or XLSX.',
  );

/**
 * Decodes CSV bytes: UTF-8 (with or without BOM), else GB18030/GBK — what Excel's “CSV (逗号分隔)”
 * writes on a Chinese Windows. UTF-16 (Excel's “Unicode 文本”) and binary files are refused.
 */
export function decodeCsv(bytes: Uint8Array): string {
  if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff]) || bytes.subarray(0, 4096).includes(0)) throw unreadableText();
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    try {
      return new TextDecoder('gb18030', { fatal: true, ignoreBOM: false }).decode(bytes);
    } catch {
      throw unreadableText();
    }
  }
}

/** The most rows after the header an import reads. */
export const MAX_TABLE_ROWS = 1000;

export const tooManyRows = () =>
  new TableFileError(422, 'too_many_rows', `文件超过 ${MAX_TABLE_ROWS} 行，请分批导入。`, `The file has more than ${MAX_TABLE_ROWS} rows; import it in parts.`);

/** Rows a header may sit below (title rows, notes, a merged banner). */
export const HEADER_SEARCH_ROWS = 20;

/**
 * The task table's CSV as cells: RFC 4180 (`parseCsv`), the leading apostrophe the export puts
 * before = + - @ tab CR (formula safety) taken off again, at most MAX_TABLE_ROWS rows after the
 * header (and the rows above it).
 */
export function parseTableCsv(text: string): string[][] {
  try {
    return parseCsv(text, { maxRows: MAX_TABLE_ROWS + HEADER_SEARCH_ROWS, cell: unNeutralise });
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    if (e.reason === 'too_many_rows') throw tooManyRows();
    throw new TableFileError(422, 'file_unreadable', 'CSV 文件的引号不成对，文件可能不完整。', 'Unbalanced quotes: the CSV file looks truncated.');
  }
}

/**
 * The sheet holding the table: the one whose header (found by `score`) names the most known columns;
 * on a tie the sheet named `prefer`, then the first. A sheet too long to read is refused only when
 * it is the one chosen. Cells lose the formula-safety apostrophe as CSV cells do.
 */
export function pickSheet(sheets: SheetGrid[], prefer: string, score: (rows: string[][]) => number): string[][] {
  let best: SheetGrid | undefined;
  let bestScore = -1;
  for (const s of sheets) {
    const n = score(s.rows);
    if (n > bestScore || (n === bestScore && s.name === prefer && best?.name !== prefer)) (best = s), (bestScore = n);
  }
  if (!best) return [];
  if (best.truncated) throw tooManyRows();
  return best.rows.map((r) => r.map(unNeutralise));
}
