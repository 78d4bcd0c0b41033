/**
 * The Cron Trigger (wrangler.toml [triggers] crons): each day, a snapshot of overdue, at-risk and
 * stale counts per unit of every town, as of that day in China Standard Time. Idempotent: a town
 * that already has its rows for the day is left untouched (rows and audit log).
 */
import { runBatch } from './db/batch.ts';
import { listTownIds, readViews, snapshotStmts } from './db/supervision.ts';
import { cstDate } from './domain/supervision.ts';
import { snapshotCounts } from './domain/supervision-views.ts';

/** Records the day's snapshot of every town; returns the day and the towns written (or already present). */
export async function recordOverdueSnapshots(db: D1Database, scheduledTime: number): Promise<{ day: string; towns: string[] }> {
  const day = cstDate(scheduledTime);
  const at = new Date(scheduledTime).toISOString();
  const towns = await listTownIds(db);
  for (const town of towns) {
    const v = await readViews(db, town, day);
    if (!v) continue;
    await runBatch(db, snapshotStmts(town, day, snapshotCounts(v.items, v.facts.units), at));
  }
  return { day, towns };
}
