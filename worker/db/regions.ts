/**
 * A region's page read in one batch of a fixed number of statements, whatever the number of its
 * towns (plus one batch for each town whose kept summary must be recomputed: see summaries.ts).
 */
import type { D1Database } from '@cloudflare/workers-types/index.ts';
import type { IndicatorDef, Jurisdiction, Region } from '../domain/content.ts';
import { cstDate } from '../domain/supervision.ts';
import { regionView, type RegionView, type TownIndicatorValue } from '../domain/region-view.ts';
import { freshSummaries, SUMMARY_COLUMNS, SUMMARY_FROM, type SummaryRow } from './summaries.ts';

/**
 * The towns of region ?1 (a county or a city): by the loader's region columns, each with an index.
 * As a UNION of the two index searches: with `county_region_id = ?1 OR city_region_id = ?1` SQLite
 * scanned every town (bench/towns.ts at 1,000 towns: towns + values + catalogue 136 ms → 28 ms).
 */
const IN_REGION = `t.id IN (SELECT id FROM towns WHERE county_region_id = ?1 UNION SELECT id FROM towns WHERE city_region_id = ?1) AND t.document_json IS NOT NULL`;

/** The statements of readRegion, each bound to the region (?1); exported so the benchmark can EXPLAIN them. */
export const REGION_SQL = {
  region: `SELECT r.document_json, c.id AS city_id, c.name AS city_name FROM regions r LEFT JOIN regions c ON c.id = r.city_id WHERE r.id = ?1`,
  counties: `SELECT r.id, r.name, (SELECT COUNT(*) FROM towns t WHERE t.county_region_id = r.id AND t.document_json IS NOT NULL) AS towns
               FROM regions r WHERE r.city_id = ?1 ORDER BY r.ordinal`,
  towns: `SELECT ${SUMMARY_COLUMNS} FROM ${SUMMARY_FROM} WHERE ${IN_REGION} ORDER BY t.name, t.id`,
  /**
   * Each town's latest approved value of every indicator of its plan (null: none yet): one index
   * seek per town and indicator, whatever the history (a window over every value of the region's
   * towns read and sorted them all).
   */
  values: `SELECT ti.town_id, ti.indicator_id, l.value, l.as_of, l.source
             FROM town_indicators ti
             LEFT JOIN indicator_values l ON l.rowid = (SELECT x.rowid FROM indicator_values x WHERE x.town_id = ti.town_id AND x.indicator_id = ti.indicator_id
                                                         ORDER BY x.as_of DESC, x.approved_at DESC, x.rowid DESC LIMIT 1)
            WHERE ti.town_id IN (SELECT t.id FROM towns t WHERE ${IN_REGION})`,
  catalogue: `SELECT document_json FROM indicators
               WHERE document_json IS NOT NULL AND id IN (SELECT ti.indicator_id FROM town_indicators ti JOIN towns t ON t.id = ti.town_id WHERE ${IN_REGION})
               ORDER BY ordinal`,
  /** The region's own reply, and those of its counties (for a city), for comparison only. */
  jurisdictions: `SELECT j.document_json, r.id AS region_id FROM regions r JOIN jurisdictions j ON j.id = r.jurisdiction_id
                   WHERE (r.id = ?1 OR r.city_id = ?1) AND j.document_json IS NOT NULL ORDER BY r.id <> ?1, r.ordinal`,
} as const;

/** A region's published reply beside it: its own, or one of its counties'. */
export interface RegionReply {
  jurisdiction: Jurisdiction;
  /** The region whose reply it is (the page's own region, or one of its counties). */
  region: string;
}

/** Everything a region's page shows: the view, and the replies beside it. */
export interface RegionRead {
  view: RegionView;
  replies: RegionReply[];
}

type Row = Record<string, unknown>;

/** A region's page as of `now`; null when there is no such region. */
export async function readRegion(db: D1Database, id: string, now = new Date()): Promise<RegionRead | null> {
  const keys = Object.keys(REGION_SQL) as (keyof typeof REGION_SQL)[];
  const sets = await db.batch(keys.map((k) => db.prepare(REGION_SQL[k]).bind(id)));
  const rows = Object.fromEntries(keys.map((k, i) => [k, sets[i]!.results as Row[]])) as Record<keyof typeof REGION_SQL, Row[]>;
  const r = rows.region[0];
  if (!r) return null;
  // Written by the content loader after content:check accepted them.
  const region = JSON.parse(String(r.document_json)) as Region;
  const summaries = await freshSummaries(db, rows.towns as unknown as SummaryRow[], now);
  const values: TownIndicatorValue[] = rows.values.map((v) => ({
    town: String(v.town_id),
    indicator: String(v.indicator_id),
    value: v.value === null || v.value === undefined ? null : Number(v.value),
    as_of: v.as_of ? String(v.as_of) : null,
    source: v.source ? String(v.source) : null,
  }));
  const view = regionView({
    region,
    city: r.city_id ? { id: String(r.city_id), name: String(r.city_name) } : null,
    counties: rows.counties.map((c) => ({ id: String(c.id), name: String(c.name), towns: Number(c.towns) })),
    summaries,
    values,
    catalogue: rows.catalogue.map((c) => JSON.parse(String(c.document_json)) as IndicatorDef),
    today: cstDate(now.toISOString()),
  });
  const replies = rows.jurisdictions.map((j) => ({ jurisdiction: JSON.parse(String(j.document_json)) as Jurisdiction, region: String(j.region_id) }));
  return { view, replies };
}

