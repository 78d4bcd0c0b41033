/**
 * Bulletins (通报): a supervisor or the office drafts a bulletin for a period; issuing gives it
 * the next number of the town and year (冯卯医养督〔2019〕1号) and freezes its figures; an issued
 * bulletin can be published to the public or kept internal. Exports: CSV, XLSX, printable HTML.
 * The flow is the one bulletin module's (bulletin-scope.ts); this file is the town scope and its contracts.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { contract } from './contract.ts';
import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { notFound } from '../errors.ts';
import { validationHook } from '../validation.ts';
import { TOWN_BULLETINS, type BulletinRow } from '../db/bulletins.ts';
import { listInspections, readViews } from '../db/supervision.ts';
import { BulletinDraftInput, BulletinFigures, bulletinFigures, bulletinHtml, bulletinSheet } from '../domain/bulletin.ts';
import { bulletinPrefix, knownBefore } from '../domain/supervision.ts';
import { indicatorBoard, unitStandings } from '../domain/supervision-views.ts';
import { BulletinBase, IdemHeaders, bulletinDesk, bulletinItemRoutes } from './bulletin-scope.ts';
import { TOWN_READERS, TownParam, err, json, staffOf, todayCst } from './supervision.ts';

const BulletinSummary = BulletinBase.extend({ town: z.string(), period_from: z.string(), period_to: z.string() });
const BulletinView = BulletinSummary.extend({
  figures: BulletinFigures,
  frozen: z.boolean().openapi({ description: 'True once issued: the figures were stored at issue time and never change' }),
}).openapi('Bulletin');

const DraftInput = BulletinDraftInput;

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
type Ctx = Context<AppEnv, any, any>;

/** The figures of a bulletin of `town` for a period, as of `asOf`. */
async function computeFigures(c: Ctx, town: string, period: { from: string; to: string }, asOf: string): Promise<BulletinFigures> {
  const v = await readViews(c.env.DB, town, asOf);
  if (!v) throw notFound('Town', '乡镇', town);
  const inspections = await listInspections(c.env.DB, town, { from: period.from, to: period.to, cutoff: knownBefore(asOf), limit: 500 });
  return bulletinFigures(v.facts, v.items, unitStandings(v.items, v.facts.units), indicatorBoard(v.facts, v.items, asOf), inspections, period, asOf);
}

const figuresAsOf = (b: { period_to: string }) => (b.period_to < todayCst() ? b.period_to : todayCst());

/** Town bulletins: the town's supervisors and office write them, its readers (its region's supervisors too) read them; figures of the period, as of its end. */
const desk = bulletinDesk<BulletinRow, BulletinFigures>({
  store: TOWN_BULLETINS,
  ownerKey: 'town',
  idPrefix: 'bul',
  ownerWords: ['Town', '乡镇'],
  mayRead: (c, town) => staffOf(c, town, 'read'),
  mayWrite: (c, town) => staffOf(c, town),
  figures: (c, b) => computeFigures(c, b.town_id, { from: b.period_from, to: b.period_to }, figuresAsOf(b)),
  numberPrefix: (f) => bulletinPrefix(f.town.name),
  issuer: (f) => f.town.name,
  audit: (town) => ({ town_id: town, detail: {} }),
  html: bulletinHtml,
  sheet: bulletinSheet,
});

/** Mounted at /api/v1. */
export const bulletins = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(createRouteDef, async (c) => {
    const { town } = c.req.valid('param');
    const input = c.req.valid('json');
    const { period_from, period_to } = input;
    return desk.draft(c, town, {
      input,
      title: input.title,
      remarks: input.remarks,
      extra: [period_from, period_to],
      defaultTitle: (name) => `关于${name}医养结合示范镇创建工作进展情况的通报（${period_from}至${period_to}）`,
      detail: { period_from, period_to },
    });
  })
  .openapi(listRoute, async (c) => {
    const { town } = c.req.valid('param');
    await staffOf(c, town, 'read');
    return desk.list(c, town, false, c.req.valid('query').limit);
  })
  .openapi(publishedRoute, async (c) => desk.list(c, c.req.valid('param').town, true, c.req.valid('query').limit))
  .route(
    '/',
    bulletinItemRoutes(desk, {
      base: '/bulletins',
      View: BulletinView,
      writers: { roles: ['supervisor', 'office', 'admin'] },
      words: { what: 'bulletin', owner: 'town', readers: 'supervisor, office, region supervisor, admin', writers: 'supervisor, office, admin', rows: '' },
    }),
  );
