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
  /** The cell at fault (`表名!B3`), when one is. */
  readonly cell?: string;
  constructor(status: 413 | 422, message: string, cell?: string) {
    super(message);
    this.status = status;
    this.cell = cell;
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
  if (!s.includes('&') && !s.includes('_x')) return s;
  return s
    .replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) =>
      e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'amp' ? '&' : e === 'quot' ? '"' : e === 'apos' ? "'" : codePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)),
    )
    .replace(/_x([0-9A-Fa-f]{4})_/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

// ---------------------------------------------------------------- one pass over the XML

/** One element tag: its local name (namespace prefix dropped), attributes, and whether it opens, closes or is empty. */
interface Tag {
  name: string;
  attrs: Record<string, string>;
  close: boolean;
  empty: boolean;
}

const isSpace = (ch: number) => ch === 0x20 || ch === 0x09 || ch === 0x0a || ch === 0x0d;

/** Attributes of a tag's text (after its name), each character read once; malformed ones refuse the file. */
function tagAttrs(t: string, from: number): Record<string, string> {
  const out: Record<string, string> = {};
  let i = from;
  const n = t.length;
  for (;;) {
    while (i < n && isSpace(t.charCodeAt(i))) i++;
    if (i >= n || t[i] === '/') return out;
    const nameStart = i;
    while (i < n && t[i] !== '=' && !isSpace(t.charCodeAt(i))) i++;
    const name = t.slice(nameStart, i);
    while (i < n && isSpace(t.charCodeAt(i))) i++;
    if (t[i] !== '=') throw new XlsxError(422, 'malformed attribute');
    i++;
    while (i < n && isSpace(t.charCodeAt(i))) i++;
    const q = t[i];
    if (q !== '"' && q !== "'") throw new XlsxError(422, 'malformed attribute');
    const endQ = t.indexOf(q, i + 1);
    if (endQ < 0) throw new XlsxError(422, 'malformed attribute');
    out[name] = xmlText(t.slice(i + 1, endQ));
    i = endQ + 1;
  }
}

/**
 * Reads XML once from start to end, calling `tag` for each element tag and `text` for the
 * character data between tags (CDATA included, already literal). Every character is looked at a
 * bounded number of times — no search that could run to the end of the file again for each tag —
 * so a hostile file costs time in proportion to its size. A tag or comment left open refuses it.
 */
function scanXml(xml: string, tag: (t: Tag) => void, text: (raw: string, literal: boolean) => void): void {
  const n = xml.length;
  let i = 0;
  while (i < n) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) {
      text(xml.slice(i), false);
      return;
    }
    if (lt > i) text(xml.slice(i, lt), false);
    const next = xml.charCodeAt(lt + 1);
    if (next === 0x21 /* ! */) {
      if (xml.startsWith('<!--', lt)) {
        const e = xml.indexOf('-->', lt + 4);
        if (e < 0) throw new XlsxError(422, 'unclosed comment');
        i = e + 3;
      } else if (xml.startsWith('<![CDATA[', lt)) {
        const e = xml.indexOf(']]>', lt + 9);
        if (e < 0) throw new XlsxError(422, 'unclosed CDATA');
        text(xml.slice(lt + 9, e), true);
        i = e + 3;
      } else {
        // A DOCTYPE: SpreadsheetML has none; an internal subset (entity definitions) is refused.
        const e = xml.indexOf('>', lt);
        if (e < 0 || xml.slice(lt, e).includes('[')) throw new XlsxError(422, 'DOCTYPE not supported');
        i = e + 1;
      }
      continue;
    }
    if (next === 0x3f /* ? */) {
      const e = xml.indexOf('?>', lt + 2);
      if (e < 0) throw new XlsxError(422, 'unclosed processing instruction');
      i = e + 2;
      continue;
    }
    // An element tag ends at the first '>' outside quotes.
    let j = lt + 1;
    let quote = 0;
    for (; j < n; j++) {
      const ch = xml.charCodeAt(j);
      if (quote) {
        if (ch === quote) quote = 0;
      } else if (ch === 0x22 || ch === 0x27) quote = ch;
      else if (ch === 0x3e) break;
    }
    if (j >= n) throw new XlsxError(422, 'unclosed tag');
    const t = xml.slice(lt + 1, j);
    const close = t.charCodeAt(0) === 0x2f;
    let k = close ? 1 : 0;
    const nameStart = k;
    while (k < t.length && t[k] !== '/' && !isSpace(t.charCodeAt(k))) k++;
    const qname = t.slice(nameStart, k);
    const colon = qname.indexOf(':');
    const empty = !close && t.charCodeAt(t.length - 1) === 0x2f;
    tag({ name: colon >= 0 ? qname.slice(colon + 1) : qname, attrs: close ? {} : tagAttrs(t, k), close, empty });
    i = j + 1;
  }
}

