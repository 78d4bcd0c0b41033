/**
 * Hostile input against every write endpoint (property-based, fast-check): each run takes a valid
 * request for the route and breaks one thing — a body field set to a wrong type, a huge or hostile
 * string (SQL, HTML, formula, control characters, lone surrogates), an impossible date or an
 * out-of-range number; a field dropped or an unknown one added; the whole body replaced by invalid
 * JSON, deep nesting, bad UTF-8 or a megabyte of text, or sent with the wrong Content-Type; a header
 * (Idempotency-Key, If-Match, Authorization, Content-Type) garbled or removed; a path parameter
 * replaced. A route that takes a raw file (the task import) gets hostile files instead of JSON: a
 * cell set to a hostile value (formulas, SQL, HTML, control characters, huge text), a cell dropped,
 * an unknown column added; the whole file replaced by garbage bytes, text that is no table, invalid
 * UTF-8, GBK (valid, or cut in the middle of a character), a ZIP that is not an XLSX (missing
 * parts, huge claimed sizes, a damaged deflate stream), a minimal XLSX with one hostile cell (bad
 * character references, missing shared strings, formulas, impossible references), a file over the
 * size limit or with too many rows, sent with any Content-Type. Every answer must be below
 * 500; every refusal must be the API's JSON error shape, a validation failure must name the field
 * (for a file: the row) that was broken, and the database must be unchanged:
 *
 * - a validation refusal (400 `validation_failed`, `malformed_body`, 415; 422 `task_invalid`,
 *   `import_invalid`, `file_unreadable`, `file_empty`, `too_many_rows`; 413 `file_too_large`)
 *   changes nothing at all: the whole dump (schema, every row, sqlite_sequence) is byte-for-byte the same;
 * - any other refusal may only append the audit rows the project records for security events
 *   (`auth.session_rejected` and `auth.login_failed` on 401, `auth.denied` on 403, `auth.throttled`
 *   on 429, `auth.activation_failed` on 400 `activation_invalid`) and, for sign-in, login_attempts
 *   rows; every other table stays byte-for-byte the same;
 * - an accepted hostile input (e.g. SQL text in a narrative is valid text) keeps the schema and
 *   loses no row anywhere.
 *
 * The write endpoints come from the app's own route table: the first test fails when a non-GET
 * route has no case here, so a new write route is fuzzed as soon as its case is added.
 */
import fc from 'fast-check';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { env, SELF } from 'cloudflare:test';
import { ErrorBody } from '../../worker/errors.ts';
import { dumpDb, type Dump } from './db-dump.ts';
import { CASES, csvFile, encodeBody, fixture, writeRoutes, type Fixture, type Req } from './write-cases.ts';

/** Runs per write route (14 routes today): sized to keep the file near two minutes on 2 busy cores. */
const RUNS = 150;

/** Cases whose builder writes (so the "before" dump is taken after it). */
const SETS_UP = new Set(['POST /api/v1/attachments/:attachment/visibility', 'POST /api/v1/auth/logout', 'POST /api/v1/towns/:town/accounts/:account/:action', 'POST /api/v1/regions/:region/accounts/:account/:action', 'POST /api/v1/updates/:update/approve', 'POST /api/v1/updates/:update/reject', 'POST /api/v1/bulletins/:bulletin/issue', 'POST /api/v1/region-bulletins/:bulletin/issue']);

// ---------------------------------------------------------------- hostile values

