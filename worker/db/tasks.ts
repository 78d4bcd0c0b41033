/**
 * All SQL for task management (任务分解表): reading a town's task table with the units, members
 * and milestones it may refer to, and the statements that create and edit tasks with their
 * task_units rows, history and pinned fields. Writes are returned as Stmt lists so the route adds
 * the audit (and idempotency) rows to the same batch.
 *
 * Pinning: a field the office edits through the API is added to tasks.console_fields (migration
 * 0007), and the content loader keeps the stored value of a pinned field (PINNED_COLUMNS).
 */
import { TASK_FIELDS, type TaskField, type TaskRecord, type TaskState, type TownRefs } from '../domain/tasks.ts';
import { stmt, type Stmt } from './sql.ts';
import { guardStmt } from './updates.ts';

/** SQL that is true when `field` is pinned on the row of `table` (field names come from code). */
export const pinnedSql = (field: TaskField, table = 'tasks'): string => `instr(${table}.console_fields, '"${field}"') > 0`;

/** The tasks columns the content loader must keep while their field is pinned. */
export const PINNED_COLUMNS: Record<string, string> = {
  code: pinnedSql('code'),
  parent_id: pinnedSql('parent'),
  kind: pinnedSql('kind'),
  title: pinnedSql('title'),
  lead_member_id: pinnedSql('lead_member'),
  due_milestone_id: pinnedSql('due'),
  weight: pinnedSql('weight'),
  // The office's own assignment is the town's statement, no longer the editors' inference.
  units_basis: pinnedSql('units'),
  due_basis: pinnedSql('due'),
};

interface TaskRow {
  id: string;
  parent_id: string | null;
  code: string;
  kind: TaskRecord['kind'];
  title: string;
  lead_member_id: string | null;
  due_milestone_id: string | null;
  due_on: string | null;
  weight: number;
  ordinal: number;
  status: TaskRecord['status'];
  percent: number;
  version: number;
  console_fields: string;
  inspection_id: string | null;
  updated_at: string;
}

/** A town's task table (plan tasks and rectification items, in outline order) and its references; null if no such town. */
export async function readTaskTable(db: D1Database, town: string): Promise<{ name: string; tasks: TaskRecord[]; refs: TownRefs } | null> {
  const [tw, t, tu, u, m, ms] = await db.batch([
    db.prepare(`SELECT name FROM towns WHERE id = ?`).bind(town),
    db
      .prepare(
        `SELECT id, parent_id, code, kind, title, lead_member_id, due_milestone_id, due_on, weight, ordinal, status, percent, version, console_fields, inspection_id, updated_at
           FROM tasks WHERE town_id = ? ORDER BY kind = 'rectification', ordinal, id`,
      )
      .bind(town),
    db.prepare(`SELECT task_id, unit_id, role FROM task_units WHERE town_id = ? ORDER BY task_id, ordinal, unit_id`).bind(town),
    db.prepare(`SELECT id, name FROM units WHERE town_id = ? ORDER BY ordinal`).bind(town),
    db.prepare(`SELECT id, name, post FROM members WHERE town_id = ? ORDER BY ordinal`).bind(town),
    db.prepare(`SELECT id, label, due, year FROM milestones WHERE town_id = ? ORDER BY due`).bind(town),
  ]);
  const townRow = tw!.results[0] as { name: string } | undefined;
  if (!townRow) return null;
  const units = new Map<string, TaskRecord['units']>();
  for (const r of tu!.results as { task_id: string; unit_id: string; role: 'lead' | 'support' }[]) {
    units.set(r.task_id, [...(units.get(r.task_id) ?? []), { unit: r.unit_id, role: r.role }]);
  }
  const tasks = (t!.results as unknown as TaskRow[]).map(
    (r): TaskRecord => ({
      id: r.id,
      parent: r.parent_id,
      code: r.code,
      kind: r.kind,
      title: r.title,
      units: units.get(r.id) ?? [],
      lead_member: r.lead_member_id,
      due: r.due_milestone_id,
      due_on: r.due_on,
      weight: r.weight,
      ordinal: r.ordinal,
      status: r.status,
      percent: r.percent,
      version: r.version,
      edited: (JSON.parse(r.console_fields) as TaskField[]).filter((f) => (TASK_FIELDS as readonly string[]).includes(f)),
      inspection: r.inspection_id,
      updated_at: r.updated_at,
    }),
  );
  return {
    name: townRow.name,
    tasks,
    refs: {
      units: u!.results as TownRefs['units'],
      members: m!.results as TownRefs['members'],
      milestones: ms!.results as TownRefs['milestones'],
    },
  };
}

const unitStmts = (town: string, task: string, units: TaskState['units']): Stmt[] => [
  stmt(`DELETE FROM task_units WHERE town_id = ? AND task_id = ?`, town, task),
  // lead units first, each role in the order given
  ...[...units.filter((u) => u.role === 'lead'), ...units.filter((u) => u.role === 'support')].map((u, i) =>
    stmt(`INSERT INTO task_units (town_id, task_id, unit_id, role, ordinal) VALUES (?, ?, ?, ?, ?)`, town, task, u.unit, u.role, i),
  ),
];

