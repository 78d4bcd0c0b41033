/**
 * The one read behind every public page and open-data file of a town: its task table as the
 * office keeps it now and its approved progress, in one D1 batch (one round trip). Only approved
 * data is selected: task status and percent change only when an update is approved, and only
 * approved updates and their indicator values are read. Rectification items (整改) stay internal;
 * only published public bulletins are read.
 */
// The module form of the Workers types: this file is also compiled with the site, which has the DOM types.
import type { D1Database } from '@cloudflare/workers-types/index.ts';
import { APPROX_TOLERANCE, cstDate } from '../domain/supervision.ts';
import { TownPublicData } from '../domain/public-progress.ts';
import type { IndicatorDef, Jurisdiction, TaskDef, TownBundle, TownDocument } from '../domain/content.ts';
import { progressView, type ProgressView } from '../domain/public-view.ts';
import { targetText } from '../domain/public-model.ts';
import { evidencePagePath, publicFileUrl, type FileType } from '../domain/files.ts';

type Row = Record<string, unknown>;

/** The statements of readPublicTown, each bound to the town (?1); exported so the benchmark can EXPLAIN them. */
export const PUBLIC_SQL = {
  town: `SELECT id FROM towns WHERE id = ?1`,
  tasks: `SELECT t.id, t.parent_id, t.code, t.kind, t.title, t.quote, t.units_basis, t.lead_member_id, t.due_milestone_id,
                 t.due_basis, t.weight, t.status, t.percent,
                 (SELECT u.id FROM task_updates u WHERE u.town_id = t.town_id AND u.task_id = t.id AND u.state = 'approved'
                   ORDER BY u.reviewed_at DESC, u.id DESC LIMIT 1) AS last_update
            FROM tasks t WHERE t.town_id = ?1 AND t.kind <> 'rectification' ORDER BY t.ordinal, t.id`,
  taskUnits: `SELECT task_id, unit_id, role FROM task_units WHERE town_id = ?1 ORDER BY task_id, ordinal, unit_id`,
  taskIndicators: `SELECT task_id, indicator_id FROM task_indicators WHERE town_id = ?1 ORDER BY task_id, indicator_id`,
  /** Approved updates, newest first: all of them, or the newest ?2 (a negative ?2 is no limit in SQLite). */
  updates: `SELECT u.id, u.task_id, u.unit_id, u.status, u.percent, u.narrative, u.reviewed_at
              FROM task_updates u JOIN tasks t ON t.town_id = u.town_id AND t.id = u.task_id
             WHERE u.town_id = ?1 AND u.state = 'approved' AND t.kind <> 'rectification' ORDER BY u.reviewed_at DESC, u.id DESC LIMIT ?2`,
  /** Each plan task's latest approved update (the task tree shows it even when it is older than the newest ?2). */
  lastUpdates: `SELECT u.id, u.task_id, u.unit_id, u.status, u.percent, u.narrative, u.reviewed_at
                  FROM tasks t JOIN task_updates u ON u.id = (SELECT x.id FROM task_updates x WHERE x.town_id = t.town_id AND x.task_id = t.id AND x.state = 'approved'
                                                              ORDER BY x.reviewed_at DESC, x.id DESC LIMIT 1)
                 WHERE t.town_id = ?1 AND t.kind <> 'rectification'`,
  /** The plan tasks' approved updates, summed from the counts kept by triggers (migration 0021): one row per task, whatever the history. */
  updatesTotal: `SELECT COALESCE(SUM(c.approved), 0) AS n FROM tasks t JOIN task_update_counts c ON c.town_id = t.town_id AND c.task_id = t.id
                  WHERE t.town_id = ?1 AND t.kind <> 'rectification'`,
  /**
   * Every approved indicator value. indicator_values rows are written only by an approval, in its
   * batch (approveStmts in worker/db/updates.ts), for indicators the task delivers (rectification
   * items deliver none), so no join back to the update is needed — as the progress API reads them.
   * Without the join: 17.6 ms instead of 109.6 ms (node:sqlite) at 6,285 values behind 100,000 updates.
   */
  values: `SELECT v.indicator_id, v.value, v.as_of, v.source, v.approved_at, v.update_id
             FROM indicator_values v WHERE v.town_id = ?1
            ORDER BY v.indicator_id, v.as_of, v.approved_at, v.rowid`,
  /**
   * Only the values a progress page's verdicts rest on, a bounded number whatever the history
   * (pages other than a target's own; numericVerdict in worker/domain/public-status.ts gives the
   * same verdict on them as on every value): each indicator's newest value; for each numeric
   * target, the newest value dated on or before its milestone and, of the later ones, the one
   * nearest to meeting it (the largest for gte/gt, the smallest for lte/lt, the closest for
   * eq/approx: if any later value meets the target, that one does); and the town's newest value
   * by approval (the page's 最近更新). Each is one index seek (the last range of later values aside).
   */
  shownValues: `WITH targets AS (SELECT it.indicator_id, it.milestone_id, it.comparator, it.value, m.due,
                                      1e-9 * max(1, abs(it.value)) AS eps
                                 FROM indicator_targets it JOIN milestones m ON m.town_id = it.town_id AND m.id = it.milestone_id
                                WHERE it.town_id = ?1 AND it.kind = 'numeric'),
                     -- per numeric target, one value dated after its milestone that meets it, if any (the
                     -- verdict asks only whether one exists: 逾期达成). The test is meets() of
                     -- worker/domain/supervision.ts in SQL; a covering index on (town_id, indicator_id, as_of, …)
                     -- walks the later values and stops at the first that meets (0.6 ms at 100,000 updates,
                     -- where ranking every later value took 8.7 ms: bench/results.md).
                     later AS (SELECT (SELECT x.rowid FROM indicator_values x
                                        WHERE x.town_id = ?1 AND x.indicator_id = g.indicator_id AND x.as_of > g.due
                                          AND CASE g.comparator
                                                WHEN 'gte' THEN x.value >= g.value - g.eps
                                                WHEN 'gt' THEN x.value > g.value + g.eps
                                                WHEN 'lte' THEN x.value <= g.value + g.eps
                                                WHEN 'lt' THEN x.value < g.value - g.eps
                                                WHEN 'eq' THEN abs(x.value - g.value) <= g.eps
                                                WHEN 'approx' THEN abs(x.value - g.value) <= ${APPROX_TOLERANCE} * abs(g.value) + g.eps
                                              END
                                        LIMIT 1) AS rid
                                 FROM targets g),
                     picked(rid) AS (
                  SELECT (SELECT x.rowid FROM indicator_values x WHERE x.town_id = ti.town_id AND x.indicator_id = ti.indicator_id
                           ORDER BY x.as_of DESC, x.approved_at DESC, x.rowid DESC LIMIT 1)
                    FROM town_indicators ti WHERE ti.town_id = ?1
                  UNION
                  SELECT (SELECT x.rowid FROM indicator_values x WHERE x.town_id = ?1 AND x.indicator_id = g.indicator_id AND x.as_of <= g.due
                           ORDER BY x.as_of DESC, x.approved_at DESC, x.rowid DESC LIMIT 1)
                    FROM targets g
                  UNION
                  SELECT rid FROM later
                  UNION
                  SELECT (SELECT x.rowid FROM indicator_values x WHERE x.town_id = ?1 ORDER BY x.approved_at DESC LIMIT 1))
                SELECT v.indicator_id, v.value, v.as_of, v.source, v.approved_at, v.update_id
                  FROM indicator_values v WHERE v.rowid IN (SELECT rid FROM picked)
                 ORDER BY v.indicator_id, v.as_of, v.approved_at, v.rowid`,
  /**
   * The public evidence files of the town's approved plan-task updates (few: each one a person
   * chose to publish; the partial index attachments_public finds them).
   */
  attachments: `SELECT a.owner_id AS update_id, a.id, a.caption, f.sha256, f.type, f.bytes, f.width, f.height,
                       tf.sha256 AS thumb_sha256, tf.type AS thumb_type, tf.width AS thumb_width, tf.height AS thumb_height
                  FROM attachments a
                  JOIN task_updates u ON u.id = a.owner_id AND u.state = 'approved'
                  JOIN tasks t ON t.town_id = u.town_id AND t.id = u.task_id AND t.kind <> 'rectification'
                  JOIN files f ON f.town_id = a.town_id AND f.sha256 = a.sha256
                  LEFT JOIN files tf ON tf.town_id = a.town_id AND tf.sha256 = a.thumb_sha256
                 WHERE a.town_id = ?1 AND a.visibility = 'public' AND a.owner_kind = 'update'
                 ORDER BY a.owner_id, a.ordinal`,
  bulletins: `SELECT id, number, title, period_from, period_to, remarks, issued_at
                FROM bulletins WHERE town_id = ?1 AND state = 'issued' AND visibility = 'public' ORDER BY issued_at, id`,
  overdue: `SELECT day, SUM(overdue) AS overdue FROM overdue_snapshots WHERE town_id = ?1 GROUP BY day ORDER BY day`,
} as const;

