/**
 * The audit log: one appended row per write or authentication event, always in the same
 * DB.batch() as the write it records. The table refuses UPDATE and DELETE (migration 0003).
 */
import { stmt, type Stmt } from './sql.ts';

/** What an audit row records. `actor` is an account id, or `anonymous` / `system:<process>`. */
export interface AuditEntry {
  at: string;
  actor: string;
  action: string;
  town_id?: string | null;
  unit_id?: string | null;
  task_id?: string | null;
  entity?: string | null;
  entity_id?: string | null;
  detail?: Record<string, unknown>;
}

/**
 * The INSERT for one audit row, to put in the batch of the write it records. With
 * `onlyIfChanged`, the row is appended only when the statement just before it in the batch changed
 * exactly one row (SQLite `changes()`), so a conditional write that lost a race records nothing.
 */
export function auditStmt(e: AuditEntry, opts: { onlyIfChanged?: boolean } = {}): Stmt {
  return stmt(
    `INSERT INTO audit_log (at, actor, action, town_id, unit_id, task_id, entity, entity_id, detail_json) ` +
      (opts.onlyIfChanged ? `SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE changes() = 1` : `VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    e.at,
    e.actor,
    e.action,
    e.town_id ?? null,
    e.unit_id ?? null,
    e.task_id ?? null,
    e.entity ?? null,
    e.entity_id ?? null,
    JSON.stringify(e.detail ?? {}),
  );
}

/** Limits for a capped audit row: rows of the same action newer than `since`. */
export interface AuditCap {
  since: string;
  /** at most this many with the same `entity_id` (e.g. one client address) */
  perEntity: number;
  /** at most this many in all */
  total: number;
}

/**
 * The INSERT for an audit row that is appended only while the log holds fewer than `cap.perEntity`
 * rows of the same action and `entity_id`, and fewer than `cap.total` of the same action, newer than
 * `cap.since`: a bound on what callers who name no one can add (counted in one statement, so
 * concurrent requests cannot overshoot; index audit_by_action_at).
 */
export function cappedAuditStmt(e: AuditEntry & { entity_id: string }, cap: AuditCap): Stmt {
  const row = auditStmt(e);
  return stmt(
    `INSERT INTO audit_log (at, actor, action, town_id, unit_id, task_id, entity, entity_id, detail_json) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?` +
      ` WHERE (SELECT COUNT(*) FROM audit_log WHERE action = ? AND at > ? AND entity_id = ?) < ?` +
      ` AND (SELECT COUNT(*) FROM audit_log WHERE action = ? AND at > ?) < ?`,
    ...row.params,
    e.action,
    cap.since,
    e.entity_id,
    cap.perEntity,
    e.action,
    cap.since,
    cap.total,
  );
}
