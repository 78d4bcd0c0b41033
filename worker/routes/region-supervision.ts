/**
 * Region supervisors (issue 24): the cross-town overdue board of a region and its numbered region
 * bulletins. Who may: worker/domain/access.ts — a region's own supervisor (and admins) read and
 * write here; a city's supervisor also reads the board and bulletins of its counties; town accounts
 * reach none of it. Published region bulletins are public.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { contract } from './contract.ts';
import type { AppEnv } from '../env.ts';
import { notFound } from '../errors.ts';
import { validationHook } from '../validation.ts';
import { regionCaller } from '../auth/middleware.ts';
import { readRegion, townRegionIds } from '../db/regions.ts';
import { REGION_BULLETINS, type RegionBulletinRow } from '../db/bulletins.ts';
import { readRegionFacts, readRegionHead } from '../db/region-supervision.ts';
import { readViews } from '../db/supervision.ts';
import { regionBoard, type TownItems } from '../domain/region-board.ts';
import { RegionBulletinDraftInput, defaultRegionBulletinTitle, regionBulletinHtml, regionBulletinPrefix, regionBulletinSheet } from '../domain/region-bulletin.ts';
import { RegionView } from '../domain/region-view.ts';
import { cstDate } from '../domain/supervision.ts';
import { evaluateTasks } from '../domain/supervision-views.ts';
import { BulletinBase, IdemHeaders, bulletinDesk, bulletinItemRoutes } from './bulletin-scope.ts';
import { DateParam, Slug, err, json, todayCst } from './supervision.ts';

type Ctx = Context<AppEnv, any, any>;

const RegionParam = z.object({ region: Slug.openapi({ param: { name: 'region', in: 'path' }, example: 'shanting' }) });

const TownRef = z.object({ id: z.string(), name: z.string() });
const OverdueItem = z
  .object({ ref: z.string().openapi({ description: '`<town>:<task>`' }), code: z.string(), title: z.string(), due: z.string(), overdue_days: z.number().int(), status: z.string(), percent: z.number() })
  .openapi('RegionOverdueItem');
const Counts = z.object({ tasks: z.number().int(), overdue: z.number().int(), at_risk: z.number().int(), stale: z.number().int() });
const RegionBoardView = z
  .object({
    region: z.object({ id: z.string(), name: z.string(), level: z.enum(['county', 'city']) }),
    as_of: z.string(),
    options: z.object({ window_days: z.number(), stale_days: z.number() }),
    counts: Counts.extend({ towns: z.number().int(), towns_with_overdue: z.number().int() }),
    towns: z.array(
      z.object({
        town: TownRef,
        counts: Counts,
        units: z
          .array(z.object({ unit: TownRef, overdue: z.array(OverdueItem) }))
          .optional()
          .openapi({ description: "Only when asked for one town (?town=): its units with overdue tasks, in the town board order; each task most days overdue first (the town's own board has every detail)" }),
        unassigned: z.array(OverdueItem).optional().openapi({ description: 'Only with ?town=: overdue tasks without a responsible unit' }),
      }),
    ).openapi({ description: 'Every town of the region (or the one asked for), most overdue first (then by name)' }),
    units: z
      .array(z.object({ town: TownRef, unit: TownRef, overdue: z.number().int(), at_risk: z.number().int(), stale: z.number().int() }))
      .openapi({ description: "Every unit of every town with something flagged, ranked by overdue, then at risk, then stale (a town's units are its own: never summed across towns)" }),
  })
  .openapi('RegionBoard');

const RegionBulletinSummary = BulletinBase.extend({ region: z.string() });
const RegionBulletinView = RegionBulletinSummary.extend({
  /** The region's public read model (GET /regions/{region}): live for a draft, frozen at issue. */
  figures: RegionView,
  frozen: z.boolean().openapi({ description: "True once issued: the figures (the region's public read model, GET /regions/{region}) were stored at issue and never change" }),
}).openapi('RegionBulletin');

const readers = { roles: ['region_supervisor', 'admin'] as ('region_supervisor' | 'admin')[], region: 'read' as const };
const writers = { roles: ['region_supervisor', 'admin'] as ('region_supervisor' | 'admin')[], region: 'own' as const };

