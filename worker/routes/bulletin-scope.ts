/**
 * One bulletin (通报) module for both scopes: a town's bulletins (routes/bulletins.ts) and a
 * region's (routes/region-supervision.ts) draft, issue with the owner's next 〔年〕号, publish or
 * withdraw, and export the same way; a scope says only what differs — whose they are, who may
 * read and write them, what their figures are and how they print. The route files keep their
 * contracts (paths, JSON field names, OpenAPI text); each handler is one call here.
 * Files: the CSV (UTF-8 BOM, formula-safe cells), the print-ready XLSX (A4 landscape, typed cells)
 * and the print page (strict CSP, no scripts).
 */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import ExcelJS from 'exceljs';
import type { AppEnv } from '../env.ts';
import type { Caller } from '../auth/context.ts';
import { ApiError, notFound } from '../errors.ts';
import { auditStmt } from '../db/audit.ts';
import { runBatch } from '../db/batch.ts';
import { draftBulletinStmt, issueStmts, listBulletins, publishStmt, readBulletin, readBulletinOwner, type BulletinStore, type StoredBulletin } from '../db/bulletins.ts';
import { clearGuards } from '../db/updates.ts';
import { cellText, type SheetCell } from '../domain/bulletin.ts';
import { toCsv } from '../domain/csv.ts';
import { cstDate } from '../domain/supervision.ts';
import { validationHook } from '../validation.ts';
import type { Access } from '../auth/middleware.ts';
import { contract } from './contract.ts';
import { err, json } from './supervision.ts';
import { once } from './updates.ts';

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

/** What a bulletin's file is named after and dated by. */
type FileOf = BulletinFileName & { issued_at: string | null; created_at: string };

/** The bulletin's rows as a CSV download (what the XLSX shows, as text). */
export function csvAnswer(c: Ctx, b: BulletinFileName, rows: SheetCell[][]): Response {
  c.header('Content-Disposition', `attachment; filename*=UTF-8''${fileName(b, 'csv')}`);
  return c.body(toCsv(rows.map((r) => r.map(cellText))), 200, { 'Content-Type': 'text/csv; charset=utf-8' });
}