const HOSTILE_TEXT = [
  "'; DROP TABLE tasks; --",
  "1' OR '1'='1",
  '" OR ""="',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '"><svg onload=alert(1)>',
  '=HYPERLINK("http://evil.example","x")',
  '+cmd|\' /C calc\'!A0',
  '@SUM(1+1)',
  '\u0000',
  '\uD800',
  '\uDFFF\uD800x',
  '\u202Egnp.exe',
  '\uFEFF',
  '',
  ' ',
  '\n\t\r',
  '2019-02-30',
  '2019-13-01',
  '2018-00-10',
  '0000-00-00',
  '2019-1-1',
  '+02019-01-01',
  '2019-01-01T00:00:00Z',
  'null',
  'NaN',
  '../../etc/passwd',
  '%00',
  '${7*7}{{7*7}}',
  'fengmao:../../x',
  'javascript:alert(1)',
];
const hostileString = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_TEXT) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.integer({ min: 5_001, max: 300_000 }).map((n) => 'x'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 201, max: 6_000 }).map((n) => '长'.repeat(n)) },
);
/** Nested objects, `depth` levels (JSON.stringify copes with a few thousand). */
const deep = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
};
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: hostileString },
  { weight: 3, arbitrary: fc.constantFrom(null, true, false, 0, -1, 101, 0.5, -0.0001, 1e308, -1e308, 2 ** 53 + 1, 1e12 + 1, -1e12 - 1) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), fc.anything({ maxDepth: 2 }), { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.integer({ min: 50, max: 3_000 }).map(deep) },
  { weight: 1, arbitrary: fc.integer({ min: 21, max: 300 }).map((n) => Array.from({ length: n }, () => ({ indicator: 'x', value: 1, as_of: '2019-01-01', source: 's' }))) },
);
/** Printable ASCII (fetch refuses CR, LF and NUL; non-ASCII header bytes are no interoperable input). */
const headerChar = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));
const hostileHeader = fc.oneof(
  fc.constantFrom('', 'null', '"abc"', '"-1"', '"1.5"', 'W/"1"', '*', '"1", "2"', '"99999999999999999999999"', '"0x10"', 'Bearer', 'Bearer ' + 'a'.repeat(300), 'Basic YWRtaW46YWRtaW4=', "' OR 1=1 --", 'short', 'text/plain', 'application/xml'),
  fc.string({ unit: headerChar, maxLength: 300 }),
  fc.integer({ min: 201, max: 8_000 }).map((n) => 'k'.repeat(n)),
);
const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain', null, 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'application/merge-patch+json'] as const;
type Raw = { kind: 'text'; text: string } | { kind: 'badutf8'; bytes: number[] } | { kind: 'deep'; depth: number; array: boolean } | { kind: 'huge'; size: number };
const rawBody: fc.Arbitrary<Raw> = fc.oneof(
  fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.constantFrom('', '{', '{"a":', '{"status":}', 'null', '[]', '"x"', '1', 'true', '{"__proto__":{"role":"admin"}}', '{"constructor":{"prototype":{"x":1}}}', "{'a':1}", '{"a":1,}')).map((text) => ({ kind: 'text' as const, text })),
  fc.array(fc.constantFrom(0xff, 0xfe, 0xc0, 0xc1, 0x80, 0xed, 0xa0, 0xf5, 0xe2, 0x82), { minLength: 1, maxLength: 8 }).map((bytes) => ({ kind: 'badutf8' as const, bytes })),
  fc.record({ depth: fc.integer({ min: 1_000, max: 100_000 }), array: fc.boolean() }).map((r) => ({ kind: 'deep' as const, ...r })),
  fc.integer({ min: 1_000_000, max: 2_000_000 }).map((size) => ({ kind: 'huge' as const, size })),
);

// ---------------------------------------------------------------- hostile files (raw-file routes)

/** A cell's text for any hostile value (a spreadsheet cell holds text). */
const cellText = (v: unknown): string => (typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v)));
type FileRaw =
  | { kind: 'bytes'; bytes: Uint8Array; zipSignature: boolean }
  | { kind: 'text'; text: string }
  | { kind: 'badutf8'; bytes: number[] }
  | { kind: 'gbk'; truncate: boolean }
  | { kind: 'zip'; entries: { name: string; data: string }[]; claim: number | null; deflate: boolean }
  | { kind: 'xlsx'; pick: number; cell: string | null }
  | { kind: 'huge'; size: number }
  | { kind: 'rows'; count: number };
