-- The nightly job in parts (worker/scheduled.ts). Cloudflare allows one Worker invocation 1,000 D1
-- queries on Workers Paid (50 on Free; developers.cloudflare.com/d1/platform/limits, read
-- 2026-12-06), and the job takes about four per town (the town's facts, its snapshot, its summary
-- read and written): one invocation over 1,000 towns would be stopped part-way. So a night's run
-- goes through the towns in id order, a bounded number per Cron invocation, and the invocations
-- that follow (wrangler.toml [triggers]) carry on from the last town done.
-- Operational state, not data: never exported (worker/db/backup.ts NOT_EXPORTED).
CREATE TABLE nightly_runs (
  day         TEXT PRIMARY KEY,          -- the China Standard Time day the snapshots are of
  started_at  TEXT NOT NULL,
  last_town   TEXT,                      -- the last town done (towns go in id order); null: none yet
  towns_done  INTEGER NOT NULL DEFAULT 0,
  finished_at TEXT                       -- null while towns remain
);
