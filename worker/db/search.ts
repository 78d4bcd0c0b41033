/**
 * All SQL of search (migrations/0014): writing a town's entries (the content loader), keeping task
 * titles current (task writes), reading the sources again (rebuild after a restore), and the
 * search itself. The index terms and the query come from worker/domain/search.ts.
 *
 * A town's entries are written from JSON parameters in chunks of at most CHUNK_BYTES, so the
 * loader's rendered .sql stays within D1's statement size however long a plan is.
 */
import {
  CONTEXT_SEP,
  SEARCH_COUNT_CAP,
  matchExpression,
  queryRuns,
  searchGrams,
  searchUrl,
  snippetHtml,
  taskTitle,
  type SearchDoc,
  type SearchKind,
  type SearchResults,
  type SearchSource,
} from '../domain/search.ts';
import type { D1Database } from '@cloudflare/workers-types/index.ts';
import { runsUnder, stmt, type Stmt } from './sql.ts';

const CHUNK_BYTES = 40_000;
const json = (v: unknown) => JSON.stringify(v);

/**
 * A task entry the office owns (its title or code was edited through the API, so pinned in
 * tasks.console_fields as worker/db/tasks.ts's pinnedSql reads it): the loader keeps it. Written
 * out here because the search page imports this module and must not pull in the task schemas
 * (their OpenAPI extension has to come first in the Worker bundle).
 */
const keep = (): string =>
  `(d.kind = 'task' AND EXISTS (SELECT 1 FROM tasks WHERE tasks.town_id = d.town_id AND tasks.id = d.ref AND (instr(tasks.console_fields, '"title"') > 0 OR instr(tasks.console_fields, '"code"') > 0)))`;

/** Splits entries into chunks whose JSON stays under CHUNK_BYTES. */
function chunks<T>(rows: T[]): T[][] {
  const enc = new TextEncoder();
  return runsUnder(rows, (r) => enc.encode(json(r)).length + 1, CHUNK_BYTES);
}

/**
 * The statements that replace a town's entries with `docs`, all conditional on `digest` differing
 * from the one stored (so loading the same content again writes nothing). A null digest always
 * writes (a rebuild). Task entries the office edited are kept (see `keep`).
 */
export function townSearchStmts(town: string, docs: SearchDoc[], digest: string | null): Stmt[] {
  const changed = stmt(`(? IS NULL OR NOT EXISTS (SELECT 1 FROM search_towns WHERE town_id = ? AND digest = ?))`, digest, town, digest);
  const out: Stmt[] = [
    stmt(`DELETE FROM search_grams WHERE rowid IN (SELECT d.id FROM search_docs d WHERE d.town_id = ? AND NOT ${keep()}) AND ${changed.sql}`, town, ...changed.params),
    stmt(`DELETE FROM search_docs AS d WHERE d.town_id = ? AND NOT ${keep()} AND ${changed.sql}`, town, ...changed.params),
  ];
  const rows = docs.map((d) => ({ ...d, tg: searchGrams(d.title), bg: searchGrams(d.body) }));
  for (const c of chunks(rows)) {
    const param = json(c);
    out.push(
      stmt(
        `INSERT INTO search_docs (town_id, kind, ref, title, context, body, ordinal)
         SELECT ?, json_extract(value, '$.kind'), json_extract(value, '$.ref'), json_extract(value, '$.title'), json_extract(value, '$.context'),
                json_extract(value, '$.body'), json_extract(value, '$.ordinal')
           FROM json_each(?) WHERE ${changed.sql}
         ON CONFLICT (town_id, kind, ref) DO NOTHING`,
        town,
        param,
        ...changed.params,
      ),
      stmt(
        `INSERT INTO search_grams (rowid, town, title, body)
         SELECT d.id, d.town_id, json_extract(j.value, '$.tg'), json_extract(j.value, '$.bg')
           FROM json_each(?) j CROSS JOIN search_docs d ON d.town_id = ? AND d.kind = json_extract(j.value, '$.kind') AND d.ref = json_extract(j.value, '$.ref')
          WHERE NOT ${keep()} AND ${changed.sql}`,
        param,
        town,
        ...changed.params,
      ),
    );
  }
  out.push(
    stmt(`INSERT INTO search_towns (town_id, digest) VALUES (?, ?) ON CONFLICT (town_id) DO UPDATE SET digest = excluded.digest WHERE search_towns.digest IS NOT excluded.digest`, town, digest),
  );
  return out;
}

/** Splits rows into runs whose values stay under CHUNK_BYTES (UTF-8 takes at most 3 bytes a UTF-16 unit). */
const valueRuns = <T>(rows: T[], chars: (r: T) => number): T[][] => runsUnder(rows, (r) => chars(r) * 3 + 64, CHUNK_BYTES);

