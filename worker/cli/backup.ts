/**
 * Backup and restore of the D1 database and the evidence files in R2, streamed: memory stays flat
 * however large the database, and one file at a time is in flight.
 *
 *   npm run export -- [--town T] [--out FILE] [--local | --remote] [--persist-to DIR]
 *   npm run import -- FILE [--local | --remote] [--persist-to DIR] [--batch-rows N]
 *   npm run search:rebuild -- [--local | --remote] [--persist-to DIR]
 *   (either: --through wrangler  reaches a local database with `wrangler d1 execute` and the local
 *    bucket with `wrangler r2 object`, as --remote does)
 *
 * The document (format_version 3) is NDJSON, one JSON value per line:
 *
 *   {"format":"demo-town-tracker/backup","format_version":3,"scope":{"town":null},"migrations":[…]}
 *   {"table":"accounts","columns":["id","town_id",…]}
 *   ["7f3c…","fengmao",…]                         one line per row, in rowid order
 *   {"table":"activation_tokens","columns":[…]}   every table, in name order
 *   …
 *   {"file":"<sha256>","bytes":183422}            each evidence file in scope, once, in hash order
 *   "/9j/4AAQSkZJRgABAQ…"                         its bytes in base64, 768 KiB of them a line
 *   …
 *   {"end":{"tables":28,"rows":1234567,"files":3,"file_bytes":412034},"sha256":"…"}
 *
 * `sha256` is over every byte before the last line. The document holds no timestamp of its own, so
 * exporting the same data twice gives the same bytes: export → import → export is byte-identical
 * (tests/cli/backup.test.ts). Export reads each table in pages by rowid (the page's row count adapts
 * to keep a page near 2 MiB) and writes each page as it arrives, to FILE.partial, renamed to FILE
 * once complete. Import reads the file twice: first to check it whole (format, version, hash)
 * before touching the database, then table by table in foreign-key order (parents first; a task
 * after its parent task), inserting in batches (locally 25,000 rows or 16 MiB of values: fewer
 * commits rewrite fewer index pages; through wrangler 500 rows or 4 MiB; --batch-rows N caps rows).
 *
 * A town export keeps the rows of that town: tables with a `town_id` (audit rows also when the
 * actor is one of the town's accounts), the town's accounts and their sessions, activation links
 * and idempotency records, and the shared reference tables (indicator catalogue, other
 * jurisdictions, regions, content loads); sign-in throttle counters (login_attempts), region
 * supervisors' accounts and region bulletins (a county's or city's rows, no town's) only in a full
 * export.
 * Password and token hashes are exported as they are stored: keep backups as secret as the
 * database.
 *
 * The search index (tables search_*, migrations/0014) is derived data: export skips it, import
 * rebuilds it from the restored rows once every row is in (worker/cli/search-index.ts), and
 * `reindex` (npm run search:rebuild) rebuilds it alone.
 *
 * Evidence files (docs/evidence.md): R2 holds one object per content hash (`sha256/<hex>`,
 * worker/domain/files.ts objectKey); the `files` rows say which towns stored which hashes. Export writes,
 * after the tables, every hash of a `files` row in scope (a town export: that town's), streaming
 * the object from R2 and checking it hashes to its name (a missing or damaged object stops the
 * export). Import checks every file's sha256 in its first pass, before touching anything, then
 * after the rows stores each file in R2 (decoded to a temporary file, checked again; locally R2
 * checks the sha256 as well). The bucket is reached (worker/cli/r2.ts) locally through wrangler's
 * getPlatformProxy, in the same persist folder as the database (<persist>/v3/r2/…, where
 * `wrangler dev` and the Worker read it) — one workerd for the whole run, started only when there
 * are files; remotely through one `wrangler r2 object get|put --remote` per file. Chosen over
 * reading miniflare's blob folder directly, whose layout is miniflare's own business, and over the
 * S3 API, which would need a second credential. Format 2 and 1 documents (no files) still import.
 *
 * Import refuses: another format, a newer format version, a document whose sha256 does not match,
 * a file whose bytes do not match its sha256,
 * a database at another migration level, and a database that already holds rows in any table it
 * would fill. No trigger is dropped or disabled (the audit log's and the bulletins' triggers refuse
 * UPDATE and DELETE, never INSERT). AUTOINCREMENT counters resume from the highest restored id.
 *
 * A restore that stops midway (killed, power cut, network gone) leaves the restore_progress row
 * (migrations/0011): each batch writes its rows and moves that row on in the same transaction, so
 * it says exactly how far the restore got. While it exists the Worker answers 503 and export
 * refuses; running the same import again resumes after the last committed batch (its first batch
 * skips rows already present, in case a lost connection let part of a batch through without the
 * marker). Through wrangler (--remote) a failed batch is retried that way by itself, 3 times.
 * With files, the rows' last batch moves the marker to the files step (table_name FILES_STEP,
 * table_rows counting the files stored) instead of removing it; the marker goes once the last file
 * is in R2, so the Worker serves nothing until files and rows are both there. A resumed restore
 * skips the files counted; one stored again is the same object (content-addressed).
 *
 * The local database is read and written in this process (node:sqlite on miniflare's file, see
 * ./d1.ts); the remote one through `wrangler d1 execute`. Either way the same code pages and
 * batches, and memory stays near 250 MB at 1,000,000 updates (bench/results.md). Format 1
 * documents (one JSON document, written before streaming) are still imported.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import {
  anyRowsStmt,
  exported,
  clearProgressStmt,
  columnsStmt,
  foreignKeysStmt,
  insertStmt,
  migrationsStmt,
  pageStmt,
  filesPageStmt,
  FILES_STEP,
  readProgressStmt,
  saveProgressStmt,
  townFilter,
  type RestoreProgress,
} from '../db/backup.ts';
import type { SqlValue, Stmt } from '../db/sql.ts';
import { openD1, type D1Client, type D1Target } from './d1.ts';
import { openFileStore, type FileStore } from './r2.ts';
import { rebuildSearch } from './search-index.ts';

/** Identifies the document type. */
export const FORMAT = 'demo-town-tracker/backup';
/** Bumped when the document's layout changes; import refuses a newer one. */
export const FORMAT_VERSION = 3;