const ZIP_NAMES = ['[Content_Types].xml', 'xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'xl/worksheets/sheet1.xml', 'xl/sharedStrings.xml', '../../evil.txt', '/etc/passwd', 'a.txt', ''];
const XML_BITS = [
  '<workbook/>',
  '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><x>&b;</x>',
  '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="任务分解表" sheetId="1" r:id="rId1"/></sheets></workbook>',
  '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Target="../../../../etc/passwd"/></Relationships>',
  '<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>99999</v></c></row><row r="1048577"><c r="XFD1" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>',
  '<sst><si><t>编号</t></si>',
  '<',
];
const xmlEscape = (t: string) => t.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]!);
/** A cell of a worksheet as hostile XML: bad character references, strings that are not there, formulas, impossible places. */
const XLSX_CELLS = [
  ...['&#1114112;', '&#x110000;', '&#xFFFFFFFFFF;', '&#99999999999999999999;', '&#0;', '&#xD800;', '_xD800__x0000_', '&bogus;', '&amp;lt;script&amp;gt;', '=HYPERLINK("http://evil.example","x")'].map((t) => `<c t="inlineStr"><is><t>${t}</t></is></c>`),
  '<c t="s"><v>99999</v></c>',
  '<c t="s"><v>-1</v></c>',
  '<c t="s"><v>abc</v></c>',
  '<c><f>HYPERLINK("http://evil.example","点击")</f><v>点击</v></c>',
  '<c t="str"><f>1+1</f><v>2</v></c>',
  '<c t="b"><v>1</v></c>',
  '<c t="e"><v>#REF!</v></c>',
  '<c r="XFD1048576"><v>1</v></c>',
  '<c r="A0"><v>1</v></c>',
  '<c r="ZZZZZZZZZZZZZZZZ1"><v>1</v></c>',
  '<c/>',
  '<c t="inlineStr"><is><t>未闭合',
  '</row><row r="0">',
  '</row><row r="abc">',
  '</row><row r="1048577">',
];
const fileRaw: fc.Arbitrary<FileRaw> = fc.oneof(
  fc.record({ kind: fc.constant('bytes' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 300 }), zipSignature: fc.boolean() }),
  fc.oneof(
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.constantFrom('\uFEFF', ',', '"', '"编号,任务内容', '编号,编号,任务内容\r\n', '编号\r\n', '\r\n\r\n\r\n', 'sep=;\r\n编号;任务内容', '=cmd|\' /C calc\'!A0,@SUM(1+1)\r\n+1,-1', '<html><body>不是表格</body></html>', '{"code":"一.1"}', '\u0000\u0000\u0000'),
  ).map((text) => ({ kind: 'text' as const, text })),
  fc.array(fc.constantFrom(0xff, 0xfe, 0xc0, 0xc1, 0x80, 0xed, 0xa0, 0xf5, 0xe2, 0x82, 0x81, 0x30), { minLength: 1, maxLength: 8 }).map((bytes) => ({ kind: 'badutf8' as const, bytes })),
  fc.record({ kind: fc.constant('gbk' as const), truncate: fc.boolean() }),
  fc.record({
    kind: fc.constant('zip' as const),
    entries: fc.array(fc.record({ name: fc.constantFrom(...ZIP_NAMES), data: fc.oneof(fc.constantFrom(...XML_BITS), hostileString.map((t) => t.slice(0, 5_000))) }), { maxLength: 5 }),
    claim: fc.option(fc.integer({ min: 25 * 1024 * 1024, max: 2 ** 32 - 1 }), { freq: 3 }),
    deflate: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('xlsx' as const), pick: fc.nat(), cell: fc.option(fc.oneof(fc.constantFrom(...XLSX_CELLS), hostileString.map((t) => `<c t="inlineStr"><is><t>${xmlEscape(t.slice(0, 5_000))}</t></is></c>`)), { freq: 6 }) }),
  fc.integer({ min: 1_000_000, max: 3_000_000 }).map((size) => ({ kind: 'huge' as const, size })),
  fc.integer({ min: 1_001, max: 1_500 }).map((count) => ({ kind: 'rows' as const, count })),
);
const FILE_TYPES = ['text/csv', 'text/csv; charset=gbk', 'application/octet-stream', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/json', null, 'multipart/form-data; boundary=x', 'text/plain'] as const;

/** GBK (GB18030 two-byte) bytes of each character, found by decoding every two-byte sequence once. */
let gbkTable: Map<string, [number, number]> | null = null;
function gbk(text: string): Uint8Array {
  if (!gbkTable) {
    const pairs: number[] = [];
    for (let lead = 0x81; lead <= 0xfe; lead++) for (let trail = 0x40; trail <= 0xfe; trail++) if (trail !== 0x7f) pairs.push(lead, trail);
    const chars = [...new TextDecoder('gb18030').decode(new Uint8Array(pairs))];
    gbkTable = new Map();
    chars.forEach((ch, i) => gbkTable!.has(ch) || gbkTable!.set(ch, [pairs[2 * i]!, pairs[2 * i + 1]!]));
  }
  const out: number[] = [];
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) out.push(ch.charCodeAt(0));
    else {
      // A character GBK cannot hold (an earlier accepted input may have stored one) is written as '?', as Excel's GBK CSV does.
      out.push(...(gbkTable.get(ch) ?? [0x3f]));
    }
  }
  return new Uint8Array(out);
}

