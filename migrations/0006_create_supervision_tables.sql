-- Supervision (督导): inspections and their rectification items (整改), bulletins (通报),
-- daily overdue snapshots, and the indexes the as-of views need.
--
-- Rectification items are rows of `tasks` with kind 'rectification', so they are tracked exactly
-- like plan tasks: task_units names the responsible unit, reporters submit task_updates, the
-- office reviews them, and the overdue board reads them. They have no milestone: they are due on
-- their own date (due_on) and belong to the inspection that raised them (inspection_id).
-- The content loader never writes these rows (trigger tasks_rectification_kept below).

CREATE TABLE inspections (
  id               TEXT PRIMARY KEY,
  town_id          TEXT NOT NULL REFERENCES towns(id),
  inspected_on     TEXT NOT NULL CHECK (inspected_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  title            TEXT NOT NULL,
  inspectors_json  TEXT NOT NULL,           -- string[]: names (and posts) of the inspectors
  units_json       TEXT NOT NULL,           -- string[]: unit ids inspected
  tasks_json       TEXT NOT NULL,           -- string[]: task ids inspected
  findings_json    TEXT NOT NULL,           -- [{text, unit|null, task|null}]
  created_by       TEXT NOT NULL,
  created_at       TEXT NOT NULL
);
CREATE INDEX inspections_by_town ON inspections(town_id, inspected_on);

-- Rebuild tasks: kind may be 'rectification'; due_milestone_id becomes optional, with due_on
-- and inspection_id for rectifications. Column order of 0001 is kept, new columns appended.
PRAGMA defer_foreign_keys = true;

CREATE TABLE tasks_rebuilt (
  town_id           TEXT NOT NULL REFERENCES towns(id),
  id                TEXT NOT NULL,
  parent_id         TEXT,
  code              TEXT NOT NULL,
  kind              TEXT NOT NULL CHECK (kind IN ('key_task', 'guarantee', 'deliverable', 'rectification')),
  title             TEXT NOT NULL,
  quote             TEXT NOT NULL,
  units_basis       TEXT NOT NULL CHECK (units_basis IN ('stated', 'inferred')),
  lead_member_id    TEXT,
  due_milestone_id  TEXT,
  due_basis         TEXT NOT NULL CHECK (due_basis IN ('stated', 'inferred')),
  weight            REAL NOT NULL DEFAULT 1 CHECK (weight > 0),
  ordinal           INTEGER NOT NULL,
  status            TEXT NOT NULL DEFAULT 'not_started' CHECK (status IN ('not_started', 'in_progress', 'completed', 'blocked')),
  percent           INTEGER NOT NULL DEFAULT 0 CHECK (percent BETWEEN 0 AND 100),
  version           INTEGER NOT NULL DEFAULT 1,
  updated_at        TEXT NOT NULL,
  due_on            TEXT CHECK (due_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  inspection_id     TEXT REFERENCES inspections(id),
  PRIMARY KEY (town_id, id),
  FOREIGN KEY (town_id, parent_id) REFERENCES tasks(town_id, id),
  FOREIGN KEY (town_id, lead_member_id) REFERENCES members(town_id, id),
  FOREIGN KEY (town_id, due_milestone_id) REFERENCES milestones(town_id, id),
  -- a plan task is due at a milestone; a rectification item on its own date, raised by an inspection
  CHECK ((kind = 'rectification') = (due_milestone_id IS NULL)),
  CHECK ((kind = 'rectification') = (due_on IS NOT NULL)),
  CHECK ((kind = 'rectification') = (inspection_id IS NOT NULL)),
  CHECK (kind <> 'rectification' OR parent_id IS NULL)
);

INSERT INTO tasks_rebuilt (town_id, id, parent_id, code, kind, title, quote, units_basis, lead_member_id, due_milestone_id,
                           due_basis, weight, ordinal, status, percent, version, updated_at)
  SELECT town_id, id, parent_id, code, kind, title, quote, units_basis, lead_member_id, due_milestone_id,
         due_basis, weight, ordinal, status, percent, version, updated_at FROM tasks;
DROP TABLE tasks;
ALTER TABLE tasks_rebuilt RENAME TO tasks;
CREATE INDEX tasks_by_parent ON tasks(town_id, parent_id);
CREATE INDEX tasks_by_due ON tasks(town_id, due_milestone_id);
CREATE INDEX tasks_by_inspection ON tasks(inspection_id) WHERE inspection_id IS NOT NULL;

PRAGMA defer_foreign_keys = false;

-- A plan task never becomes a rectification item nor the reverse: an id clash with content/
-- aborts the content load instead of overwriting a rectification item.
CREATE TRIGGER tasks_rectification_kept BEFORE UPDATE OF kind ON tasks
WHEN (OLD.kind = 'rectification') <> (NEW.kind = 'rectification')
BEGIN
  SELECT RAISE(ABORT, 'a rectification item cannot become a plan task (or the reverse)');
END;

-- As-of views: the latest approved update of a task known by a time is one index seek
-- (covering: no table lookup), never a scan of task_updates.
-- Column order matches ORDER BY reviewed_at DESC, id DESC, so LIMIT 1 stops at the first entry.
-- (Indicator values known by a time use indicator_values_latest of migration 0005.)
CREATE INDEX task_updates_approved ON task_updates(town_id, task_id, reviewed_at, id, status, percent) WHERE state = 'approved';

-- Bulletins (通报): a draft until issued; issuing assigns the number and freezes the figures.
CREATE TABLE bulletins (
  id            TEXT PRIMARY KEY,
  town_id       TEXT NOT NULL REFERENCES towns(id),
  title         TEXT NOT NULL,
  period_from   TEXT NOT NULL CHECK (period_from GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  period_to     TEXT NOT NULL CHECK (period_to GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  remarks       TEXT NOT NULL DEFAULT '',
  state         TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'issued')),
  visibility    TEXT NOT NULL DEFAULT 'internal' CHECK (visibility IN ('internal', 'public')),
  year          INTEGER,
  seq           INTEGER,
  number        TEXT,
  figures_json  TEXT,                       -- frozen at issue; NULL for a draft (computed live)
  created_by    TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  issued_by     TEXT,
  issued_at     TEXT,
  published_at  TEXT,
  CHECK (period_from <= period_to),
  CHECK ((state = 'issued') = (number IS NOT NULL)),
  CHECK ((state = 'issued') = (figures_json IS NOT NULL)),
  CHECK ((state = 'issued') = (seq IS NOT NULL AND year IS NOT NULL)),
  CHECK (visibility = 'internal' OR state = 'issued'),
  UNIQUE (town_id, year, seq)
);
CREATE INDEX bulletins_by_town ON bulletins(town_id, state, visibility, issued_at);

-- An issued bulletin never changes: its number, period and figures are fixed; only publication may change.
CREATE TRIGGER bulletins_frozen BEFORE UPDATE ON bulletins
WHEN OLD.state = 'issued' AND (
  NEW.state IS NOT OLD.state OR NEW.number IS NOT OLD.number OR NEW.seq IS NOT OLD.seq OR NEW.year IS NOT OLD.year OR
  NEW.figures_json IS NOT OLD.figures_json OR NEW.title IS NOT OLD.title OR NEW.period_from IS NOT OLD.period_from OR
  NEW.period_to IS NOT OLD.period_to OR NEW.remarks IS NOT OLD.remarks OR NEW.issued_at IS NOT OLD.issued_at)
BEGIN
  SELECT RAISE(ABORT, 'an issued bulletin is frozen');
END;
CREATE TRIGGER bulletins_no_delete_issued BEFORE DELETE ON bulletins
WHEN OLD.state = 'issued'
BEGIN
  SELECT RAISE(ABORT, 'an issued bulletin cannot be deleted');
END;

-- Daily overdue counts per unit, written by the Cron Trigger; one row per town, unit and day.
CREATE TABLE overdue_snapshots (
  town_id      TEXT NOT NULL,
  unit_id      TEXT NOT NULL,
  day          TEXT NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  overdue      INTEGER NOT NULL,
  at_risk      INTEGER NOT NULL,
  stale        INTEGER NOT NULL,
  tasks        INTEGER NOT NULL,
  computed_at  TEXT NOT NULL,
  PRIMARY KEY (town_id, unit_id, day),
  FOREIGN KEY (town_id, unit_id) REFERENCES units(town_id, id)
);
