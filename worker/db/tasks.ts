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
import { taskSearchStmts } from './search.ts';

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
  evidence_required: number;
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
        `SELECT id, parent_id, code, kind, title, lead_member_id, due_milestone_id, due_on, weight, evidence_required, ordinal, status, percent, version, console_fields, inspection_id, updated_at
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
      evidence_required: r.evidence_required === 1,
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

/** A guard that aborts the batch when another plan task of the town already has `code`. */
export const codeFreeGuard = (town: string, code: string, except: string | null): Stmt =>
  guardStmt('task_code_free', '0', `SELECT CAST(COUNT(*) AS TEXT) FROM tasks WHERE town_id = ? AND code = ? AND kind <> 'rectification' AND id <> ?`, town, code, except ?? '');

/** A guard that aborts the batch unless the task is still at `version`. */
export const versionGuard = (town: string, task: string, version: number): Stmt =>
  guardStmt('task_version', String(version), `SELECT CAST(version AS TEXT) FROM tasks WHERE town_id = ? AND id = ?`, town, task);

/** The fingerprint of a town's task table: changes with any write to any task (version or count). */
export const TABLE_FINGERPRINT_SQL = `SELECT COUNT(*) || ':' || COALESCE(SUM(version), 0) FROM tasks WHERE town_id = ?`;

/** The fingerprint of tasks as read (the same value TABLE_FINGERPRINT_SQL computes). */
export const tableFingerprint = (tasks: { version: number }[]): string => `${tasks.length}:${tasks.reduce((n, t) => n + t.version, 0)}`;

/** A guard that aborts the batch when any task of the town changed since `fingerprint` was read. */
export const tableGuard = (town: string, fingerprint: string): Stmt => guardStmt('task_table', fingerprint, TABLE_FINGERPRINT_SQL, town);

/** A set of task writes: new tasks, and edits of stored ones (with the version they were read at). */
export interface TaskWrite {
  creates: { state: TaskState; ordinal: number }[];
  updates: { version: number; after: TaskState; changed: readonly (TaskField | 'due_on')[]; before: Record<string, unknown>; afterFields: Record<string, unknown> }[];
}

/**
 * The statements of a set of task writes, a constant number however many tasks (each statement
 * reads its rows from one JSON parameter, so an import of hundreds of rows stays a handful of D1
 * queries): tasks inserted (every field pinned) and updated (version + 1, changed fields pinned),
 * task_units rewritten where units changed, one task_history row and one audit row per task.
 * Guards are the caller's: they go before these in the same batch.
 */
export function taskWriteStmts(town: string, w: TaskWrite, audit: { actor: string; now: string; source: 'api' | 'import'; rows?: Map<string, number> }): Stmt[] {
  const { actor, now } = audit;
  const out: Stmt[] = [];
  const json = (v: unknown) => JSON.stringify(v);
  const ordered = (units: TaskState['units']) => [...units.filter((u) => u.role === 'lead'), ...units.filter((u) => u.role === 'support')];
  const leadOf = (t: TaskState) => t.units.find((u) => u.role === 'lead')?.unit ?? null;
  const row = (id: string) => (audit.rows?.has(id) ? { row: audit.rows.get(id) } : {});
  if (w.creates.length) {
    out.push(
      stmt(
        `INSERT INTO tasks (town_id, id, parent_id, code, kind, title, quote, units_basis, lead_member_id, due_milestone_id, due_basis, weight, evidence_required, ordinal, updated_at, console_fields)
         SELECT ?, json_extract(value, '$.id'), json_extract(value, '$.parent'), json_extract(value, '$.code'), json_extract(value, '$.kind'), json_extract(value, '$.title'),
                '', 'stated', json_extract(value, '$.lead_member'), json_extract(value, '$.due'), 'stated', json_extract(value, '$.weight'),
                COALESCE(json_extract(value, '$.evidence_required'), 0), json_extract(value, '$.ordinal'), ?, ?
           FROM json_each(?)`,
        town,
        now,
        json(TASK_FIELDS),
        json(w.creates.map((c) => ({ ...c.state, ordinal: c.ordinal }))),
      ),
    );
  }
  if (w.updates.length) {
    out.push(
      stmt(
        `UPDATE tasks SET parent_id = json_extract(u.value, '$.parent'), code = json_extract(u.value, '$.code'), kind = json_extract(u.value, '$.kind'),
                title = json_extract(u.value, '$.title'), lead_member_id = json_extract(u.value, '$.lead_member'), due_milestone_id = json_extract(u.value, '$.due'),
                due_on = json_extract(u.value, '$.due_on'), weight = json_extract(u.value, '$.weight'),
                evidence_required = COALESCE(json_extract(u.value, '$.evidence_required'), evidence_required),
                units_basis = CASE WHEN json_extract(u.value, '$.units_changed') THEN 'stated' ELSE units_basis END,
                due_basis = CASE WHEN json_extract(u.value, '$.due_changed') THEN 'stated' ELSE due_basis END,
                console_fields = (SELECT json_group_array(value) FROM (SELECT value FROM json_each(tasks.console_fields) UNION SELECT value FROM json_each(json_extract(u.value, '$.pins')) ORDER BY value)),
                version = version + 1, updated_at = ?
           FROM json_each(?) AS u
          WHERE tasks.town_id = ? AND tasks.id = json_extract(u.value, '$.id')`,
        now,
        json(
          w.updates.map((x) => ({
            ...x.after,
            units_changed: x.changed.includes('units'),
            due_changed: x.changed.includes('due'),
            pins: [...new Set(x.changed.map((f) => (f === 'due_on' ? 'due' : f)))],
          })),
        ),
        town,
      ),
    );
  }
  const unitsRewritten = w.updates.filter((x) => x.changed.includes('units'));
  if (unitsRewritten.length) {
    out.push(stmt(`DELETE FROM task_units WHERE town_id = ? AND task_id IN (SELECT value FROM json_each(?))`, town, json(unitsRewritten.map((x) => x.after.id))));
  }
  const unitRows = [...w.creates.map((c) => c.state), ...unitsRewritten.map((x) => x.after)].flatMap((t) => ordered(t.units).map((u, i) => ({ task: t.id, unit: u.unit, role: u.role, ordinal: i })));
  if (unitRows.length) {
    out.push(
      stmt(
        `INSERT INTO task_units (town_id, task_id, unit_id, role, ordinal)
         SELECT ?, json_extract(value, '$.task'), json_extract(value, '$.unit'), json_extract(value, '$.role'), json_extract(value, '$.ordinal') FROM json_each(?)`,
        town,
        json(unitRows),
      ),
    );
  }
  // Search shows a task by its code and title: index new tasks and changed titles in the same batch.
  out.push(
    ...taskSearchStmts(town, [
      ...w.creates.map((c) => ({ ...c.state, ordinal: c.ordinal })),
      ...w.updates.filter((x) => x.changed.includes('title') || x.changed.includes('code')).map((x) => ({ ...x.after, ordinal: 0 })),
    ]),
  );
  const history = [
    ...w.creates.map((c) => ({ task: c.state.id, before: {}, after: { ...c.state, version: 1 } })),
    ...w.updates.map((x) => ({ task: x.after.id, before: { ...x.before, version: x.version }, after: { ...x.afterFields, version: x.version + 1 } })),
  ];
  const audits = [
    ...w.creates.map((c) => ({ action: 'task.create', unit: leadOf(c.state), task: c.state.id, detail: { source: audit.source, ...row(c.state.id), after: c.state } })),
    ...w.updates.map((x) => ({ action: 'task.edit', unit: leadOf(x.after), task: x.after.id, detail: { source: audit.source, ...row(x.after.id), fields: x.changed, before: x.before, after: x.afterFields } })),
  ];
  if (history.length) {
    out.push(
      stmt(
        `INSERT INTO task_history (town_id, task_id, update_id, actor, at, before_json, after_json)
         SELECT ?, json_extract(value, '$.task'), NULL, ?, ?, json_extract(value, '$.before'), json_extract(value, '$.after') FROM json_each(?)`,
        town,
        actor,
        now,
        json(history),
      ),
      stmt(
        `INSERT INTO audit_log (at, actor, action, town_id, unit_id, task_id, entity, entity_id, detail_json)
         SELECT ?, ?, json_extract(value, '$.action'), ?, json_extract(value, '$.unit'), json_extract(value, '$.task'), 'task', ? || ':' || json_extract(value, '$.task'), json_extract(value, '$.detail')
           FROM json_each(?)`,
        now,
        actor,
        town,
        town,
        json(audits),
      ),
    );
  }
  return out;
}
