/**
 * A byte-exact dump of the whole local D1 for before/after comparisons: the schema
 * (sqlite_master), then every table's rows in rowid order with each value as SQLite's own
 * literal (`quote()`: types, REAL precision and blobs survive), sqlite_sequence included.
 * One statement, so it is cheap enough to take after every request of a property test.
 */
import { env } from 'cloudflare:test';

/** Per table: its rows as quoted literals joined by newlines (empty string for no rows). `schema` is sqlite_master. */
export type Dump = Record<string, string>;

let cached: { sql: string; names: string[] } | null = null;

// town_summaries is left out: it is a cache of what each town's rules derive (worker/db/summaries.ts),
// which a read may recompute (a region page a write answers with, a list); never a write's own data.
async function dumpQuery(db: D1Database): Promise<{ sql: string; names: string[] }> {
  if (cached) return cached;
  const tables = (
    await db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name <> 'sqlite_sequence' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE 'search\\_grams\\_%' ESCAPE '\\' AND name <> 'town_summaries' ORDER BY name`)
      .all<{ name: string }>()
  ).results.map((r) => r.name);
  const parts: string[] = [`(SELECT group_concat(type || ' ' || name || ' ' || coalesce(sql, ''), char(10)) FROM (SELECT * FROM sqlite_master WHERE name NOT LIKE '\\_cf\\_%' ESCAPE '\\' ORDER BY type, name)) AS "schema"`];
  parts.push(`(SELECT group_concat(name || '=' || seq, char(10)) FROM (SELECT * FROM sqlite_sequence ORDER BY name)) AS "sqlite_sequence"`);
  for (const t of tables) {
    const cols = (await db.prepare(`SELECT name FROM pragma_table_info(?) ORDER BY cid`).bind(t).all<{ name: string }>()).results.map((c) => c.name);
    const row = cols.map((c) => `quote("${c}")`).join(` || ',' || `);
    parts.push(`(SELECT group_concat(r, char(10)) FROM (SELECT ${row} AS r FROM "${t}" ORDER BY rowid)) AS "${t}"`);
  }
  cached = { sql: `SELECT ${parts.join(',\n')}`, names: ['schema', 'sqlite_sequence', ...tables] };
  return cached;
}

/** Forgets the cached query (call after a schema change). */
export const forgetDumpQuery = (): void => {
  cached = null;
};

/** The dump of `db` (default: the test's D1). */
export async function dumpDb(db: D1Database = env.DB): Promise<Dump> {
  const q = await dumpQuery(db);
  const row = (await db.prepare(q.sql).first<Record<string, string | null>>())!;
  return Object.fromEntries(q.names.map((n) => [n, row[n] ?? '']));
}

/** Hex SHA-256 of a dump (stable: tables in name order). */
export async function dumpHash(d: Dump): Promise<string> {
  const text = Object.keys(d)
    .sort()
    .map((k) => `${k}\n${d[k]}`)
    .join('\n\u0000\n');
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
