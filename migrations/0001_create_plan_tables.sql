-- Towns and their published plans: everything content/ defines.
-- Content-owned columns are written only by the content loader (worker/db/content.ts);
-- progress columns of tasks (status, percent, version) are written by task updates.

CREATE TABLE towns (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  name_en       TEXT NOT NULL,
  province      TEXT NOT NULL,
  city          TEXT NOT NULL,
  county        TEXT NOT NULL,
  profile_json  TEXT NOT NULL,            -- ProfileFigure[] (display figures with their source text)
  projects_json TEXT NOT NULL,            -- Project[]
  updated_at    TEXT NOT NULL
);

CREATE TABLE plans (
  town_id        TEXT PRIMARY KEY REFERENCES towns(id),
  title          TEXT NOT NULL,
  doc_number     TEXT NOT NULL,
  issuer         TEXT NOT NULL,
  issued_on      TEXT,                    -- only where the document states it
  year           INTEGER NOT NULL,
  sections_json  TEXT NOT NULL,           -- [{heading, kind}]
  body_markdown  TEXT NOT NULL,
  updated_at     TEXT NOT NULL
);

CREATE TABLE milestones (
  town_id  TEXT NOT NULL REFERENCES towns(id),
  id       TEXT NOT NULL,
  year     INTEGER NOT NULL,
  label    TEXT NOT NULL,
  due      TEXT NOT NULL CHECK (due GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  PRIMARY KEY (town_id, id)
);

CREATE TABLE units (
  town_id     TEXT NOT NULL REFERENCES towns(id),
  id          TEXT NOT NULL,
  name        TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('department', 'subdistrict', 'institution', 'body')),
  supervises  INTEGER NOT NULL DEFAULT 0 CHECK (supervises IN (0, 1)),
  ordinal     INTEGER NOT NULL,
  PRIMARY KEY (town_id, id)
);

-- The leading group (领导小组) and its office.
CREATE TABLE leading_groups (
  town_id        TEXT PRIMARY KEY REFERENCES towns(id),
  name           TEXT NOT NULL,
  office_unit_id TEXT NOT NULL,
  office_quote   TEXT NOT NULL,
  FOREIGN KEY (town_id, office_unit_id) REFERENCES units(town_id, id)
);

CREATE TABLE members (
  town_id      TEXT NOT NULL REFERENCES towns(id),
  id           TEXT NOT NULL,
  name         TEXT NOT NULL,
  role         TEXT NOT NULL CHECK (role IN ('leader', 'deputy_leader', 'member')),
  post         TEXT NOT NULL,
  office_role  TEXT CHECK (office_role IN ('director', 'deputy_director')),
  ordinal      INTEGER NOT NULL,
  PRIMARY KEY (town_id, id)
);

CREATE TABLE member_units (
  town_id    TEXT NOT NULL,
  member_id  TEXT NOT NULL,
  unit_id    TEXT NOT NULL,
  PRIMARY KEY (town_id, member_id, unit_id),
  FOREIGN KEY (town_id, member_id) REFERENCES members(town_id, id),
  FOREIGN KEY (town_id, unit_id) REFERENCES units(town_id, id)
);

-- The shared indicator catalogue.
CREATE TABLE indicators (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  name_en     TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('numeric', 'qualitative')),
  unit        TEXT,
  direction   TEXT NOT NULL CHECK (direction IN ('increase', 'decrease', 'maintain')),
  definition  TEXT,
  ordinal     INTEGER NOT NULL
);

CREATE TABLE town_indicators (
  town_id          TEXT NOT NULL REFERENCES towns(id),
  indicator_id     TEXT NOT NULL REFERENCES indicators(id),
  baseline_value   REAL,
  baseline_as_of   TEXT,
  baseline_source  TEXT,
  ordinal          INTEGER NOT NULL,
  PRIMARY KEY (town_id, indicator_id)
);

CREATE TABLE indicator_targets (
  town_id            TEXT NOT NULL,
  indicator_id       TEXT NOT NULL,
  milestone_id       TEXT NOT NULL,
  kind               TEXT NOT NULL CHECK (kind IN ('numeric', 'qualitative')),
  comparator         TEXT CHECK (comparator IN ('gte', 'gt', 'lte', 'lt', 'eq', 'approx')),
  value              REAL,
  unit               TEXT,
  display            TEXT,
  denominator_value  REAL,
  denominator_unit   TEXT,
  text               TEXT,
  quote              TEXT NOT NULL,
  PRIMARY KEY (town_id, indicator_id, milestone_id),
  FOREIGN KEY (town_id, indicator_id) REFERENCES town_indicators(town_id, indicator_id),
  FOREIGN KEY (town_id, milestone_id) REFERENCES milestones(town_id, id),
  CHECK ((kind = 'numeric' AND comparator IS NOT NULL AND value IS NOT NULL) OR (kind = 'qualitative' AND text IS NOT NULL))
);

-- The task breakdown (任务分解表): key tasks, guarantees and their deliverables, as a tree.
CREATE TABLE tasks (
  town_id           TEXT NOT NULL REFERENCES towns(id),
  id                TEXT NOT NULL,
  parent_id         TEXT,
  code              TEXT NOT NULL,
  kind              TEXT NOT NULL CHECK (kind IN ('key_task', 'guarantee', 'deliverable')),
  title             TEXT NOT NULL,
  quote             TEXT NOT NULL,
  units_basis       TEXT NOT NULL CHECK (units_basis IN ('stated', 'inferred')),
  lead_member_id    TEXT,
  due_milestone_id  TEXT NOT NULL,
  due_basis         TEXT NOT NULL CHECK (due_basis IN ('stated', 'inferred')),
  weight            REAL NOT NULL DEFAULT 1 CHECK (weight > 0),
  ordinal           INTEGER NOT NULL,
  -- progress, owned by task updates
  status            TEXT NOT NULL DEFAULT 'not_started' CHECK (status IN ('not_started', 'in_progress', 'completed', 'blocked')),
  percent           INTEGER NOT NULL DEFAULT 0 CHECK (percent BETWEEN 0 AND 100),
  version           INTEGER NOT NULL DEFAULT 1,
  updated_at        TEXT NOT NULL,
  PRIMARY KEY (town_id, id),
  FOREIGN KEY (town_id, parent_id) REFERENCES tasks(town_id, id),
  FOREIGN KEY (town_id, lead_member_id) REFERENCES members(town_id, id),
  FOREIGN KEY (town_id, due_milestone_id) REFERENCES milestones(town_id, id)
);
CREATE INDEX tasks_by_parent ON tasks(town_id, parent_id);
CREATE INDEX tasks_by_due ON tasks(town_id, due_milestone_id);

CREATE TABLE task_units (
  town_id  TEXT NOT NULL,
  task_id  TEXT NOT NULL,
  unit_id  TEXT NOT NULL,
  role     TEXT NOT NULL CHECK (role IN ('lead', 'support')),
  ordinal  INTEGER NOT NULL,
  PRIMARY KEY (town_id, task_id, unit_id),
  FOREIGN KEY (town_id, task_id) REFERENCES tasks(town_id, id),
  FOREIGN KEY (town_id, unit_id) REFERENCES units(town_id, id)
);
CREATE INDEX task_units_by_unit ON task_units(town_id, unit_id);

CREATE TABLE task_indicators (
  town_id       TEXT NOT NULL,
  task_id       TEXT NOT NULL,
  indicator_id  TEXT NOT NULL REFERENCES indicators(id),
  PRIMARY KEY (town_id, task_id, indicator_id),
  FOREIGN KEY (town_id, task_id) REFERENCES tasks(town_id, id)
);
