/**
 * Backup and restore of the D1 database as one versioned JSON document, through `wrangler d1 execute`.
 *
 *   npm run export -- [--town T] [--out FILE] [--local | --remote] [--persist-to DIR]
 *   npm run import -- FILE [--local | --remote] [--persist-to DIR]
 *
 * The document: `format`, `format_version`, `scope` (a town or the whole database), the
 * `migrations` the source had applied, every table's `columns` and `rows` (in rowid order), and
 * `sha256` over all of that. It holds no timestamp of its own, so exporting the same data twice
 * gives the same bytes: export → import → export is byte-identical (tests/cli/backup.test.ts).
 *
 * A town export keeps the rows of that town: tables with a `town_id` (audit rows also when the
 * actor is one of the town's accounts), the town's accounts and their sessions, activation links
 * and idempotency records, and the shared reference tables (indicator catalogue, other
 * jurisdictions, content loads); sign-in throttle counters (login_attempts) only in a full export.
 * Password and token hashes are exported as they are stored: keep backups as secret as the
 * database.
 *
 * Import refuses: another format, a newer format version, a document whose sha256 does not match,
 * a database at another migration level, and a database that already holds rows in any table it
 * would fill. Rows are inserted in foreign-key order (parents before children, a task's parent
 * before the task); no trigger is dropped or disabled (the audit log's and the bulletins'
 * triggers refuse UPDATE and DELETE, never INSERT). AUTOINCREMENT counters resume from the
 * highest restored id.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { renderSql, stmt, type SqlValue } from '../db/sql.ts';
import { ROOT, wrangler } from './wrangler.ts';

/** Identifies the document type. */
export const FORMAT = 'demo-town-tracker/backup';
/** Bumped when the document's layout changes; import refuses a newer one. */
export const FORMAT_VERSION = 1;

/** The backup document. */
export interface Backup {
  format: string;
  format_version: number;
  scope: { town: string | null };
  migrations: string[];
  tables: Record<string, { columns: string[]; rows: SqlValue[][] }>;
  sha256: string;
}

/** Tables never exported: D1's own bookkeeping, and the guard table that is empty between batches. */
const SKIP = new Set(['d1_migrations', 'write_guards']);

type Target = string[];
const ident = (n: string) => {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) throw new Error(`unexpected identifier ${JSON.stringify(n)}`);
  return `"${n}"`;
};
const lit = (v: string) => `'${v.replace(/'/g, "''")}'`;

/** Runs SQL statements (one --command) and returns each statement's rows. */
function query(target: Target, sql: string[]): Record<string, SqlValue>[][] {
  const out = wrangler(['d1', 'execute', 'DB', ...target, '--json', '--command', sql.join(';\n')], { quiet: true });
  return (JSON.parse(out) as { results: Record<string, SqlValue>[] }[]).map((r) => r.results);
}

/**
 * The schema in one wrangler call: tables (name order) with their columns and foreign keys, and
 * the applied migrations.
 */
function schema(target: Target) {
  const [cols, fkRows, migrations] = query(target, [
    `SELECT m.name AS t, p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND m.name NOT LIKE '\\_cf\\_%' ESCAPE '\\' ORDER BY m.name, p.cid`,
    `SELECT m.name AS t, f."table" AS parent, f."from" AS col, f."to" AS ref FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table'`,
    `SELECT name FROM d1_migrations ORDER BY id`,
  ]) as [{ t: string; name: string }[], { t: string; parent: string; col: string; ref: string | null }[], { name: string }[]];
  const columns: Record<string, string[]> = {};
  for (const c of cols) if (!SKIP.has(c.t)) (columns[c.t] ??= []).push(c.name);
  const names = Object.keys(columns).sort();
  return { names, columns, fks: fkRows, migrations: migrations.map((m) => m.name) };
}

/** One statement per table in one wrangler call (D1 caps compound SELECTs); rows by table. */
function perTable(target: Target, names: string[], sql: (n: string) => string): Record<string, Record<string, SqlValue>[]> {
  if (!names.length) return {};
  const res = query(target, names.map(sql));
  return Object.fromEntries(names.map((n, i) => [n, res[i]!]));
}

