/**
 * The SQL of backup and restore (worker/cli/backup.ts): the schema, one page of a table in rowid
 * order (optionally one town's rows), row inserts, and the restore-in-progress marker
 * (migrations/0011_create_restore_progress.sql). Table and column names come from the database's
 * own schema and are checked to be plain identifiers; every value is a bound parameter.
 */
import { stmt, type SqlValue, type Stmt } from './sql.ts';

/**
 * Tables never exported: D1's bookkeeping, the guard table that is empty between batches, the restore
 * marker, the nightly job's progress (migrations/0022: a restored database starts its next night afresh).
 */
export const NOT_EXPORTED = new Set(['d1_migrations', 'write_guards', 'restore_progress', 'nightly_runs']);

/**
 * The search index (migrations/0014: search_docs, the FTS5 table search_grams and its shadow
 * tables, search_towns) is derived from the plans, tasks and targets: never exported, rebuilt by
 * import. `wrangler d1 export` refuses a database holding an FTS5 table; this export does not.
 */
export const SEARCH_PREFIX = 'search_';

/**
 * Counts kept by triggers (migrations/0021: approved updates per task): never exported; an import
 * inserts task_updates and the triggers count them again.
 */
export const DERIVED = new Set(['task_update_counts']);

/** Whether a table belongs in a backup. */
export const exported = (table: string): boolean => !NOT_EXPORTED.has(table) && !DERIVED.has(table) && !table.startsWith(SEARCH_PREFIX);

/** Quotes a table or column name after checking it is a plain identifier. */
export const ident = (n: string): string => {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) throw new Error(`unexpected identifier ${JSON.stringify(n)}`);
  return `"${n}"`;
};

/** Every user table's columns in order: rows {t, name}. */
export const columnsStmt = (): Stmt =>
  stmt(
    `SELECT m.name AS t, p.name AS name FROM sqlite_master m, pragma_table_info(m.name) p
      WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND m.name NOT LIKE '\\_cf\\_%' ESCAPE '\\'
      ORDER BY m.name, p.cid`,
  );

/** Every foreign key: rows {t, id, parent, col, ref} (one row per column of a composite key). */
export const foreignKeysStmt = (): Stmt =>
  stmt(
    `SELECT m.name AS t, f.id AS id, f."table" AS parent, f."from" AS col, f."to" AS ref
       FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table' ORDER BY m.name, f.id, f.seq`,
  );

/** Applied migrations in order: rows {name}. */
export const migrationsStmt = (): Stmt => stmt(`SELECT name FROM d1_migrations ORDER BY id`);

/** Which tables hold any row: one row, one column per table (0 or 1). */
export const anyRowsStmt = (tables: string[]): Stmt =>
  stmt(`SELECT ${tables.map((t) => `EXISTS (SELECT 1 FROM ${ident(t)}) AS ${ident(t)}`).join(', ')}`);

/**
 * The WHERE clause that keeps one town's rows of a table (null: the whole table is kept). A
 * region's own rows (region bulletins: a county's or city's, across its towns) are no town's, so a
 * town export leaves them out, as it leaves out the region supervisors' accounts (no town_id) and
 * their sessions; the regions themselves are reference rows and stay.
 */
export function townFilter(table: string, cols: string[], town: string): Stmt | null {
  const ofTown = `SELECT id FROM accounts WHERE town_id = ?`;
  if (table === 'towns') return stmt(`id = ?`, town);
  if (table === 'audit_log') return stmt(`(town_id = ? OR actor IN (${ofTown}))`, town, town);
  if (cols.includes('town_id')) return stmt(`town_id = ?`, town);
  if (cols.includes('account_id')) return stmt(`account_id IN (${ofTown})`, town);
  if (cols.includes('region_id') || table === 'login_attempts') return stmt(`0`);
  return null;
}

/** Column name of the rowid in a page (chosen so it cannot clash with a real column). */
export const ROWID = '__backup_rowid';

/** Up to `limit` rows after `afterRowid`, rowid first, then `cols`, in rowid order. */
export function pageStmt(table: string, cols: string[], filter: Stmt | null, afterRowid: number, limit: number): Stmt {
  return stmt(
    `SELECT rowid AS ${ROWID}, ${cols.map(ident).join(', ')} FROM ${ident(table)} WHERE rowid > ?${filter ? ` AND ${filter.sql}` : ''} ORDER BY rowid LIMIT ?`,
    afterRowid,
    ...(filter?.params ?? []),
    limit,
  );
}

/**
 * One row as an INSERT. `ifAbsent`: a row whose key is already there is skipped (ON CONFLICT DO
 * NOTHING, uniqueness only; every CHECK and foreign key still applies): for the first batch of a
 * resumed restore, which a connection lost midway may have written in part.
 */
export const insertStmt = (table: string, cols: string[], row: SqlValue[], opts: { ifAbsent?: boolean } = {}): Stmt =>
  stmt(`INSERT INTO ${ident(table)} (${cols.map(ident).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})${opts.ifAbsent ? ' ON CONFLICT DO NOTHING' : ''}`, ...row);

/** The restore marker, or none: at most one row. */
export interface RestoreProgress {
  sha256: string;
  file: string;
  table_name: string;
  table_rows: number;
  rows_done: number;
  rows_total: number;
  started_at: string;
  updated_at: string;
}

/** Reads the restore marker. */
export const readProgressStmt = (): Stmt =>
  stmt(`SELECT sha256, file, table_name, table_rows, rows_done, rows_total, started_at, updated_at FROM restore_progress WHERE id = 1`);

/** Writes the restore marker (first batch) or moves it on (every later batch): goes in the same batch as the rows. */
export const saveProgressStmt = (p: RestoreProgress): Stmt =>
  stmt(
    `INSERT INTO restore_progress (id, sha256, file, table_name, table_rows, rows_done, rows_total, started_at, updated_at)
     VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET table_name = excluded.table_name, table_rows = excluded.table_rows,
       rows_done = excluded.rows_done, updated_at = excluded.updated_at`,
    p.sha256,
    p.file,
    p.table_name,
    p.table_rows,
    p.rows_done,
    p.rows_total,
    p.started_at,
    p.updated_at,
  );

/** Removes the marker: goes in the restore's last batch. */
export const clearProgressStmt = (): Stmt => stmt(`DELETE FROM restore_progress WHERE id = 1`);

/**
 * Up to `limit` evidence files (migrations/0020) after `afterSha256`, in hash order, each once
 * however many towns stored it (R2 holds one object per hash): rows [sha256, bytes]. A town's
 * export keeps that town's files.
 */
export function filesPageStmt(town: string | null, afterSha256: string, limit: number): Stmt {
  return stmt(
    `SELECT sha256, MAX(bytes) AS bytes FROM files WHERE sha256 > ?${town ? ' AND town_id = ?' : ''} GROUP BY sha256 ORDER BY sha256 LIMIT ?`,
    afterSha256,
    ...(town ? [town] : []),
    limit,
  );
}

/**
 * The restore marker's `table_name` while a restore stores the backup's files in R2, after every
 * row is in (`table_rows` then counts the files stored). Not a table name: it cannot be one.
 */
export const FILES_STEP = '(r2 files)';
