/**
 * Reads the cells of one worksheet of an XLSX file as text: ZIP central directory, entries inflated
 * with the platform's DecompressionStream('deflate-raw'), and the few SpreadsheetML parts a table
 * needs (workbook, its relationships, shared strings, the sheet).
 *
 * Why not exceljs here (it writes our exports): inside a Worker, `workbook.xlsx.load()` leaves a
 * stream-related object bound to the request that ran it, and every later exceljs load or write in
 * the same isolate then fails with "Cannot perform I/O on behalf of a different request" and hangs
 * (seen in workerd 1.20261117 under @cloudflare/vitest-plugin). Reading needs far less than exceljs
 * offers, and this way the unpacked size is capped while inflating.
 */

/** Why the file cannot be read; `status` 413 when it unpacks to too much. */
export class XlsxError extends Error {
  readonly status: 413 | 422;
  constructor(status: 413 | 422, message: string) {
    super(message);
    this.status = status;
  }
}

interface Entry {
  name: string;
  method: number;
  compressed: number;
  size: number;
  offset: number;
}

const u16 = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Uint8Array, o: number) => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16)) + b[o + 3]! * 0x1000000;

/** The entries of a ZIP archive, from its central directory; refuses ZIP64 and totals above `limit`. */
export function zipEntries(b: Uint8Array, limit: number): Entry[] {
  let eocd = -1;
  for (let o = b.length - 22; o >= Math.max(0, b.length - 22 - 0xffff); o--) {
    if (u32(b, o) === 0x06054b50) {
      eocd = o;
      break;
    }
  }
  if (eocd < 0) throw new XlsxError(422, 'not a ZIP archive');
  const count = u16(b, eocd + 10);
  let at = u32(b, eocd + 16);
  let total = 0;
  const out: Entry[] = [];
  for (let n = 0; n < count; n++) {
    if (at + 46 > b.length || u32(b, at) !== 0x02014b50) throw new XlsxError(422, 'broken central directory');
    const nameLen = u16(b, at + 28);
    const e: Entry = {
      method: u16(b, at + 10),
      compressed: u32(b, at + 20),
      size: u32(b, at + 24),
      offset: u32(b, at + 42),
      name: new TextDecoder().decode(b.subarray(at + 46, at + 46 + nameLen)),
    };
    if (e.size === 0xffffffff || e.compressed === 0xffffffff) throw new XlsxError(422, 'ZIP64 is not supported');
    total += e.size;
    if (total > limit) throw new XlsxError(413, 'unpacks to too much');
    out.push(e);
    at += 46 + nameLen + u16(b, at + 30) + u16(b, at + 32);
  }
  return out;
}

async function inflate(data: Uint8Array, limit: number): Promise<Uint8Array> {
  const reader = new Response(data.slice()).body!.pipeThrough(new DecompressionStream('deflate-raw')).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      // A damaged deflate stream (DecompressionStream rejects): the file, not the server, is at fault.
      throw new XlsxError(422, 'damaged compressed data');
    }
    const { done, value } = chunk;
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw new XlsxError(413, 'unpacks to too much');
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) (out.set(c, o), (o += c.byteLength));
  return out;
}

async function entryText(b: Uint8Array, e: Entry, limit: number): Promise<string> {
  if (e.offset + 30 > b.length || u32(b, e.offset) !== 0x04034b50) throw new XlsxError(422, `broken entry ${e.name}`);
  const start = e.offset + 30 + u16(b, e.offset + 26) + u16(b, e.offset + 28);
  const data = b.subarray(start, start + e.compressed);
  let raw: Uint8Array;
  if (e.method === 0) raw = data;
  else if (e.method === 8) raw = await inflate(data, Math.min(limit, e.size + 1024));
  else throw new XlsxError(422, `unsupported compression in ${e.name}`);
  return new TextDecoder().decode(raw);
}

/** A numeric character reference's character; one beyond Unicode (&#x110000;) is the replacement character, as an XML reader would refuse it. */
const codePoint = (n: number): string => (n <= 0x10ffff ? String.fromCodePoint(n) : '\uFFFD');

