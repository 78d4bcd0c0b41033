/**
 * The per-town summaries behind every list of towns (home, region pages, GET /api/v1/towns):
 * one row per town (town_summaries, migration 0013), so a list renders from a bounded number of
 * statements whatever the number of towns. A summary is computed by the same rules as the town's
 * own pages (readTown → townSummary). A write that purges the town's pages marks it stale (one
 * statement); the list that next shows the town recomputes it (one batch for that town), as it does
 * a summary that is missing (after a content load), older than the town's newest approval (written
 * by a restore or a seed), or judged on an earlier day (the nightly job recomputes them all).
 */
import type { D1Database } from '@cloudflare/workers-types/index.ts';
import { cstDate } from '../domain/supervision.ts';
import { townSummary, type TownSummary } from '../domain/public-model.ts';
import type { Jurisdiction } from '../domain/content.ts';
import { readTown } from './public.ts';

/** Recomputes a town's summary and stores it; null when there is no such town. */
export async function refreshSummary(db: D1Database, town: string, now = new Date()): Promise<TownSummary | null> {
  // The summary needs no list of updates (only each task's latest, read besides), nor every indicator value.
  const t = await readTown(db, town, now, 0, 'shown');
  if (!t) return null;
  const s = townSummary(t.bundle, t.view);
  await db
    .prepare(
      `INSERT INTO town_summaries (town_id, as_of, stale, last_approved_at, summary_json, computed_at) VALUES (?1, ?2, 0, ?3, ?4, ?5)
       ON CONFLICT (town_id) DO UPDATE SET as_of = excluded.as_of, stale = 0, last_approved_at = excluded.last_approved_at,
         summary_json = excluded.summary_json, computed_at = excluded.computed_at`,
    )
    .bind(town, s.judged_as_of, s.updated_at, JSON.stringify(s), now.toISOString())
    .run();
  return s;
}

/** Marks a town's summary stale after a write: one statement, nothing written when there is none or it is stale already. */
export async function markSummaryStale(db: D1Database, town: string): Promise<void> {
  await db.prepare(`UPDATE town_summaries SET stale = 1 WHERE town_id = ?1 AND stale = 0`).bind(town).run();
}

/** Which towns a list shows. */
export interface TownFilter {
  /** County name (区/县/县级市) as the towns' content gives it. */
  county?: string;
  /** City name (市). */
  city?: string;
  /** Part of the town's name. */
  name?: string;
}

/** One page of a list of towns. */
export interface TownListPage {
  towns: TownSummary[];
  /** How many towns match the filter. */
  total: number;
  page: number;
  size: number;
}

const LIKE_ESCAPE = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The WHERE clause of a filter over `towns t`, with its parameters (names from code only). */
function where(f: TownFilter): { sql: string; params: string[] } {
  const parts: string[] = ['t.document_json IS NOT NULL'];
  const params: string[] = [];
  if (f.county) (parts.push(`t.county = ?${params.length + 1}`), params.push(f.county));
  if (f.city) (parts.push(`t.city = ?${params.length + 1}`), params.push(f.city));
  if (f.name) (parts.push(`t.name LIKE ?${params.length + 1} ESCAPE '\\'`), params.push(`%${LIKE_ESCAPE(f.name)}%`));
  return { sql: parts.join(' AND '), params };
}

/**
 * A page of towns in place order (city, county, name) with their summaries: one statement, plus
 * one readTown per listed town whose summary must be recomputed (none once the summaries are kept
 * up to date: after a write, the nightly job, or a previous list).
 */
export async function readTownList(db: D1Database, f: TownFilter, page: number, size: number, now = new Date()): Promise<TownListPage> {
  const w = where(f);
  const n = w.params.length;
  const r = await db
    .prepare(townListSql(w.sql, n))
    .bind(...w.params, size, (page - 1) * size)
    .all<SummaryRow & { total: number }>();
  const towns = await freshSummaries(db, r.results, now);
  let total = r.results[0]?.total ?? 0;
  // A page past the end still says how many towns match.
  if (!r.results.length && page > 1) {
    const c = await db.prepare(`SELECT COUNT(*) AS n FROM towns t WHERE ${w.sql}`).bind(...w.params).first<{ n: number }>();
    total = c?.n ?? 0;
  }
  return { towns, total, page, size };
}

/** A kept summary as a list reads it (SUMMARY_COLUMNS), with whether it must be recomputed. */
export interface SummaryRow {
  id: string;
  summary_json: string | null;
  as_of: string | null;
  stale: number | null;
  behind: number;
  county_region_id: string | null;
  county_region_name: string | null;
  city_region_id: string | null;
  city_region_name: string | null;
  /** The town's identity and plan title from its document (for a town with no summary yet). */
  town_json: string;
}

/**
 * The columns a list selects of `towns t LEFT JOIN town_summaries s`: the kept summary and, by
 * index (task_updates_recent_approved), whether it is older than the town's newest approval —
 * whatever wrote it (the API marks the summary stale; a restore or a seed does not).
 */
export const SUMMARY_COLUMNS = `t.id, s.summary_json, s.as_of, s.stale, t.county_region_id, cr.name AS county_region_name, t.city_region_id, yr.name AS city_region_name,
  json_object('name', t.name, 'demo', t.demo, 'name_en', json_extract(t.document_json, '$.town.name_en'), 'province', json_extract(t.document_json, '$.town.province'),
              'city', json_extract(t.document_json, '$.town.city'), 'county', json_extract(t.document_json, '$.town.county'),
              'plan', json_object('title', json_extract(t.document_json, '$.town.plan.title'), 'doc_number', json_extract(t.document_json, '$.town.plan.doc_number'))) AS town_json,
  s.last_approved_at IS NOT (SELECT u.reviewed_at FROM task_updates u
                              WHERE u.town_id = t.id AND u.state = 'approved'
                                AND EXISTS (SELECT 1 FROM tasks k WHERE k.town_id = u.town_id AND k.id = u.task_id AND k.kind <> 'rectification')
                              ORDER BY u.reviewed_at DESC, u.id DESC LIMIT 1) AS behind`;