/**
 * The statements that read a town's plan as content/ defines it (the loader wrote it; migration
 * 0013): its document, its plan text and the catalogue entries it uses. Bound to the town (?1).
 */
export const PLAN_SQL = {
  document: `SELECT t.document_json, p.body_markdown, t.county_region_id, cr.name AS county_region_name, t.city_region_id, yr.name AS city_region_name
               FROM towns t JOIN plans p ON p.town_id = t.id
               LEFT JOIN regions cr ON cr.id = t.county_region_id LEFT JOIN regions yr ON yr.id = t.city_region_id
              WHERE t.id = ?1 AND t.document_json IS NOT NULL`,
  catalogue: `SELECT document_json FROM indicators
               WHERE document_json IS NOT NULL
                 AND id IN (SELECT indicator_id FROM town_indicators WHERE town_id = ?1 UNION SELECT indicator_id FROM task_indicators WHERE town_id = ?1)
               ORDER BY ordinal`,
} as const;

/** A town as every public reader sees it: its plan, the catalogue entries it uses, its progress. */
export interface TownRead {
  /** The plan as content/ defines it, with the task table as the office keeps it now. */
  bundle: TownBundle;
  catalogue: IndicatorDef[];
  view: ProgressView;
  /** The county and city regions the town belongs to (each has a page). */
  regions: { county: RegionRef | null; city: RegionRef | null };
}