/** XML text content: entities and OOXML's _xHHHH_ escapes decoded. */
export function xmlText(s: string): string {
  return s
    .replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) =>
      e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'amp' ? '&' : e === 'quot' ? '"' : e === 'apos' ? "'" : codePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)),
    )
    .replace(/_x([0-9A-Fa-f]{4})_/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

const attrs = (tag: string): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) out[m[1]!] = xmlText(m[2] ?? m[3] ?? '');
  return out;
};

/** The text runs of a shared or inline string (phonetic runs left out). */
const runs = (xml: string): string =>
  [...xml.replace(/<rPh\b[\s\S]*?<\/rPh>/g, '').matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>|<t(?:\s[^>]*)?\/>/g)].map((m) => xmlText(m[1] ?? '')).join('');

const columnIndex = (ref: string): number => {
  let n = 0;
  for (const ch of /^[A-Z]+/.exec(ref)?.[0] ?? '') n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
};

/** Built-in number formats that show a date (ECMA-376 18.8.30, with the CJK ids 27–36 and 50–58). */
const DATE_FORMAT_IDS = new Set([14, 15, 16, 17, 22, 27, 28, 29, 30, 31, 34, 35, 36, 50, 51, 52, 53, 54, 57, 58]);

/** Whether a custom number format code shows a date: y, m or d outside quotes, brackets and escapes (and not only time). */
export function isDateFormat(code: string): boolean {
  const bare = code.replace(/"[^"]*"|\\.|\[[^\]]*\]/g, '').toLowerCase();
  return /[yd]/.test(bare) || (/m/.test(bare) && !/[hs]/.test(bare));
}

/** The style indexes (cellXfs) whose number format shows a date. */
function dateStyles(styles: string): Set<number> {
  const custom = new Map([...styles.matchAll(/<numFmt\b[^>]*>/g)].map((m) => attrs(m[0])).map((a) => [Number(a.numFmtId), a.formatCode ?? '']));
  const xfs = /<cellXfs\b[^>]*>([\s\S]*?)<\/cellXfs>/.exec(styles)?.[1] ?? '';
  const out = new Set<number>();
  [...xfs.matchAll(/<xf\b[^>]*>/g)].forEach((m, i) => {
    const id = Number(attrs(m[0]).numFmtId ?? 0);
    if (DATE_FORMAT_IDS.has(id) || (custom.has(id) && isDateFormat(custom.get(id)!))) out.add(i);
  });
  return out;
}

/** A spreadsheet day number as YYYY-MM-DD (the 1900 system counts from 1899-12-30 past Excel's leap-year bug; 1904 from 1904-01-01). */
export function serialDate(serial: number, date1904 = false): string | null {
  if (!Number.isFinite(serial) || serial < 1 || serial > 2_958_465) return null;
  const base = date1904 ? Date.UTC(1904, 0, 1) : Date.UTC(1899, 11, 30);
  return new Date(base + Math.floor(serial) * 86_400_000).toISOString().slice(0, 10);
}

/** One worksheet as text rows (row i is spreadsheet row i + 1); `truncated` when it had more than `maxRows` rows. */
export interface SheetGrid {
  name: string;
  rows: string[][];
  truncated: boolean;
}

/**
 * The cells of every worksheet as text, in workbook order. A number in a date-formatted cell reads
 * as YYYY-MM-DD (what the person saw), other numbers as written. A sheet longer than `maxRows` is
 * cut there and marked `truncated`; at most `maxCols` columns are read.
 */
