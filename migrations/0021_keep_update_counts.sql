-- Bounded reads of a town's progress at any length of history (issue 23's latency budgets).
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

-- 2. A town's newest approved indicator value by approval time is one index seek (the pages read
--    only the values they show: PUBLIC_SQL.shownValues).
CREATE INDEX indicator_values_by_approval ON indicator_values(town_id, approved_at);