/** Bytes of a file per line of the document (a multiple of 3, so each line is base64 on its own). */
const FILE_CHUNK = 768 * 1024;

const PAGE_BYTES = 2 * 1024 * 1024;
/** Bytes of values per batch through wrangler (one .sql file); locally 4× that. */
const BATCH_BYTES = 4 * 1024 * 1024;
/** Format 1 documents are read whole; they were only ever written for small databases. */
const V1_MAX_BYTES = 256 * 1024 * 1024;

interface Fk {
  t: string;
  id: number;
  parent: string;
  col: string;
  ref: string | null;
}

/** Tables (name order) with their columns and foreign keys, and the applied migrations. */
async function readSchema(db: D1Client) {
  const [cols, fks, migrationRows] = (await db.objectsMany([columnsStmt(), foreignKeysStmt(), migrationsStmt()])) as unknown as [{ t: string; name: string }[], Fk[], { name: string }[]];
  const migrations = migrationRows.map((m) => m.name);
  const columns: Record<string, string[]> = {};
  for (const c of cols) if (exported(c.t)) (columns[c.t] ??= []).push(c.name);
  return { names: Object.keys(columns).sort(), columns, fks, migrations, hasMarker: cols.some((c) => c.t === 'restore_progress'), hasSearch: cols.some((c) => c.t === 'search_docs') };
}

async function progressOf(db: D1Client, hasMarker: boolean): Promise<RestoreProgress | null> {
  return hasMarker ? ((await db.objects<RestoreProgress>(readProgressStmt()))[0] ?? null) : null;
}

const unfinished = (p: RestoreProgress) =>
  p.table_name === FILES_STEP
    ? `a restore of ${p.file} (sha256 ${p.sha256.slice(0, 12)}…) had all ${p.rows_total} rows in and had stored ${p.table_rows} of its files in R2 on ${p.updated_at}`
    : `a restore of ${p.file} (sha256 ${p.sha256.slice(0, 12)}…) stopped at ${p.rows_done} of ${p.rows_total} rows on ${p.updated_at}`;

/** A writable file stream with backpressure. */
function writer(file: string) {
  const out = createWriteStream(file);
  const hash = createHash('sha256');
  let bytes = 0;
  return {
    /** Writes lines (`text` holds one or more, without the last newline). */
    async line(text: string, hashed = true) {
      const buf = Buffer.from(text + '\n', 'utf8');
      if (hashed) hash.update(buf);
      bytes += buf.length;
      if (!out.write(buf)) await once(out, 'drain');
    },
    digest: () => hash.digest('hex'),
    get bytes() {
      return bytes;
    },
    async close() {
      out.end();
      await once(out, 'finish');
    },
  };
}

/** Prints progress on stderr at most once a second (and always the first time). */
function reporter(label: string) {
  let last = 0;
  return (msg: () => string, force = false) => {
    const now = performance.now();
    if (force || !last || now - last > 1000) {
      last = now;
      process.stderr.write(`${label}: ${msg()}\n`);
    }
  };
}

