/**
 * All SQL for supervision: the facts the as-of views need (tasks with their latest approved update
 * known by a time, indicator values known by a time), inspections with rectification items,
 * and the daily overdue snapshots (bulletins: worker/db/bulletins.ts).
 *
 * Every as-of read finds "the latest approved update of task X known before T" with one seek on the
 * partial covering index task_updates_approved (migration 0006): no scan of task_updates.
 */
import { DEFAULT_OPTIONS, knownBefore, type ApprovedUpdate, type SupervisionOptions } from '../domain/supervision.ts';
import { evaluateTasks, type TaskFactRow, type TownFacts } from '../domain/supervision-views.ts';
import { stmt, type Stmt } from './sql.ts';
import { readAttachments } from './files.ts';
import type { AttachmentView } from '../domain/files.ts';

/**
 * Tasks with due date, lead member and latest approved update known before ?3 (one index seek per
 * task), of the towns `scope` selects on t.town_id. Params: ?1 town (or region), ?2 asOf, ?3 cutoff.
 */
export const taskFactsSql = (scope: string) => `SELECT t.town_id, t.id, t.parent_id, t.code, t.kind, t.title, t.weight, t.ordinal, t.due_milestone_id AS milestone,
                COALESCE(t.due_on, m.due) AS due, t.inspection_id, i.inspected_on,
                t.lead_member_id, mb.name AS lead_member_name, mb.post AS lead_member_post,
                (SELECT json_object('id', u.id, 'status', u.status, 'percent', u.percent, 'reviewed_at', u.reviewed_at)
                   FROM task_updates u
                  WHERE u.town_id = t.town_id AND u.task_id = t.id AND u.state = 'approved' AND u.reviewed_at < ?3
                  ORDER BY u.reviewed_at DESC, u.id DESC LIMIT 1) AS last
           FROM tasks t
           LEFT JOIN milestones m ON m.town_id = t.town_id AND m.id = t.due_milestone_id
           LEFT JOIN members mb ON mb.town_id = t.town_id AND mb.id = t.lead_member_id
           LEFT JOIN inspections i ON i.id = t.inspection_id
          WHERE ${scope.replaceAll('$', 't.town_id')} AND (t.inspection_id IS NULL OR (i.inspected_on <= ?2 AND i.created_at < ?3))
          ORDER BY t.ordinal`;

/** One town's task facts. Params: town, asOf, cutoff. */
export const TASK_FACTS_SQL = taskFactsSql('$ = ?1');

/** Indicator targets with the latest approved value dated by min(asOf, due) and known before the cutoff, of the towns `scope` selects. */
export const targetValuesSql = (scope: string) => `SELECT tg.town_id, tg.indicator_id, tg.milestone_id, m.due, tg.kind, tg.comparator, tg.value, tg.display, tg.text,
                (SELECT json_object('value', v.value, 'as_of', v.as_of, 'source', v.source, 'approved_at', v.approved_at)
                   FROM indicator_values v
                  WHERE v.town_id = tg.town_id AND v.indicator_id = tg.indicator_id AND v.as_of <= min(?2, m.due) AND v.approved_at < ?3
                  ORDER BY v.as_of DESC, v.approved_at DESC LIMIT 1) AS latest
           FROM indicator_targets tg JOIN milestones m ON m.town_id = tg.town_id AND m.id = tg.milestone_id
           JOIN town_indicators ti ON ti.town_id = tg.town_id AND ti.indicator_id = tg.indicator_id
          WHERE ${scope.replaceAll('$', 'tg.town_id')} ORDER BY ti.ordinal, m.due`;

/** One town's targets and values. Params: town, asOf, cutoff. */
export const TARGET_VALUES_SQL = targetValuesSql('$ = ?1');

/**
 * The statements of the supervision facts of the towns `scope` selects (`$` stands for the
 * column holding the town id; ?1 is bound to `key`), in batch order: towns, milestones, units,
 * task facts, task units, task indicators, indicators, target values. Every row carries its
 * town_id, so one batch of these eight statements serves one town or all towns of a region (rows
 * are split by town in readFactsOf, each town's keeping the statement's order).
 */
