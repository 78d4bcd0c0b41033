/** GET /api/health: is the database reachable, which migration is applied, which content is loaded. */
import { Hono } from 'hono';
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
