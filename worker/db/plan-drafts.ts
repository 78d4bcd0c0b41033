/**
 * What the plan drafter reads from D1: the indicator catalogue (to map targets) and whether a town id
 * is taken (a draft never replaces a live town). Its audit row is written by the route.
 */
import type { IndicatorDef } from '../domain/content.ts';

/** The catalogue as loaded from content/indicators.yaml, in its order. */
export async function readCatalogue(db: D1Database): Promise<IndicatorDef[]> {
  const { results } = await db
    .prepare('SELECT id, name, name_en, kind, unit, direction, definition FROM indicators ORDER BY ordinal')
    .all<{ id: string; name: string; name_en: string; kind: 'numeric' | 'qualitative'; unit: string | null; direction: 'increase' | 'decrease' | 'maintain'; definition: string | null }>();
  return results.map((r) => ({ id: r.id, name: r.name, name_en: r.name_en, kind: r.kind, direction: r.direction, ...(r.unit ? { unit: r.unit } : {}), ...(r.definition ? { definition: r.definition } : {}) }));
}

/** Whether a town with this id is live. */
export async function townExists(db: D1Database, id: string): Promise<boolean> {
  return (await db.prepare('SELECT 1 AS x FROM towns WHERE id = ?').bind(id).first()) !== null;
}