export function factsQueries(scope: string, key: string, asOf: string, cutoff: string): Stmt[] {
  const w = (col: string) => scope.replaceAll('$', col);
  return [
    stmt(`SELECT tw.id, tw.name, p.issued_on, p.year FROM towns tw LEFT JOIN plans p ON p.town_id = tw.id WHERE ${w('tw.id')} ORDER BY tw.name, tw.id`, key),
    stmt(`SELECT town_id, id, label, due FROM milestones WHERE ${w('town_id')} ORDER BY due`, key),
    stmt(`SELECT town_id, id, name FROM units WHERE ${w('town_id')} ORDER BY ordinal`, key),
    stmt(taskFactsSql(scope), key, asOf, cutoff),
    stmt(`SELECT town_id, task_id, unit_id, role FROM task_units WHERE ${w('town_id')} ORDER BY task_id, ordinal`, key),
    stmt(`SELECT town_id, task_id, indicator_id FROM task_indicators WHERE ${w('town_id')} ORDER BY task_id, indicator_id`, key),
    stmt(
      `SELECT ti.town_id, i.id, i.name, i.kind, i.unit, ti.baseline_value, ti.baseline_as_of
         FROM town_indicators ti JOIN indicators i ON i.id = ti.indicator_id WHERE ${w('ti.town_id')} ORDER BY ti.ordinal`,
      key,
    ),
    stmt(targetValuesSql(scope), key, asOf, cutoff),
  ];
}

/**
 * The statements of readTownFacts (the overdue board, units and indicators views) for one town.
 * Exported so the benchmark times and EXPLAINs exactly this SQL (bench/api.ts).
 */
export function townFactsQueries(town: string, asOf: string, cutoff: string): Stmt[] {
  return factsQueries('$ = ?1', town, asOf, cutoff);
}

type Row = Record<string, unknown>;
const parseJson = <T>(s: unknown): T | null => (typeof s === 'string' ? (JSON.parse(s) as T) : null);
const withoutTown = <T extends Row>({ town_id: _t, ...rest }: T) => rest;

/** Runs factsQueries and assembles each town's facts, in the towns' order (by name). */
export async function readFactsOf(db: D1Database, queries: Stmt[]): Promise<TownFacts[]> {
  const sets = (await db.batch(queries.map((q) => db.prepare(q.sql).bind(...q.params)))).map((r) => r.results as Row[]);
  const [towns, ...rest] = sets;
  // Each result set by town, in its own order.
  const byTown = rest.map((rows) => {
    const m = new Map<string, Row[]>();
    for (const r of rows) {
      const k = String(r.town_id);
      (m.get(k) ?? m.set(k, []).get(k)!).push(withoutTown(r));
    }
    return m;
  });
  const of = (i: number, town: string) => byTown[i]!.get(town) ?? [];
  return towns!.map((t) => {
    const id = String(t.id);
    return {
      town: { id, name: String(t.name), plan_start: (t.issued_on as string | null) ?? `${(t.year as number | null) ?? 2018}-01-01` },
      milestones: of(0, id) as unknown as TownFacts['milestones'],
      units: of(1, id) as unknown as TownFacts['units'],
      tasks: of(2, id).map((r) => ({ ...(r as unknown as TaskFactRow), last: parseJson<ApprovedUpdate>(r.last) })),
      taskUnits: of(3, id) as unknown as TownFacts['taskUnits'],
      taskIndicators: of(4, id) as unknown as TownFacts['taskIndicators'],
      indicators: of(5, id) as unknown as TownFacts['indicators'],
      targets: of(6, id).map((r) => ({ ...(r as unknown as TownFacts['targets'][number]), latest: parseJson(r.latest) })),
    };
  });
}

/**
 * The town's facts on day `asOf` (known before `cutoff`). Rectification items appear once their
 * inspection took place and was recorded (inspected_on ≤ asOf, created_at < cutoff). Null when the
 * town does not exist.
 */
export async function readTownFacts(db: D1Database, town: string, asOf: string, cutoff: string): Promise<TownFacts | null> {
  return (await readFactsOf(db, townFactsQueries(town, asOf, cutoff)))[0] ?? null;
}

/** Ids of all towns (for the scheduled snapshot). */
export async function listTownIds(db: D1Database): Promise<string[]> {
  return (await db.prepare(`SELECT id FROM towns ORDER BY id`).all<{ id: string }>()).results.map((r) => r.id);
}

// ---------------------------------------------------------------- inspections

/** A rectification item to create with its inspection. */
export interface NewRectification {
  id: string;
  code: string;
  title: string;
  requirement: string;
  unit: string;
  due_on: string;
  lead_member: string | null;
}

