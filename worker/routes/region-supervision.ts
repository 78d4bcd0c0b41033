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
import { ApiError, notFound } from '../errors.ts';
import { validationHook } from '../validation.ts';
import { regionCaller } from '../auth/middleware.ts';
import { auditStmt } from '../db/audit.ts';
import { runBatch } from '../db/batch.ts';
import { clearGuards, guardStmt } from '../db/updates.ts';
import { readRegion, townRegionIds } from '../db/regions.ts';
import { readViews } from '../db/supervision.ts';
import {
  draftRegionBulletinStmt,
  issueRegionBulletinStmts,
  listRegionBulletins,
  publishRegionBulletinStmt,
  readRegionBulletin,
  readRegionFacts,
  readRegionHead,
  type RegionBulletinRow,
} from '../db/region-supervision.ts';
import { regionBoard, type TownItems } from '../domain/region-board.ts';
import { RegionBulletinDraftInput, defaultRegionBulletinTitle, regionBulletinHtml, regionBulletinPrefix } from '../domain/region-bulletin.ts';
import { RegionView } from '../domain/region-view.ts';
import { cstDate } from '../domain/supervision.ts';
import { evaluateTasks } from '../domain/supervision-views.ts';
import { once } from './updates.ts';
import { DateParam, Slug, err, json, todayCst } from './supervision.ts';

type Ctx = Context<AppEnv, any, any>;

const RegionParam = z.object({ region: Slug.openapi({ param: { name: 'region', in: 'path' }, example: 'shanting' }) });
const BulletinParam = z.object({ bulletin: z.string().min(1).max(64).openapi({ param: { name: 'bulletin', in: 'path' } }) });
const IdemHeaders = z.object({
  'idempotency-key': z.string().min(8).max(200).regex(/^[\x21-\x7e]+$/).openapi({ description: 'Unique per logical request; a retry sends the same key' }),
});

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

