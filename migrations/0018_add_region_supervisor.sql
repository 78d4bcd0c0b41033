-- Region supervisors (issue 24): a `region_supervisor` account is bound to one region (a county or
-- a city of migration 0016) and to no town; it reads every town of its region and writes nothing in
-- a town. Every other non-admin role keeps exactly one town and no region; admin has neither.
--
-- SQLite cannot change a CHECK in place, so `accounts` is rebuilt (as migration 0008 rebuilds towns):
-- every row and column is kept (0015's last_login_at included), and sessions and activation_tokens,
-- which refer to accounts by name, refer to the new table once it takes the name (D1: foreign keys
-- deferred until commit). Column order of 0004 + 0015 is kept, region_id appended.
PRAGMA defer_foreign_keys = on;

-- First, in place: run a second time (a lost d1_migrations record), the file stops here at
-- "duplicate column name" and its batch changes nothing, where the rebuild alone would run again.
ALTER TABLE accounts ADD COLUMN region_id TEXT;

CREATE TABLE accounts_new (
  id                   TEXT PRIMARY KEY,
  town_id              TEXT REFERENCES towns(id),
  role                 TEXT NOT NULL CHECK (role IN ('reporter', 'office', 'supervisor', 'region_supervisor', 'admin')),
  unit_id              TEXT,
  username             TEXT NOT NULL UNIQUE CHECK (username = lower(username) AND length(username) BETWEEN 3 AND 40),
  display_name         TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
  password_hash        TEXT,
  password_salt        TEXT,
  password_iterations  INTEGER,
  status               TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'active', 'disabled')),
  created_at           TEXT NOT NULL,
  created_by           TEXT NOT NULL,
  last_login_at        TEXT,
  region_id            TEXT REFERENCES regions(id),  -- only for region_supervisor
  FOREIGN KEY (town_id, unit_id) REFERENCES units(town_id, id),
  -- admin and region supervisors belong to no town; every other role belongs to one town
  CHECK ((role IN ('admin', 'region_supervisor')) = (town_id IS NULL)),
  -- a region supervisor has exactly one region; no other role has one
  CHECK ((role = 'region_supervisor') = (region_id IS NOT NULL)),
  -- a reporter reports for exactly one responsible unit
  CHECK (role <> 'reporter' OR unit_id IS NOT NULL),
  -- a unit only exists within a town (the composite foreign key is not checked when town_id is NULL)
  CHECK (unit_id IS NULL OR town_id IS NOT NULL),
  -- the three password columns are set together, and an active account has a password
  CHECK ((password_hash IS NULL) = (password_salt IS NULL) AND (password_hash IS NULL) = (password_iterations IS NULL)),
  CHECK (password_iterations IS NULL OR password_iterations > 0),
  CHECK (status <> 'active' OR password_hash IS NOT NULL)
);
INSERT INTO accounts_new (id, town_id, role, unit_id, username, display_name, password_hash, password_salt, password_iterations, status, created_at, created_by, last_login_at, region_id)
  SELECT id, town_id, role, unit_id, username, display_name, password_hash, password_salt, password_iterations, status, created_at, created_by, last_login_at, region_id FROM accounts;
DROP TABLE accounts;
ALTER TABLE accounts_new RENAME TO accounts;
CREATE INDEX accounts_by_town ON accounts(town_id, role);
CREATE INDEX accounts_by_region ON accounts(region_id, role) WHERE region_id IS NOT NULL;

PRAGMA defer_foreign_keys = off;
