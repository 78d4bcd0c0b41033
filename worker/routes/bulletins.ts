/**
 * Bulletins (通报): a supervisor or the office drafts a bulletin for a period; issuing gives it
 * the next number of the town and year (冯卯医养督〔2019〕1号) and freezes its figures; an issued
 * bulletin can be published to the public or kept internal. Exports: CSV, XLSX, printable HTML.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { contract } from './contract.ts';
import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { ApiError, notFound } from '../errors.ts';
import { validationHook } from '../validation.ts';
import { auditStmt } from '../db/audit.ts';
import { runBatch } from '../db/batch.ts';
import { clearGuards, guardStmt } from '../db/updates.ts';
import {
  draftBulletinStmt,
  issueStmts,
  listBulletins,
  listInspections,
  publishStmt,
  readBulletin,
  readViews,
  type BulletinRow,
} from '../db/supervision.ts';
import { BulletinDraftInput, BulletinFigures, bulletinFigures, bulletinHtml, bulletinSheet } from '../domain/bulletin.ts';
import { csvAnswer, printAnswer, xlsxAnswer } from './bulletin-scope.ts';
import { bulletinPrefix, cstDate, knownBefore } from '../domain/supervision.ts';
import { indicatorBoard, unitStandings } from '../domain/supervision-views.ts';
import { once } from './updates.ts';
import { TOWN_READERS, TownParam, err, json, staffOf, todayCst } from './supervision.ts';

const BulletinSummary = z.object({
  id: z.string(),
  town: z.string(),
  title: z.string(),
  period_from: z.string(),
  period_to: z.string(),
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
const BulletinView = BulletinSummary.extend({
  figures: BulletinFigures,
  frozen: z.boolean().openapi({ description: 'True once issued: the figures were stored at issue time and never change' }),
}).openapi('Bulletin');

const DraftInput = BulletinDraftInput;

const IdemHeaders = z.object({
  'idempotency-key': z.string().min(8).max(200).regex(/^[\x21-\x7e]+$/).openapi({ description: 'Unique per logical request; a retry sends the same key' }),
});
const BulletinParam = z.object({ bulletin: z.string().min(1).max(64).openapi({ param: { name: 'bulletin', in: 'path' } }) });

const createRouteDef = contract({ roles: ['supervisor', 'office', 'admin'], town: 'town' }, {
  method: 'post',
  path: '/towns/{town}/bulletins',
  summary: 'Draft a bulletin for a period (supervisor, office, admin)',
  request: { params: TownParam, headers: IdemHeaders, body: { content: { 'application/json': { schema: DraftInput } }, required: true } },
  responses: { 201: json(BulletinView, 'Draft with live figures'), 400: err('Invalid body'), 401: err('Not signed in'), 403: err('Not permitted'), 404: err('No such town'), 422: err('Idempotency-Key reused') },
});
const listRoute = contract({ roles: TOWN_READERS, town: 'town' }, {
  method: 'get',
  path: '/towns/{town}/bulletins',
  summary: "The town's bulletins, drafts included (supervisor, office, region supervisor, admin)",
  request: { params: TownParam, query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }) },
  responses: { 200: json(z.object({ bulletins: z.array(BulletinSummary) }), 'Bulletins'), 401: err('Not signed in'), 403: err('Not permitted') },
});
const publishedRoute = contract('public', {
  method: 'get',
  path: '/towns/{town}/bulletins/published',
  summary: "Public: the town's published bulletins",
  request: { params: TownParam, query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }) },
  responses: { 200: json(z.object({ bulletins: z.array(BulletinSummary) }), 'Published bulletins') },
});
const readRoute = contract('mixed', {
  method: 'get',
  path: '/bulletins/{bulletin}',
  summary: 'One bulletin with its figures (frozen once issued). Public when published; otherwise supervisor, office, region supervisor, admin',
  request: { params: BulletinParam },
  responses: { 200: json(BulletinView, 'Bulletin'), 401: err('Not signed in (unpublished)'), 403: err('Not permitted'), 404: err('No such bulletin') },
});
const issueRoute = contract({ roles: ['supervisor', 'office', 'admin'] }, {
  method: 'post',
  path: '/bulletins/{bulletin}/issue',
  summary: 'Issue a draft: assigns the next number of the town and year and freezes the figures (supervisor, office, admin)',
  request: { params: BulletinParam },
  responses: { 200: json(BulletinView, 'Issued'), 401: err('Not signed in'), 403: err('Not permitted'), 404: err('No such bulletin'), 409: err('Already issued') },
});
const publishRoute = contract({ roles: ['supervisor', 'office', 'admin'] }, {
  method: 'post',
  path: '/bulletins/{bulletin}/publish',
  summary: 'Publish an issued bulletin to the public site, or keep it internal (supervisor, office, admin)',
  request: { params: BulletinParam, body: { content: { 'application/json': { schema: z.strictObject({ visibility: z.enum(['public', 'internal']) }) } }, required: true } },
  responses: { 200: json(BulletinView, 'Updated'), 400: err('Invalid body'), 401: err('Not signed in'), 403: err('Not permitted'), 404: err('No such bulletin'), 409: err('Not issued yet') },
});
const fileResponse = (type: string, description: string) => ({ description, content: { [type]: { schema: z.string().openapi({ format: 'binary' }) } } });
const exportErrors = { 401: err('Not signed in (unpublished)'), 403: err('Not permitted'), 404: err('No such bulletin') };
const csvRoute = contract('mixed', {
  method: 'get',
  path: '/bulletins/{bulletin}/export.csv',
  summary: 'The bulletin as CSV (UTF-8 with BOM; cells that could run as formulas are neutralised). Same access as the bulletin',
  request: { params: BulletinParam },
  responses: { 200: fileResponse('text/csv', 'CSV'), ...exportErrors },
});
const xlsxRoute = contract('mixed', {
  method: 'get',
  path: '/bulletins/{bulletin}/export.xlsx',
  summary: 'The bulletin as an Excel workbook (same rows as the CSV). Same access as the bulletin',
  request: { params: BulletinParam },
  responses: { 200: fileResponse('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'XLSX'), ...exportErrors },
});
const printRoute = contract('mixed', {
  method: 'get',
  path: '/bulletins/{bulletin}/print',
  summary: 'The bulletin as a print-ready A4 HTML page (no scripts). Same access as the bulletin',
  request: { params: BulletinParam },
  responses: { 200: fileResponse('text/html', 'HTML'), ...exportErrors },
});

type Ctx = Context<AppEnv, any, any>;

/** The figures of a bulletin of `town` for a period, as of `asOf`. */
async function computeFigures(c: Ctx, town: string, period: { from: string; to: string }, asOf: string): Promise<BulletinFigures> {
  const v = await readViews(c.env.DB, town, asOf);
  if (!v) throw notFound('Town', '乡镇', town);
  const inspections = await listInspections(c.env.DB, town, { from: period.from, to: period.to, cutoff: knownBefore(asOf), limit: 500 });
  return bulletinFigures(v.facts, v.items, unitStandings(v.items, v.facts.units), indicatorBoard(v.facts, v.items, asOf), inspections, period, asOf);
}