const boardRoute = contract(readers, {
  method: 'get',
  path: '/regions/{region}/board',
  summary: "Cross-town overdue board of a region as of a date: each town's overdue tasks by unit, and the units of all its towns ranked (the town board's rules; region supervisor, admin)",
  request: {
    params: RegionParam,
    query: z.object({
      asOf: DateParam.optional().openapi({ description: 'The state as known at the end of this day (China Standard Time); default today' }),
      window_days: z.coerce.number().int().min(0).max(366).default(30),
      stale_days: z.coerce.number().int().min(1).max(3660).default(30),
      kind: z.enum(['plan', 'rectification']).optional(),
      town: Slug.optional().openapi({
        description: "One town of the region: the board of that town alone, with its units' overdue tasks listed (without it, every town with its counts only, so a county's board stays small on a phone)",
      }),
    }),
  },
  responses: { 200: json(RegionBoardView, 'The board'), 404: err('No such region, or the town is not in it') },
});
const draftRoute = contract(writers, {
  method: 'post',
  path: '/regions/{region}/bulletins',
  summary: "Draft a region bulletin; its figures are the region's public page's, live until issued (the region's supervisor, admin)",
  request: { params: RegionParam, headers: IdemHeaders, body: { content: { 'application/json': { schema: RegionBulletinDraftInput } }, required: true } },
  responses: { 201: json(RegionBulletinView, 'Draft'), 404: err('No such region'), 422: err('Idempotency-Key reused') },
});
const listRoute = contract(readers, {
  method: 'get',
  path: '/regions/{region}/bulletins',
  summary: "The region's bulletins, drafts included (region supervisor, admin)",
  request: { params: RegionParam, query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }) },
  responses: { 200: json(z.object({ bulletins: z.array(RegionBulletinSummary) }), 'Bulletins') },
});
const publishedRoute = contract('public', {
  method: 'get',
  path: '/regions/{region}/bulletins/published',
  summary: "Public: the region's published bulletins",
  request: { params: RegionParam, query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }) },
  responses: { 200: json(z.object({ bulletins: z.array(RegionBulletinSummary) }), 'Published bulletins') },
});
/** The region's public read model now: the same function the public page and GET /regions/{region} use. */
async function liveFigures(c: Ctx, region: string): Promise<RegionView> {
  const r = await readRegion(c.env.DB, region);
  if (!r) throw notFound('Region', '地区', region);
  return r.view;
}

/**
 * Region bulletins: the region's own supervisor (and admins) write them; its supervisors (a city's:
 * its counties' too) read them; figures are the region's public read model. Audited with no town,
 * the region in the detail.
 */
const desk = bulletinDesk<RegionBulletinRow, RegionView>({
  store: REGION_BULLETINS,
  ownerKey: 'region',
  idPrefix: 'rbul',
  ownerWords: ['Region', '地区'],
  mayRead: (c, region) => regionCaller(c, region, 'read'),
  mayWrite: async (c, region) => (await regionCaller(c, region, 'own')).caller,
  figures: (c, b) => liveFigures(c, b.region_id),
  numberPrefix: (f) => regionBulletinPrefix(f.region.name),
  issuer: (f) => f.region.name,
  audit: (region) => ({ town_id: null, detail: { region } }),
  html: regionBulletinHtml,
  sheet: regionBulletinSheet,
});

/** Mounted at /api/v1. */
export const regionSupervision = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(boardRoute, async (c) => {
    const { region } = c.req.valid('param');
    const q = c.req.valid('query');
    const head = await readRegionHead(c.env.DB, region);
    if (!head) throw notFound('Region', '地区', region);
    const asOf = q.asOf ?? todayCst();
    const opts = { windowDays: q.window_days, staleDays: q.stale_days };
    let towns: TownItems[];
    if (q.town) {
      // One town of the region, read alone (the town board's own statements).
      const v = (await townRegionIds(c.env.DB, q.town)).includes(region) ? await readViews(c.env.DB, q.town, asOf, opts) : null;
      if (!v) throw notFound('Town', '乡镇', q.town);
      towns = [{ facts: v.facts, items: v.items }];
    } else towns = (await readRegionFacts(c.env.DB, region, asOf)).map((facts) => ({ facts, items: evaluateTasks(facts, asOf, opts) }));
    const board = regionBoard(towns, { kind: q.kind, detail: !!q.town });
    return c.json({ region: { id: head.id, name: head.name, level: head.level }, as_of: asOf, options: { window_days: q.window_days, stale_days: q.stale_days }, ...board }, 200);
  })
  .openapi(draftRoute, async (c) => {
    const { region } = c.req.valid('param');
    const input = c.req.valid('json');
    return desk.draft(c, region, { input, title: input.title, remarks: input.remarks, extra: [], defaultTitle: (name, now) => defaultRegionBulletinTitle(name, cstDate(now)), detail: {} });
  })
  .openapi(listRoute, async (c) => desk.list(c, c.req.valid('param').region, false, c.req.valid('query').limit))
  .openapi(publishedRoute, async (c) => desk.list(c, c.req.valid('param').region, true, c.req.valid('query').limit))
  .route(
    '/',
    bulletinItemRoutes(desk, {
      base: '/region-bulletins',
      View: RegionBulletinView,
      writers: { roles: ['region_supervisor', 'admin'] },
      words: { what: 'region bulletin', owner: 'region', readers: "the region's supervisors (a city's: its counties' too) and admins", writers: "the region's own supervisor, admin", rows: ': its figures, a row per town' },
    }),
  );
