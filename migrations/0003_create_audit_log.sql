-- The audit log is append-only: the database itself refuses updates and deletes.
CREATE TABLE audit_log (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  at          TEXT NOT NULL,
  actor       TEXT NOT NULL,              -- account id, or 'system:<process>'
  action      TEXT NOT NULL,              -- e.g. content.load
  town_id     TEXT,
  unit_id     TEXT,
  task_id     TEXT,
  entity      TEXT,
  entity_id   TEXT,
  detail_json TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_by_town_at ON audit_log(town_id, at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- One row per distinct content/ snapshot loaded; makes the loader idempotent.
CREATE TABLE content_loads (
  hash       TEXT PRIMARY KEY,
  loaded_at  TEXT NOT NULL,
  summary    TEXT NOT NULL
);
