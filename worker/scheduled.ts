/**
 * The Cron Trigger (wrangler.toml [triggers] crons), once a day:
 * - a snapshot of overdue, at-risk and stale counts per unit of every town, as of that day in China
 *   Standard Time. Idempotent: a town that already has its rows for the day is left untouched
 *   (rows and audit log);
 * - housekeeping: expired sessions, old Idempotency-Key records and old login attempts are deleted
 *   (worker/db/housekeeping.ts); the audit log is kept.
 * While a restore has not finished (the marker of `npm run import`, migration 0011) it does
 * nothing and says so in the log: the database holds only part of a backup.
 */
import { runBatch } from './db/batch.ts';
import { restoreInProgress } from './db/health.ts';
import { pruneStmts } from './db/housekeeping.ts';
import { listTownIds, readViews, snapshotStmts } from './db/supervision.ts';
import { cstDate } from './domain/supervision.ts';
import { snapshotCounts } from './domain/supervision-views.ts';

/** What one run did: the day, the towns written (or already present), the rows pruned; `skipped` when a restore was under way. */
export interface NightlyResult {
  day: string;
  towns: string[];
  pruned: { sessions: number; idempotency: number; login_attempts: number };
  skipped?: 'restore_incomplete';
}

/** Records the day's snapshot of every town and prunes short-lived rows, unless a restore is under way. */
export async function recordOverdueSnapshots(db: D1Database, scheduledTime: number): Promise<NightlyResult> {
  const day = cstDate(scheduledTime);
  const restore = await restoreInProgress(db);
  if (restore) {
    console.warn(`nightly job skipped for ${day}: a restore has not finished (${restore.rows_done}/${restore.rows_total} rows); run npm run import again to finish it`);
    return { day, towns: [], pruned: { sessions: 0, idempotency: 0, login_attempts: 0 }, skipped: 'restore_incomplete' };
  }
  const at = new Date(scheduledTime).toISOString();
  const towns = await listTownIds(db);
  for (const town of towns) {
    const v = await readViews(db, town, day);
    if (!v) continue;
    await runBatch(db, snapshotStmts(town, day, snapshotCounts(v.items, v.facts.units), at));
  }
  const [s, i, l] = await runBatch(db, pruneStmts(scheduledTime));
  const pruned = { sessions: s!.meta.changes, idempotency: i!.meta.changes, login_attempts: l!.meta.changes };
  console.log(`nightly job ${day}: snapshots for ${towns.length} town(s); pruned ${JSON.stringify(pruned)}`);
  return { day, towns, pruned };
}