/** A region as a town's pages link to it. */
export interface RegionRef {
  id: string;
  name: string;
}

/** The plan task as the content schema shapes it, from the task table's row. */
function taskDef(x: TownPublicData['tasks'][number]): TaskDef {
  return {
    id: x.id,
    ...(x.parent ? { parent: x.parent } : {}),
    code: x.code,
    kind: x.kind,
    title: x.title,
    quote: x.quote,
    units: x.units,
    units_basis: x.units_basis,
    ...(x.lead_member ? { lead_member: x.lead_member } : {}),
    due: x.due,
    due_basis: x.due_basis,
    weight: x.weight,
    indicators: x.indicators,
  } as TaskDef;
}

/**
 * Which approved indicator values a read takes: every one (open data, the progress API, a
 * target's own page with its chart), or only those the progress verdicts rest on (other pages:
 * PUBLIC_SQL.shownValues, bounded whatever the history).
 */
export type ValuesRead = 'all' | 'shown';

type PublicKey = Exclude<keyof typeof PUBLIC_SQL, 'shownValues'>;

/** The statements of one public read, keyed as publicData reads their results. */
function publicStatements(db: D1Database, town: string, recent: number | undefined, values: ValuesRead) {
  const keys = (Object.keys(PUBLIC_SQL) as (keyof typeof PUBLIC_SQL)[]).filter((k) => k !== (values === 'all' ? 'shownValues' : 'values'));
  return {
    keys: keys.map((k): PublicKey => (k === 'shownValues' ? 'values' : k)),
    stmts: keys.map((k) => (k === 'updates' ? db.prepare(PUBLIC_SQL[k]).bind(town, recent ?? -1) : db.prepare(PUBLIC_SQL[k]).bind(town))),
  };
}

/**
 * A town, read in one batch (one round trip): plan, catalogue, task table and approved progress,
 * judged on `now`. Null when there is no such town. `recent`: how many of the newest approved
 * updates to read (pages list a page of them; open data reads all: undefined). `values`: every
 * approved indicator value (the default) or only those the pages' verdicts rest on.
 */
export async function readTown(db: D1Database, town: string, now = new Date(), recent?: number, values: ValuesRead = 'all'): Promise<TownRead | null> {
  const q = publicStatements(db, town, recent, values);
  const sets = await db.batch([db.prepare(PLAN_SQL.document).bind(town), db.prepare(PLAN_SQL.catalogue).bind(town), ...q.stmts]);
  const doc = sets[0]!.results[0] as
    | { document_json: string; body_markdown: string; county_region_id: string | null; county_region_name: string | null; city_region_id: string | null; city_region_name: string | null }
    | undefined;
  if (!doc) return null;
  const rows = Object.fromEntries(q.keys.map((k, i) => [k, sets[i + 2]!.results as Row[]])) as Record<PublicKey, Row[]>;
  const data = publicData(town, rows, now.toISOString());
  // Written by the content loader after content:check's schema accepted it: parsed, not re-validated.
  const document = JSON.parse(doc.document_json) as TownDocument;
  const catalogue = (sets[1]!.results as { document_json: string }[]).map((r) => JSON.parse(r.document_json) as IndicatorDef);
  const bundle: TownBundle = { ...document, plan_markdown: doc.body_markdown, tasks: data.tasks.map(taskDef) };
  const ref = (id: string | null, name: string | null) => (id && name ? { id, name } : null);
  const regions = { county: ref(doc.county_region_id, doc.county_region_name), city: ref(doc.city_region_id, doc.city_region_name) };
  return { bundle, catalogue, view: progressView(bundle, catalogue, data, now.toISOString()), regions };
}