export async function readXlsxSheets(b: Uint8Array, opts: { maxRows: number; maxCols: number; maxBytes: number }): Promise<SheetGrid[]> {
  const entries = zipEntries(b, opts.maxBytes);
  const byName = new Map(entries.map((e) => [e.name.replace(/^\//, ''), e]));
  const read = async (name: string) => {
    const e = byName.get(name);
    return e ? entryText(b, e, opts.maxBytes) : null;
  };
  const workbook = await read('xl/workbook.xml');
  if (workbook === null) throw new XlsxError(422, 'no xl/workbook.xml');
  const date1904 = /<workbookPr\b[^>]*\bdate1904\s*=\s*["'](?:1|true)["']/.test(workbook);
  const sheets = [...workbook.matchAll(/<sheet\b[^>]*>/g)].map((m) => attrs(m[0]));
  if (!sheets.length) throw new XlsxError(422, 'no worksheet');
  const rels = new Map([...((await read('xl/_rels/workbook.xml.rels')) ?? '').matchAll(/<Relationship\b[^>]*>/g)].map((m) => attrs(m[0])).map((a) => [a.Id, a.Target]));
  const shared = [...((await read('xl/sharedStrings.xml')) ?? '').matchAll(/<si>([\s\S]*?)<\/si>|<si\/>/g)].map((m) => runs(m[1] ?? ''));
  const dates = dateStyles((await read('xl/styles.xml')) ?? '');
  const out: SheetGrid[] = [];
  for (const sheet of sheets) {
    const target = rels.get(sheet['r:id'] ?? '') ?? '';
    const path = target.startsWith('/') ? target.slice(1) : `xl/${target.replace(/^\.\//, '')}`;
    const xml = await read(path);
    if (xml === null) throw new XlsxError(422, `no ${path}`);
    out.push({ name: sheet.name ?? '', ...sheetRows(xml, shared, dates, date1904, opts) });
  }
  return out;
}

function sheetRows(xml: string, shared: string[], dates: Set<number>, date1904: boolean, opts: { maxRows: number; maxCols: number }): { rows: string[][]; truncated: boolean } {
  const grid: string[][] = [];
  let nextRow = 0;
  for (const row of xml.matchAll(/<row\b([^>]*?)(?:\/>|>([\s\S]*?)<\/row>)/g)) {
    const r = attrs(row[1] ?? '').r;
    const index = r ? Number(r) - 1 : nextRow;
    nextRow = index + 1;
    if (!Number.isInteger(index) || index < 0) throw new XlsxError(422, 'bad row number');
    if (index >= opts.maxRows) return { rows: grid, truncated: true };
    const cells: string[] = [];
    let nextCol = 0;
    for (const c of (row[2] ?? '').matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const a = attrs(c[1] ?? '');
      const col = a.r ? columnIndex(a.r) : nextCol;
      nextCol = col + 1;
      if (col < 0 || col >= opts.maxCols) continue;
      const body = c[2] ?? '';
      const v = /<v>([\s\S]*?)<\/v>/.exec(body)?.[1];
      const number = (text: string) => (dates.has(Number(a.s ?? 0)) && text.trim() !== '' ? (serialDate(Number(text), date1904) ?? text) : text);
      const value =
        a.t === 's' ? (shared[Number(v)] ?? '')
        : a.t === 'inlineStr' ? runs(/<is>([\s\S]*?)<\/is>/.exec(body)?.[1] ?? '')
        : a.t === 'b' ? (v === '1' ? 'TRUE' : 'FALSE')
        : a.t === 'e' ? ''
        : a.t === 'str' || a.t === 'd' ? xmlText(v ?? '')
        : number(xmlText(v ?? ''));
      while (cells.length < col) cells.push('');
      cells[col] = value;
    }
    while (grid.length < index) grid.push([]);
    grid[index] = cells;
  }
  return { rows: grid, truncated: false };
}

/**
 * The cells of the sheet named `prefer` (else the first sheet) as text rows; row i of the result is
 * spreadsheet row i + 1. Refuses more than `maxRows` rows; reads at most `maxCols` columns.
 */
export async function readXlsxSheet(b: Uint8Array, opts: { prefer: string; maxRows: number; maxCols: number; maxBytes: number }): Promise<string[][]> {
  const sheets = await readXlsxSheets(b, opts);
  const sheet = sheets.find((s) => s.name === opts.prefer) ?? sheets[0]!;
  if (sheet.truncated) throw new XlsxError(422, 'too many rows');
  return sheet.rows;
}
