/**
 * All SQL of the region supervisors' pages (issue 24): a region's head row, the supervision facts of
 * all its towns in one batch of eight statements whatever their number (the town board's own
 * statements with a region scope: worker/db/supervision.ts factsQueries), and region bulletins
 * (migration 0019).
 */
import type { D1Database } from '@cloudflare/workers-types/index.ts';
import { knownBefore } from '../domain/supervision.ts';
import { factsQueries, readFactsOf } from './supervision.ts';
import { stmt, type Stmt } from './sql.ts';

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

// ---------------------------------------------------------------- region bulletins

/** A region bulletin as stored. */
export interface RegionBulletinRow {
  id: string;
  region_id: string;
  title: string;
  remarks: string;
  state: 'draft' | 'issued';
  visibility: 'internal' | 'public';
  year: number | null;
  seq: number | null;
  number: string | null;
  figures_json: string | null;
  created_by: string;
  created_at: string;
  issued_by: string | null;
  issued_at: string | null;
  published_at: string | null;
}

const COLS = `id, region_id, title, remarks, state, visibility, year, seq, number, figures_json, created_by, created_at, issued_by, issued_at, published_at`;

/** A new draft. */
export const draftRegionBulletinStmt = (b: { id: string; region: string; title: string; remarks: string; created_by: string; created_at: string }): Stmt =>
  stmt(
    `INSERT INTO region_bulletins (id, region_id, title, remarks, state, visibility, created_by, created_at) VALUES (?, ?, ?, ?, 'draft', 'internal', ?, ?)`,
    b.id,
    b.region,
    b.title,
    b.remarks,
    b.created_by,
    b.created_at,
  );

/** One region bulletin, or null. */
export async function readRegionBulletin(db: D1Database, id: string): Promise<RegionBulletinRow | null> {
  return db.prepare(`SELECT ${COLS} FROM region_bulletins WHERE id = ?`).bind(id).first<RegionBulletinRow>();
}

/** A region's bulletins without figures, newest first; `publishedOnly` for the public. */
export async function listRegionBulletins(db: D1Database, region: string, publishedOnly: boolean, limit: number): Promise<Omit<RegionBulletinRow, 'figures_json'>[]> {
  const where = publishedOnly ? `region_id = ? AND state = 'issued' AND visibility = 'public'` : `region_id = ?`;
  return (
    await db
      .prepare(`SELECT ${COLS.replace(', figures_json', '')} FROM region_bulletins WHERE ${where} ORDER BY COALESCE(issued_at, created_at) DESC, id LIMIT ?`)
      .bind(region, limit)
      .all<Omit<RegionBulletinRow, 'figures_json'>>()
  ).results;
}

/**
 * Issuing, as for town bulletins (issueStmts in supervision.ts): the next number of the region and
 * year is taken inside the one UPDATE that issues (UNIQUE (region_id, year, seq) backs it), the
 * figures are frozen, and the audit row reads the number back in the same batch. `guard` aborts the
 * batch unless the bulletin is still a draft.
 */
export function issueRegionBulletinStmts(b: { id: string; region: string; prefix: string; year: number; figures: unknown; actor: string; now: string }, guard: Stmt): Stmt[] {
  // D1 binds JS numbers as REAL: cast, or the number would read 〔2026.0〕
  const next = `(SELECT COALESCE(MAX(seq), 0) + 1 FROM region_bulletins WHERE region_id = ?2 AND year = CAST(?3 AS INTEGER))`;
  return [
    guard,
    stmt(
      `UPDATE region_bulletins SET state = 'issued', year = CAST(?3 AS INTEGER), seq = ${next}, number = ?4 || '〔' || CAST(?3 AS INTEGER) || '〕' || ${next} || '号',
              figures_json = ?5, issued_by = ?6, issued_at = ?7
        WHERE id = ?1 AND state = 'draft'`,
      b.id,
      b.region,
      b.year,
      b.prefix,
      JSON.stringify(b.figures),
      b.actor,
      b.now,
    ),
    stmt(
      `INSERT INTO audit_log (at, actor, action, town_id, entity, entity_id, detail_json)
       SELECT ?, ?, 'region_bulletin.issue', NULL, 'region_bulletin', id, json_object('region', region_id, 'number', number, 'year', year, 'seq', seq)
         FROM region_bulletins WHERE id = ? AND issued_at = ?`,
      b.now,
      b.actor,
      b.id,
      b.now,
    ),
  ];
}

/** Publication of an issued region bulletin (public) or withdrawal to internal. */
export const publishRegionBulletinStmt = (id: string, visibility: 'public' | 'internal', now: string): Stmt =>
  stmt(
    `UPDATE region_bulletins SET visibility = ?2, published_at = CASE WHEN ?2 = 'public' THEN ?3 ELSE NULL END WHERE id = ?1 AND state = 'issued'`,
    id,
    visibility,
    now,
  );
