/**
 * `npm run snapshot`: reads the approved progress of every town from the local D1 (through
 * `wrangler d1 execute --json`) into `.snapshot/<town>.json`, which `npm run build` turns into
 * the public progress pages. Only approved data is read: task status and percent change only
 * when an update is approved, and only approved updates and their indicator values are selected.
 * Rectification items (整改, from inspections) stay internal; only published bulletins are read.
 *
 * Usage: node worker/cli/snapshot.ts [--local | --remote] [--persist-to DIR] [--out DIR]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TownSnapshot } from '../domain/public-snapshot.ts';
import { cstDate } from '../domain/supervision.ts';
import { ROOT, wranglerOutput } from './wrangler.ts';

type Row = Record<string, unknown>;

/** The statements of one wrangler call, in order; their result sets come back in the same order. */
const QUERIES = {
  tables: `SELECT name FROM sqlite_master WHERE type = 'table'`,
  towns: `SELECT id FROM towns ORDER BY id`,
  tasks: `SELECT town_id, id, status, percent,
            (SELECT u.id FROM task_updates u WHERE u.town_id = t.town_id AND u.task_id = t.id AND u.state = 'approved'
              ORDER BY u.reviewed_at DESC, u.id DESC LIMIT 1) AS last_update
          FROM tasks t WHERE t.kind <> 'rectification' ORDER BY town_id, ordinal`,
  updates: `SELECT u.id, u.town_id, u.task_id, u.unit_id, u.status, u.percent, u.narrative, u.reviewed_at
            FROM task_updates u JOIN tasks t ON t.town_id = u.town_id AND t.id = u.task_id
           WHERE u.state = 'approved' AND t.kind <> 'rectification' ORDER BY u.town_id, u.reviewed_at, u.id`,
  values: `SELECT v.town_id, v.indicator_id, v.value, v.as_of, v.source, v.approved_at, v.update_id
           FROM indicator_values v JOIN task_updates u ON u.id = v.update_id
           JOIN tasks t ON t.town_id = u.town_id AND t.id = u.task_id
          WHERE u.state = 'approved' AND t.kind <> 'rectification'
          ORDER BY v.town_id, v.indicator_id, v.as_of, v.approved_at`,
};

/** Read only when the supervision tables exist (migration 0006): published bulletins and the daily overdue counts. */
const SUPERVISION = {
  bulletins: `SELECT id, town_id, number, title, period_from, period_to, remarks, issued_at
              FROM bulletins WHERE state = 'issued' AND visibility = 'public' ORDER BY town_id, issued_at, id`,
  overdue: `SELECT town_id, day, SUM(overdue) AS overdue FROM overdue_snapshots GROUP BY town_id, day ORDER BY town_id, day`,
};

type Sets = Record<keyof typeof QUERIES, Row[]> & Partial<Record<keyof typeof SUPERVISION, Row[]>>;

/** Turns the result sets into one validated snapshot per town. Exported for tests. */
export function buildSnapshots(rows: Sets, generatedAt: string): TownSnapshot[] {
  return rows.towns.map(({ id }) => {
    const town = String(id);
    const mine = (r: Row) => r.town_id === town;
    const updates = rows.updates.filter(mine).map((u) => ({
      id: String(u.id),
      task: String(u.task_id),
      unit: String(u.unit_id),
      status: u.status,
      percent: Number(u.percent),
      narrative: String(u.narrative),
      approved_at: String(u.reviewed_at),
    }));
    const values = rows.values.filter(mine).map((v) => ({
      indicator: String(v.indicator_id),
      value: Number(v.value),
      as_of: String(v.as_of),
      source: String(v.source),
      approved_at: String(v.approved_at),
      update: String(v.update_id),
    }));
    const stamps = [...updates.map((u) => u.approved_at), ...values.map((v) => v.approved_at)].sort();
    return TownSnapshot.parse({
      town,
      generated_at: generatedAt,
      updated_at: stamps.at(-1) ?? null,
      tasks: rows.tasks.filter(mine).map((t) => ({ id: t.id, status: t.status, percent: Number(t.percent), last_update: t.last_update ?? null })),
      updates,
      values,
      bulletins: (rows.bulletins ?? []).filter(mine).map((b) => ({
        id: String(b.id),
        number: String(b.number),
        title: String(b.title),
        issued_on: cstDate(String(b.issued_at)),
        period_from: String(b.period_from),
        period_to: String(b.period_to),
        ...(b.remarks ? { summary: String(b.remarks) } : {}),
        // A published bulletin's print page is public (worker/routes/bulletins.ts).
        url: `/api/v1/bulletins/${encodeURIComponent(String(b.id))}/print`,
      })),
      overdue_trend: (rows.overdue ?? []).filter(mine).map((o) => ({ date: String(o.day), overdue: Number(o.overdue) })),
    });
  });
}

function arg(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
}

if (import.meta.main) {
  const persist = arg('--persist-to');
  const target = [process.argv.includes('--remote') ? '--remote' : '--local', ...(persist ? ['--persist-to', persist] : [])];
  const out = resolve(ROOT, arg('--out') ?? '.snapshot');
  /** Runs the statements in one wrangler call; one result set per statement, in order. */
  const run = <K extends string>(queries: Record<K, string>): Record<K, Row[]> => {
    const keys = Object.keys(queries) as K[];
    const sql = keys.map((k) => queries[k].replace(/\s+/g, ' ') + ';').join(' ');
    const sets = JSON.parse(wranglerOutput(['d1', 'execute', 'DB', ...target, '--json', '--command', sql])) as { results: Row[] }[];
    return Object.fromEntries(keys.map((k, i) => [k, sets[i]!.results])) as Record<K, Row[]>;
  };
  const base = run(QUERIES);
  const tables = new Set(base.tables.map((r) => String(r.name)));
  const rows: Sets = tables.has('bulletins') && tables.has('overdue_snapshots') ? { ...base, ...run(SUPERVISION) } : base;
  const snapshots = buildSnapshots(rows, new Date().toISOString());
  mkdirSync(out, { recursive: true });
  for (const s of snapshots) writeFileSync(resolve(out, `${s.town}.json`), JSON.stringify(s, null, 1) + '\n');
  console.log(`snapshot: ${snapshots.length} town(s) → ${out} (${snapshots.map((s) => `${s.town}: ${s.updates.length} approved updates, ${s.values.length} values`).join('; ')})`);
}
