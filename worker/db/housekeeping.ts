/**
 * The nightly job's clean-up (worker/scheduled.ts): rows that only serve a short window are
 * deleted once it has passed, so the tables stay the size of their window for years of use.
 * The audit log is never pruned (the table refuses DELETE, migration 0003).
 */
import { stmt, type Stmt } from './sql.ts';

/** How long each kind of short-lived row is kept. */
export const RETENTION_MS = {
  /** sessions, from their expiry (or revocation): long enough to tell "expired" from "never existed" in a support call */
  sessions: 7 * 24 * 60 * 60 * 1000,
  /** Idempotency-Key records, from their creation: a retry later than this is a new request */
  idempotency: 7 * 24 * 60 * 60 * 1000,
  /** login attempts, from their time: far beyond the 15-minute throttling window */
  loginAttempts: 24 * 60 * 60 * 1000,
} as const;

/** The DELETEs that prune expired sessions, old idempotency records and old login attempts, as of `now`. */
export function pruneStmts(now: number): Stmt[] {
  const before = (ms: number) => new Date(now - ms).toISOString();
  return [
    stmt(`DELETE FROM sessions WHERE expires_at < ? OR revoked_at < ?`, before(RETENTION_MS.sessions), before(RETENTION_MS.sessions)),
    stmt(`DELETE FROM idempotency_keys WHERE created_at < ?`, before(RETENTION_MS.idempotency)),
    stmt(`DELETE FROM login_attempts WHERE at < ?`, before(RETENTION_MS.loginAttempts)),
  ];
}

// ---------------------------------------------------------------- the night's run, in parts (migrations/0022)

/** A night's run: its day, the last town done (towns go in id order), and whether it has finished. */
export interface NightlyRun {
  day: string;
  started_at: string;
  last_town: string | null;
  towns_done: number;
  finished_at: string | null;
}

/** The newest run that has towns left, if any. */
export async function readOpenRun(db: D1Database): Promise<NightlyRun | null> {
  return db.prepare(`SELECT day, started_at, last_town, towns_done, finished_at FROM nightly_runs WHERE finished_at IS NULL ORDER BY day DESC LIMIT 1`).first<NightlyRun>();
}

/**
 * Starts the run of `day` (nothing when that day's run exists, finished or not) and closes any older
 * run left open (a night whose follow-up invocations did not all come): one batch. Answers the open
 * run of `day`, or null when it had already finished.
 */
export async function startRun(db: D1Database, day: string, at: string): Promise<NightlyRun | null> {
  await db.batch([
    db.prepare(`UPDATE nightly_runs SET finished_at = ?2 WHERE finished_at IS NULL AND day < ?1`).bind(day, at),
    db.prepare(`INSERT INTO nightly_runs (day, started_at) VALUES (?1, ?2) ON CONFLICT (day) DO NOTHING`).bind(day, at),
  ]);
  return db.prepare(`SELECT day, started_at, last_town, towns_done, finished_at FROM nightly_runs WHERE day = ?1 AND finished_at IS NULL`).bind(day).first<NightlyRun>();
}

/** The next towns of a run after its last one, in id order. */
export async function nextTowns(db: D1Database, after: string | null, n: number): Promise<string[]> {
  const r = await db.prepare(`SELECT id FROM towns WHERE id > ?1 ORDER BY id LIMIT ?2`).bind(after ?? '', n).all<{ id: string }>();
  return r.results.map((t) => t.id);
}

/** Moves a run past a town (in the same batch as that town's snapshot). */
export const runPastStmt = (day: string, town: string): Stmt =>
  stmt(`UPDATE nightly_runs SET last_town = ?2, towns_done = towns_done + 1 WHERE day = ?1 AND (last_town IS NULL OR last_town < ?2)`, day, town);

/** Closes a run (in the same batch as the clean-up). */
export const finishRunStmt = (day: string, at: string): Stmt => stmt(`UPDATE nightly_runs SET finished_at = ?2 WHERE day = ?1 AND finished_at IS NULL`, day, at);