/** The WHERE clause that keeps one town's rows of a table (null: the whole table). */
function townFilter(table: string, cols: string[], town: string): string | null {
  const t = lit(town);
  const ofTown = `SELECT id FROM accounts WHERE town_id = ${t}`;
  if (table === 'towns') return `id = ${t}`;
  if (table === 'audit_log') return `town_id = ${t} OR actor IN (${ofTown})`;
  if (cols.includes('town_id')) return `town_id = ${t}`;
  if (cols.includes('account_id')) return `account_id IN (${ofTown})`;
  if (table === 'login_attempts') return '0';
  return null;
}

const canonical = (b: Omit<Backup, 'sha256'>) => JSON.stringify([b.format, b.format_version, b.scope, b.migrations, b.tables]);
const sha256 = async (s: string) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s)))].map((x) => x.toString(16).padStart(2, '0')).join('');

/** Reads the database (or one town of it) into a backup document. */
export async function exportDb(target: Target, town: string | null): Promise<Backup> {
  const { names, columns, migrations } = schema(target);
  if (!names.includes('towns')) throw new Error('this database has no towns table: run npm run db:migrate first');
  const rows = perTable(target, names, (n) => {
    const where = town ? townFilter(n, columns[n]!, town) : null;
    return `SELECT ${columns[n]!.map(ident).join(', ')} FROM ${ident(n)}${where ? ` WHERE ${where}` : ''} ORDER BY rowid`;
  });
  if (town && !rows.towns!.length) throw new Error(`no town ${town} in this database`);
  const tables: Backup['tables'] = {};
  for (const n of names) tables[n] = { columns: columns[n]!, rows: rows[n]!.map((r) => columns[n]!.map((c) => r[c] ?? null)) };
  const body = { format: FORMAT, format_version: FORMAT_VERSION, scope: { town }, migrations, tables };
  return { ...body, sha256: await sha256(canonical(body)) };
}

/** The document as text: one row per line, so a backup diffs well. Deterministic. */
export function serialise(b: Backup): string {
  const tables = Object.entries(b.tables)
    .map(([n, t]) => `    ${JSON.stringify(n)}: {\n      "columns": ${JSON.stringify(t.columns)},\n      "rows": [${t.rows.length ? '\n' + t.rows.map((r) => `        ${JSON.stringify(r)}`).join(',\n') + '\n      ' : ''}]\n    }`)
    .join(',\n');
  return `{\n  "format": ${JSON.stringify(b.format)},\n  "format_version": ${b.format_version},\n  "scope": ${JSON.stringify(b.scope)},\n  "migrations": ${JSON.stringify(b.migrations)},\n  "sha256": ${JSON.stringify(b.sha256)},\n  "tables": {\n${tables}\n  }\n}\n`;
}

/** Checks a document before anything is written; returns it typed. */
export async function validate(raw: unknown): Promise<Backup> {
  const b = raw as Backup;
  if (!b || b.format !== FORMAT) throw new Error(`not a ${FORMAT} document`);
  if (!Number.isInteger(b.format_version) || b.format_version > FORMAT_VERSION) {
    throw new Error(`format_version ${b.format_version} is newer than this tool understands (${FORMAT_VERSION}); update the project first`);
  }
  const { sha256: claimed, ...body } = b;
  if ((await sha256(canonical(body))) !== claimed) throw new Error('sha256 does not match the content: the file is damaged or was edited');
  return b;
}