/** The rich text of <si> or <is>: the <t> runs, phonetic (<rPh>) runs left out. Collects through scanXml. */
class RunText {
  private inT = false;
  private inPh = 0;
  private parts: string[] = [];
  tag(t: Tag): void {
    if (t.name === 'rPh') this.inPh += t.close ? -1 : t.empty ? 0 : 1;
    else if (t.name === 't' && !t.empty) this.inT = !t.close;
  }
  text(raw: string, literal: boolean): void {
    if (this.inT && this.inPh === 0) this.parts.push(literal ? raw : xmlText(raw));
  }
  take(): string {
    const s = this.parts.join('');
    this.parts = [];
    this.inT = false;
    this.inPh = 0;
    return s;
  }
}

/** Every tag named `name` (its attributes), in order. */
function tagsNamed(xml: string, name: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  scanXml(xml, (t) => !t.close && t.name === name && out.push(t.attrs), () => {});
  return out;
}

/** The shared strings, in order. */
function sharedStrings(xml: string): string[] {
  const out: string[] = [];
  const run = new RunText();
  let inSi = false;
  scanXml(
    xml,
    (t) => {
      if (t.name === 'si') {
        if (t.empty) out.push('');
        else if (!t.close) (inSi = true), run.take();
        else if (inSi) (out.push(run.take()), (inSi = false));
      } else if (inSi) run.tag(t);
    },
    (raw, literal) => inSi && run.text(raw, literal),
  );
  return out;
}

const columnIndex = (ref: string): number => {
  let n = 0;
  for (const ch of /^[A-Z]{1,3}/.exec(ref)?.[0] ?? '') n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
};

