/** Builders and helpers for worker tests: real Worker, real local D1. */
import { env, SELF } from 'cloudflare:test';
import type { ContentBundle } from '../../worker/domain/content.ts';
import { contentStatements } from '../../worker/db/content.ts';
import { runBatch } from '../../worker/db/batch.ts';
import { readTownIds, refreshSummary } from '../../worker/db/summaries.ts';

/** content/ as parsed on the host by the same reader the CLI uses. */
export const content = (): ContentBundle => structuredClone(env.TEST_CONTENT);

/** Loads a content bundle exactly as `npm start` does (same statements), at time `now`. */
export async function loadContent(bundle: ContentBundle = content(), now = '2026-01-01T00:00:00.000Z'): Promise<void> {
  await runBatch(env.DB, await contentStatements(bundle, now));
}

/** Fengmao plus a second town `othertown` (a copy of Fengmao's plan under another id). */
export async function loadTwoTowns(): Promise<void> {
  const bundle = content();
  const fengmao = bundle.towns.find((t) => t.town.id === 'fengmao')!;
  bundle.towns.push({ ...structuredClone(fengmao), town: { ...structuredClone(fengmao.town), id: 'othertown', name: '另一镇', name_en: { value: 'Other', basis: 'external', note: '测试用的第二个镇' } } });
  await loadContent(bundle);
}

/** Every town's summary recomputed at `now`, as the nightly job does town by town (worker/scheduled.ts); how many it computed. */
export async function refreshAllSummaries(now = new Date()): Promise<number> {
  let n = 0;
  for (const id of await readTownIds(env.DB)) if (await refreshSummary(env.DB, id, now)) n++;
  return n;
}

/** GET a path on the real Worker and parse JSON. */
export async function getJson<T = any>(path: string): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await SELF.fetch(`http://localhost${path}`);
  return { status: res.status, body: (await res.json()) as T, headers: res.headers };
}

/** Every row of every application table, for before/after comparisons. */
export async function dumpTables(): Promise<Record<string, unknown[]>> {
  const tables = await env.DB.prepare(
    // The FTS5 index's shadow tables (search_grams_*) are compared through search_grams itself.
    `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'search\\_grams\\_%' ESCAPE '\\' ORDER BY name`,
  ).all<{ name: string }>();
  const out: Record<string, unknown[]> = {};
  for (const { name } of tables.results) {
    out[name] = (await env.DB.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all()).results;
  }
  return out;
}
