/** GET /api/health: is the database reachable, which migration is applied, which content is loaded. */
import { Hono } from 'hono';
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { contract } from './contract.ts';
import type { AppEnv } from '../env.ts';
import { latestMigration } from '../db/health.ts';

export const health = new Hono<AppEnv>().get('/', async (c) => {
  try {
    const m = await latestMigration(c.env.DB);
    return c.json({ status: 'ok', database: 'reachable', migration: m.name, migrations_applied: m.count, content_hash: m.contentHash }, 200);
  } catch (e) {
    console.error('health: database check failed', e);
    return c.json({ status: 'degraded', database: 'unreachable', migration: null, migrations_applied: 0, content_hash: null }, 503);
  }
});

const PingView = z.object({ status: z.literal('ok') }).openapi('Ping');
const pingRoute = contract('public', {
  method: 'get',
  path: '/ping',
  summary: 'Liveness only: a constant answer that touches no database (the benchmark baseline route)',
  responses: { 200: { description: 'Alive', content: { 'application/json': { schema: PingView } } } },
});

/** GET /api/v1/ping: the cheapest route (no D1); `npm run bench` reports every route as a ratio to it. */
export const ping = new OpenAPIHono<AppEnv>().openapi(pingRoute, (c) => c.json({ status: 'ok' as const }, 200));
