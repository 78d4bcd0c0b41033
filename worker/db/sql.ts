/**
 * Portable SQL statements: built once, run either through a D1 binding (worker, tests)
 * or rendered to a .sql file for `wrangler d1 execute` (the content loader CLI).
 */

/** A value SQLite can bind. */
export type SqlValue = string | number | null;

/** One parameterised statement. */
export interface Stmt {
  sql: string;
  params: SqlValue[];
}

/** Builds a statement; `params` are bound positionally to `?`. */
export const stmt = (sql: string, ...params: SqlValue[]): Stmt => ({ sql, params });

/**
 * An upsert that changes nothing when the stored row already equals `row`:
 * INSERT … ON CONFLICT DO UPDATE … WHERE some column differs.
 * Column and table names come from code only, never from input.
 *
 * `keepWhen` maps a column to an SQL condition on the stored row (e.g. a pinned field): while it
 * holds, the stored value is kept and a difference in that column is not a change. `onlyIf` makes
 * the whole statement conditional (INSERT … SELECT … WHERE cond): when false, nothing is written.
 */
export function upsert(
  table: string,
  keys: string[],
  row: Record<string, SqlValue>,
  opts: { insertOnly?: Record<string, SqlValue>; touch?: string[]; bump?: string; keepWhen?: Record<string, string>; onlyIf?: Stmt } = {},
): Stmt {
  const cols = Object.keys(row);
  const extra = opts.insertOnly ?? {};
  const signature = [table, keys.join(','), cols.join(','), Object.keys(extra).join(','), opts.touch?.join(',') ?? '', opts.bump ?? '', opts.keepWhen ? JSON.stringify(opts.keepWhen) : '', opts.onlyIf?.sql ?? ''].join('\0');
  let sql = upsertSql.get(signature);
  if (sql === undefined) {
    if (upsertSql.size >= 500) upsertSql.clear();
    upsertSql.set(signature, (sql = upsertText(table, keys, cols, Object.keys(extra), opts)));
  }
  return { sql, params: [...cols.map((c) => row[c] ?? null), ...Object.values(extra), ...(opts.onlyIf?.params ?? [])] };
}

/** Rows a multi-row statement carries at most, and its values' size at most (rendered for D1, far within its 100 KB statement size). */
const ROWS_PER_STMT = 50;
const ROWS_BYTES = 40_000;

/**
 * The upsert of `upsert` for many rows of one shape at once: INSERT … VALUES (…), (…) … with the
 * same conflict rule, at most ROWS_PER_STMT rows and ROWS_BYTES of values a statement, so that a
 * new town's hundreds of rows are a few statements instead of one each (issue 23). Rows are taken
 * in order. Bound parameters: for the loader's own SQLite, or rendered into a .sql file for D1
 * (whose 100-parameter limit applies to bound queries, not to that file). `onlyIf` is not supported.
 */
export function upsertRows(table: string, keys: string[], rows: Record<string, SqlValue>[], opts: { touch?: string[]; bump?: string; keepWhen?: Record<string, string> } = {}): Stmt[] {
  if (!rows.length) return [];
  const cols = Object.keys(rows[0]!);
  const text = (n: number) => {
    const signature = ['rows', n, table, keys.join(','), cols.join(','), opts.touch?.join(',') ?? '', opts.bump ?? '', opts.keepWhen ? JSON.stringify(opts.keepWhen) : ''].join('\0');
    let sql = upsertSql.get(signature);
    if (sql === undefined) {
      if (upsertSql.size >= 500) upsertSql.clear();
      upsertSql.set(signature, (sql = upsertText(table, keys, cols, [], { ...opts, rows: n })));
    }
    return sql;
  };
  for (const r of rows) if (Object.keys(r).length !== cols.length) throw new Error(`upsertRows(${table}): rows of different shapes`);
  // UTF-8 takes at most 3 bytes per UTF-16 unit: a bound, without encoding each value.
  const size = (r: Record<string, SqlValue>) => cols.reduce((n, c) => n + (typeof r[c] === 'string' ? (r[c] as string).length * 3 + 3 : 24), 0);
  return runsUnder(rows, size, ROWS_BYTES, ROWS_PER_STMT).map((run) => ({ sql: text(run.length), params: run.flatMap((r) => cols.map((c) => r[c] ?? null)) }));
}

