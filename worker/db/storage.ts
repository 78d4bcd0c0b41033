/**
 * Storage per town (GET /api/v1/admin/storage): the evidence files each town has stored
 * (migrations/0020 `files`), counted and summed. A town's bytes are what it uploaded, counted once
 * per hash within the town; two towns that stored the same bytes each count them (R2 keeps one
 * object), as the per-town limit (docs/evidence.md) does.
 */
import type { D1Database } from '@cloudflare/workers-types/index.ts';

/** One town's stored files. */
export interface TownStorage {
  town: string;
  name: string;
  files: number;
  bytes: number;
}

/** Every town, files stored and their bytes (0 for a town with none), largest first, then by id. */
export async function readStorage(db: D1Database): Promise<TownStorage[]> {
  const r = await db
    .prepare(
      `SELECT t.id AS town, t.name AS name, COUNT(f.sha256) AS files, COALESCE(SUM(f.bytes), 0) AS bytes
         FROM towns t LEFT JOIN files f ON f.town_id = t.id
        GROUP BY t.id ORDER BY bytes DESC, t.id`,
    )
    .all<TownStorage>();
  return r.results;
}