/** Streams the database (or one town of it) into `out`. */
export async function exportDb(
  db: D1Client,
  town: string | null,
  out: string,
  openStore: () => Promise<FileStore> = () => Promise.reject(new Error('this backup has files and no way to reach R2 was given')),
): Promise<{ rows: number; tables: number; files: number; fileBytes: number; migrations: string[]; sha256: string; bytes: number }> {
  const s = await readSchema(db);
  if (!s.names.includes('towns')) throw new Error('this database has no towns table: run npm run db:migrate first');
  const p = await progressOf(db, s.hasMarker);
  if (p) throw new Error(`this database is incomplete: ${unfinished(p)}. Finish that restore first (npm run import -- ${p.file}); see docs/operations.md`);
  if (town && !(await db.rows(pageStmt('towns', ['id'], townFilter('towns', s.columns.towns!, town), Number.MIN_SAFE_INTEGER, 1))).length) {
    throw new Error(`no town ${town} in this database`);
  }
  mkdirSync(resolve(out, '..'), { recursive: true });
  const partial = `${out}.partial`;
  const w = writer(partial);
  const say = reporter('export');
  let rows = 0;
  // The first page of every table in one call (through wrangler, one call instead of one per table).
  const FIRST = 64;
  const filters = Object.fromEntries(s.names.map((n) => [n, town ? townFilter(n, s.columns[n]!, town) : null]));
  const firstPages = await db.rowsMany(s.names.map((n) => pageStmt(n, s.columns[n]!, filters[n]!, Number.MIN_SAFE_INTEGER, FIRST)));
  await w.line(JSON.stringify({ format: FORMAT, format_version: FORMAT_VERSION, scope: { town }, migrations: s.migrations }));
  for (const [ti, name] of s.names.entries()) {
    const cols = s.columns[name]!;
    const filter = filters[name]!;
    await w.line(JSON.stringify({ table: name, columns: cols }));
    let after = Number.MIN_SAFE_INTEGER;
    let limit = FIRST;
    for (let first = true; ; first = false) {
      const page = first ? firstPages[ti]! : await db.rows(pageStmt(name, cols, filter, after, limit));
      if (first) firstPages[ti] = [];
      let pageBytes = 0;
      if (page.length) {
        // The page as one write (one line per row); the page's rows are dropped once it is written.
        const text = page.map((r) => JSON.stringify(r.slice(1))).join('\n');
        after = page.at(-1)![0] as number;
        pageBytes = text.length + 1;
        await w.line(text);
      }
      rows += page.length;
      say(() => `${rows.toLocaleString('en')} rows (${name}), ${(w.bytes / 2 ** 20).toFixed(1)} MiB`);
      if (page.length < limit) break;
      // Aim each page at PAGE_BYTES: as many rows as fit at this page's average row size.
      limit = Math.max(16, Math.min(20_000, Math.round((limit * PAGE_BYTES) / Math.max(pageBytes, 1))));
    }
  }
  const { files, fileBytes } = s.names.includes('files') ? await exportFiles(db, town, w, openStore, say) : { files: 0, fileBytes: 0 };
  const sha256 = w.digest();
  await w.line(JSON.stringify({ end: { tables: s.names.length, rows, files, file_bytes: fileBytes }, sha256 }), false);
  await w.close();
  renameSync(partial, out);
  return { rows, tables: s.names.length, files, fileBytes, migrations: s.migrations, sha256, bytes: w.bytes };
}

/**
 * Writes each evidence file in scope after the tables: a line {"file":sha256,"bytes":n}, then its
 * bytes as base64 JSON strings, FILE_CHUNK bytes a line (so the same bytes always give the same
 * lines), streamed from R2 one object at a time. An object missing, or whose bytes do not hash to
 * its name, stops the export: a backup never carries a file it could not vouch for.
 */
async function exportFiles(db: D1Client, town: string | null, w: ReturnType<typeof writer>, openStore: () => Promise<FileStore>, say: ReturnType<typeof reporter>) {
  let store: FileStore | null = null;
  let files = 0;
  let fileBytes = 0;
  try {
    for (let after = ''; ; ) {
      const page = (await db.rows(filesPageStmt(town, after, 500))) as [string, number][];
      for (const [sha256, bytes] of page) {
        store ??= await openStore();
        await w.line(JSON.stringify({ file: sha256, bytes }));
        const body = await store.read(sha256);
        if (!body) throw new Error(`R2 has no object for file ${sha256} (${bytes} bytes, in the files table): the bucket and the database disagree; see docs/operations.md`);
        const hash = createHash('sha256');
        let n = 0;
        let pending = Buffer.alloc(0);
        for await (const chunk of body) {
          hash.update(chunk);
          n += chunk.length;
          pending = pending.length ? Buffer.concat([pending, chunk]) : Buffer.from(chunk);
          while (pending.length >= FILE_CHUNK) {
            await w.line(JSON.stringify(pending.subarray(0, FILE_CHUNK).toString('base64')));
            pending = pending.subarray(FILE_CHUNK);
          }
        }
        if (pending.length) await w.line(JSON.stringify(pending.toString('base64')));
        if (n !== bytes || hash.digest('hex') !== sha256) {
          throw new Error(`R2 object for file ${sha256} holds ${n} bytes that do not hash to its name (the database says ${bytes} bytes): it is damaged in storage; see docs/operations.md`);
        }
        files++;
        fileBytes += n;
        say(() => `${files.toLocaleString('en')} files, ${(w.bytes / 2 ** 20).toFixed(1)} MiB`);
      }
      if (page.length < 500) break;
      after = page.at(-1)![0];
    }
  } finally {
    await store?.close();
  }
  return { files, fileBytes };
}