/**
 * Splits rows, in order, into runs of at most `maxRows` rows whose sizes (`size` of each) add up to
 * at most `maxBytes`; a row larger than that alone is a run of its own.
 */
export function runsUnder<T>(rows: readonly T[], size: (r: T) => number, maxBytes: number, maxRows = Infinity): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let bytes = 0;
  for (const r of rows) {
    const n = size(r);
    if (cur.length && (cur.length === maxRows || bytes + n > maxBytes)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(r);
    bytes += n;
  }
  if (cur.length) out.push(cur);
  return out;
}

/**
 * The text of each shape of upsert, built once: the content loader makes ~800 statements per town
 * from a few dozen shapes, and one shared string each keeps a load of 1,000 towns from building
 * (and collecting) ~800,000 copies.
 */
const upsertSql = new Map<string, string>();

function upsertText(table: string, keys: string[], cols: string[], extraCols: string[], opts: { touch?: string[]; bump?: string; keepWhen?: Record<string, string>; onlyIf?: Stmt; rows?: number }): string {
  const keep = opts.keepWhen ?? {};
  const allCols = [...cols, ...extraCols];
  const updatable = cols.filter((c) => !keys.includes(c) && !(opts.touch ?? []).includes(c));
  const value = (c: string) => (keep[c] ? `CASE WHEN ${keep[c]} THEN ${table}.${c} ELSE excluded.${c} END` : `excluded.${c}`);
  const sets = [...updatable.map((c) => `${c} = ${value(c)}`), ...(opts.touch ?? []).map((c) => `${c} = excluded.${c}`)];
  if (opts.bump) sets.push(`${opts.bump} = ${table}.${opts.bump} + 1`);
  const changed = updatable
    .map((c) => (keep[c] ? `(NOT (${keep[c]}) AND ${table}.${c} IS NOT excluded.${c})` : `${table}.${c} IS NOT excluded.${c}`))
    .join(' OR ');
  const values = allCols.map(() => '?').join(', ');
  const source = opts.onlyIf ? `SELECT ${values} WHERE ${opts.onlyIf.sql}` : `VALUES ${Array.from({ length: opts.rows ?? 1 }, () => `(${values})`).join(', ')}`;
  return (
    `INSERT INTO ${table} (${allCols.join(', ')}) ${source}` +
    (updatable.length
      ? ` ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${sets.join(', ')} WHERE ${changed}`
      : ` ON CONFLICT (${keys.join(', ')}) DO NOTHING`)
  );
}

/** `?, ?, ?` for an IN list (D1 allows at most 100 bound parameters per statement). */
export const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

/**
 * Deletes the rows of `table` within `scope` (column = value, all of them) whose `column` is not
 * among `kept` — every row of the scope when nothing is kept — and only where `onlyIf` holds.
 */
export function keepOnly(table: string, scope: Record<string, SqlValue>, column: string, kept: readonly SqlValue[], onlyIf?: Stmt): Stmt {
  const where = Object.keys(scope).map((c) => `${c} = ?`);
  if (kept.length) where.push(`${column} NOT IN (${placeholders(kept.length)})`);
  if (onlyIf) where.push(onlyIf.sql);
  return stmt(`DELETE FROM ${table} WHERE ${where.join(' AND ')}`, ...Object.values(scope), ...kept, ...(onlyIf?.params ?? []));
}

/** Renders a statement as literal SQL text for a .sql file. */
export function renderSql(s: Stmt): string {
  let i = 0;
  const text = s.sql.replace(/\?/g, () => {
    const v = s.params[i++];
    if (v === null || v === undefined) return 'NULL';
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new Error(`cannot render non-finite number in ${s.sql}`);
      return String(v);
    }
    return `'${v.replace(/'/g, "''")}'`;
  });
  if (i !== s.params.length) throw new Error(`parameter count mismatch in ${s.sql}`);
  return `${text};`;
}