const figuresAsOf = (b: { period_to: string }) => (b.period_to < todayCst() ? b.period_to : todayCst());

const summary = (b: Omit<BulletinRow, 'figures_json'>) => ({
  id: b.id,
  town: b.town_id,
  title: b.title,
  period_from: b.period_from,
  period_to: b.period_to,
  remarks: b.remarks,
  state: b.state,
  visibility: b.visibility,
  number: b.number,
  year: b.year,
  seq: b.seq,
  created_at: b.created_at,
  issued_at: b.issued_at,
  published_at: b.published_at,
});

async function view(c: Ctx, b: BulletinRow) {
  const figures = b.figures_json ? (JSON.parse(b.figures_json) as BulletinFigures) : await computeFigures(c, b.town_id, { from: b.period_from, to: b.period_to }, figuresAsOf(b));
  return { ...summary(b), figures, frozen: b.state === 'issued' };
}

/** The bulletin if the caller may read it: anyone when published, else the town's staff. */
async function readable(c: Ctx, id: string) {
  const b = await readBulletin(c.env.DB, id);
  if (!b) throw notFound('Bulletin', '通报', id);
  if (!(b.state === 'issued' && b.visibility === 'public')) await staffOf(c, b.town_id, 'read');
  return b;
}

/** The bulletin if the caller may change it: the town's supervisors and office, and admins. */
async function writable(c: Ctx, id: string) {
  const b = await readBulletin(c.env.DB, id);
  if (!b) throw notFound('Bulletin', '通报', id);
  const caller = await staffOf(c, b.town_id);
  return { b, caller };
}