/**
 * The statement of readTownList (`where` over `t`, with `n` parameters; then LIMIT and OFFSET):
 * the page's towns are chosen first, from the towns table alone, and only those 50 rows read
 * their document (json_extract of a ~14 KB document_json per town) and their newest approval.
 * Selecting SUMMARY_COLUMNS over every town before the LIMIT read every town's document on each
 * render (bench/towns.ts: the home list's statement grew with the number of towns).
 */
export const townListSql = (where: string, n: number): string =>
  `SELECT ${SUMMARY_COLUMNS}, p.total
     FROM (SELECT t.id AS page_id, COUNT(*) OVER () AS total FROM towns t WHERE ${where}
            ORDER BY t.city, t.county, t.name, t.id LIMIT ?${n + 1} OFFSET ?${n + 2}) p
     CROSS JOIN ${SUMMARY_FROM}
    WHERE t.id = p.page_id
    ORDER BY t.city, t.county, t.name, t.id`;

/** What a list selects FROM: the towns, their kept summaries and their regions' names. */
export const SUMMARY_FROM = `towns t LEFT JOIN town_summaries s ON s.town_id = t.id
  LEFT JOIN regions cr ON cr.id = t.county_region_id LEFT JOIN regions yr ON yr.id = t.city_region_id`;

/**
 * Summaries one render recomputes at most: a list right after loading many towns (or a new day
 * before the nightly job) fills in over the next renders instead of running hundreds of batches
 * in one request (Workers and D1 limit the queries of one invocation).
 */
export const RECOMPUTE_PER_RENDER = 10;

/**
 * The summaries of listed towns: kept ones as stored; missing, stale or outdated ones recomputed
 * (one batch each), the first RECOMPUTE_PER_RENDER of them. Beyond that, a kept summary is shown
 * marked `outdated` (it says the day it was judged on), and a town with none is `pending`.
 */
export async function freshSummaries(db: D1Database, rows: SummaryRow[], now = new Date()): Promise<TownSummary[]> {
  const today = cstDate(now.toISOString());
  let budget = RECOMPUTE_PER_RENDER;
  const ref = (id: string | null, name: string | null) => (id && name ? { id, name } : null);
  const out = await Promise.all(
    rows.map(async (row): Promise<TownSummary | null> => {
      const current = row.summary_json && !row.stale && !row.behind && row.as_of === today;
      let s: TownSummary | null;
      if (current) s = JSON.parse(row.summary_json!) as TownSummary;
      else if (budget-- > 0) s = await refreshSummary(db, row.id, now);
      else s = row.summary_json ? { ...(JSON.parse(row.summary_json) as TownSummary), outdated: true } : pendingSummary(row);
      return s && { ...s, regions: { county: ref(row.county_region_id, row.county_region_name), city: ref(row.city_region_id, row.city_region_name) } };
    }),
  );
  return out.filter((t): t is TownSummary => t !== null);
}

/** A town whose summary is not computed yet: its identity only, every count empty, marked `pending`. */
function pendingSummary(row: SummaryRow): TownSummary {
  const doc = JSON.parse(row.town_json) as TownSummary['town'] & { plan: TownSummary['plan'] };
  const fact = (f: unknown) => (f ? (f as TownSummary['town']['city']) : null);
  return {
    town: { id: row.id, name: doc.name, name_en: fact(doc.name_en), province: fact(doc.province), city: fact(doc.city), county: fact(doc.county), demo: !!doc.demo },
    plan: { title: doc.plan.title, doc_number: doc.plan.doc_number },
    judged_as_of: row.as_of ?? '',
    updated_at: null,
    milestones: [],
    deliverables: { total: 0, completed: 0, in_progress: 0, blocked: 0, not_started: 0, not_reported: 0, overdue: 0 },
    pending: true,
  };
}

/** The places towns belong to, with how many towns each holds (the home page's filter). */
export interface PlaceCount {
  city: string | null;
  county: string | null;
  towns: number;
}

/** Every (city, county) pair with its number of towns: one statement over the towns' place index. */
export async function readPlaces(db: D1Database): Promise<PlaceCount[]> {
  const r = await db
    .prepare(`SELECT city, county, COUNT(*) AS towns FROM towns WHERE document_json IS NOT NULL GROUP BY city, county ORDER BY city, county`)
    .all<PlaceCount>();
  return r.results;
}

/** The jurisdictions' names, province and level (the home page's comparison list): one light statement. */
export async function readJurisdictionNames(db: D1Database): Promise<{ id: string; name: string; level: Jurisdiction['level']; province: Jurisdiction['province'] }[]> {
  const r = await db
    .prepare(`SELECT id, name, level, json_extract(document_json, '$.province') AS province FROM jurisdictions WHERE document_json IS NOT NULL ORDER BY ordinal`)
    .all<{ id: string; name: string; level: Jurisdiction['level']; province: string | null }>();
  return r.results.map((j) => ({ ...j, province: j.province ? (JSON.parse(j.province) as Jurisdiction['province']) : undefined }));
}

/** Every town's id whose plan is loaded (the towns' sitemap). */
export async function readTownIds(db: D1Database): Promise<string[]> {
  return (await db.prepare(`SELECT id FROM towns WHERE document_json IS NOT NULL ORDER BY id`).all<{ id: string }>()).results.map((r) => r.id);
}