/** Table order for inserting: every table after the tables its foreign keys point to. */
function insertOrder(names: string[], fks: { t: string; parent: string }[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (n: string, path: string[]) => {
    if (seen.has(n)) return;
    if (path.includes(n)) throw new Error(`foreign-key cycle: ${[...path, n].join(' → ')}`);
    for (const fk of fks.filter((f) => f.t === n && f.parent !== n && names.includes(f.parent))) visit(fk.parent, [...path, n]);
    seen.add(n);
    out.push(n);
  };
  for (const n of names) visit(n, []);
  return out;
}

/** Rows of a self-referencing table, each after the row it refers to. */
function parentsFirst(columns: string[], rows: SqlValue[][], self: { col: string; ref: string | null }[]): SqlValue[][] {
  if (!self.length) return rows;
  const pending = [...rows];
  const out: SqlValue[][] = [];
  const have = self.map(() => new Set<SqlValue>());
  const refIdx = self.map((f) => columns.indexOf(f.ref ?? 'id'));
  const colIdx = self.map((f) => columns.indexOf(f.col));
  while (pending.length) {
    const before = pending.length;
    for (let i = 0; i < pending.length; ) {
      const r = pending[i]!;
      if (self.every((_, k) => r[colIdx[k]!] === null || have[k]!.has(r[colIdx[k]!]!))) {
        out.push(r);
        self.forEach((_, k) => have[k]!.add(r[refIdx[k]!]!));
        pending.splice(i, 1);
      } else i++;
    }
    // A dangling reference: keep the remaining rows in their order and let the database judge.
    if (pending.length === before) return [...out, ...pending];
  }
  return out;
}

/** Restores a document into an empty, equally migrated database. */
export async function importDb(target: Target, raw: unknown): Promise<{ rows: number; tables: number }> {
  const b = await validate(raw);
  const s = schema(target);
  if (JSON.stringify(s.migrations) !== JSON.stringify(b.migrations)) {
    throw new Error(`migration level differs: the file has [${b.migrations.join(', ')}], the database [${s.migrations.join(', ')}]; run npm run db:migrate (same project version) on an empty database first`);
  }
  const wanted = Object.keys(b.tables);
  const unknown = wanted.filter((n) => !s.names.includes(n));
  if (unknown.length) throw new Error(`the database has no table ${unknown.join(', ')}`);
  const counts = perTable(target, wanted, (n) => `SELECT COUNT(*) AS n FROM ${ident(n)}`);
  const full = wanted.filter((n) => Number(counts[n]![0]!.n) > 0);
  if (full.length) throw new Error(`the database is not empty (${full.map((n) => `${n}: ${counts[n]![0]!.n} rows`).join(', ')}); import only restores into an empty database`);
  const lines: string[] = [];
  let rows = 0;
  for (const n of insertOrder(Object.keys(b.tables), s.fks)) {
    const t = b.tables[n]!;
    const self = s.fks.filter((f) => f.t === n && f.parent === n);
    for (const r of parentsFirst(t.columns, t.rows, self)) {
      lines.push(renderSql(stmt(`INSERT INTO ${ident(n)} (${t.columns.map(ident).join(', ')}) VALUES (${t.columns.map(() => '?').join(', ')})`, ...r)));
      rows++;
    }
  }
  const dir = resolve(ROOT, '.wrangler/tmp');
  mkdirSync(dir, { recursive: true });
  const file = resolve(dir, 'import.sql');
  writeFileSync(file, lines.join('\n') + '\n');
  if (lines.length) wrangler(['d1', 'execute', 'DB', ...target, '--yes', '--file', file], { quiet: true });
  return { rows, tables: Object.keys(b.tables).length };
}

function targetOf(values: { remote?: boolean; 'persist-to'?: string }): Target {
  return [values.remote ? '--remote' : '--local', ...(values['persist-to'] ? ['--persist-to', values['persist-to']] : [])];
}

if (import.meta.main) {
  const [command, ...rest] = process.argv.slice(2);
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { town: { type: 'string' }, out: { type: 'string' }, local: { type: 'boolean' }, remote: { type: 'boolean' }, 'persist-to': { type: 'string' } },
    });
    const target = targetOf(values);
    if (command === 'export') {
      const b = await exportDb(target, values.town ?? null);
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const out = resolve(values.out ?? `backups/backup-${values.town ?? 'all'}-${stamp}.json`);
      mkdirSync(resolve(out, '..'), { recursive: true });
      writeFileSync(out, serialise(b));
      const n = Object.values(b.tables).reduce((a, t) => a + t.rows.length, 0);
      console.log(`exported ${values.town ? `town ${values.town}` : 'the whole database'}: ${n} rows in ${Object.keys(b.tables).length} tables, migrations up to ${b.migrations.at(-1)}, sha256 ${b.sha256}\n→ ${out}`);
    } else if (command === 'import') {
      const file = positionals[0];
      if (!file) throw new Error('usage: npm run import -- FILE [--local | --remote] [--persist-to DIR]');
      const { rows, tables } = await importDb(target, JSON.parse(readFileSync(resolve(file), 'utf8')));
      console.log(`imported ${rows} rows into ${tables} tables from ${file}`);
    } else {
      throw new Error('usage: node worker/cli/backup.ts export|import …');
    }
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}