const columnName = (i: number): string => {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
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
  const custom = new Map<number, string>();
  const out = new Set<number>();
  let inXfs = false;
  let xf = 0;
  scanXml(
    styles,
    (t) => {
      if (t.name === 'numFmt' && !t.close) custom.set(Number(t.attrs.numFmtId), (t.attrs.formatCode ?? '').slice(0, 200));
      else if (t.name === 'cellXfs') inXfs = !t.close && !t.empty;
      else if (inXfs && t.name === 'xf' && !t.close) {
        const id = Number(t.attrs.numFmtId ?? 0);
        if (DATE_FORMAT_IDS.has(id) || (custom.has(id) && isDateFormat(custom.get(id)!))) out.add(xf);
        xf++;
      }
    },
    () => {},
  );
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

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The cells of every worksheet as text, in workbook order. A number in a date-formatted cell reads
 * as YYYY-MM-DD (what the person saw), other numbers as written. A sheet longer than `maxRows` is
 * cut there and marked `truncated`; at most `maxCols` columns are read. Every part is unpacked once,
 * and all parts together at most `maxBytes`; a cell whose text is not Unicode (a lone surrogate from
 * `&#xD800;` or `_xD800_`) refuses the file, naming the sheet and cell.
 */
export async function readXlsxSheets(b: Uint8Array, opts: { maxRows: number; maxCols: number; maxBytes: number }): Promise<SheetGrid[]> {
  const entries = zipEntries(b, opts.maxBytes);
  const byName = new Map(entries.map((e) => [e.name.replace(/^\//, ''), e]));
  const texts = new Map<string, string | null>();
  let unpacked = 0;
  const read = async (name: string): Promise<string | null> => {
    if (texts.has(name)) return texts.get(name)!;
    const e = byName.get(name);
    const text = e ? await entryText(b, e, opts.maxBytes - unpacked) : null;
    unpacked += text?.length ?? 0;
    if (unpacked > opts.maxBytes) throw new XlsxError(413, 'unpacks to too much');
    texts.set(name, text);
    return text;
  };
  const workbook = await read('xl/workbook.xml');
  if (workbook === null) throw new XlsxError(422, 'no xl/workbook.xml');
  const pr = tagsNamed(workbook, 'workbookPr')[0] ?? {};
  const date1904 = pr.date1904 === '1' || pr.date1904 === 'true';
  const sheets = tagsNamed(workbook, 'sheet');
  if (!sheets.length) throw new XlsxError(422, 'no worksheet');
  const rels = new Map(tagsNamed((await read('xl/_rels/workbook.xml.rels')) ?? '', 'Relationship').map((a) => [a.Id, a.Target]));
  const shared = sharedStrings((await read('xl/sharedStrings.xml')) ?? '');
  const dates = dateStyles((await read('xl/styles.xml')) ?? '');
  const out: SheetGrid[] = [];
  const done = new Map<string, { rows: string[][]; truncated: boolean }>();
  for (const sheet of sheets) {
    const target = rels.get(sheet['r:id'] ?? '') ?? '';
    const path = target.startsWith('/') ? target.slice(1) : `xl/${target.replace(/^\.\//, '')}`;
    // Several <sheet> entries naming one part are read once.
    let grid = done.get(path);
    if (!grid) {
      const xml = await read(path);
      if (xml === null) throw new XlsxError(422, `no ${path}`);
      grid = sheetRows(xml, sheet.name ?? '', shared, dates, date1904, opts);
      done.set(path, grid);
    }
    out.push({ name: sheet.name ?? '', ...grid });
  }
  return out;
}

function sheetRows(xml: string, sheetName: string, shared: string[], dates: Set<number>, date1904: boolean, opts: { maxRows: number; maxCols: number }): { rows: string[][]; truncated: boolean } {
  const grid: string[][] = [];
  let nextRow = 0;
  let row: string[] | null = null;
  let rowIndex = 0;
  let nextCol = 0;
  let cell: { col: number; type: string; style: number } | null = null;
  let v: string[] | null = null;
  let inV = false;
  let inIs = false;
  const run = new RunText();
  let truncated = false;
  const stop = {};

  const finishCell = () => {
    if (!cell || !row) return;
    const text = v?.join('') ?? '';
    const number = (t: string) => (dates.has(cell!.style) && t.trim() !== '' ? (serialDate(Number(t), date1904) ?? t) : t);
    const value =
      cell.type === 's' ? (shared[Number(text)] ?? '')
      : cell.type === 'inlineStr' ? run.take()
      : cell.type === 'b' ? (text === '1' ? 'TRUE' : 'FALSE')
      : cell.type === 'e' ? ''
      : cell.type === 'str' || cell.type === 'd' ? text
      : number(text);
    if (LONE_SURROGATE.test(value)) {
      const ref = `${sheetName ? `${sheetName}!` : ''}${columnName(cell.col)}${rowIndex + 1}`;
      throw new XlsxError(422, `cell ${ref} holds text that is not Unicode (a lone surrogate)`, ref);
    }
    while (row.length < cell.col) row.push('');
    row[cell.col] = value;
    cell = null;
    v = null;
    inV = false;
    inIs = false;
  };

  try {
    scanXml(
      xml,
      (t) => {
        if (t.name === 'row') {
          if (t.close) {
            finishCell();
            row = null;
            return;
          }
          const r = t.attrs.r;
          rowIndex = r ? Number(r) - 1 : nextRow;
          nextRow = rowIndex + 1;
          if (!Number.isInteger(rowIndex) || rowIndex < 0) throw new XlsxError(422, 'bad row number');
          if (rowIndex >= opts.maxRows) {
            truncated = true;
            throw stop;
          }
          while (grid.length < rowIndex) grid.push([]);
          row = [];
          grid[rowIndex] = row;
          nextCol = 0;
          if (t.empty) row = null;
        } else if (t.name === 'c' && row) {
          if (t.close) return finishCell();
          finishCell();
          const col = t.attrs.r ? columnIndex(t.attrs.r) : nextCol;
          nextCol = col + 1;
          if (col < 0 || col >= opts.maxCols) return;
          cell = { col, type: t.attrs.t ?? 'n', style: Number(t.attrs.s ?? 0) };
          run.take();
          if (t.empty) finishCell();
        } else if (cell) {
          if (t.name === 'v') {
            inV = !t.close && !t.empty;
            if (!t.close) v = [];
          }
          else if (t.name === 'is') inIs = !t.close && !t.empty;
          else if (inIs) run.tag(t);
        }
      },
      (raw, literal) => {
        if (!cell) return;
        if (inIs) run.text(raw, literal);
        else if (inV && v) v.push(literal ? raw : xmlText(raw));
      },
    );
  } catch (e) {
    if (e !== stop) throw e;
  }
  return { rows: grid, truncated };
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