const CRC = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (b: Uint8Array) => {
  let c = 0xffffffff;
  for (const x of b) c = CRC[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
/**
 * A well-formed ZIP (stored entries) with these files; `claim` overstates each entry's unpacked
 * size; `deflate` marks the entries as deflated although they are not (a corrupt deflate stream).
 */
function zip(entries: { name: string; data: string }[], claim: number | null, deflate = false): Uint8Array {
  const enc = new TextEncoder();
  const out: number[] = [];
  const central: number[] = [];
  const u16 = (a: number[], v: number) => a.push(v & 0xff, (v >>> 8) & 0xff);
  const u32 = (a: number[], v: number) => a.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  for (const e of entries) {
    const name = enc.encode(e.name);
    const data = enc.encode(e.data);
    const offset = out.length;
    const crc = crc32(data);
    u32(out, 0x04034b50), u16(out, 20), u16(out, 0x0800), u16(out, deflate ? 8 : 0), u16(out, 0), u16(out, 0), u32(out, crc), u32(out, data.length), u32(out, claim ?? data.length), u16(out, name.length), u16(out, 0);
    out.push(...name, ...data);
    u32(central, 0x02014b50), u16(central, 20), u16(central, 20), u16(central, 0x0800), u16(central, deflate ? 8 : 0), u16(central, 0), u16(central, 0), u32(central, crc), u32(central, data.length), u32(central, claim ?? data.length);
    u16(central, name.length), u16(central, 0), u16(central, 0), u16(central, 0), u16(central, 0), u32(central, 0), u32(central, offset);
    central.push(...name);
  }
  const at = out.length;
  out.push(...central);
  u32(out, 0x06054b50), u16(out, 0), u16(out, 0), u16(out, entries.length), u16(out, entries.length), u32(out, central.length), u32(out, at), u16(out, 0);
  // An empty archive still starts with a local-header signature, as an uploaded .xlsx would.
  return entries.length ? new Uint8Array(out) : new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...out]);
}

/** The hostile file for a raw-file route, from its valid cells. */
function hostileFile(rows: string[][], r: FileRaw): string | Uint8Array {
  const enc = new TextEncoder();
  if (r.kind === 'bytes') return r.zipSignature ? new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...r.bytes]) : r.bytes;
  if (r.kind === 'text') return r.text;
  if (r.kind === 'zip') return zip(r.entries, r.claim, r.deflate);
  if (r.kind === 'xlsx') {
    // The valid cells as a minimal workbook (sheet 任务分解表), one cell replaced by hostile XML.
    const cells = rows.map((row) => row.map((c) => `<c t="inlineStr"><is><t>${xmlEscape(c)}</t></is></c>`));
    const all = cells.flatMap((row, i) => row.map((_, j) => [i, j] as const));
    if (r.cell !== null) {
      const [i, j] = all[r.pick % all.length]!;
      cells[i]![j] = r.cell;
    }
    return zip(
      [
        { name: 'xl/workbook.xml', data: '<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="任务分解表" sheetId="1" r:id="rId1"/></sheets></workbook>' },
        { name: 'xl/_rels/workbook.xml.rels', data: '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>' },
        { name: 'xl/worksheets/sheet1.xml', data: `<worksheet><sheetData>${cells.map((row, i) => `<row r="${i + 1}">${row.join('')}</row>`).join('')}</sheetData></worksheet>` },
      ],
      null,
    );
  }
  const title = rows[0]!.indexOf('任务内容');
  if (r.kind === 'huge') return csvFile([rows[0]!, ...rows.slice(1).map((row) => row.map((c, i) => (i === title ? 'x'.repeat(r.size) : c)))]);
  if (r.kind === 'rows') {
    // New tasks (no 任务标识), each with its own 编号: valid rows, too many of them.
    const id = rows[0]!.indexOf('任务标识');
    const code = rows[0]!.indexOf('编号');
    return csvFile([rows[0]!, ...Array.from({ length: r.count }, (_, i) => rows[1]!.map((c, j) => (j === id ? '' : j === code ? `敌意.${i}` : c)))]);
  }
  if (r.kind === 'gbk') {
    const bytes = gbk(csvFile(rows).slice(1));
    if (!r.truncate) return bytes;
    // Cut after the lead byte of the last two-byte character: a file that ends mid-character.
    let lead = -1;
    for (let i = 0; i < bytes.length; i += bytes[i]! >= 0x81 ? 2 : 1) if (bytes[i]! >= 0x81) lead = i;
    return bytes.slice(0, lead + 1);
  }
  // Invalid UTF-8 bytes inside the title cell of an otherwise valid file.
  const [before, after] = csvFile(rows.map((row, i) => (i === 1 ? row.map((c, j) => (j === title ? BAD : c)) : row))).split(BAD) as [string, string];
  return new Uint8Array([...enc.encode(before), ...r.bytes, ...enc.encode(after)]);
}

