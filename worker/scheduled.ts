/**
 * The Cron Triggers (wrangler.toml [triggers] crons): the night's run, once a day, in parts.
 * - For every town: a snapshot of overdue, at-risk and stale counts per unit as of that day in
 *   China Standard Time (idempotent: a town that already has its rows for the day is left
 *   untouched, rows and audit log), and the town's summary judged afresh (the home and region
 *   lists read it, worker/db/summaries.ts).
 * - Then housekeeping: expired sessions, old Idempotency-Key records and old login attempts are
 *   deleted (worker/db/housekeeping.ts); the audit log is kept.
 *
 * In parts because Cloudflare allows one invocation 1,000 D1 queries on Workers Paid (50 on Free)
 * and a town takes about five: `START_CRON` (23:50 CST) starts the day's run and goes through the
 * first `TOWNS_PER_INVOCATION` towns in id order; each later trigger of the night continues the
 * open run from its last town (migrations/0022, nightly_runs), and the invocation that finds no
 * town left does the housekeeping and closes the run. A follow-up with no open run does one query.
 * While a restore has not finished (the marker of `npm run import`, migration 0011) nothing is
 * done and the log says so: the database holds only part of a backup.
 */
import { runBatch } from './db/batch.ts';
import { restoreInProgress } from './db/health.ts';
import { finishRunStmt, nextTowns, pruneStmts, readOpenRun, runPastStmt, startRun } from './db/housekeeping.ts';
import { refreshSummary } from './db/summaries.ts';
import { readViews, snapshotStmts } from './db/supervision.ts';
import { cstDate } from './domain/supervision.ts';
import { snapshotCounts } from './domain/supervision-views.ts';

/** The trigger that starts a night's run (wrangler.toml); every other trigger continues it. */
export const START_CRON = '50 15 * * *';

/**
 * Towns one invocation goes through: at about five D1 queries a town (tests/worker/nightly.test.ts
 * counts them), 150 towns stay well inside Workers Paid's 1,000 queries per invocation.
 */
export const TOWNS_PER_INVOCATION = 150;

/** What one invocation did. */
export interface NightlyStep {
  /** The day of the run it worked on (null: no open run). */
  day: string | null;
  /** The towns it went through. */
  towns: string[];
  /** Whether the run is closed (housekeeping done). */
  finished: boolean;
  /** Rows deleted by the housekeeping, when this invocation closed the run. */
  pruned?: { sessions: number; idempotency: number; login_attempts: number };
  /** restore_incomplete: a restore is under way; idle: no run to start or continue. */
  skipped?: 'restore_incomplete' | 'idle';
}

/** One invocation of the night's run: start it (`start`) or continue the open one. */
export async function nightlyStep(db: D1Database, scheduledTime: number, opts: { start: boolean; towns?: number }): Promise<NightlyStep> {
  const perInvocation = opts.towns ?? TOWNS_PER_INVOCATION;
  const restore = await restoreInProgress(db);
  if (restore) {
    console.warn(`nightly job skipped: a restore has not finished (${restore.rows_done}/${restore.rows_total} rows); run npm run import again to finish it`);
    return { day: null, towns: [], finished: false, skipped: 'restore_incomplete' };
  }
  const at = new Date(scheduledTime).toISOString();
  const run = opts.start ? await startRun(db, cstDate(scheduledTime), at) : await readOpenRun(db);
  if (!run) return { day: opts.start ? cstDate(scheduledTime) : null, towns: [], finished: true, skipped: 'idle' };
  const towns = await nextTowns(db, run.last_town, perInvocation);
  for (const town of towns) {
    const v = await readViews(db, town, run.day);
    // The snapshot and the run's progress in one batch: a town is never done twice or skipped.
    await runBatch(db, [...(v ? snapshotStmts(town, run.day, snapshotCounts(v.items, v.facts.units), at) : []), runPastStmt(run.day, town)]);
    await refreshSummary(db, town, new Date(scheduledTime));
  }
  if (towns.length === perInvocation) {
    console.log(`nightly job ${run.day}: ${run.towns_done + towns.length} town(s) done, continuing at the next trigger`);
    return { day: run.day, towns, finished: false };
  }
  const [s, i, l] = await runBatch(db, [...pruneStmts(scheduledTime), finishRunStmt(run.day, at)]);
  const pruned = { sessions: s!.meta.changes, idempotency: i!.meta.changes, login_attempts: l!.meta.changes };
  console.log(`nightly job ${run.day}: snapshots and summaries for ${run.towns_done + towns.length} town(s); pruned ${JSON.stringify(pruned)}`);
  return { day: run.day, towns, finished: true, pruned };
}

/** What a whole night did: the day, every town gone through, the rows pruned; `skipped` when a restore was under way. */
export interface NightlyResult {
  day: string;
  towns: string[];
  pruned: { sessions: number; idempotency: number; login_attempts: number };
  skipped?: 'restore_incomplete';
}

/**
 * A whole night in one call (tests, and a deployment small enough for one invocation): the start,
 * then continuations until the run is closed.
 */
export async function recordOverdueSnapshots(db: D1Database, scheduledTime: number, towns = TOWNS_PER_INVOCATION): Promise<NightlyResult> {
  const day = cstDate(scheduledTime);
  const all: string[] = [];
  let step = await nightlyStep(db, scheduledTime, { start: true, towns });
  for (;;) {
    all.push(...step.towns);
    if (step.skipped === 'restore_incomplete') return { day, towns: [], pruned: { sessions: 0, idempotency: 0, login_attempts: 0 }, skipped: 'restore_incomplete' };
    if (step.finished) return { day, towns: all, pruned: step.pruned ?? { sessions: 0, idempotency: 0, login_attempts: 0 } };
    step = await nightlyStep(db, scheduledTime, { start: false, towns });
  }
}