/**
 * The statements that write the entries of a town that has none yet (the loader's new towns,
 * issue 23): entries and index terms as bound values, many rows a statement, instead of
 * townSearchStmts' JSON chunks, which SQLite re-reads once per column of every entry. Still a few
 * statements, not one an entry: FTS5 writes out its pending terms at every statement. Anything
 * stored for the town is replaced: a new town has no entry the office owns.
 */
export function newTownSearchStmts(town: string, docs: SearchDoc[], digest: string): Stmt[] {
  const out: Stmt[] = [
    stmt(`DELETE FROM search_grams WHERE rowid IN (SELECT id FROM search_docs WHERE town_id = ?)`, town),
    stmt(`DELETE FROM search_docs WHERE town_id = ?`, town),
  ];
  for (const run of valueRuns(docs, (d) => d.title.length + d.context.length + d.body.length + d.ref.length)) {
    out.push({
      sql: `INSERT INTO search_docs (town_id, kind, ref, title, context, body, ordinal) VALUES ${run.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')} ON CONFLICT (town_id, kind, ref) DO NOTHING`,
      params: run.flatMap((d) => [town, d.kind, d.ref, d.title, d.context, d.body, d.ordinal]),
    });
  }
  const grams = docs.map((d) => ({ kind: d.kind, ref: d.ref, tg: searchGrams(d.title), bg: searchGrams(d.body) }));
  for (const run of valueRuns(grams, (g) => g.tg.length + g.bg.length + g.ref.length)) {
    out.push({
      sql: `INSERT INTO search_grams (rowid, town, title, body) VALUES ${run.map(() => '((SELECT id FROM search_docs WHERE town_id = ? AND kind = ? AND ref = ?), ?, ?, ?)').join(', ')}`,
      params: run.flatMap((g) => [town, g.kind, g.ref, town, g.tg, g.bg]),
    });
  }
  out.push(stmt(`INSERT INTO search_towns (town_id, digest) VALUES (?, ?) ON CONFLICT (town_id) DO UPDATE SET digest = excluded.digest`, town, digest));
  return out;
}

/**
 * Statements that index tasks the office created or whose code or title it changed (same batch as
 * the task write): the entry's title and its index terms; a task entry's quote is kept.
 */
export function taskSearchStmts(town: string, tasks: { id: string; kind: string; code: string; title: string; ordinal: number }[]): Stmt[] {
  const rows = tasks.filter((t) => t.kind !== 'rectification').map((t) => ({ id: t.id, title: taskTitle(t), tg: searchGrams(taskTitle(t)), ordinal: t.ordinal }));
  if (!rows.length) return [];
  const param = json(rows);
  const ofRows = `SELECT d.id FROM json_each(?) j CROSS JOIN search_docs d ON d.ref = json_extract(j.value, '$.id') WHERE d.town_id = ? AND d.kind = 'task'`;
  return [
    stmt(
      `INSERT INTO search_docs (town_id, kind, ref, title, context, body, ordinal)
       SELECT ?, 'task', json_extract(value, '$.id'), json_extract(value, '$.title'), '', '', 100000 + json_extract(value, '$.ordinal') FROM json_each(?) WHERE 1
       ON CONFLICT (town_id, kind, ref) DO UPDATE SET title = excluded.title`,
      town,
      param,
    ),
    stmt(
      `UPDATE search_grams SET title = (SELECT json_extract(j.value, '$.tg') FROM json_each(?) j CROSS JOIN search_docs d ON d.ref = json_extract(j.value, '$.id')
                                         WHERE d.town_id = ? AND d.kind = 'task' AND d.id = search_grams.rowid)
        WHERE rowid IN (${ofRows})`,
      param,
      town,
      param,
      town,
    ),
    stmt(
      `INSERT INTO search_grams (rowid, town, title, body)
       SELECT d.id, d.town_id, json_extract(j.value, '$.tg'), '' FROM json_each(?) j CROSS JOIN search_docs d ON d.ref = json_extract(j.value, '$.id')
        WHERE d.town_id = ? AND d.kind = 'task' AND NOT EXISTS (SELECT 1 FROM search_grams g WHERE g.rowid = d.id)`,
      param,
      town,
    ),
  ];
}

// ------------------------------------------------------------------ rebuilding from D1

/** Reads what a rebuild needs for the towns in `towns` (a JSON array of ids): plans, tasks, targets. */
export const searchSourceStmts = (towns: string[]): Stmt[] => [
  stmt(`SELECT town_id, body_markdown FROM plans WHERE town_id IN (SELECT value FROM json_each(?)) ORDER BY town_id`, json(towns)),
  stmt(
    `SELECT town_id, id, code, title, quote FROM tasks WHERE town_id IN (SELECT value FROM json_each(?)) AND kind <> 'rectification' ORDER BY town_id, ordinal, id`,
    json(towns),
  ),
  stmt(
    `SELECT t.town_id, t.indicator_id, i.name, m.label, t.kind, t.display, t.text
       FROM indicator_targets t JOIN indicators i ON i.id = t.indicator_id
       JOIN town_indicators ti ON ti.town_id = t.town_id AND ti.indicator_id = t.indicator_id
       JOIN milestones m ON m.town_id = t.town_id AND m.id = t.milestone_id
      WHERE t.town_id IN (SELECT value FROM json_each(?)) ORDER BY t.town_id, ti.ordinal, m.due`,
    json(towns),
  ),
];

