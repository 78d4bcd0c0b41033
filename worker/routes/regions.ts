/** Public: the regions (counties and cities) and each one's towns side by side. */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { contract } from './contract.ts';
import type { AppEnv } from '../env.ts';
import { ErrorBody, notFound } from '../errors.ts';
import { listRegions, readRegion } from '../db/regions.ts';
import { RegionView } from '../domain/region-view.ts';
import { validationHook } from '../validation.ts';

const RegionParam = z.object({
  region: z
    .string()
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/)
    .openapi({ param: { name: 'region', in: 'path' }, example: 'shanting' }),
});

const RegionList = z.object({
  regions: z.array(
    z.object({ id: z.string(), name: z.string(), level: z.enum(['county', 'city']), city_id: z.string().nullable(), towns: z.number().int().nonnegative() }),
  ),
});

const listRoute = contract('public', {
  method: 'get',
  path: '/regions',
  summary: 'Every region (county or city) with how many towns it holds',
  responses: { 200: { description: 'Regions', content: { 'application/json': { schema: RegionList } } } },
});

const regionRoute = contract('public', {
  method: 'get',
  path: '/regions/{region}',
  summary:
    "A region's towns side by side, as its page and data.json show them: per milestone the towns' targets by verdict, deliverables by state, each town's line (未报告 kept apart, never 0 %), the ranking with its rule (ties share a place), indicators across towns (counts summed, rates per town)",
  request: { params: RegionParam },
  responses: {
    200: { description: 'The region', content: { 'application/json': { schema: RegionView } } },
    404: { description: 'No such region', content: { 'application/json': { schema: ErrorBody } } },
  },
});

/** Mounted at /api/v1. */
export const regions = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(listRoute, async (c) => c.json({ regions: await listRegions(c.env.DB) }, 200))
  .openapi(regionRoute, async (c) => {
    const { region } = c.req.valid('param');
    const r = await readRegion(c.env.DB, region);
    if (!r) throw notFound('Region', '地区', region);
    c.header('Cache-Control', 'public, max-age=60');
    return c.json(r.view, 200);
  });
