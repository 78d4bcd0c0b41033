-- Reads that stay bounded at any length of history and number of towns (issue 23's latency budgets).
--
-- 1. How many approved updates each task has, kept by triggers on task_updates: a town's pages
--    say how many approved updates there are in all (worker/db/public.ts, PUBLIC_SQL.updatesTotal)
--    by summing its tasks' counts (one row per task) instead of counting every approved update
--    (24.6 ms at 100,000, bench/results.md). Derived data: never exported (worker/db/backup.ts);
--    an import inserts task_updates and the triggers count them again.
CREATE TABLE task_update_counts (
  town_id   TEXT NOT NULL,
  task_id   TEXT NOT NULL,
  approved  INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (town_id, task_id)
);

INSERT INTO task_update_counts (town_id, task_id, approved)
  SELECT town_id, task_id, COUNT(*) FROM task_updates WHERE state = 'approved' GROUP BY town_id, task_id;

CREATE TRIGGER task_update_counts_insert AFTER INSERT ON task_updates
WHEN NEW.state = 'approved'
BEGIN
  INSERT INTO task_update_counts (town_id, task_id, approved) VALUES (NEW.town_id, NEW.task_id, 1)
    ON CONFLICT (town_id, task_id) DO UPDATE SET approved = approved + 1;
END;

CREATE TRIGGER task_update_counts_delete AFTER DELETE ON task_updates
WHEN OLD.state = 'approved'
BEGIN
  UPDATE task_update_counts SET approved = approved - 1 WHERE town_id = OLD.town_id AND task_id = OLD.task_id;
END;

CREATE TRIGGER task_update_counts_update AFTER UPDATE OF state, town_id, task_id ON task_updates
WHEN OLD.state = 'approved' OR NEW.state = 'approved'
BEGIN
  UPDATE task_update_counts SET approved = approved - 1
   WHERE OLD.state = 'approved' AND town_id = OLD.town_id AND task_id = OLD.task_id;
  INSERT INTO task_update_counts (town_id, task_id, approved) SELECT NEW.town_id, NEW.task_id, 1 WHERE NEW.state = 'approved'
    ON CONFLICT (town_id, task_id) DO UPDATE SET approved = approved + 1;
END;

-- 2. Indexes for reading only the indicator values a page's verdicts rest on (worker/db/public.ts,
--    PUBLIC_SQL.shownValues): the town's newest value by approval is one seek, and the values
--    after a milestone are ranked from the index alone (no table row read for each).
CREATE INDEX indicator_values_by_approval ON indicator_values(town_id, approved_at);
CREATE INDEX indicator_values_by_date_value ON indicator_values(town_id, indicator_id, as_of, value);

-- 3. Search: a one-character query is a prefix query (worker/domain/search.ts: "镇" *), which FTS5
--    answered by merging the entries of every indexed pair starting with that character (8–12 ms
--    at 1,000 towns, node:sqlite, and more under load; bench/results.md). A prefix index of one
--    character answers it from one entry (0.1 ms). The table is rebuilt with the option from its
--    own stored terms (FTS5 takes no ALTER of its options); at 1,000 towns the index grows from
--    186 to 239 MiB and the copy takes ≈ 30 s on the shared 2-core machine.
CREATE VIRTUAL TABLE search_grams_prefixed USING fts5(town, title, body, tokenize = "unicode61 remove_diacritics 0 tokenchars '-'", prefix = '1');
INSERT INTO search_grams_prefixed (rowid, town, title, body) SELECT rowid, town, title, body FROM search_grams;
DROP TABLE search_grams;
ALTER TABLE search_grams_prefixed RENAME TO search_grams;
