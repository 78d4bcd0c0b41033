/**
 * All SQL for task updates, review, history, idempotency records, audit reads and public progress.
 * Writes are returned as Stmt lists so the route can add the audit and idempotency rows to
 * the same batch.
 */
import type { Descendant } from '../domain/parent-rule.ts';
import type { UpdateInput, UpdateView } from '../domain/update.ts';
import { stmt, type Stmt } from './sql.ts';
import { readAttachments } from './files.ts';

/** The task facts a submission or review needs. */
export interface TaskForUpdate {
  town_id: string;
  id: string;
  title: string;
  /** key_task, guarantee, deliverable or rectification */
  kind: string;
  status: string;
  percent: number;
  version: number;
  /** 1: a report of 已完成 needs an attached file (the office sets it in the task table). */
  evidence_required: number;
  units: string[];
  indicators: { id: string; kind: string }[];
  /** Every task below this one, with its latest approved report (the parent rule's input). */
  descendants: Descendant[];
  /** The descendants' ids and versions, as DESCENDANTS_FINGERPRINT_SQL computes it: any approval below changes it. */
  descendants_fingerprint: string;
}

/** The tasks below ?2 in town ?1, at any depth (the tree has no cycles: the task table refuses them). */
const SUBTREE = `WITH RECURSIVE sub(id) AS (
    SELECT id FROM tasks WHERE town_id = ?1 AND parent_id = ?2
    UNION ALL
    SELECT t.id FROM tasks t JOIN sub ON t.town_id = ?1 AND t.parent_id = sub.id
  )`;

const DESCENDANTS_SQL = `${SUBTREE}
  SELECT t.id, t.code, t.parent_id, t.weight, t.version,
         (SELECT json_object('status', u.status, 'percent', u.percent) FROM task_updates u
           WHERE u.town_id = t.town_id AND u.task_id = t.id AND u.state = 'approved'
           ORDER BY u.reviewed_at DESC, u.id DESC LIMIT 1) AS last
    FROM sub JOIN tasks t ON t.town_id = ?1 AND t.id = sub.id
   ORDER BY t.ordinal, t.id`;

const DESCENDANTS_FINGERPRINT_SQL = `${SUBTREE}
  SELECT COALESCE(group_concat(v, ','), '') FROM (
    SELECT t.id || '@' || t.version AS v FROM sub JOIN tasks t ON t.town_id = ?1 AND t.id = sub.id ORDER BY t.id)`;

const fingerprint = (rows: { id: string; version: number }[]) =>
  [...rows]
    // Ids are ASCII slugs, so JS order is SQLite's BINARY order.
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((r) => `${r.id}@${r.version}`)
    .join(',');

/** A task with its responsible units and the indicators it delivers; null if missing. */
export async function readTaskForUpdate(db: D1Database, town: string, task: string): Promise<TaskForUpdate | null> {
  const [t, u, i, d] = await db.batch([
    db.prepare(`SELECT town_id, id, title, kind, status, percent, version, evidence_required FROM tasks WHERE town_id = ? AND id = ?`).bind(town, task),
    db.prepare(`SELECT unit_id FROM task_units WHERE town_id = ? AND task_id = ? ORDER BY ordinal`).bind(town, task),
    db
      .prepare(`SELECT i.id, i.kind FROM task_indicators ti JOIN indicators i ON i.id = ti.indicator_id WHERE ti.town_id = ? AND ti.task_id = ?`)
      .bind(town, task),
    db.prepare(DESCENDANTS_SQL).bind(town, task),
  ]);
  const row = t!.results[0] as Omit<TaskForUpdate, 'units' | 'indicators' | 'descendants' | 'descendants_fingerprint'> | undefined;
  if (!row) return null;
  const below = d!.results as { id: string; code: string; parent_id: string; weight: number; version: number; last: string | null }[];
  return {
    ...row,
    units: (u!.results as { unit_id: string }[]).map((x) => x.unit_id),
    indicators: i!.results as { id: string; kind: string }[],
    descendants: below.map((r) => ({ id: r.id, code: r.code, parent: r.parent_id, weight: Number(r.weight), last: r.last ? JSON.parse(r.last) : null })),
    descendants_fingerprint: fingerprint(below),
  };
}