/** Every region with how many towns it holds (GET /api/v1/regions, the home page's links). */
export async function listRegions(db: D1Database): Promise<{ id: string; name: string; level: 'county' | 'city'; city_id: string | null; towns: number }[]> {
  const r = await db
    .prepare(
      `SELECT r.id, r.name, r.level, r.city_id,
              (SELECT COUNT(*) FROM towns t WHERE (t.county_region_id = r.id OR t.city_region_id = r.id) AND t.document_json IS NOT NULL) AS towns
         FROM regions r ORDER BY r.ordinal`,
    )
    .all<{ id: string; name: string; level: 'county' | 'city'; city_id: string | null; towns: number }>();
  return r.results;
}

/** The regions a town belongs to (its pages link to them, and a write purges their pages). */
export async function townRegionIds(db: D1Database, town: string): Promise<string[]> {
  const r = await db.prepare(`SELECT county_region_id, city_region_id FROM towns WHERE id = ?1`).bind(town).first<{ county_region_id: string | null; city_region_id: string | null }>();
  return [r?.county_region_id, r?.city_region_id].filter((x): x is string => !!x);
}

/** One entry of a region's feed: an approved update or a published bulletin of one of its towns, or a published region bulletin. */
export interface RegionFeedEntry {
  kind: 'update' | 'bulletin' | 'region_bulletin';
  id: string;
  town: string;
  town_name: string;
  at: string;
  title: string;
  summary: string;
  url: string | null;
}

/** The newest `limit` approvals and published bulletins of a region's towns, and its own published bulletins, newest first (three statements). */
export async function readRegionFeed(db: D1Database, id: string, limit = 50): Promise<RegionFeedEntry[]> {
  const [u, b, rb] = await db.batch([
    db
      .prepare(
        `SELECT u.id, u.town_id, t.name AS town_name, u.reviewed_at AS at, k.code, k.title, u.percent, u.narrative
           FROM towns t JOIN task_updates u ON u.town_id = t.id AND u.state = 'approved'
           JOIN tasks k ON k.town_id = u.town_id AND k.id = u.task_id AND k.kind <> 'rectification'
          WHERE ${IN_REGION} ORDER BY u.reviewed_at DESC, u.id DESC LIMIT ?2`,
      )
      .bind(id, limit),
    db
      .prepare(
        `SELECT b.id, b.town_id, t.name AS town_name, b.issued_at AS at, b.number, b.title, b.remarks
           FROM towns t JOIN bulletins b ON b.town_id = t.id AND b.state = 'issued' AND b.visibility = 'public'
          WHERE ${IN_REGION} ORDER BY b.issued_at DESC, b.id DESC LIMIT ?2`,
      )
      .bind(id, limit),
    // The region's own bulletins (migration 0019), once published.
    db
      .prepare(
        `SELECT b.id, r.name AS region_name, b.issued_at AS at, b.number, b.title, b.remarks
           FROM region_bulletins b JOIN regions r ON r.id = b.region_id
          WHERE b.region_id = ?1 AND b.state = 'issued' AND b.visibility = 'public' ORDER BY b.issued_at DESC, b.id DESC LIMIT ?2`,
      )
      .bind(id, limit),
  ]);
  const updates = (u!.results as Row[]).map((x) => ({
    kind: 'update' as const,
    id: String(x.id),
    town: String(x.town_id),
    town_name: String(x.town_name),
    at: String(x.at),
    title: `${x.town_name} ${x.code} ${x.title}：${x.percent}%`,
    summary: String(x.narrative),
    url: `/towns/${encodeURIComponent(String(x.town_id))}/progress/#update-${encodeURIComponent(String(x.id))}`,
  }));
  const bulletins = (b!.results as Row[]).map((x) => ({
    kind: 'bulletin' as const,
    id: String(x.id),
    town: String(x.town_id),
    town_name: String(x.town_name),
    at: String(x.at),
    title: `${x.town_name} ${x.number} ${x.title}`,
    summary: x.remarks ? String(x.remarks) : String(x.title),
    url: `/api/v1/bulletins/${encodeURIComponent(String(x.id))}/print`,
  }));
  const regionBulletins = (rb!.results as Row[]).map((x) => ({
    kind: 'region_bulletin' as const,
    id: String(x.id),
    town: `regions/${id}`,
    town_name: String(x.region_name),
    at: String(x.at),
    title: `${x.region_name} ${x.number} ${x.title}`,
    summary: x.remarks ? String(x.remarks) : String(x.title),
    url: `/api/v1/region-bulletins/${encodeURIComponent(String(x.id))}/print`,
  }));
  return [...updates, ...bulletins, ...regionBulletins].sort((a, b) => b.at.localeCompare(a.at)).slice(0, limit);
}