/** The whole indicator catalogue, in content order. */
export async function readCatalogue(db: D1Database): Promise<IndicatorDef[]> {
  const r = await db.prepare(`SELECT document_json FROM indicators WHERE document_json IS NOT NULL ORDER BY ordinal`).all<{ document_json: string }>();
  return r.results.map((x) => JSON.parse(x.document_json) as IndicatorDef);
}

/** Every jurisdiction with its reports, in content order. */
export async function readJurisdictions(db: D1Database): Promise<Jurisdiction[]> {
  const r = await db.prepare(`SELECT document_json FROM jurisdictions WHERE document_json IS NOT NULL ORDER BY ordinal`).all<{ document_json: string }>();
  return r.results.map((x) => JSON.parse(x.document_json) as Jurisdiction);
}

/**
 * A town's public data as of now; null when there is no such town. `recent` limits the approved
 * updates read to the newest N (plus each task's latest): pages show a page of them, the open-data
 * files read all.
 */
export async function readPublicTown(db: D1Database, town: string, now = new Date(), recent?: number): Promise<TownPublicData | null> {
  const q = publicStatements(db, town, recent, 'all');
  const sets = await db.batch(q.stmts);
  const rows = Object.fromEntries(q.keys.map((k, i) => [k, sets[i]!.results as Row[]])) as Record<PublicKey, Row[]>;
  if (rows.town.length === 0) return null;
  return publicData(town, rows, now.toISOString());
}

/** The result sets of PUBLIC_SQL as one validated record. Exported for tests. */
export function publicData(town: string, rows: Record<PublicKey, Row[]>, readAt: string): TownPublicData {
  const unitsOf = new Map<string, { unit: string; role: string }[]>();
  for (const r of rows.taskUnits) unitsOf.set(String(r.task_id), [...(unitsOf.get(String(r.task_id)) ?? []), { unit: String(r.unit_id), role: String(r.role) }]);
  const indicatorsOf = new Map<string, string[]>();
  for (const r of rows.taskIndicators) indicatorsOf.set(String(r.task_id), [...(indicatorsOf.get(String(r.task_id)) ?? []), String(r.indicator_id)]);
  const seen = new Set<string>();
  const unique = [...rows.updates, ...(rows.lastUpdates ?? [])].filter((u) => !seen.has(String(u.id)) && !!seen.add(String(u.id)));
  const attachmentsOf = new Map<string, unknown[]>();
  for (const a of rows.attachments ?? []) {
    const type = a.type as FileType;
    attachmentsOf.set(String(a.update_id), [
      ...(attachmentsOf.get(String(a.update_id)) ?? []),
      {
        id: String(a.id),
        caption: String(a.caption),
        type,
        bytes: Number(a.bytes),
        width: a.width === null ? null : Number(a.width),
        height: a.height === null ? null : Number(a.height),
        url: publicFileUrl(town, String(a.sha256), type),
        page: evidencePagePath(town, String(a.id)),
        thumb: a.thumb_sha256 ? { url: publicFileUrl(town, String(a.thumb_sha256), a.thumb_type as FileType), width: Number(a.thumb_width), height: Number(a.thumb_height) } : null,
      },
    ]);
  }
  const updates = unique.map((u) => ({
    attachments: attachmentsOf.get(String(u.id)) ?? [],
    id: String(u.id),
    task: String(u.task_id),
    unit: String(u.unit_id),
    status: u.status,
    percent: Number(u.percent),
    narrative: String(u.narrative),
    approved_at: String(u.reviewed_at),
  }));
  const values = rows.values.map((v) => ({
    indicator: String(v.indicator_id),
    value: Number(v.value),
    as_of: String(v.as_of),
    source: String(v.source),
    approved_at: String(v.approved_at),
    update: String(v.update_id),
  }));
  const stamps = [...updates.map((u) => u.approved_at), ...values.map((v) => v.approved_at)].sort();
  return TownPublicData.parse({
    town,
    generated_at: readAt,
    updated_at: stamps.at(-1) ?? null,
    updates_total: Number(rows.updatesTotal?.[0]?.n ?? updates.length),
    recent: rows.updates.map((u) => String(u.id)),
    tasks: rows.tasks.map((t) => ({
      id: t.id,
      parent: t.parent_id ?? null,
      code: t.code,
      kind: t.kind,
      title: t.title,
      quote: t.quote ?? '',
      units: unitsOf.get(String(t.id)) ?? [],
      units_basis: t.units_basis,
      lead_member: t.lead_member_id ?? null,
      due: t.due_milestone_id,
      due_basis: t.due_basis,
      weight: Number(t.weight),
      indicators: indicatorsOf.get(String(t.id)) ?? [],
      status: t.status,
      percent: Number(t.percent),
      last_update: t.last_update ?? null,
    })),
    updates,
    values,
    bulletins: rows.bulletins.map((b) => ({
      id: String(b.id),
      number: String(b.number),
      title: String(b.title),
      issued_on: cstDate(String(b.issued_at)),
      period_from: String(b.period_from),
      period_to: String(b.period_to),
      ...(b.remarks ? { summary: String(b.remarks) } : {}),
      // A published bulletin's print page is public (worker/routes/bulletins.ts).
      url: `/api/v1/bulletins/${encodeURIComponent(String(b.id))}/print`,
    })),
    overdue_trend: rows.overdue.map((o) => ({ date: String(o.day), overdue: Number(o.overdue) })),
  });
}