/** A guard that aborts the batch when another plan task of the town already has `code`. */
export const codeFreeGuard = (town: string, code: string, except: string | null): Stmt =>
  guardStmt('task_code_free', '0', `SELECT CAST(COUNT(*) AS TEXT) FROM tasks WHERE town_id = ? AND code = ? AND kind <> 'rectification' AND id <> ?`, town, code, except ?? '');

/** The fingerprint of a town's task table: changes with any write to any task (version or count). */
export const TABLE_FINGERPRINT_SQL = `SELECT COUNT(*) || ':' || COALESCE(SUM(version), 0) FROM tasks WHERE town_id = ?`;

/** The fingerprint of tasks as read (the same value TABLE_FINGERPRINT_SQL computes). */
export const tableFingerprint = (tasks: { version: number }[]): string => `${tasks.length}:${tasks.reduce((n, t) => n + t.version, 0)}`;

/** A guard that aborts the batch when any task of the town changed since `fingerprint` was read. */
export const tableGuard = (town: string, fingerprint: string): Stmt => guardStmt('task_table', fingerprint, TABLE_FINGERPRINT_SQL, town);

/** The statements that store a new plan task (every field pinned: content/ does not own it) and its history row. */
export function createTaskStmts(town: string, t: TaskState, ordinal: number | null, actor: string, now: string): Stmt[] {
  return [
    codeFreeGuard(town, t.code, null),
    stmt(
      `INSERT INTO tasks (town_id, id, parent_id, code, kind, title, quote, units_basis, lead_member_id, due_milestone_id, due_basis, weight, ordinal, updated_at, console_fields)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6, '', 'stated', ?7, ?8, 'stated', ?9, COALESCE(?10, COALESCE(MAX(ordinal), -1) + 1), ?11, ?12 FROM tasks WHERE town_id = ?1`,
      town,
      t.id,
      t.parent,
      t.code,
      t.kind,
      t.title,
      t.lead_member,
      t.due,
      t.weight,
      ordinal,
      now,
      JSON.stringify(TASK_FIELDS),
    ),
    ...unitStmts(town, t.id, t.units).filter((x) => !x.sql.startsWith('DELETE')),
    historyStmt(town, t.id, actor, now, {}, { ...t, version: 1 }),
  ];
}

/**
 * The statements that apply an edit: guarded by the version the editor saw, version + 1, the
 * changed fields pinned, units rewritten when they changed, and the history row (before/after).
 */
export function editTaskStmts(
  town: string,
  expectedVersion: number,
  after: TaskState,
  changed: readonly (TaskField | 'due_on')[],
  history: { before: Record<string, unknown>; after: Record<string, unknown> },
  actor: string,
  now: string,
): Stmt[] {
  const pins = changed.map((f) => (f === 'due_on' ? 'due' : f));
  const out: Stmt[] = [
    guardStmt('task_version', String(expectedVersion), `SELECT CAST(version AS TEXT) FROM tasks WHERE town_id = ? AND id = ?`, town, after.id),
  ];
  if (changed.includes('code') && after.kind !== 'rectification') out.push(codeFreeGuard(town, after.code, after.id));
  out.push(
    stmt(
      `UPDATE tasks SET parent_id = ?, code = ?, kind = ?, title = ?, lead_member_id = ?, due_milestone_id = ?, due_on = ?, weight = ?,
              units_basis = CASE WHEN ? THEN 'stated' ELSE units_basis END, due_basis = CASE WHEN ? THEN 'stated' ELSE due_basis END,
              console_fields = (SELECT json_group_array(value) FROM (SELECT value FROM json_each(tasks.console_fields) UNION SELECT value FROM json_each(?) ORDER BY value)),
              version = version + 1, updated_at = ?
        WHERE town_id = ? AND id = ?`,
      after.parent,
      after.code,
      after.kind,
      after.title,
      after.lead_member,
      after.due,
      after.due_on,
      after.weight,
      changed.includes('units') ? 1 : 0,
      changed.includes('due') ? 1 : 0,
      JSON.stringify([...new Set(pins)]),
      now,
      town,
      after.id,
    ),
  );
  if (changed.includes('units')) out.push(...unitStmts(town, after.id, after.units));
  out.push(historyStmt(town, after.id, actor, now, { ...history.before, version: expectedVersion }, { ...history.after, version: expectedVersion + 1 }));
  return out;
}

/** A task_history row for a change that is not a reviewed update (update_id NULL). */
export const historyStmt = (town: string, task: string, actor: string, now: string, before: Record<string, unknown>, after: Record<string, unknown>): Stmt =>
  stmt(
    `INSERT INTO task_history (town_id, task_id, update_id, actor, at, before_json, after_json) VALUES (?, ?, NULL, ?, ?, ?, ?)`,
    town,
    task,
    actor,
    now,
    JSON.stringify(before),
    JSON.stringify(after),
  );