const RegionBulletinSummary = z.object({
  id: z.string(),
  region: z.string(),
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
const readRoute = contract('mixed', {
  method: 'get',
  path: '/region-bulletins/{bulletin}',
  summary: "One region bulletin with its figures (frozen once issued). Public when published; otherwise the region's supervisors and admins",
  request: { params: BulletinParam },
  responses: { 200: json(RegionBulletinView, 'Bulletin'), 404: err('No such bulletin') },
});
const issueRoute = contract({ roles: ['region_supervisor', 'admin'] }, {
  method: 'post',
  path: '/region-bulletins/{bulletin}/issue',
  summary: 'Issue a draft: the next number of the region and year, figures frozen (the region’s supervisor, admin)',
  request: { params: BulletinParam },
  responses: { 200: json(RegionBulletinView, 'Issued'), 404: err('No such bulletin'), 409: err('Already issued') },
});
const publishRoute = contract({ roles: ['region_supervisor', 'admin'] }, {
  method: 'post',
  path: '/region-bulletins/{bulletin}/publish',
  summary: 'Publish an issued region bulletin (its print page and the region’s feed), or keep it internal (the region’s supervisor, admin)',
  request: { params: BulletinParam, body: { content: { 'application/json': { schema: z.strictObject({ visibility: z.enum(['public', 'internal']) }) } }, required: true } },
  responses: { 200: json(RegionBulletinView, 'Updated'), 404: err('No such bulletin'), 409: err('Not issued yet') },
});
const printRoute = contract('mixed', {
  method: 'get',
  path: '/region-bulletins/{bulletin}/print',
  summary: 'The region bulletin as a print-ready A4 HTML page (no scripts), in the town bulletins’ layout. Same access as the bulletin',
  request: { params: BulletinParam },
  responses: { 200: { description: 'HTML', content: { 'text/html': { schema: z.string() } } }, 404: err('No such bulletin') },
});

const summary = (b: Omit<RegionBulletinRow, 'figures_json'>) => ({
  id: b.id,
  region: b.region_id,
  title: b.title,
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

/** The region's public read model now: the same function the public page and GET /regions/{region} use. */
async function liveFigures(c: Ctx, region: string): Promise<RegionView> {
  const r = await readRegion(c.env.DB, region);
  if (!r) throw notFound('Region', '地区', region);
  return r.view;
}

async function view(c: Ctx, b: RegionBulletinRow) {
  const figures = b.figures_json ? (JSON.parse(b.figures_json) as RegionView) : await liveFigures(c, b.region_id);
  return { ...summary(b), figures, frozen: b.state === 'issued' };
}

/** The bulletin, if the caller may read it: anyone once published, else its region's supervisors (a city's: its counties' too) and admins. */
async function readable(c: Ctx, id: string) {
  const b = await readRegionBulletin(c.env.DB, id);
  if (!b) throw notFound('Bulletin', '通报', id);
  if (!(b.state === 'issued' && b.visibility === 'public')) await regionCaller(c, b.region_id, 'read');
  return b;
}

/** The bulletin, if the caller may change it: its own region's supervisor, admins. */
async function writable(c: Ctx, id: string) {
  const b = await readRegionBulletin(c.env.DB, id);
  if (!b) throw notFound('Bulletin', '通报', id);
  const { caller } = await regionCaller(c, b.region_id, 'own');
  return { b, caller };
}

const hex = (n: number) => [...crypto.getRandomValues(new Uint8Array(n))].map((x) => x.toString(16).padStart(2, '0')).join('');

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
    const { caller } = await regionCaller(c, region, 'own');
    const input = c.req.valid('json');
    const head = await readRegionHead(c.env.DB, region);
    if (!head) throw notFound('Region', '地区', region);
    return once(c, caller, input, async () => {
      const now = new Date().toISOString();
      const id = `rbul-${hex(8)}`;
      const title = input.title ?? defaultRegionBulletinTitle(head.name, cstDate(now));
      const row: RegionBulletinRow = {
        id,
        region_id: region,
        title,
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
          draftRegionBulletinStmt({ id, region, title, remarks: input.remarks, created_by: caller.id, created_at: now }),
          auditStmt({ at: now, actor: caller.id, action: 'region_bulletin.draft', town_id: null, unit_id: null, entity: 'region_bulletin', entity_id: id, detail: { region } }),
        ],
        onConflict: async () => new ApiError(409, 'conflict', '保存通报草稿时发生冲突，请重试。', 'Conflict while saving the draft; retry.'),
      };
    });
  })
  .openapi(listRoute, async (c) => {
    const { region } = c.req.valid('param');
    return c.json({ bulletins: (await listRegionBulletins(c.env.DB, region, false, c.req.valid('query').limit)).map(summary) }, 200);
  })
  .openapi(publishedRoute, async (c) => {
    const { region } = c.req.valid('param');
    c.header('Cache-Control', 'public, max-age=60');
    return c.json({ bulletins: (await listRegionBulletins(c.env.DB, region, true, c.req.valid('query').limit)).map(summary) }, 200);
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
    const figures = await liveFigures(c, b.region_id);
    try {
      await runBatch(c.env.DB, [
        ...issueRegionBulletinStmts(
          { id: b.id, region: b.region_id, prefix: regionBulletinPrefix(figures.region.name), year: Number(cstDate(now).slice(0, 4)), figures, actor: caller.id, now },
          guardStmt('region_bulletin_state', 'draft', `SELECT state FROM region_bulletins WHERE id = ?`, b.id),
        ),
        clearGuards(),
      ]);
    } catch (e) {
      if (/CHECK constraint failed/.test(String((e as Error).message))) throw already();
      throw e;
    }
    return c.json(await view(c, (await readRegionBulletin(c.env.DB, b.id))!), 200);
  })
  .openapi(publishRoute, async (c) => {
    const { b, caller } = await writable(c, c.req.valid('param').bulletin);
    if (b.state !== 'issued') throw new ApiError(409, 'not_issued', '通报尚未印发，不能公开。', 'Issue the bulletin before publishing it.');
    const { visibility } = c.req.valid('json');
    const now = new Date().toISOString();
    await runBatch(c.env.DB, [
      publishRegionBulletinStmt(b.id, visibility, now),
      auditStmt({ at: now, actor: caller.id, action: visibility === 'public' ? 'region_bulletin.publish' : 'region_bulletin.unpublish', town_id: null, entity: 'region_bulletin', entity_id: b.id, detail: { region: b.region_id, number: b.number } }),
    ]);
    return c.json(await view(c, (await readRegionBulletin(c.env.DB, b.id))!), 200);
  })
  .openapi(printRoute, async (c) => {
    const b = await readable(c, c.req.valid('param').bulletin);
    const v = await view(c, b);
    c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    const issued_on = b.issued_at ? cstDate(b.issued_at) : null;
    return c.html(regionBulletinHtml({ title: b.title, number: b.number, issuer: v.figures.region.name, issued_on, remarks: b.remarks }, v.figures), 200) as never;
  });
