/**
 * All SQL of the region supervisors' pages (issue 24): a region's head row, the supervision facts of
 * all its towns in one batch of eight statements whatever their number (the town board's own
 * statements with a region scope: worker/db/supervision.ts factsQueries). Region bulletins:
 * worker/db/bulletins.ts.
 */
import type { D1Database } from '@cloudflare/workers-types/index.ts';
import { knownBefore } from '../domain/supervision.ts';
import { factsQueries, readFactsOf } from './supervision.ts';
import type { Stmt } from './sql.ts';

/** The towns of region ?1 (county or city), as the public region page counts them (worker/db/regions.ts). */
const REGION_SCOPE = `$ IN (SELECT id FROM towns WHERE (county_region_id = ?1 OR city_region_id = ?1) AND document_json IS NOT NULL)`;

/** A region's id, name, level and city. */
export interface RegionHead {
  id: string;
  name: string;
  level: 'county' | 'city';
  city_id: string | null;
}

/** The region, or null when there is none. */
export async function readRegionHead(db: D1Database, id: string): Promise<RegionHead | null> {
  return db.prepare(`SELECT id, name, level, city_id FROM regions WHERE id = ?`).bind(id).first<RegionHead>();
}

/** The city a region belongs to (null for a city or a county without one); undefined when there is no such region. */
export async function readRegionCity(db: D1Database, id: string): Promise<string | null | undefined> {
  const r = await readRegionHead(db, id);
  return r ? r.city_id : undefined;
}

/** The statements of readRegionFacts; exported so tests and the benchmark can count and EXPLAIN them. */
export const regionFactsQueries = (region: string, asOf: string): Stmt[] => factsQueries(REGION_SCOPE, region, asOf, knownBefore(asOf));

/** Every town of the region with its supervision facts on day `asOf`, by town name: one batch of eight statements. */
export const readRegionFacts = (db: D1Database, region: string, asOf: string) => readFactsOf(db, regionFactsQueries(region, asOf));
