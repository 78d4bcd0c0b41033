-- Task updates from responsible units, their review, the task history and approved
-- indicator values. Only approved updates change a task or reach the public.

CREATE TABLE task_updates (
  id                 TEXT PRIMARY KEY,
  town_id            TEXT NOT NULL,
  task_id            TEXT NOT NULL,
  unit_id            TEXT NOT NULL,
  author_id          TEXT NOT NULL,
  state              TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'rejected')),
  status             TEXT NOT NULL CHECK (status IN ('not_started', 'in_progress', 'completed', 'blocked')),
  percent            INTEGER NOT NULL CHECK (percent BETWEEN 0 AND 100),
  narrative          TEXT NOT NULL,
  measurements_json  TEXT NOT NULL DEFAULT '[]',
  evidence_json      TEXT NOT NULL DEFAULT '[]',
  base_version       INTEGER NOT NULL,
  created_at         TEXT NOT NULL,
  reviewed_by        TEXT,
  reviewed_at        TEXT,
  reject_reason      TEXT,
  FOREIGN KEY (town_id, task_id) REFERENCES tasks(town_id, id),
  FOREIGN KEY (town_id, unit_id) REFERENCES units(town_id, id),
  CHECK ((state = 'rejected') = (reject_reason IS NOT NULL))
);
CREATE INDEX task_updates_by_town_state ON task_updates(town_id, state, created_at);
CREATE INDEX task_updates_by_task ON task_updates(town_id, task_id, created_at);
CREATE INDEX task_updates_by_author ON task_updates(author_id, created_at);

-- Indicator values from approved updates: the public "latest value" of an indicator.
CREATE TABLE indicator_values (
  update_id     TEXT NOT NULL REFERENCES task_updates(id),
  ordinal       INTEGER NOT NULL,
  town_id       TEXT NOT NULL,
  indicator_id  TEXT NOT NULL REFERENCES indicators(id),
  value         REAL NOT NULL,
  as_of         TEXT NOT NULL,
  source        TEXT NOT NULL,
  approved_at   TEXT NOT NULL,
  PRIMARY KEY (update_id, ordinal)
);
CREATE INDEX indicator_values_latest ON indicator_values(town_id, indicator_id, as_of, approved_at);

-- Every change of a task's progress: who, when, before and after.
CREATE TABLE task_history (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  town_id      TEXT NOT NULL,
  task_id      TEXT NOT NULL,
  update_id    TEXT REFERENCES task_updates(id),
  actor        TEXT NOT NULL,
  at           TEXT NOT NULL,
  before_json  TEXT NOT NULL,
  after_json   TEXT NOT NULL
);
CREATE INDEX task_history_by_task ON task_history(town_id, task_id, id);

-- Idempotency-Key records: a retry returns the first answer; the same key with another body is refused.
CREATE TABLE idempotency_keys (
  account_id    TEXT NOT NULL,
  key           TEXT NOT NULL,
  request_hash  TEXT NOT NULL,
  status        INTEGER NOT NULL,
  body          TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  PRIMARY KEY (account_id, key)
);

-- Optimistic-concurrency guard used inside a batch: inserting a row whose expected value differs
-- from the stored one violates the CHECK and aborts the whole batch. Rows are deleted at the end
-- of the same batch, so the table is always empty between batches.
CREATE TABLE write_guards (
  name      TEXT NOT NULL,
  expected  TEXT,
  actual    TEXT,
  CHECK (expected IS actual)
);