/** A new inspection as stored. */
export interface NewInspection {
  id: string;
  town: string;
  inspected_on: string;
  title: string;
  inspectors: string[];
  units: string[];
  tasks: string[];
  findings: { text: string; unit: string | null; task: string | null }[];
  rectifications: NewRectification[];
  created_by: string;
  created_at: string;
}

/** The statements that store an inspection and its rectification items (as tasks of kind 'rectification'). */
export function inspectionStmts(i: NewInspection): Stmt[] {
  const out: Stmt[] = [
    stmt(
      `INSERT INTO inspections (id, town_id, inspected_on, title, inspectors_json, units_json, tasks_json, findings_json, created_by, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      i.id,
      i.town,
      i.inspected_on,
      i.title,
      JSON.stringify(i.inspectors),
      JSON.stringify(i.units),
      JSON.stringify(i.tasks),
      JSON.stringify(i.findings),
      i.created_by,
      i.created_at,
    ),
  ];
  for (const r of i.rectifications) {
    out.push(
      stmt(
        `INSERT INTO tasks (town_id, id, parent_id, code, kind, title, quote, units_basis, lead_member_id, due_milestone_id, due_basis, weight, ordinal, updated_at, due_on, inspection_id)
         SELECT ?1, ?2, NULL, ?3, 'rectification', ?4, ?5, 'stated', ?6, NULL, 'stated', 1, COALESCE(MAX(ordinal), 0) + 1, ?7, ?8, ?9 FROM tasks WHERE town_id = ?1`,
        i.town,
        r.id,
        r.code,
        r.title,
        r.requirement,
        r.lead_member,
        i.created_at,
        r.due_on,
        i.id,
      ),
      stmt(`INSERT INTO task_units (town_id, task_id, unit_id, role, ordinal) VALUES (?, ?, ?, 'lead', 0)`, i.town, r.id, r.unit),
    );
  }
  return out;
}

interface InspectionRow {
  id: string;
  town_id: string;
  inspected_on: string;
  title: string;
  inspectors_json: string;
  units_json: string;
  tasks_json: string;
  findings_json: string;
  created_by: string;
  created_at: string;
}

/** An inspection as read back (rectification items with their current state). */
export interface InspectionRecord {
  id: string;
  town: string;
  inspected_on: string;
  title: string;
  inspectors: string[];
  units: string[];
  tasks: string[];
  findings: { text: string; unit: string | null; task: string | null }[];
  created_by: string;
  created_at: string;
  /** Files attached to the inspection (internal). */
  attachments: AttachmentView[];
  rectifications: {
    id: string;
    ref: string;
    code: string;
    title: string;
    requirement: string;
    unit: string;
    due_on: string;
    lead_member: string | null;
    status: string;
    percent: number;
    version: number;
  }[];
}

const INSPECTION_COLS = `id, town_id, inspected_on, title, inspectors_json, units_json, tasks_json, findings_json, created_by, created_at`;

async function withRectifications(db: D1Database, rows: InspectionRow[]): Promise<InspectionRecord[]> {
  if (!rows.length) return [];
  const r = await db
    .prepare(
      `SELECT t.inspection_id, t.town_id, t.id, t.code, t.title, t.quote AS requirement, t.due_on, t.lead_member_id AS lead_member, t.status, t.percent, t.version,
              (SELECT tu.unit_id FROM task_units tu WHERE tu.town_id = t.town_id AND tu.task_id = t.id AND tu.role = 'lead' ORDER BY tu.ordinal LIMIT 1) AS unit
         FROM tasks t WHERE t.inspection_id IN (SELECT value FROM json_each(?)) ORDER BY t.code`,
    )
    .bind(JSON.stringify(rows.map((x) => x.id)))
    .all<{ inspection_id: string; town_id: string; id: string } & Omit<InspectionRecord['rectifications'][number], 'ref'>>();
  const attached = await readAttachments(db, 'inspection', rows.map((x) => x.id));
  return rows.map((x) => ({
    id: x.id,
    town: x.town_id,
    inspected_on: x.inspected_on,
    title: x.title,
    inspectors: JSON.parse(x.inspectors_json),
    units: JSON.parse(x.units_json),
    tasks: JSON.parse(x.tasks_json),
    findings: JSON.parse(x.findings_json),
    created_by: x.created_by,
    created_at: x.created_at,
    attachments: attached.get(x.id) ?? [],
    rectifications: r.results
      .filter((t) => t.inspection_id === x.id)
      .map(({ inspection_id: _i, town_id, ...t }) => ({ ...t, ref: `${town_id}:${t.id}` })),
  }));
}

/** One inspection with its rectification items, or null. */
export async function readInspection(db: D1Database, id: string): Promise<InspectionRecord | null> {
  const row = await db.prepare(`SELECT ${INSPECTION_COLS} FROM inspections WHERE id = ?`).bind(id).first<InspectionRow>();
  return row ? (await withRectifications(db, [row]))[0]! : null;
}

/** A town's inspections, newest first, optionally within dates (inclusive) and known before a cutoff. */
export async function listInspections(db: D1Database, town: string, f: { from?: string; to?: string; cutoff?: string; limit: number }): Promise<InspectionRecord[]> {
  const r = await db
    .prepare(
      `SELECT ${INSPECTION_COLS} FROM inspections
        WHERE town_id = ?1 AND (?2 IS NULL OR inspected_on >= ?2) AND (?3 IS NULL OR inspected_on <= ?3) AND (?4 IS NULL OR created_at < ?4)
        ORDER BY inspected_on DESC, created_at DESC LIMIT ?5`,
    )
    .bind(town, f.from ?? null, f.to ?? null, f.cutoff ?? null, f.limit)
    .all<InspectionRow>();
  return withRectifications(db, r.results);
}

/** Which of these ids are units, tasks (plan or rectification) and members of the town. */
export async function readTownRefs(db: D1Database, town: string) {
  const [u, t, m] = await db.batch([
    db.prepare(`SELECT id FROM units WHERE town_id = ?`).bind(town),
    db.prepare(`SELECT id FROM tasks WHERE town_id = ?`).bind(town),
    db.prepare(`SELECT id FROM members WHERE town_id = ?`).bind(town),
  ]);
  const ids = (x: D1Result | undefined) => new Set((x!.results as { id: string }[]).map((r) => r.id));
  return { units: ids(u), tasks: ids(t), members: ids(m) };
}

// ---------------------------------------------------------------- snapshots

/** One unit's counts for the daily snapshot. */
export interface SnapshotRow {
  unit: string;
  overdue: number;
  at_risk: number;
  stale: number;
  tasks: number;
}

/**
 * The day's snapshot of a town: one row per unit, written only if the town has none for that day
 * (running twice on one day changes nothing: neither the rows nor the audit log).
 */
export function snapshotStmts(town: string, day: string, rows: SnapshotRow[], now: string, actor = 'system:cron'): Stmt[] {
  return [
    stmt(
      `INSERT INTO audit_log (at, actor, action, town_id, entity, entity_id, detail_json)
       SELECT ?1, ?2, 'snapshot.overdue', ?3, 'overdue_snapshot', ?4, ?5 WHERE NOT EXISTS (SELECT 1 FROM overdue_snapshots WHERE town_id = ?3 AND day = ?4)`,
      now,
      actor,
      town,
      day,
      JSON.stringify({ units: rows.length, overdue: rows.reduce((a, r) => a + r.overdue, 0) }),
    ),
    ...rows.map((r) =>
      stmt(
        `INSERT INTO overdue_snapshots (town_id, unit_id, day, overdue, at_risk, stale, tasks, computed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (town_id, unit_id, day) DO NOTHING`,
        town,
        r.unit,
        day,
        r.overdue,
        r.at_risk,
        r.stale,
        r.tasks,
        now,
      ),
    ),
  ];
}

/** A town's snapshots between two days (inclusive), by day then unit. */
export async function readSnapshots(db: D1Database, town: string, from: string, to: string) {
  return (
    await db
      .prepare(
        `SELECT s.day, s.unit_id AS unit, s.overdue, s.at_risk, s.stale, s.tasks FROM overdue_snapshots s JOIN units u ON u.town_id = s.town_id AND u.id = s.unit_id
          WHERE s.town_id = ? AND s.day BETWEEN ? AND ? ORDER BY s.day, u.ordinal`,
      )
      .bind(town, from, to)
      .all<{ day: string; unit: string; overdue: number; at_risk: number; stale: number; tasks: number }>()
  ).results;
}

// ---------------------------------------------------------------- assembled views

/** The town's tasks and views on `asOf` (facts known by the end of that day, China Standard Time); null if no such town. */
export async function readViews(db: D1Database, town: string, asOf: string, opts: SupervisionOptions = DEFAULT_OPTIONS) {
  const facts = await readTownFacts(db, town, asOf, knownBefore(asOf));
  if (!facts) return null;
  const items = evaluateTasks(facts, asOf, opts);
  return { facts, items };
}