/** Every town id, for a rebuild. */
export const townIdsStmt = (): Stmt => stmt(`SELECT id FROM towns ORDER BY id`);

/** One line of a target as search indexes it: "milestone：target". */
export const targetLine = (label: string, target: string): string => `${label}：${target}`;

/** The sources of each town from the rows of searchSourceStmts. */
export function searchSourcesFromRows(
  plans: { town_id: string; body_markdown: string }[],
  tasks: { town_id: string; id: string; code: string; title: string; quote: string }[],
  targets: { town_id: string; indicator_id: string; name: string; label: string; kind: string; display: string | null; text: string | null }[],
): Map<string, SearchSource> {
  const out = new Map<string, SearchSource>();
  for (const p of plans) out.set(p.town_id, { plan_markdown: p.body_markdown, tasks: [], targets: [] });
  for (const t of tasks) out.get(t.town_id)?.tasks.push(t);
  for (const t of targets) {
    const src = out.get(t.town_id);
    if (!src) continue;
    let ind = src.targets.at(-1);
    if (ind?.indicator !== t.indicator_id) src.targets.push((ind = { indicator: t.indicator_id, name: t.name, lines: [] }));
    ind.lines.push(targetLine(t.label, (t.kind === 'numeric' ? t.display : t.text) ?? ''));
  }
  return out;
}

/** Empties the whole index (before a full rebuild). */
export const clearSearchStmts = (): Stmt[] => [stmt(`DELETE FROM search_grams`), stmt(`DELETE FROM search_docs`), stmt(`DELETE FROM search_towns`)];

// ------------------------------------------------------------------ searching

interface HitRow {
  town_id: string;
  town_name: string;
  kind: SearchKind;
  ref: string;
  title: string;
  context: string;
  body: string;
}

/**
 * Searches every town (or one): a page of entries and how many match (counted up to
 * SEARCH_COUNT_CAP), each with a snippet. Up to SEARCH_COUNT_CAP matches are ranked by bm25 (a
 * title match counting double); beyond that a word is too common to rank (bm25 would be computed
 * for every match: 40 ms and more at 1,000 towns, bench/results.md), so the page follows the index
 * order (town by town, in plan order). Bounded statements: the count stops at the cap, the page
 * reads `limit` rows. A query with no letter or digit finds nothing. A one-character query (a
 * prefix query) reads one entry of the one-character prefix index (migrations/0021).
 */
export async function searchAll(db: D1Database, q: string, opts: { town?: string | null; limit: number; offset: number }): Promise<SearchResults> {
  const runs = queryRuns(q);
  const base = { q, town: opts.town ?? null, limit: opts.limit, offset: opts.offset };
  if (!runs.length) return { ...base, total: 0, total_capped: false, hits: [] };
  const match = matchExpression(runs, opts.town);
  const count = await db.prepare(`SELECT COUNT(*) AS n FROM (SELECT rowid FROM search_grams WHERE search_grams MATCH ?1 LIMIT ?2)`).bind(match, SEARCH_COUNT_CAP + 1).first<{ n: number }>();
  const n = count?.n ?? 0;
  if (!n || opts.offset >= n) return { ...base, total: Math.min(n, SEARCH_COUNT_CAP), total_capped: n > SEARCH_COUNT_CAP, hits: [] };
  const ranked = n <= SEARCH_COUNT_CAP;
  const page = await db
    .prepare(
      `SELECT d.town_id, t.name AS town_name, d.kind, d.ref, d.title, d.context, d.body
         FROM (SELECT rowid AS id, ${ranked ? 'bm25(search_grams, 0.0, 2.0, 1.0)' : '0'} AS score FROM search_grams WHERE search_grams MATCH ?1 ORDER BY ${ranked ? 'score, rowid' : 'rowid'} LIMIT ?2 OFFSET ?3) m
         JOIN search_docs d ON d.id = m.id JOIN towns t ON t.id = d.town_id
        ORDER BY m.score, m.id`,
    )
    .bind(match, opts.limit, opts.offset)
    .all<HitRow>();
  const hits = page.results.map((r) => ({
    town: r.town_id,
    town_name: r.town_name,
    kind: r.kind,
    ref: r.ref,
    url: searchUrl(r.town_id, r.kind, r.ref),
    title: r.title,
    context: r.context ? r.context.split(CONTEXT_SEP) : [],
    snippet_html: snippetHtml(r.body, runs) ?? snippetHtml(r.title, runs) ?? '',
  }));
  return { ...base, total: Math.min(n, SEARCH_COUNT_CAP), total_capped: n > SEARCH_COUNT_CAP, hits };
}