type Mutation =
  | { kind: 'none' }
  | { kind: 'file'; raw: FileRaw; contentType: (typeof FILE_TYPES)[number] }
  | { kind: 'set'; pick: number; value: unknown }
  | { kind: 'drop'; pick: number }
  | { kind: 'extra'; pick: number; key: string; value: unknown }
  | { kind: 'raw'; raw: Raw; contentType: (typeof CONTENT_TYPES)[number] }
  | { kind: 'header'; pick: number; value: string | null }
  | { kind: 'param'; pick: number; value: string };

const common = {
  set: { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), pick: fc.nat(), value: hostileValue }) },
  drop: { weight: 2, arbitrary: fc.record({ kind: fc.constant('drop' as const), pick: fc.nat() }) },
  extra: { weight: 1, arbitrary: fc.record({ kind: fc.constant('extra' as const), pick: fc.nat(), key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'id', 'role', 'state', 'town_id', 'approved'), fc.string({ minLength: 1, maxLength: 12 })), value: hostileValue }) },
  header: { weight: 3, arbitrary: fc.record({ kind: fc.constant('header' as const), pick: fc.nat(), value: fc.option(hostileHeader, { freq: 5 }) }) },
  param: { weight: 2, arbitrary: fc.record({ kind: fc.constant('param' as const), pick: fc.nat(), value: fc.oneof(hostileString.map((s) => s.slice(0, 2_000)), fc.constantFrom('%ff%fe', '%', '%zz', '%2e%2e', '%2F', '%00')) }) },
};
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  common.set,
  common.drop,
  common.extra,
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('raw' as const), raw: rawBody, contentType: fc.constantFrom(...CONTENT_TYPES) }) },
  common.header,
  common.param,
);
/** For a raw-file route: set / drop / extra act on the cells (a cell, a cell, a column), and whole files replace the body. */
const fileMutation: fc.Arbitrary<Mutation> = fc.oneof(
  common.set,
  common.drop,
  common.extra,
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('file' as const), raw: fileRaw, contentType: fc.constantFrom(...FILE_TYPES) }) },
  common.header,
  common.param,
);

// ---------------------------------------------------------------- applying a mutation

type Path = (string | number)[];
/** Every path into the body: objects' keys and arrays' indexes, containers included. */
function paths(v: unknown, at: Path = []): Path[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => [[...at, i], ...paths(x, [...at, i])]);
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => [[...at, k], ...paths(x, [...at, k])]);
  return [];
}
/** Objects in the body (root included), where an unknown key can go. */
function objects(v: unknown, at: Path = []): Path[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => objects(x, [...at, i]));
  if (v && typeof v === 'object') return [at, ...Object.entries(v).flatMap(([k, x]) => objects(x, [...at, k]))];
  return [];
}
function parentOf(root: any, p: Path): any {
  let o = root;
  for (const k of p.slice(0, -1)) o = o[k];
  return o;
}

interface Sent {
  /** What the test expects a validation failure to name ('' when any field will do). */
  expectField: string;
  /** For an added key: its own path (a refusal may name it instead of its object). */
  extraField: string;
  url: string;
  init: RequestInit;
}

const BAD = '__HOSTILE_BAD_UTF8__';

