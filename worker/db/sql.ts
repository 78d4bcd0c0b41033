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

/** Bytes of JSON a multi-row statement carries at most (rendered for D1 it stays far within its 100 KB statement size). */
const ROWS_JSON_BYTES = 40_000;

/**
 * The upsert of `upsert` for many rows of one shape at once: the rows travel as one JSON parameter
 * (arrays of values, read back with json_each), in statements of at most ROWS_JSON_BYTES, so that
 * a town's hundreds of link rows are a few statements instead of one each (issue 23). Rows are
 * taken in order, each with the same conflict rule as `upsert`; `onlyIf` is not supported.
 */
export function upsertRows(table: string, keys: string[], rows: Record<string, SqlValue>[], opts: { touch?: string[]; bump?: string; keepWhen?: Record<string, string> } = {}): Stmt[] {
  if (!rows.length) return [];
  const cols = Object.keys(rows[0]!);
  const signature = ['rows', table, keys.join(','), cols.join(','), opts.touch?.join(',') ?? '', opts.bump ?? '', opts.keepWhen ? JSON.stringify(opts.keepWhen) : ''].join('\0');
  let sql = upsertSql.get(signature);
  if (sql === undefined) {
    if (upsertSql.size >= 500) upsertSql.clear();
    upsertSql.set(signature, (sql = upsertText(table, keys, cols, [], { ...opts, fromJson: true })));
  }
  const out: Stmt[] = [];
  let chunk: string[] = [];
  let bytes = 0;
  const flush = () => {
    if (chunk.length) out.push({ sql: sql!, params: [`[${chunk.join(',')}]`] });
    chunk = [];
    bytes = 0;
  };
  for (const r of rows) {
    if (Object.keys(r).length !== cols.length) throw new Error(`upsertRows(${table}): rows of different shapes`);
    const text = JSON.stringify(cols.map((c) => r[c] ?? null));
    // UTF-8 takes at most 3 bytes per UTF-16 unit: a bound, without encoding each row.
    const n = text.length * 3 + 1;
    if (chunk.length && bytes + n > ROWS_JSON_BYTES) flush();
    chunk.push(text);
    bytes += n;
  }
  flush();
  return out;
}

/**
 * The text of each shape of upsert, built once: the content loader makes ~800 statements per town
 * from a few dozen shapes, and one shared string each keeps a load of 1,000 towns from building
 * (and collecting) ~800,000 copies.
 */
const upsertSql = new Map<string, string>();

function upsertText(table: string, keys: string[], cols: string[], extraCols: string[], opts: { touch?: string[]; bump?: string; keepWhen?: Record<string, string>; onlyIf?: Stmt; fromJson?: boolean }): string {
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
  // (An INSERT … SELECT with an upsert clause needs its WHERE, even `WHERE true`: SQLite's parser.)
  const source = opts.fromJson
    ? `SELECT ${allCols.map((_, i) => `json_extract(value, '$[${i}]')`).join(', ')} FROM json_each(?) WHERE true`
    : opts.onlyIf
      ? `SELECT ${values} WHERE ${opts.onlyIf.sql}`
      : `VALUES (${values})`;
  return (
    `INSERT INTO ${table} (${allCols.join(', ')}) ${source}` +
    (updatable.length
      ? ` ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${sets.join(', ')} WHERE ${changed}`
      : ` ON CONFLICT (${keys.join(', ')}) DO NOTHING`)
  );
}

/** `?, ?, ?` for an IN list (D1 allows at most 100 bound parameters per statement). */
export const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

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