/** The ids of a town's indicators (each has a public target page). */
export async function listTownIndicators(db: D1Database, town: string): Promise<string[]> {
  const r = await db.prepare(`SELECT indicator_id FROM town_indicators WHERE town_id = ? ORDER BY ordinal`).bind(town).all<{ indicator_id: string }>();
  return r.results.map((x) => x.indicator_id);
}

/** A town's target for an indicator, as the comparison page lists it beside other places' figures. */
export interface TownTargetRow {
  indicator: string;
  town: { id: string; name: string };
  /** How many towns set a target for this indicator. */
  towns_total: number;
  targets: { milestone_label: string; text: string }[];
}

/**
 * The towns' targets for every catalogue indicator, at most `perIndicator` towns each (in place
 * order), with how many towns set one: one statement, bounded whatever the number of towns.
 */
export async function readTownTargets(db: D1Database, perIndicator: number): Promise<TownTargetRow[]> {
  const r = await db
    .prepare(
      `WITH ranked AS (
         SELECT ti.indicator_id, ti.town_id,
                DENSE_RANK() OVER (PARTITION BY ti.indicator_id ORDER BY t.city, t.county, t.name, t.id) AS n,
                COUNT(*) OVER (PARTITION BY ti.indicator_id) AS towns_total
           FROM town_indicators ti JOIN towns t ON t.id = ti.town_id WHERE t.document_json IS NOT NULL)
       SELECT r.indicator_id, r.town_id, r.towns_total, t.name, m.label, m.due, it.kind, it.display, it.text, it.denominator_value, it.denominator_unit
         FROM ranked r JOIN towns t ON t.id = r.town_id
         JOIN indicator_targets it ON it.town_id = r.town_id AND it.indicator_id = r.indicator_id
         JOIN milestones m ON m.town_id = it.town_id AND m.id = it.milestone_id
        WHERE r.n <= ?1
        ORDER BY r.indicator_id, r.n, m.due`,
    )
    .bind(perIndicator)
    .all<Row>();
  const out = new Map<string, TownTargetRow>();
  for (const x of r.results) {
    const key = `${x.indicator_id} ${x.town_id}`;
    let e = out.get(key);
    if (!e) out.set(key, (e = { indicator: String(x.indicator_id), town: { id: String(x.town_id), name: String(x.name) }, towns_total: Number(x.towns_total), targets: [] }));
    // The row as the content schema shapes a target, worded by the one rule the pages use.
    const target =
      x.kind === 'qualitative'
        ? { kind: 'qualitative', text: String(x.text) }
        : { kind: 'numeric', display: String(x.display), ...(x.denominator_value !== null && x.denominator_value !== undefined ? { denominator: { value: Number(x.denominator_value), unit: String(x.denominator_unit) } } : {}) };
    e.targets.push({ milestone_label: String(x.label), text: targetText(target as Parameters<typeof targetText>[0]) });
  }
  return [...out.values()];
}