function build(route: string, req: Req, m: Mutation): Sent {
  const headers: Record<string, string> = { ...req.headers };
  if (req.token) headers.Authorization = `Bearer ${req.token}`;
  const valid = encodeBody(req);
  let body: string | Uint8Array | undefined = valid.body;
  if (valid.type) headers['Content-Type'] = valid.type;
  let path = req.path;
  let expectField = '';
  let extraField = '';
  const copy = req.body === undefined ? undefined : structuredClone(req.body);
  const bodyPaths = copy === undefined ? [] : paths(copy);
  // An uploaded file's bytes are broken the way a spreadsheet's are: replaced by hostile files, or by a file of one cell.
  const file = req.file ?? (req.bytes ? { rows: [['编号', '任务内容', '任务标识'], ['一.1', '敌意文件', '']], type: req.bytes.type } : undefined);
  if (file && (m.kind === 'set' || m.kind === 'drop' || m.kind === 'extra')) {
    // Cells: a refusal caused by a data row must name that row (rows.<row as the spreadsheet numbers it>.…).
    const rows = file.rows.map((r) => [...r]);
    const cells = rows.flatMap((r, i) => r.map((_, j) => [i, j] as const));
    if (m.kind === 'extra') rows.forEach((r, i) => r.push(i === 0 ? m.key : cellText(m.value)));
    else {
      const [i, j] = cells[m.pick % cells.length]!;
      if (m.kind === 'set') rows[i]![j] = cellText(m.value);
      else rows[i]!.splice(j, 1);
      expectField = i === 0 ? '' : `rows.${i + 1}`;
    }
    body = csvFile(rows);
  } else if (file && m.kind === 'file') {
    body = hostileFile(file.rows, m.raw);
    if (m.contentType === null) delete headers['Content-Type'];
    else headers['Content-Type'] = m.contentType;
  } else if ((m.kind === 'set' || m.kind === 'drop') && bodyPaths.length) {
    const p = bodyPaths[m.pick % bodyPaths.length]!;
    const parent = parentOf(copy, p);
    const last = p.at(-1)!;
    if (m.kind === 'set') parent[last] = m.value;
    else if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
    body = JSON.stringify(copy);
    expectField = p.join('.');
  } else if (m.kind === 'extra' && copy !== undefined) {
    const objs = objects(copy);
    const at = objs[m.pick % objs.length]!;
    const target = at.reduce<any>((o, k) => o[k], copy);
    Object.defineProperty(target, m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
    body = JSON.stringify(copy);
    expectField = at.length ? at.join('.') : '(body)';
    // An added key the schema knows (an optional field such as `id`) is refused by name.
    extraField = [...at, m.key].join('.');
  } else if (m.kind === 'raw') {
    const r = m.raw;
    if (r.kind === 'text') body = r.text;
    else if (r.kind === 'deep') body = r.array ? '['.repeat(r.depth) + ']'.repeat(r.depth) : '{"a":'.repeat(r.depth) + '1' + '}'.repeat(r.depth);
    else if (r.kind === 'huge') body = JSON.stringify({ ...(req.body as object), narrative: 'x'.repeat(r.size), reason: 'x'.repeat(r.size), title: 'x'.repeat(r.size) });
    else {
      // Invalid UTF-8 bytes inside a string value of an otherwise valid body.
      const strings = bodyPaths.filter((p) => typeof parentOf(copy, p)[p.at(-1)!] === 'string');
      const p = strings[0];
      if (p) parentOf(copy, p)[p.at(-1)!] = BAD;
      const text = p ? JSON.stringify(copy) : `{"x":"${BAD}"}`;
      const [before, after] = text.split(BAD) as [string, string];
      const enc = new TextEncoder();
      body = new Uint8Array([...enc.encode(before), ...r.bytes, ...enc.encode(after)]);
    }
    if (m.contentType === null) delete headers['Content-Type'];
    else headers['Content-Type'] = m.contentType;
  } else if (m.kind === 'header') {
    const names = [...new Set([...Object.keys(headers), 'Authorization', 'Idempotency-Key', 'If-Match', 'Content-Type'])];
    const name = names[m.pick % names.length]!;
    if (m.value === null) delete headers[name];
    else headers[name] = m.value;
    expectField = name;
  } else if (m.kind === 'param') {
    const template = route.split(' ')[1]!.split('/');
    const params = template.flatMap((seg, i) => (seg.startsWith(':') ? [i] : []));
    if (params.length) {
      const i = params[m.pick % params.length]!;
      const segs = path.split('/');
      // Percent-encoded UTF-8 (lone surrogates become U+FFFD), or the raw text when it is already an escape.
      segs[i] = /^%/.test(m.value) ? m.value : [...new TextEncoder().encode(m.value)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
      path = segs.join('/');
      expectField = template[i]!.slice(1);
    }
  }
  return { expectField, extraField, url: `http://localhost${path}`, init: { method: route.split(' ')[0], headers, body, redirect: 'manual' } };
}

// ---------------------------------------------------------------- what must hold

/** A table's rows in a dump: literals are joined by newlines, and a newline inside a quoted literal belongs to its row. */
function rowsOf(s: string): string[] {
  const rows: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "'") quoted = !quoted;
    else if (s[i] === '\n' && !quoted) rows.push(s.slice(start, i)), (start = i + 1);
  }
  if (s.length) rows.push(s.slice(start));
  return rows;
}
/** The task of a task_units row (town_id, task_id, unit_id, role, ordinal). */
const taskOfUnitRow = (row: string) => (/^'(?:[^']|'')*','((?:[^']|'')*)'/.exec(row)?.[1] ?? '').replaceAll("''", "'");
/** Routes whose accepted write replaces the unit rows of the tasks it edited: those tasks, from the answer. */
const REPLACES_UNITS: Record<string, (answer: any) => Set<string>> = {
  'PATCH /api/v1/tasks/:task': (a) => new Set([a.id]),
  'POST /api/v1/towns/:town/tasks/import': (a) => new Set(a.changes.filter((c: any) => c.action === 'update' && c.fields.includes('units')).map((c: any) => String(c.ref).split(':')[1])),
};

/** Refusals of the input itself: they write nothing at all. */
const VALIDATION = ['validation_failed', 'malformed_body', 'unsupported_media_type', 'body_too_large', 'text_not_unicode', 'task_invalid', 'import_invalid', 'file_unreadable', 'file_empty', 'too_many_rows', 'file_too_large'];
/** Refusals that must name the fields (or rows) at fault. */
const NAMES_FIELDS = ['validation_failed', 'task_invalid', 'import_invalid'];

/** Audit actions a refusal may append, by status (and code). */
function auditAllowed(status: number, code: string): string[] {
  if (status === 401) return ['auth.session_rejected', 'auth.login_failed'];
  if (status === 403) return ['auth.denied'];
  if (status === 429) return ['auth.throttled'];
  if (status === 400 && code === 'activation_invalid') return ['auth.activation_failed'];
  return [];
}
const seqOf = (d: Dump, table: string) => Number(/(?:^|\n)audit_log=(\d+)/.exec(d.sqlite_sequence ?? '')?.[1] ?? 0) * (table === 'audit_log' ? 1 : 0);
/** sqlite_sequence without the counters of the append-only tables a refusal may grow. */
const withoutAuditSeq = (s: string) => s.split('\n').filter((l) => !/^(audit_log|login_attempts)=/.test(l)).join('\n');
const names = (fields: { path: string }[], want: string) =>
  fields.some((f) => {
    const p = f.path.toLowerCase();
    const w = want.toLowerCase();
    return p === w || w.startsWith(`${p}.`) || p.startsWith(`${w}.`);
  });

const tally = { inputs: 0, accepted: 0, byStatus: {} as Record<number, number>, byRoute: {} as Record<string, number>, msByKind: {} as Record<string, number> };

async function checkOne(route: string, sent: Sent, m: Mutation, before: Dump): Promise<Dump> {
  const t0 = Date.now();
  const res = await SELF.fetch(sent.url, sent.init);
  const text = await res.text();
  const k = m.kind === 'raw' ? `raw.${m.raw.kind}` : m.kind === 'file' ? `file.${m.raw.kind}` : m.kind;
  tally.msByKind[k] = (tally.msByKind[k] ?? 0) + Date.now() - t0;
  tally.inputs++;
  tally.byStatus[res.status] = (tally.byStatus[res.status] ?? 0) + 1;
  tally.byRoute[route] = (tally.byRoute[route] ?? 0) + 1;
  const what = `${route} ${m.kind} ${sent.expectField} → ${res.status} ${text.slice(0, 300)}`;
  expect(res.status, what).toBeLessThan(500);
  const after = await dumpDb();
  if (res.status < 400) {
    tally.accepted++;
    // Accepted: the hostile text was data, never SQL — the schema stands and no row was lost
    // (an edit replaces the unit rows of the tasks it re-assigned, and only those).
    expect(after.schema, what).toBe(before.schema);
    const replaced = REPLACES_UNITS[route]?.(JSON.parse(text));
    for (const t of Object.keys(before)) {
      const was = rowsOf(before[t]!);
      const now = rowsOf(after[t]!);
      if (t === 'task_units' && replaced) {
        const kept = new Set(now);
        for (const r of was) if (!kept.has(r)) expect(replaced.has(taskOfUnitRow(r)), `${what}: task_units row ${r} lost`).toBe(true);
      } else expect(now.length, `${what}: table ${t} lost a row`).toBeGreaterThanOrEqual(was.length);
    }
    return after;
  }
  expect(res.headers.get('content-type') ?? '', what).toMatch(/^application\/json/);
  const parsed = ErrorBody.safeParse(JSON.parse(text));
  expect(parsed.success, what).toBe(true);
  const err = parsed.data!.error;
  expect(err.message, what).toMatch(/[\u4e00-\u9fff]/);
  if (NAMES_FIELDS.includes(err.code)) {
    expect(err.fields?.length, what).toBeGreaterThan(0);
    if (sent.expectField && (m.kind === 'set' || m.kind === 'drop' || m.kind === 'extra' || m.kind === 'param')) {
      expect(names(err.fields!, sent.expectField) || (m.kind === 'extra' && (names(err.fields!, '(body)') || names(err.fields!, sent.extraField))), what).toBe(true);
    }
  }
  if (VALIDATION.includes(err.code)) {
    // A validation refusal writes nothing at all, not even an audit row.
    for (const t of Object.keys(before)) expect(after[t], `${what}: table ${t} changed`).toBe(before[t]);
    return after;
  }
  const allowed = auditAllowed(res.status, err.code);
  for (const t of Object.keys(before)) {
    if (t === 'audit_log' || t === 'login_attempts') continue;
    if (t === 'sqlite_sequence') expect(withoutAuditSeq(after[t]!), what).toBe(withoutAuditSeq(before[t]!));
    else expect(after[t], `${what}: table ${t} changed`).toBe(before[t]);
  }
  expect(after.audit_log!.startsWith(before.audit_log!), `${what}: audit rows changed`).toBe(true);
  const appended = (await env.DB.prepare(`SELECT action FROM audit_log WHERE id > ? ORDER BY id`).bind(seqOf(before, 'audit_log')).all<{ action: string }>()).results.map((r) => r.action);
  for (const a of appended) expect(allowed, `${what}: appended audit row ${a}`).toContain(a);
  if (route === 'POST /api/v1/auth/login') expect(after.login_attempts!.startsWith(before.login_attempts!), what).toBe(true);
  else expect(after.login_attempts, what).toBe(before.login_attempts);
  return after;
}

// ---------------------------------------------------------------- the tests


describe('hostile input on every write endpoint', () => {
  it('every write route of the app has a case here, and every case is a route', () => {
    const served = writeRoutes();
    expect(served.length).toBeGreaterThanOrEqual(14);
    expect({ missing: served.filter((r) => !(r in CASES)), gone: Object.keys(CASES).filter((r) => !served.includes(r)) }).toEqual({ missing: [], gone: [] });
  });

  let f: Fixture;
  beforeEach(async () => {
    f = await fixture();
  });

  for (const route of Object.keys(CASES)) {
    it(`${route}: ${RUNS} hostile inputs, never a 5xx, always the error shape, nothing changed by a refusal`, async () => {
      let n = 0;
      let last: Dump | null = null;
      // The valid request itself is accepted (so each run breaks exactly one thing of a working request).
      const first = await CASES[route]!(f, n++);
      const valid = build(route, first, { kind: 'none' });
      const ok = await SELF.fetch(valid.url, valid.init);
      // Activation with an unknown link is the one refusal a well-formed request can get without setup.
      const baseline = route === 'POST /api/v1/auth/activate' ? 400 : ok.status < 300 ? ok.status : -1;
      expect(ok.status, `${route} baseline: ${await ok.text()}`).toBe(baseline);
      await fc.assert(
        fc.asyncProperty(first.file || first.bytes ? fileMutation : mutation, async (m) => {
          const req = await CASES[route]!(f, n++);
          // Cases that set up their object (a session, a pending update, a draft) change the database first.
          if (SETS_UP.has(route) || !last) last = await dumpDb();
          const before = last;
          last = await checkOne(route, build(route, req, m), m, before);
        }),
        { numRuns: RUNS, seed: 20181231 ^ route.length, endOnFailure: true },
      );
    }, 120_000);
  }

  afterAll(() => {
    console.log(`hostile inputs: ${tally.inputs} tried on ${Object.keys(tally.byRoute).length} write routes; ${tally.accepted} accepted as valid data; by status ${JSON.stringify(tally.byStatus)} ms ${JSON.stringify(tally.msByKind)}`);
  });
});
