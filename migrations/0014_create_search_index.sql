-- Search across every town's plan text, task titles and targets (worker/db/search.ts).
--
-- Derived data: the content loader writes it (worker/db/content.ts), task writes keep task titles
-- current (worker/db/tasks.ts), and `npm run import` rebuilds it from plans, tasks and targets.
-- Every table whose name starts with search_ stays out of backups (worker/db/backup.ts):
-- `wrangler d1 export` refuses a database that holds an FTS5 table (cloudflare/workers-sdk#6305).
--
-- One entry per plan block (heading, paragraph, list …), per task and per target indicator.
CREATE TABLE search_docs (
  id        INTEGER PRIMARY KEY,
  town_id   TEXT NOT NULL,
  kind      TEXT NOT NULL CHECK (kind IN ('plan', 'task', 'target')),
  ref       TEXT NOT NULL,             -- plan block anchor, task id or indicator id
  title     TEXT NOT NULL,             -- a heading's text, "code title" of a task, an indicator's name ('' for other blocks)
  context   TEXT NOT NULL,             -- the heading path a plan block sits under ('' for tasks and targets)
  body      TEXT NOT NULL,             -- a block's text, a task's quote, an indicator's target texts
  ordinal   INTEGER NOT NULL,          -- order within the town (plan, then tasks, then targets)
  UNIQUE (town_id, kind, ref)
);

-- The full-text index, rowid = search_docs.id. `title` and `body` hold overlapping character
-- bigrams with each run's last character (worker/domain/search.ts): a query of any length is a
-- phrase of its bigrams (one character: a prefix). `town` is the town id as one token.
CREATE VIRTUAL TABLE search_grams USING fts5(town, title, body, tokenize = "unicode61 remove_diacritics 0 tokenchars '-'");

-- The digest of each town's indexed content as last loaded: the loader rewrites a town's entries
-- only when it changed.
CREATE TABLE search_towns (
  town_id  TEXT PRIMARY KEY,
  digest   TEXT
);