/** Mounted at /api/v1. */
export const bulletins = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(createRouteDef, async (c) => {
    const { town } = c.req.valid('param');
    const caller = await staffOf(c, town);
    const input = c.req.valid('json');
    const townRow = await c.env.DB.prepare(`SELECT name FROM towns WHERE id = ?`).bind(town).first<{ name: string }>();
    if (!townRow) throw notFound('Town', '乡镇', town);
    return once(c, caller, input, async () => {
      const now = new Date().toISOString();
      const id = `bul-${[...crypto.getRandomValues(new Uint8Array(8))].map((x) => x.toString(16).padStart(2, '0')).join('')}`;
      const title = input.title ?? `关于${townRow.name}医养结合示范镇创建工作进展情况的通报（${input.period_from}至${input.period_to}）`;
      const row: BulletinRow = {
        id,
        town_id: town,
        title,
        period_from: input.period_from,
        period_to: input.period_to,
        remarks: input.remarks,
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
      };
      return {
        status: 201 as const,
        answer: await view(c, row),
        stmts: [
          draftBulletinStmt({ id, town, title, period_from: input.period_from, period_to: input.period_to, remarks: input.remarks, created_by: caller.id, created_at: now }),
          auditStmt({ at: now, actor: caller.id, action: 'bulletin.draft', town_id: town, entity: 'bulletin', entity_id: id, detail: { period_from: input.period_from, period_to: input.period_to } }),
        ],
        onConflict: async () => new ApiError(409, 'conflict', '保存通报草稿时发生冲突，请重试。', 'Conflict while saving the draft; retry.'),
      };
    });
  })
  .openapi(listRoute, async (c) => {
    const { town } = c.req.valid('param');
    await staffOf(c, town, 'read');
    return c.json({ bulletins: (await listBulletins(c.env.DB, town, false, c.req.valid('query').limit)).map(summary) }, 200);
  })
  .openapi(publishedRoute, async (c) => {
    const { town } = c.req.valid('param');
    c.header('Cache-Control', 'public, max-age=60');
    return c.json({ bulletins: (await listBulletins(c.env.DB, town, true, c.req.valid('query').limit)).map(summary) }, 200);
  })
  .openapi(readRoute, async (c) => {
    const b = await readable(c, c.req.valid('param').bulletin);
    return c.json(await view(c, b), 200);
  })
  .openapi(issueRoute, async (c) => {
    const { b, caller } = await writable(c, c.req.valid('param').bulletin);
    const already = () => new ApiError(409, 'already_issued', '这份通报已经印发，不能再次印发。', 'This bulletin was already issued.');
    if (b.state !== 'draft') throw already();
    const now = new Date().toISOString();
    const figures = await computeFigures(c, b.town_id, { from: b.period_from, to: b.period_to }, figuresAsOf(b));
    const townName = figures.town.name;
    try {
      await runBatch(c.env.DB, [
        ...issueStmts(
          { id: b.id, town: b.town_id, prefix: bulletinPrefix(townName), year: Number(cstDate(now).slice(0, 4)), figures, actor: caller.id, now },
          guardStmt('bulletin_state', 'draft', `SELECT state FROM bulletins WHERE id = ?`, b.id),
        ),
        clearGuards(),
      ]);
    } catch (e) {
      if (/CHECK constraint failed/.test(String((e as Error).message))) throw already();
      throw e;
    }
    return c.json(await view(c, (await readBulletin(c.env.DB, b.id))!), 200);
  })
  .openapi(publishRoute, async (c) => {
    const { b, caller } = await writable(c, c.req.valid('param').bulletin);
    if (b.state !== 'issued') throw new ApiError(409, 'not_issued', '通报尚未印发，不能公开。', 'Issue the bulletin before publishing it.');
    const { visibility } = c.req.valid('json');
    const now = new Date().toISOString();
    await runBatch(c.env.DB, [
      publishStmt(b.id, visibility, now),
      auditStmt({ at: now, actor: caller.id, action: visibility === 'public' ? 'bulletin.publish' : 'bulletin.unpublish', town_id: b.town_id, entity: 'bulletin', entity_id: b.id, detail: { number: b.number } }),
    ]);
    return c.json(await view(c, (await readBulletin(c.env.DB, b.id))!), 200);
  })
  .openapi(csvRoute, async (c) => {
    const b = await readable(c, c.req.valid('param').bulletin);
    return csvAnswer(c, b, bulletinSheet(b, (await view(c, b)).figures)) as never;
  })
  .openapi(xlsxRoute, async (c) => {
    const b = await readable(c, c.req.valid('param').bulletin);
    return (await xlsxAnswer(c, b, bulletinSheet(b, (await view(c, b)).figures))) as never;
  })
  .openapi(printRoute, async (c) => {
    const b = await readable(c, c.req.valid('param').bulletin);
    const v = await view(c, b);
    const issued_on = b.issued_at ? cstDate(b.issued_at) : null;
    return printAnswer(c, bulletinHtml({ title: b.title, number: b.number, issuer: v.figures.town.name, issued_on, remarks: b.remarks }, v.figures)) as never;
  });