/**
 * A guard row for a review: aborts the batch if any task below `task` was approved, edited,
 * added or removed since `expected` was read, so the parent rule is judged on what is stored.
 */
export const descendantsGuardStmt = (town: string, task: string, expected: string): Stmt =>
  stmt(`INSERT INTO write_guards (name, expected, actual) SELECT 'descendants', ?3, (${DESCENDANTS_FINGERPRINT_SQL})`, town, task, expected);

/** A guard row: aborts the batch unless the stored value equals `expected` (see migration 0005). */
export const guardStmt = (name: string, expected: string, actualSql: string, ...params: (string | number)[]): Stmt =>
  stmt(`INSERT INTO write_guards (name, expected, actual) SELECT ?, ?, (${actualSql})`, name, expected, ...params);

/** Clears guard rows at the end of the batch that inserted them. */
export const clearGuards = (): Stmt => stmt(`DELETE FROM write_guards`);

/** Stored answer of an earlier request with this Idempotency-Key. */
export async function readIdempotency(db: D1Database, account: string, key: string) {
  return db
    .prepare(`SELECT request_hash, status, body FROM idempotency_keys WHERE account_id = ? AND key = ?`)
    .bind(account, key)
    .first<{ request_hash: string; status: number; body: string }>();
}

/** Records the answer to a request, in the batch of its write. */
export const idempotencyStmt = (account: string, key: string, hash: string, status: number, body: unknown, now: string): Stmt =>
  stmt(
    `INSERT INTO idempotency_keys (account_id, key, request_hash, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
    account,
    key,
    hash,
    status,
    JSON.stringify(body),
    now,
  );

/** The statements that store a new pending update, guarded by the task version the reporter saw. */
export function submitStmts(u: Omit<UpdateView, 'attachments'>, input: Omit<UpdateInput, 'attachments'>): Stmt[] {
  return [
    guardStmt('task_version', String(u.base_version), `SELECT CAST(version AS TEXT) FROM tasks WHERE town_id = ? AND id = ?`, u.town, u.task),
    stmt(
      `INSERT INTO task_updates (id, town_id, task_id, unit_id, author_id, state, status, percent, narrative, measurements_json, evidence_json, base_version, created_at)
       VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?)`,
      u.id,
      u.town,
      u.task,
      u.unit,
      u.author,
      input.status,
      input.percent,
      input.narrative,
      JSON.stringify(input.measurements),
      JSON.stringify(input.evidence),
      u.base_version,
      u.created_at,
    ),
  ];
}

interface UpdateRow {
  id: string;
  town_id: string;
  task_id: string;
  unit_id: string;
  author_id: string;
  state: string;
  status: string;
  percent: number;
  narrative: string;
  measurements_json: string;
  evidence_json: string;
  base_version: number;
  created_at: string;
  reviewed_by: string | null;
  reviewed_at: string | null;
  reject_reason: string | null;
}

const toView = (r: UpdateRow): Omit<UpdateView, 'attachments'> => ({
  id: r.id,
  town: r.town_id,
  task: r.task_id,
  unit: r.unit_id,
  author: r.author_id,
  state: r.state as UpdateView['state'],
  status: r.status as UpdateView['status'],
  percent: r.percent,
  narrative: r.narrative,
  measurements: JSON.parse(r.measurements_json),
  evidence: JSON.parse(r.evidence_json),
  base_version: r.base_version,
  created_at: r.created_at,
  reviewed_by: r.reviewed_by,
  reviewed_at: r.reviewed_at,
  reject_reason: r.reject_reason,
});

/** Updates with their attachments (one more statement for the lot). */
async function withAttachments(db: D1Database, rows: UpdateRow[]): Promise<UpdateView[]> {
  const att = await readAttachments(db, 'update', rows.map((r) => r.id));
  return rows.map((r) => ({ ...toView(r), attachments: att.get(r.id) ?? [] }));
}

const UPDATE_COLS = `id, town_id, task_id, unit_id, author_id, state, status, percent, narrative, measurements_json, evidence_json, base_version, created_at, reviewed_by, reviewed_at, reject_reason`;

/** One update, or null. */
export async function readUpdate(db: D1Database, id: string): Promise<UpdateView | null> {
  const r = await db.prepare(`SELECT ${UPDATE_COLS} FROM task_updates WHERE id = ?`).bind(id).first<UpdateRow>();
  return r ? (await withAttachments(db, [r]))[0]! : null;
}

/** Updates of a town, newest first, filtered by state, task and unit. */
export async function listUpdates(db: D1Database, town: string, f: { state?: string; task?: string; unit?: string; limit: number }) {
  const where = ['town_id = ?'];
  const params: (string | number)[] = [town];
  if (f.state) (where.push('state = ?'), params.push(f.state));
  if (f.task) (where.push('task_id = ?'), params.push(f.task));
  if (f.unit) (where.push('unit_id = ?'), params.push(f.unit));
  const r = await db
    .prepare(`SELECT ${UPDATE_COLS} FROM task_updates WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id LIMIT ?`)
    .bind(...params, f.limit)
    .all<UpdateRow>();
  return withAttachments(db, r.results);
}

/** An author's own updates, newest first. */
export async function listUpdatesByAuthor(db: D1Database, author: string, limit: number) {
  const r = await db
    .prepare(`SELECT ${UPDATE_COLS} FROM task_updates WHERE author_id = ? ORDER BY created_at DESC, id LIMIT ?`)
    .bind(author, limit)
    .all<UpdateRow>();
  return withAttachments(db, r.results);
}

/** Approval: apply the update to the task and its indicators, record history; guarded by pending state and task version. */
export function approveStmts(u: UpdateView, task: TaskForUpdate, reviewer: string, now: string): Stmt[] {
  const before = { status: task.status, percent: task.percent, version: task.version };
  const after = { status: u.status, percent: u.percent, version: task.version + 1 };
  return [
    guardStmt('update_state', 'pending', `SELECT state FROM task_updates WHERE id = ?`, u.id),
    guardStmt('task_version', String(task.version), `SELECT CAST(version AS TEXT) FROM tasks WHERE town_id = ? AND id = ?`, u.town, u.task),
    stmt(`UPDATE task_updates SET state = 'approved', reviewed_by = ?, reviewed_at = ? WHERE id = ?`, reviewer, now, u.id),
    stmt(
      `UPDATE tasks SET status = ?, percent = ?, version = version + 1, updated_at = ? WHERE town_id = ? AND id = ?`,
      u.status,
      u.percent,
      now,
      u.town,
      u.task,
    ),
    ...u.measurements.map((m, i) =>
      stmt(
        `INSERT INTO indicator_values (update_id, ordinal, town_id, indicator_id, value, as_of, source, approved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        u.id,
        i,
        u.town,
        m.indicator,
        m.value,
        m.as_of,
        m.source,
        now,
      ),
    ),
    stmt(
      `INSERT INTO task_history (town_id, task_id, update_id, actor, at, before_json, after_json) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      u.town,
      u.task,
      u.id,
      reviewer,
      now,
      JSON.stringify(before),
      JSON.stringify(after),
    ),
  ];
}

/** Rejection with a reason; guarded by pending state. */
export function rejectStmts(u: UpdateView, reviewer: string, reason: string, now: string): Stmt[] {
  return [
    guardStmt('update_state', 'pending', `SELECT state FROM task_updates WHERE id = ?`, u.id),
    stmt(`UPDATE task_updates SET state = 'rejected', reviewed_by = ?, reviewed_at = ?, reject_reason = ? WHERE id = ?`, reviewer, now, reason, u.id),
  ];
}

/** Tasks for "my tasks": a unit's tasks, or all of the town's when unit is null; with due date and last updates. */
export async function readMyTasks(db: D1Database, town: string, unit: string | null) {
  const r = await db
    .prepare(
      `SELECT t.id, t.code, t.title, t.kind, t.parent_id, t.status, t.percent, t.version, t.evidence_required, t.due_milestone_id AS due, COALESCE(t.due_on, m.due) AS due_date, m.label AS due_label,
              (SELECT json_object('id', u.id, 'state', u.state, 'status', u.status, 'percent', u.percent, 'created_at', u.created_at, 'reviewed_at', u.reviewed_at, 'reject_reason', u.reject_reason)
                 FROM task_updates u WHERE u.town_id = t.town_id AND u.task_id = t.id ORDER BY u.created_at DESC, u.id DESC LIMIT 1) AS last_update,
              (SELECT json_object('id', u.id, 'status', u.status, 'percent', u.percent, 'reviewed_at', u.reviewed_at)
                 FROM task_updates u WHERE u.town_id = t.town_id AND u.task_id = t.id AND u.state = 'approved' ORDER BY u.reviewed_at DESC, u.id DESC LIMIT 1) AS last_approved
         FROM tasks t LEFT JOIN milestones m ON m.town_id = t.town_id AND m.id = t.due_milestone_id
        WHERE t.town_id = ?1 AND (?2 IS NULL OR EXISTS (SELECT 1 FROM task_units tu WHERE tu.town_id = t.town_id AND tu.task_id = t.id AND tu.unit_id = ?2))
        ORDER BY due_date, t.ordinal`,
    )
    .bind(town, unit)
    .all<{ id: string; last_update: string | null; last_approved: string | null } & Record<string, unknown>>();
  return r.results.map((x) => ({
    ...x,
    last_update: x.last_update ? JSON.parse(x.last_update) : null,
    last_approved: x.last_approved ? JSON.parse(x.last_approved) : null,
  }));
}

/** A task's full history: every update (with review) and every applied change (before/after). */
export async function readHistory(db: D1Database, town: string, task: string) {
  const [u, h] = await db.batch([
    db.prepare(`SELECT ${UPDATE_COLS} FROM task_updates WHERE town_id = ? AND task_id = ? ORDER BY created_at, id`).bind(town, task),
    db.prepare(`SELECT id, update_id, actor, at, before_json, after_json FROM task_history WHERE town_id = ? AND task_id = ? ORDER BY id`).bind(town, task),
  ]);
  return {
    updates: await withAttachments(db, u!.results as unknown as UpdateRow[]),
    changes: (h!.results as { id: number; update_id: string | null; actor: string; at: string; before_json: string; after_json: string }[]).map((c) => ({
      id: c.id,
      update: c.update_id,
      actor: c.actor,
      at: c.at,
      before: JSON.parse(c.before_json),
      after: JSON.parse(c.after_json),
    })),
  };
}

/** Audit rows of a town, newest first, filtered. */
export async function readAudit(
  db: D1Database,
  town: string,
  f: { actor?: string; unit?: string; task?: string; from?: string; to?: string; limit: number },
) {
  const where = ['town_id = ?'];
  const params: (string | number)[] = [town];
  if (f.actor) (where.push('actor = ?'), params.push(f.actor));
  if (f.unit) (where.push('unit_id = ?'), params.push(f.unit));
  if (f.task) (where.push('task_id = ?'), params.push(f.task));
  if (f.from) (where.push('at >= ?'), params.push(f.from));
  if (f.to) (where.push('at < ?'), params.push(f.to));
  const r = await db
    .prepare(`SELECT id, at, actor, action, town_id, unit_id, task_id, entity, entity_id, detail_json FROM audit_log WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`)
    .bind(...params, f.limit)
    .all<{ detail_json: string } & Record<string, unknown>>();
  return r.results.map(({ detail_json, ...rest }) => ({ ...rest, detail: JSON.parse(detail_json) }));
}