/** The bulletin's rows as an XLSX download, dated when the bulletin was issued (or drafted). */
export async function xlsxAnswer(c: Ctx, b: FileOf, rows: SheetCell[][]): Promise<Response> {
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

// ---------------------------------------------------------------- contract pieces both scopes' routes use

/** `{bulletin}`: a bulletin's id. */
export const BulletinParam = z.object({ bulletin: z.string().min(1).max(64).openapi({ param: { name: 'bulletin', in: 'path' } }) });
/** A draft's Idempotency-Key. */
export const IdemHeaders = z.object({
  'idempotency-key': z.string().min(8).max(200).regex(/^[\x21-\x7e]+$/).openapi({ description: 'Unique per logical request; a retry sends the same key' }),
});
/** Publish (public) or withdraw (internal). */
export const PublishBody = z.strictObject({ visibility: z.enum(['public', 'internal']) });
/** A file answer in the OpenAPI document. */
export const fileResponse = (type: string, description: string) => ({ description, content: { [type]: { schema: z.string().openapi({ format: 'binary' }) } } });

// ---------------------------------------------------------------- the flow, per scope

/** The JSON fields every bulletin has; a scope adds its owner (`town`, `region`) and, for towns, the period. */
export const BulletinBase = z.object({
  id: z.string(),
  title: z.string(),
  remarks: z.string(),
  state: z.enum(['draft', 'issued']),
  visibility: z.enum(['internal', 'public']),
  number: z.string().nullable(),
  year: z.number().nullable(),
  seq: z.number().nullable(),
  created_at: z.string(),
  issued_at: z.string().nullable(),
  published_at: z.string().nullable(),
});

/** What differs between town and region bulletins. */
export interface BulletinScope<Row extends StoredBulletin, Figures> {
  store: BulletinStore;
  /** The owner's field in the JSON (`town`, `region`), and the id prefix of a new bulletin. */
  ownerKey: 'town' | 'region';
  idPrefix: string;
  /** For a 404 on the owner: English and Chinese words. */
  ownerWords: [string, string];
  /** Who may read an unpublished bulletin of `owner` (throws 401/403). */
  mayRead(c: Ctx, owner: string): Promise<unknown>;
  /** Who may draft, issue and publish for `owner`: the caller, or a throw. */
  mayWrite(c: Ctx, owner: string): Promise<Caller>;
  /** The figures now (a draft's live figures; what issuing freezes). */
  figures(c: Ctx, b: Row): Promise<Figures>;
  /** The number's prefix (冯卯医养督, 山亭区医养督) and the issuing body printed under the text. */
  numberPrefix(f: Figures): string;
  issuer(f: Figures): string;
  /** Where the audit rows of `owner`'s bulletins go: a town's, or none with the region in the detail. */
  audit(owner: string): { town_id: string | null; detail: Record<string, unknown> };
  html(b: { title: string; number: string | null; issuer: string; issued_on: string | null; remarks?: string }, f: Figures): string;
  sheet(b: { title: string; number: string | null; remarks?: string }, f: Figures): SheetCell[][];
}

/** What a draft of a scope gives beyond title and remarks: its own columns' values, its default title, its audit detail. */
export interface DraftOf {
  /** The validated body (what a retry's Idempotency-Key is checked against). */
  input: unknown;
  title?: string;
  remarks: string;
  extra: string[];
  defaultTitle: (ownerName: string, now: string) => string;
  detail: Record<string, unknown>;
}

const hex = (n: number) => [...crypto.getRandomValues(new Uint8Array(n))].map((x) => x.toString(16).padStart(2, '0')).join('');

/**
 * The handlers of a scope's bulletins. Each returns the answer (erased to `never`, as `once` does,
 * so the typed routes accept it): the route's contract, not this, documents its shape.
 */
export function bulletinDesk<Row extends StoredBulletin, Figures>(scope: BulletinScope<Row, Figures>) {
  const { store } = scope;
  const ownerOf = (b: Omit<Row, 'figures_json'>) => (b as unknown as Record<string, string>)[store.owner]!;
  const summary = (b: Omit<Row, 'figures_json'>) => {
    const r = b as unknown as Record<string, unknown>;
    return {
      id: b.id,
      [scope.ownerKey]: ownerOf(b),
      title: b.title,
      ...Object.fromEntries(store.extra.map((k) => [k, r[k]])),
      remarks: b.remarks,
      state: b.state,
      visibility: b.visibility,
      number: b.number,
      year: b.year,
      seq: b.seq,
      created_at: b.created_at,
      issued_at: b.issued_at,
      published_at: b.published_at,
    };
  };
  const view = async (c: Ctx, b: Row) => {
    const figures = b.figures_json ? (JSON.parse(b.figures_json) as Figures) : await scope.figures(c, b);
    return { ...summary(b), figures, frozen: b.state === 'issued' };
  };
  const find = async (c: Ctx, id: string) => {
    const b = await readBulletin<Row>(c.env.DB, store, id);
    if (!b) throw notFound('Bulletin', '通报', id);
    return b;
  };
  /** The bulletin if the caller may read it: anyone once published, else as the scope says. */
  const readable = async (c: Ctx, id: string) => {
    const b = await find(c, id);
    if (!(b.state === 'issued' && b.visibility === 'public')) await scope.mayRead(c, ownerOf(b));
    return b;
  };
  /** The bulletin and the caller, if the caller may change it. */
  const writable = async (c: Ctx, id: string) => {
    const b = await find(c, id);
    return { b, caller: await scope.mayWrite(c, ownerOf(b)) };
  };
  const fresh = async (c: Ctx, id: string) => c.json(await view(c, (await readBulletin<Row>(c.env.DB, store, id))!), 200) as never;
  const print = (b: Row, f: Figures) => scope.html({ title: b.title, number: b.number, issuer: scope.issuer(f), issued_on: b.issued_at ? cstDate(b.issued_at) : null, remarks: b.remarks }, f);

  return {
    /** A new draft of `owner` (Idempotency-Key: a retry replays it), with its live figures; 201. */
    async draft(c: Ctx, owner: string, d: DraftOf): Promise<never> {
      const caller = await scope.mayWrite(c, owner);
      const name = await readBulletinOwner(c.env.DB, store, owner);
      if (name === null) throw notFound(scope.ownerWords[0], scope.ownerWords[1], owner);
      return once(c, caller, d.input, async () => {
        const now = new Date().toISOString();
        const id = `${scope.idPrefix}-${hex(8)}`;
        const title = d.title ?? d.defaultTitle(name, now);
        const audit = scope.audit(owner);
        const row = {
          id,
          [store.owner]: owner,
          title,
          ...Object.fromEntries(store.extra.map((k, i) => [k, d.extra[i]])),
          remarks: d.remarks,
          state: 'draft',
          visibility: 'internal',
          year: null,
          seq: null,
          number: null,
          figures_json: null,
          created_by: caller.id,
          created_at: now,
          issued_by: null,
          issued_at: null,
          published_at: null,
        } as unknown as Row;
        return {
          status: 201 as const,
          answer: await view(c, row),
          stmts: [
            draftBulletinStmt(store, { id, owner, title, remarks: d.remarks, extra: d.extra, created_by: caller.id, created_at: now }),
            auditStmt({ at: now, actor: caller.id, action: `${store.entity}.draft`, town_id: audit.town_id, unit_id: null, entity: store.entity, entity_id: id, detail: { ...audit.detail, ...d.detail } }),
          ],
          onConflict: async () => new ApiError(409, 'conflict', '保存通报草稿时发生冲突，请重试。', 'Conflict while saving the draft; retry.'),
        };
      });
    },
    /** `owner`'s bulletins without figures, newest first (the caller's access is the route's). */
    async list(c: Ctx, owner: string, publishedOnly: boolean, limit: number): Promise<never> {
      if (publishedOnly) c.header('Cache-Control', 'public, max-age=60');
      return c.json({ bulletins: (await listBulletins<Row>(c.env.DB, store, owner, publishedOnly, limit)).map(summary) }, 200) as never;
    },
    /** One bulletin with its figures (frozen once issued). */
    async read(c: Ctx, id: string): Promise<never> {
      return c.json(await view(c, await readable(c, id)), 200) as never;
    },
    /** Issue a draft: the owner's next number of the year, figures frozen, audited in the same batch; 409 if already issued. */
    async issue(c: Ctx, id: string): Promise<never> {
      const { b, caller } = await writable(c, id);
      const already = () => new ApiError(409, 'already_issued', '这份通报已经印发，不能再次印发。', 'This bulletin was already issued.');
      if (b.state !== 'draft') throw already();
      const now = new Date().toISOString();
      const figures = await scope.figures(c, b);
      try {
        await runBatch(c.env.DB, [
          ...issueStmts(store, { id: b.id, owner: ownerOf(b), prefix: scope.numberPrefix(figures), year: Number(cstDate(now).slice(0, 4)), figures, actor: caller.id, now }),
          clearGuards(),
        ]);
      } catch (e) {
        if (/CHECK constraint failed/.test(String((e as Error).message))) throw already();
        throw e;
      }
      return fresh(c, b.id);
    },
    /** Publish an issued bulletin, or withdraw it to internal; 409 while a draft. */
    async publish(c: Ctx, id: string, visibility: 'public' | 'internal'): Promise<never> {
      const { b, caller } = await writable(c, id);
      if (b.state !== 'issued') throw new ApiError(409, 'not_issued', '通报尚未印发，不能公开。', 'Issue the bulletin before publishing it.');
      const now = new Date().toISOString();
      const audit = scope.audit(ownerOf(b));
      await runBatch(c.env.DB, [
        publishStmt(store, b.id, visibility, now),
        auditStmt({ at: now, actor: caller.id, action: `${store.entity}.${visibility === 'public' ? 'publish' : 'unpublish'}`, town_id: audit.town_id, entity: store.entity, entity_id: b.id, detail: { ...audit.detail, number: b.number } }),
      ]);
      return fresh(c, b.id);
    },
    /** The bulletin's rows as CSV. */
    async csv(c: Ctx, id: string): Promise<never> {
      const b = await readable(c, id);
      return csvAnswer(c, b, scope.sheet(b, (await view(c, b)).figures)) as never;
    },
    /** The bulletin's rows as XLSX. */
    async xlsx(c: Ctx, id: string): Promise<never> {
      const b = await readable(c, id);
      return (await xlsxAnswer(c, b, scope.sheet(b, (await view(c, b)).figures))) as never;
    },
    /** The A4 print page. */
    async print(c: Ctx, id: string): Promise<never> {
      const b = await readable(c, id);
      return printAnswer(c, print(b, (await view(c, b)).figures)) as never;
    },
  };
}

/** What a scope's routes by bulletin id say of themselves (OpenAPI text) and who may write. */
export interface ItemRoutesOf {
  /** /bulletins, /region-bulletins */
  base: '/bulletins' | '/region-bulletins';
  /** The answer's schema (a component: Bulletin, RegionBulletin). */
  View: z.ZodType;
  /** Who may issue and publish (checked before any input is read; the bulletin's owner is then checked by the desk). */
  writers: Access;
  words: { what: string; owner: 'town' | 'region'; readers: string; writers: string; rows: string };
}

/**
 * The routes of one bulletin by its id — read, issue, publish or withdraw, CSV, XLSX, print page —
 * the same contract for both scopes under `base`, each answered by the scope's desk.
 */
export function bulletinItemRoutes(desk: ReturnType<typeof bulletinDesk<StoredBulletin, unknown>>, o: ItemRoutesOf) {
  const { what, owner, readers, writers, rows } = o.words;
  const path = (tail = '') => `${o.base}/{bulletin}${tail}`;
  const fileErrors = { 401: err('Not signed in (unpublished)'), 403: err('Not permitted'), 404: err('No such bulletin') };
  const file = (tail: string, summary: string, type: string, description: string) =>
    contract('mixed', { method: 'get', path: path(tail), summary: `${summary}. Same access as the bulletin`, request: { params: BulletinParam }, responses: { 200: fileResponse(type, description), ...fileErrors } });
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(
      contract('mixed', {
        method: 'get',
        path: path(),
        summary: `One ${what} with its figures (frozen once issued). Public when published; otherwise ${readers}`,
        request: { params: BulletinParam },
        responses: { 200: json(o.View, 'Bulletin'), ...fileErrors },
      }),
      async (c) => desk.read(c, c.req.valid('param').bulletin),
    )
    .openapi(
      contract(o.writers, {
        method: 'post',
        path: path('/issue'),
        summary: `Issue a draft: assigns the next number of the ${owner} and year and freezes the figures (${writers})`,
        request: { params: BulletinParam },
        responses: { 200: json(o.View, 'Issued'), 401: err('Not signed in'), 403: err('Not permitted'), 404: err('No such bulletin'), 409: err('Already issued') },
      }),
      async (c) => desk.issue(c, c.req.valid('param').bulletin),
    )
    .openapi(
      contract(o.writers, {
        method: 'post',
        path: path('/publish'),
        summary: `Publish an issued ${what} to the public site, or keep it internal (${writers})`,
        request: { params: BulletinParam, body: { content: { 'application/json': { schema: PublishBody } }, required: true } },
        responses: { 200: json(o.View, 'Updated'), 400: err('Invalid body'), 401: err('Not signed in'), 403: err('Not permitted'), 404: err('No such bulletin'), 409: err('Not issued yet') },
      }),
      async (c) => desk.publish(c, c.req.valid('param').bulletin, c.req.valid('json').visibility),
    )
    .openapi(file('/export.csv', `The ${what} as CSV${rows} (UTF-8 with BOM; cells that could run as formulas are neutralised)`, 'text/csv', 'CSV'), async (c) => desk.csv(c, c.req.valid('param').bulletin))
    .openapi(file('/export.xlsx', `The ${what} as an Excel workbook (same rows as the CSV)`, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'XLSX'), async (c) =>
      desk.xlsx(c, c.req.valid('param').bulletin),
    )
    .openapi(file('/print', `The ${what} as a print-ready A4 HTML page (no scripts)`, 'text/html', 'HTML'), async (c) => desk.print(c, c.req.valid('param').bulletin));
}