// ------------------------------------------------------------------ reading a document

/** One table of a document: its columns, its row count, and where its rows are. */
interface TableSection {
  name: string;
  columns: string[];
  rows: number;
  /** Format 2: byte range of the row lines. */
  start?: number;
  end?: number;
  /** Format 1: the rows themselves. */
  data?: SqlValue[][];
}

/** One evidence file of a document (format 3): its hash, size, and the byte range of its base64 lines. */
interface FileSection {
  sha256: string;
  bytes: number;
  start: number;
  end: number;
}

/** A checked document, ready to be read table by table. */
interface Doc {
  file: string;
  format_version: number;
  scope: { town: string | null };
  migrations: string[];
  sha256: string;
  tables: Map<string, TableSection>;
  rows: number;
  /** Evidence files, in document order (format 3; none before). */
  files: FileSection[];
}

/** Lines of a file (or a byte range of it), each with its byte offset, without holding the file. */
async function* lines(file: string, start = 0, end?: number): AsyncGenerator<{ buf: Buffer; offset: number }> {
  let rest: Buffer | null = null;
  let offset = start;
  for await (const chunk of createReadStream(file, { start, end: end === undefined ? undefined : end - 1, highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let data: Buffer = rest ? Buffer.concat([rest, chunk]) : chunk;
    let from = 0;
    for (let nl = data.indexOf(10, from); nl !== -1; nl = data.indexOf(10, from)) {
      yield { buf: data.subarray(from, nl + 1), offset };
      offset += nl + 1 - from;
      from = nl + 1;
    }
    rest = from < data.length ? Buffer.from(data.subarray(from)) : null;
  }
  if (rest) yield { buf: rest, offset };
}

const notOurs = (why: string) => new Error(`not a ${FORMAT} document (${why})`);

function checkHeader(h: { format?: unknown; format_version?: unknown }): void {
  if (!h || h.format !== FORMAT) throw notOurs('no "format" of ours in its first line');
  if (!Number.isInteger(h.format_version) || (h.format_version as number) > FORMAT_VERSION) {
    throw new Error(`format_version ${String(h.format_version)} is newer than this tool understands (${FORMAT_VERSION}); update the project first`);
  }
}

/** Reads and checks a document before anything is written: format, version and hash. */
export async function readDoc(file: string): Promise<Doc> {
  const it = lines(file);
  const first = await it.next();
  await it.return(undefined);
  if (first.done) throw notOurs('the file is empty');
  let head: { format?: unknown; format_version?: unknown } | null = null;
  try {
    head = JSON.parse(first.value.buf.toString('utf8'));
  } catch {
    // Format 1 starts with a lone "{": the document spans many lines.
  }
  if (!head || typeof head !== 'object' || head.format_version === 1) return readV1(file);
  checkHeader(head);
  let header: Doc | null = null;
  const hash = createHash('sha256');
  let pending: { buf: Buffer; offset: number } | null = null;
  let current: TableSection | null = null;
  let total = 0;
  let end: { end?: { tables: number; rows: number; files?: number }; sha256?: string } | null = null;
  const tables = new Map<string, TableSection>();
  const files: FileSection[] = [];
  // The file being read, with the hash of its bytes so far: each is checked against its name here,
  // before anything is written, so a file edited in a backup whose overall hash was redone is refused.
  let currentFile: { f: FileSection; hash: ReturnType<typeof createHash>; n: number } | null = null;
  const closeFile = (at: number) => {
    if (!currentFile) return;
    const { f, hash: h, n } = currentFile;
    f.end = at;
    if (n !== f.bytes || h.digest('hex') !== f.sha256) throw new Error(`file ${f.sha256} in the backup does not match its sha256 (${n} bytes, ${f.bytes} expected): the file is damaged or was edited`);
    currentFile = null;
  };
  for await (const l of lines(file)) {
    // The line before the last is hashed only once the next one is seen: the last carries the hash.
    if (pending) hash.update(pending.buf);
    pending = l;
    const c = l.buf[0];
    if (c === 0x22 /* " */) {
      if (!currentFile) throw notOurs(`file bytes before any file at byte ${l.offset}`);
      let b64: unknown;
      try {
        b64 = JSON.parse(l.buf.toString('latin1'));
      } catch {
        throw notOurs(`unreadable line at byte ${l.offset}`);
      }
      if (typeof b64 !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw notOurs(`a file line that is not base64 at byte ${l.offset}`);
      const bytes = Buffer.from(b64, 'base64');
      currentFile.hash.update(bytes);
      currentFile.n += bytes.length;
    } else if (c === 0x5b /* [ */) {
      if (!current) throw notOurs(`a row before any table at byte ${l.offset}`);
      current.rows++;
      total++;
    } else if (c === 0x7b /* { */) {
      let v: { format?: string; format_version?: number; scope?: { town: string | null }; migrations?: string[]; table?: string; columns?: string[]; end?: { tables: number; rows: number }; sha256?: string };
      try {
        v = JSON.parse(l.buf.toString('utf8'));
      } catch {
        throw notOurs(`unreadable line at byte ${l.offset}`);
      }
      if (current) current.end = l.offset;
      current = null;
      closeFile(l.offset);
      if (!header) {
        checkHeader(v);
        header = { file, format_version: v.format_version!, scope: v.scope ?? { town: null }, migrations: v.migrations ?? [], sha256: '', tables, rows: 0, files };
      } else if (typeof v.table === 'string' && Array.isArray(v.columns)) {
        if (tables.has(v.table)) throw notOurs(`table ${v.table} appears twice`);
        current = { name: v.table, columns: v.columns, rows: 0, start: l.offset + l.buf.length };
        tables.set(v.table, current);
      } else if (typeof (v as { file?: unknown }).file === 'string') {
        const { file: sha256, bytes } = v as { file: string; bytes?: unknown };
        if (!/^[0-9a-f]{64}$/.test(sha256) || !Number.isInteger(bytes) || (bytes as number) <= 0) throw notOurs(`a file line without a sha256 and a size at byte ${l.offset}`);
        if (files.length && files.at(-1)!.sha256 >= sha256) throw notOurs(`files out of order at byte ${l.offset}`);
        const f: FileSection = { sha256, bytes: bytes as number, start: l.offset + l.buf.length, end: l.offset + l.buf.length };
        files.push(f);
        currentFile = { f, hash: createHash('sha256'), n: 0 };
      } else if (v.end) {
        end = v;
      } else throw notOurs(`unexpected line at byte ${l.offset}`);
    } else if (l.buf.length > 1) throw notOurs(`unexpected line at byte ${l.offset}`);
  }
  if (!header) throw notOurs('no header');
  if (!end || pending === null || pending.buf[0] !== 0x7b || !JSON.parse(pending.buf.toString('utf8')).end) {
    throw new Error('the file ends early (no closing line with the sha256): it is truncated — an export that did not finish, or a partial copy');
  }
  if (hash.digest('hex') !== end.sha256) throw new Error('sha256 does not match the content: the file is damaged or was edited');
  if (end.end!.rows !== total || end.end!.tables !== tables.size || (end.end!.files ?? 0) !== files.length) throw new Error('the closing line\'s counts do not match the content');
  return { ...header, sha256: end.sha256!, rows: total, files };
}

/** Format 1: one JSON document, hashed over its canonical JSON. Read whole (small by construction). */
async function readV1(file: string): Promise<Doc> {
  if (statSync(file).size > V1_MAX_BYTES) throw notOurs('its first line is not a format 2 header, and it is too large for a format 1 document');
  let b: { format?: string; format_version?: number; scope: { town: string | null }; migrations: string[]; tables: Record<string, { columns: string[]; rows: SqlValue[][] }>; sha256: string };
  try {
    b = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw notOurs('neither NDJSON format 2 nor a JSON document');
  }
  checkHeader(b);
  const canonical = JSON.stringify([b.format, b.format_version, b.scope, b.migrations, b.tables]);
  if (createHash('sha256').update(canonical).digest('hex') !== b.sha256) throw new Error('sha256 does not match the content: the file is damaged or was edited');
  const tables = new Map(Object.entries(b.tables).map(([name, t]) => [name, { name, columns: t.columns, rows: t.rows.length, data: t.rows }]));
  return { file, format_version: b.format_version!, scope: b.scope, migrations: b.migrations, sha256: b.sha256, tables, rows: [...tables.values()].reduce((a, t) => a + t.rows, 0), files: [] };
}

/** The rows of one table of a document, in file order. */
async function* sectionRows(doc: Doc, t: TableSection): AsyncGenerator<SqlValue[]> {
  if (t.data) return yield* t.data;
  if (t.start === undefined || t.end === undefined || t.start >= t.end) return;
  for await (const l of lines(doc.file, t.start, t.end)) yield JSON.parse(l.buf.toString('utf8')) as SqlValue[];
}

/**
 * Writes one file of a document to `path`, decoded line by line, and checks it hashes to its name
 * (again: the document may have changed since readDoc checked it).
 */
async function extractFile(doc: Doc, f: FileSection, path: string): Promise<void> {
  const out = createWriteStream(path);
  const hash = createHash('sha256');
  let n = 0;
  for await (const l of lines(doc.file, f.start, f.end)) {
    const bytes = Buffer.from(JSON.parse(l.buf.toString('latin1')) as string, 'base64');
    hash.update(bytes);
    n += bytes.length;
    if (!out.write(bytes)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  if (n !== f.bytes || hash.digest('hex') !== f.sha256) throw new Error(`file ${f.sha256} in ${basename(doc.file)} no longer matches its sha256: the backup changed during the restore`);
}

// ------------------------------------------------------------------ restoring

/** Table order for inserting: every table after the tables its foreign keys point to. */
function insertOrder(names: string[], fks: Fk[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (n: string, path: string[]) => {
    if (seen.has(n)) return;
    if (path.includes(n)) throw new Error(`foreign-key cycle: ${[...path, n].join(' → ')}`);
    for (const fk of fks.filter((f) => f.t === n && f.parent !== n && names.includes(f.parent))) visit(fk.parent, [...path, n]);
    seen.add(n);
    out.push(n);
  };
  for (const n of [...names].sort()) visit(n, []);
  return out;
}

/**
 * The rows of a table with foreign keys to itself (a task's parent task), each after the row it
 * refers to; rows already in order pass straight through, so only rows that arrive before their
 * parent are held. Deterministic, so a resumed restore replays the same order.
 */
async function* parentsFirst(rows: AsyncIterable<SqlValue[]>, columns: string[], fks: Fk[], table: string): AsyncGenerator<SqlValue[]> {
  const self = new Map<number, { from: number[]; to: number[] }>();
  for (const f of fks.filter((f) => f.t === table && f.parent === table)) {
    const k = self.get(f.id) ?? { from: [], to: [] };
    k.from.push(columns.indexOf(f.col));
    k.to.push(columns.indexOf(f.ref ?? 'id'));
    self.set(f.id, k);
  }
  if (!self.size) return yield* rows;
  const keys = [...self.values()];
  const have = keys.map(() => new Set<string>());
  const waiting = new Map<string, SqlValue[][]>();
  const missing = (r: SqlValue[]): string | null => {
    for (let k = 0; k < keys.length; k++) {
      const vals = keys[k]!.from.map((i) => r[i]);
      if (vals.some((v) => v === null)) continue; // SQLite does not check a key with a NULL part
      const key = JSON.stringify(vals);
      if (!have[k]!.has(key)) return `${k}:${key}`;
    }
    return null;
  };
  function* release(r: SqlValue[]): Generator<SqlValue[]> {
    const ready = [r];
    while (ready.length) {
      const row = ready.shift()!;
      yield row;
      keys.forEach((k, i) => {
        const key = JSON.stringify(k.to.map((c) => row[c]));
        have[i]!.add(key);
        const w = waiting.get(`${i}:${key}`);
        if (w) {
          waiting.delete(`${i}:${key}`);
          for (const x of w) {
            const m = missing(x);
            if (m) waiting.set(m, [...(waiting.get(m) ?? []), x]);
            else ready.push(x);
          }
        }
      });
    }
  }
  for await (const r of rows) {
    const m = missing(r);
    if (m) waiting.set(m, [...(waiting.get(m) ?? []), r]);
    else yield* release(r);
  }
  // Rows whose parent never came: insert them anyway and let the database's foreign key judge.
  for (const w of waiting.values()) yield* w;
}

/** A batch of a restore did not go through (the restore marker says how far it got). */
export class BatchFailed extends Error {}

/** Restores a checked document into an empty, equally migrated database (or resumes a stopped restore of it). */
export async function importDb(
  db: D1Client,
  doc: Doc,
  opts: { batchRows?: number; openStore?: () => Promise<FileStore> } = {},
): Promise<{ rows: number; tables: number; files: number; resumed: boolean }> {
  const s = await readSchema(db);
  if (JSON.stringify(s.migrations) !== JSON.stringify(doc.migrations)) {
    throw new Error(`migration level differs: the file has [${doc.migrations.join(', ')}], the database [${s.migrations.join(', ')}]; run npm run db:migrate (same project version) on an empty database first`);
  }
  if (!s.hasMarker) throw new Error('this database has no restore_progress table: run npm run db:migrate first');
  const wanted = [...doc.tables.keys()];
  const unknown = wanted.filter((n) => !s.names.includes(n));
  if (unknown.length) throw new Error(`the database has no table ${unknown.join(', ')}`);

  const progress = await progressOf(db, true);
  if (progress && progress.sha256 !== doc.sha256) {
    throw new Error(`this database is incomplete: ${unfinished(progress)}. Finish it with that file (npm run import -- ${progress.file}), or restore ${basename(doc.file)} into a new empty database; see docs/operations.md`);
  }
  if (!progress) {
    const any = wanted.length ? (await db.objects<Record<string, number>>(anyRowsStmt(wanted)))[0]! : {};
    const full = wanted.filter((n) => Number(any[n]));
    if (full.length) throw new Error(`the database is not empty (rows in ${full.join(', ')}); import only restores into an empty database`);
  }

  const order = insertOrder(wanted, s.fks);
  // A local batch is one SQLite transaction in this process: larger batches mean fewer commits. Through
  // wrangler a batch is one `wrangler d1 execute --file`, kept well inside D1's limits.
  const batchRows = opts.batchRows ?? (db.how === 'sqlite' ? 25_000 : 500);
  const batchBytes = db.how === 'sqlite' ? 4 * BATCH_BYTES : BATCH_BYTES;
  const now = () => new Date().toISOString();
  const mark: RestoreProgress = progress ?? { sha256: doc.sha256, file: doc.file, table_name: order[0] ?? '', table_rows: 0, rows_done: 0, rows_total: doc.rows, started_at: now(), updated_at: now() };
  // Resuming in the files step (every row is in): no table left to fill.
  const inFiles = progress?.table_name === FILES_STEP;
  const skipUntil = inFiles ? order.length : progress ? order.indexOf(progress.table_name) : 0;
  const say = reporter('import');
  if (progress) say(() => `resuming after ${progress.rows_done.toLocaleString('en')} of ${progress.rows_total.toLocaleString('en')} rows (in ${progress.table_name})`, true);

  let batch: Stmt[] = [];
  let bytes = 0;
  // Through wrangler (remote D1 runs a --file through its import), a batch cut off by a lost
  // connection may have written some of its rows but not the marker, which comes last: the first
  // batch of a resumed restore skips rows already there.
  let tolerant = !!progress;
  // `last`: the marker goes with this batch (a restore with files keeps it, moved to the files step).
  const flush = async (last: boolean) => {
    if (!batch.length && !(last && (progress || mark.rows_done || doc.files.length))) return;
    mark.updated_at = now();
    try {
      await db.batch([...batch, last && !doc.files.length ? clearProgressStmt() : saveProgressStmt(mark)]);
    } catch (e) {
      throw new BatchFailed(`a batch of ${batch.length} rows (${mark.table_name}) failed; ${(mark.rows_done - batch.length).toLocaleString('en')} rows were restored before it`, { cause: e });
    }
    tolerant = false;
    batch = [];
    bytes = 0;
    if (!last) say(() => `restored ${mark.rows_done.toLocaleString('en')} of ${mark.rows_total.toLocaleString('en')} rows (${mark.table_name})`);
  };
  for (let ti = Math.max(skipUntil, 0); ti < order.length; ti++) {
    const t = doc.tables.get(order[ti]!)!;
    const resumeHere = progress && ti === skipUntil;
    const skip = resumeHere ? progress.table_rows : 0;
    mark.table_name = t.name;
    mark.table_rows = skip;
    let seen = 0;
    const insert = insertStmt(t.name, t.columns, []).sql;
    const insertIfAbsent = insertStmt(t.name, t.columns, [], { ifAbsent: true }).sql;
    for await (const r of parentsFirst(sectionRows(doc, t), t.columns, s.fks, t.name)) {
      if (seen++ < skip) continue;
      if (r.length !== t.columns.length) throw new Error(`a row of ${t.name} has ${r.length} values for ${t.columns.length} columns`);
      batch.push({ sql: tolerant ? insertIfAbsent : insert, params: r });
      for (const v of r) bytes += typeof v === 'string' ? v.length : 8;
      mark.table_rows++;
      mark.rows_done++;
      if (batch.length >= batchRows || bytes >= batchBytes) await flush(false);
    }
  }
  if (doc.files.length && !inFiles) {
    mark.table_name = FILES_STEP;
    mark.table_rows = 0;
  }
  await flush(true);
  if (doc.files.length) await importFiles(db, doc, mark, opts.openStore, say);
  // The search index is not in the document: build it from the restored plans, tasks and targets.
  if (s.hasSearch) await rebuildSearch(db, (m) => say(() => m));
  return { rows: mark.rows_done, tables: doc.tables.size, files: doc.files.length, resumed: !!progress };
}

/**
 * The files step of a restore, after every row is in: each file of the document, decoded to a
 * temporary file and checked by its sha256, is put in R2 (locally R2 checks the sha256 once more);
 * one already there with the same bytes is skipped. The marker counts the files stored (moved on
 * at most every 2 s, and at the end, when it goes); a resumed restore starts at the first file it
 * does not count, and storing a file twice stores the same bytes.
 */
async function importFiles(db: D1Client, doc: Doc, mark: RestoreProgress, openStore: (() => Promise<FileStore>) | undefined, say: ReturnType<typeof reporter>): Promise<void> {
  if (!openStore) throw new Error('this backup has files and no way to reach R2 was given');
  const store = await openStore();
  const dir = mkdtempSync(join(tmpdir(), 'dtt-import-files-'));
  try {
    let saved = performance.now();
    for (let i = mark.table_rows; i < doc.files.length; i++) {
      const f = doc.files[i]!;
      if (!(await store.has(f.sha256, f.bytes))) {
        const path = join(dir, f.sha256);
        await extractFile(doc, f, path);
        try {
          await store.write(f.sha256, path);
        } catch (e) {
          throw new BatchFailed(`storing file ${f.sha256} in R2 failed; ${i} of ${doc.files.length} files were stored before it`, { cause: e });
        }
        rmSync(path, { force: true });
      }
      mark.table_rows = i + 1;
      if (performance.now() - saved > 2000 && i + 1 < doc.files.length) {
        mark.updated_at = new Date().toISOString();
        await db.batch([saveProgressStmt(mark)]);
        saved = performance.now();
      }
      say(() => `stored ${(i + 1).toLocaleString('en')} of ${doc.files.length.toLocaleString('en')} files in R2`);
    }
    await db.batch([clearProgressStmt()]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await store.close();
  }
}

// ------------------------------------------------------------------ command line

function targetOf(values: { remote?: boolean; local?: boolean; 'persist-to'?: string; through?: string }): D1Target {
  if (values.remote && values.local) throw new Error('--local and --remote exclude each other');
  if (values.through && values.through !== 'wrangler') throw new Error('--through takes only "wrangler"');
  return { remote: !!values.remote, persistTo: values['persist-to'], throughWrangler: values.through === 'wrangler' };
}

if (import.meta.main) {
  const [command, ...rest] = process.argv.slice(2);
  let db: D1Client | null = null;
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        town: { type: 'string' },
        out: { type: 'string' },
        local: { type: 'boolean' },
        remote: { type: 'boolean' },
        'persist-to': { type: 'string' },
        through: { type: 'string' },
        'batch-rows': { type: 'string' },
      },
    });
    const target = targetOf(values);
    if (command === 'export') {
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const out = resolve(values.out ?? `backups/backup-${values.town ?? 'all'}-${stamp}.ndjson`);
      db = await openD1(target);
      const r = await exportDb(db, values.town ?? null, out, () => openFileStore(target));
      console.log(
        `exported ${values.town ? `town ${values.town}` : 'the whole database'}: ${r.rows} rows in ${r.tables} tables, ${r.files} files (${(r.fileBytes / 2 ** 20).toFixed(1)} MiB), ${(r.bytes / 2 ** 20).toFixed(1)} MiB in all, migrations up to ${r.migrations.at(-1)}, sha256 ${r.sha256}\n→ ${out}`,
      );
    } else if (command === 'import') {
      const file = positionals[0];
      if (!file) throw new Error('usage: npm run import -- FILE [--local | --remote] [--persist-to DIR]');
      const batchRows = values['batch-rows'] ? Number(values['batch-rows']) : undefined;
      if (batchRows !== undefined && !(Number.isInteger(batchRows) && batchRows > 0 && batchRows <= 100_000)) throw new Error('--batch-rows: a whole number from 1 to 100000');
      const doc = await readDoc(resolve(file));
      db = await openD1(target);
      // Through wrangler every batch is a new `wrangler d1 execute`: one that fails (network,
      // an API hiccup) is retried from the restore marker, a few times, before giving up.
      const attempts = db.how === 'wrangler' ? 4 : 1;
      for (let attempt = 1; ; attempt++) {
        try {
          const { rows, tables, files, resumed } = await importDb(db, doc, { batchRows, openStore: () => openFileStore(target) });
          console.log(`${resumed ? 'finished the restore: ' : ''}imported ${rows} rows into ${tables} tables and ${files} files from ${file}`);
          break;
        } catch (e) {
          if (!(e instanceof BatchFailed) || attempt >= attempts) throw e;
          process.stderr.write(`import: ${e.message} (${(e.cause as Error)?.message ?? e.cause}); resuming from the restore marker in ${5 * attempt} s (attempt ${attempt + 1} of ${attempts})\n`);
          await new Promise((r) => setTimeout(r, 5000 * attempt));
        }
      }
    } else if (command === 'reindex') {
      db = await openD1(target);
      const r = await rebuildSearch(db, (m) => process.stderr.write(`${m}\n`));
      console.log(`search index rebuilt: ${r.entries} entries of ${r.towns} towns`);
    } else {
      throw new Error('usage: node worker/cli/backup.ts export|import|reindex …');
    }
  } catch (e) {
    const cause = (e as Error).cause as Error | undefined;
    console.error(`${(e as Error).message}${cause ? ` (${cause.message ?? cause})` : ''}`);
    process.exitCode = 1;
  } finally {
    await db?.close();
  }
}
