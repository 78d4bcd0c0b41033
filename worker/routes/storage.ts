/**
 * Storage per town, for admins: how many evidence files each town has stored and how many bytes
 * they take (docs/evidence.md, "Storage and backups"). Shown on the console's admin screen.
 * Mounted at /api/v1.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { contract } from './contract.ts';
import type { AppEnv } from '../env.ts';
import { validationHook } from '../validation.ts';
import { readStorage } from '../db/storage.ts';

/** One town's stored evidence files. */
export const TownStorage = z
  .object({
    town: z.string().openapi({ description: 'Town id', example: 'fengmao' }),
    name: z.string().openapi({ description: 'Town name', example: '冯卯镇' }),
    files: z.number().int().nonnegative().openapi({ description: 'Files stored (each content hash once per town)' }),
    bytes: z.number().int().nonnegative().openapi({ description: 'Their bytes' }),
  })
  .openapi('TownStorage');

/** Every town's stored evidence files. */
export const StorageReport = z.object({ towns: z.array(TownStorage).openapi({ description: 'Every town, largest first' }) }).openapi('StorageReport');

const storageRoute = contract({ roles: ['admin'] }, {
  method: 'get',
  path: '/admin/storage',
  summary: 'Evidence files stored per town: how many and their bytes, every town, largest first (admin)',
  responses: { 200: { description: 'Storage per town', content: { 'application/json': { schema: StorageReport } } } },
});

/** Mounted at /api/v1. */
export const storage = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(storageRoute, async (c) => c.json({ towns: await readStorage(c.env.DB) }, 200));
