-- A restore (`npm run import`, worker/cli/backup.ts) in progress. The first batch of a restore
-- writes this one row; every batch updates it in the same D1 batch as the rows it inserts, so it
-- always says exactly how far the restore got; the last batch deletes it. While the row exists the
-- database is incomplete: the Worker answers 503 restore_incomplete instead of serving partial data
-- (worker/db/health.ts), exports refuse, and `npm run import` with the same file resumes where it
-- stopped. Never exported.
CREATE TABLE restore_progress (
  id          INTEGER PRIMARY KEY CHECK (id = 1),   -- at most one restore at a time
  sha256      TEXT NOT NULL,                         -- of the backup file being restored
  file        TEXT NOT NULL,                         -- its name as given to npm run import (for the message)
  table_name  TEXT NOT NULL,                         -- the table being filled; tables before it (insert order) are complete
  table_rows  INTEGER NOT NULL,                      -- rows of table_name inserted so far
  rows_done   INTEGER NOT NULL,                      -- rows inserted so far, all tables
  rows_total  INTEGER NOT NULL,                      -- rows in the file
  started_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);
