/**
 * The one read behind every public page and open-data file of a town: its task table as the
 * office keeps it now and its approved progress, in one D1 batch (one round trip). Only approved
 * data is selected: task status and percent change only when an update is approved, and only
 * approved updates and their indicator values are read. Rectification items (整改) stay internal;
 * only published public bulletins are read.
 */
// The module form of the Workers types: this file is also compiled with the site, which has the DOM types.
import type { D1Database } from '@cloudflare/workers-types/index.ts';
import { cstDate } from '../domain/supervision.ts';
import { TownPublicData } from '../domain/public-progress.ts';

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
  updatesTotal: `SELECT COUNT(*) AS n FROM task_updates u JOIN tasks t ON t.town_id = u.town_id AND t.id = u.task_id
                  WHERE u.town_id = ?1 AND u.state = 'approved' AND t.kind <> 'rectification'`,
  /**
   * Every approved indicator value. indicator_values rows are written only by an approval, in its
   * batch (approveStmts in worker/db/updates.ts), for indicators the task delivers (rectification
   * items deliver none), so no join back to the update is needed — as the progress API reads them.
   * Without the join: 17.6 ms instead of 109.6 ms (node:sqlite) at 6,285 values behind 100,000 updates.
   */
  values: `SELECT v.indicator_id, v.value, v.as_of, v.source, v.approved_at, v.update_id
             FROM indicator_values v WHERE v.town_id = ?1
            ORDER BY v.indicator_id, v.as_of, v.approved_at`,
  bulletins: `SELECT id, number, title, period_from, period_to, remarks, issued_at
                FROM bulletins WHERE town_id = ?1 AND state = 'issued' AND visibility = 'public' ORDER BY issued_at, id`,
  overdue: `SELECT day, SUM(overdue) AS overdue FROM overdue_snapshots WHERE town_id = ?1 GROUP BY day ORDER BY day`,
} as const;

/**
 * A town's public data as of now; null when there is no such town. `recent` limits the approved
 * updates read to the newest N (plus each task's latest): pages show a page of them, the open-data
 * files read all.
 */
export async function readPublicTown(db: D1Database, town: string, now = new Date(), recent?: number): Promise<TownPublicData | null> {
  const keys = Object.keys(PUBLIC_SQL) as (keyof typeof PUBLIC_SQL)[];
  const limit = recent ?? -1;
  const sets = await db.batch(keys.map((k) => (k === 'updates' ? db.prepare(PUBLIC_SQL[k]).bind(town, limit) : db.prepare(PUBLIC_SQL[k]).bind(town))));
  const rows = Object.fromEntries(keys.map((k, i) => [k, sets[i]!.results as Row[]])) as Record<keyof typeof PUBLIC_SQL, Row[]>;
  if (rows.town.length === 0) return null;
  return publicData(town, rows, now.toISOString());
}

/** The result sets of PUBLIC_SQL as one validated record. Exported for tests. */
export function publicData(town: string, rows: Record<keyof typeof PUBLIC_SQL, Row[]>, readAt: string): TownPublicData {
  const unitsOf = new Map<string, { unit: string; role: string }[]>();
  for (const r of rows.taskUnits) unitsOf.set(String(r.task_id), [...(unitsOf.get(String(r.task_id)) ?? []), { unit: String(r.unit_id), role: String(r.role) }]);
  const indicatorsOf = new Map<string, string[]>();
  for (const r of rows.taskIndicators) indicatorsOf.set(String(r.task_id), [...(indicatorsOf.get(String(r.task_id)) ?? []), String(r.indicator_id)]);
  const seen = new Set<string>();
  const unique = [...rows.updates, ...(rows.lastUpdates ?? [])].filter((u) => !seen.has(String(u.id)) && !!seen.add(String(u.id)));
  const updates = unique.map((u) => ({
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
