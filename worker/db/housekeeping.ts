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
