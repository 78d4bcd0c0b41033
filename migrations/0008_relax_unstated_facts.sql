-- Facts a source may not state become optional and carry their basis (issue 17):
--   towns: name_en, province, city, county may be NULL; basis_json holds {field: {basis, note?, quote?}}
--          for each of them that is present; demo marks a town whose data is demonstration only.
--   plans: issuer may be NULL (a plan may have no 落款); basis_json holds the basis of issuer and issued_on.
--   jurisdictions: province may be NULL; basis_json as for towns.
--   jurisdiction_figures: as_of may be NULL (原文未写时点); as_of_text keeps the source's words for a period
--          ("2021年以来"); scope_note says how a mapped figure's scope differs from its indicator.
-- SQLite cannot drop NOT NULL in place, so each table is rebuilt (D1: foreign keys deferred until commit).
-- Rows keep their values; the content loader fills basis_json on its next run.
-- towns first gains its new columns in place: run a second time (a lost d1_migrations record), the
-- file then stops at "duplicate column name" and its batch changes nothing, where the rebuild alone
-- would succeed again and reset every town's basis and demo flag.
PRAGMA defer_foreign_keys = on;

ALTER TABLE towns ADD COLUMN basis_json TEXT NOT NULL DEFAULT '{}';
ALTER TABLE towns ADD COLUMN demo INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1));

CREATE TABLE towns_new (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  name_en       TEXT,
  province      TEXT,
  city          TEXT,
  county        TEXT,
  basis_json    TEXT NOT NULL DEFAULT '{}',
  demo          INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1)),
  profile_json  TEXT NOT NULL,
  projects_json TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);
INSERT INTO towns_new (id, name, name_en, province, city, county, basis_json, demo, profile_json, projects_json, updated_at)
  SELECT id, name, name_en, province, city, county, basis_json, demo, profile_json, projects_json, updated_at FROM towns;
DROP TABLE towns;
ALTER TABLE towns_new RENAME TO towns;

CREATE TABLE plans_new (
  town_id        TEXT PRIMARY KEY REFERENCES towns(id),
  title          TEXT NOT NULL,
  doc_number     TEXT NOT NULL,
  issuer         TEXT,
  issued_on      TEXT,
  basis_json     TEXT NOT NULL DEFAULT '{}',
  year           INTEGER NOT NULL,
  sections_json  TEXT NOT NULL,
  body_markdown  TEXT NOT NULL,
  updated_at     TEXT NOT NULL
);
INSERT INTO plans_new (town_id, title, doc_number, issuer, issued_on, year, sections_json, body_markdown, updated_at)
  SELECT town_id, title, doc_number, issuer, issued_on, year, sections_json, body_markdown, updated_at FROM plans;
DROP TABLE plans;
ALTER TABLE plans_new RENAME TO plans;

CREATE TABLE jurisdictions_new (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  name_en     TEXT NOT NULL,
  level       TEXT NOT NULL CHECK (level IN ('prefecture_city', 'county_city', 'district')),
  province    TEXT,
  basis_json  TEXT NOT NULL DEFAULT '{}',
  ordinal     INTEGER NOT NULL
);
INSERT INTO jurisdictions_new (id, name, name_en, level, province, ordinal)
  SELECT id, name, name_en, level, province, ordinal FROM jurisdictions;
DROP TABLE jurisdictions;
ALTER TABLE jurisdictions_new RENAME TO jurisdictions;

CREATE TABLE jurisdiction_figures_new (
  report_id     TEXT NOT NULL REFERENCES jurisdiction_reports(id),
  id            TEXT NOT NULL,
  indicator_id  TEXT REFERENCES indicators(id),
  label         TEXT NOT NULL,
  value         REAL NOT NULL,
  unit          TEXT NOT NULL,
  qualifier     TEXT NOT NULL CHECK (qualifier IN ('exact', 'approx', 'over', 'at_least', 'under')),
  text          TEXT NOT NULL,
  as_of         TEXT,
  as_of_text    TEXT,
  scope_note    TEXT,
  quote         TEXT NOT NULL,
  ordinal       INTEGER NOT NULL,
  PRIMARY KEY (report_id, id)
);
INSERT INTO jurisdiction_figures_new (report_id, id, indicator_id, label, value, unit, qualifier, text, as_of, quote, ordinal)
  SELECT report_id, id, indicator_id, label, value, unit, qualifier, text, as_of, quote, ordinal FROM jurisdiction_figures;
DROP TABLE jurisdiction_figures;
ALTER TABLE jurisdiction_figures_new RENAME TO jurisdiction_figures;
CREATE INDEX jurisdiction_figures_by_indicator ON jurisdiction_figures(indicator_id);

PRAGMA defer_foreign_keys = off;
