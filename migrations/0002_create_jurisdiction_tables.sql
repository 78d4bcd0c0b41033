-- Figures reported by other jurisdictions, published for comparison only:
-- never joined into a town's own progress.

CREATE TABLE jurisdictions (
  id        TEXT PRIMARY KEY,
  name      TEXT NOT NULL,
  name_en   TEXT NOT NULL,
  level     TEXT NOT NULL CHECK (level IN ('prefecture_city', 'county_city', 'district')),
  province  TEXT NOT NULL,
  ordinal   INTEGER NOT NULL
);

CREATE TABLE jurisdiction_reports (
  id               TEXT PRIMARY KEY,
  jurisdiction_id  TEXT NOT NULL REFERENCES jurisdictions(id),
  title            TEXT NOT NULL,
  doc_number       TEXT,
  issuer           TEXT NOT NULL,
  date             TEXT,
  addressee        TEXT,
  source_file      TEXT NOT NULL,
  note             TEXT,
  ordinal          INTEGER NOT NULL
);

CREATE TABLE jurisdiction_figures (
  report_id     TEXT NOT NULL REFERENCES jurisdiction_reports(id),
  id            TEXT NOT NULL,
  indicator_id  TEXT REFERENCES indicators(id),
  label         TEXT NOT NULL,
  value         REAL NOT NULL,
  unit          TEXT NOT NULL,
  qualifier     TEXT NOT NULL CHECK (qualifier IN ('exact', 'approx', 'over', 'at_least', 'under')),
  text          TEXT NOT NULL,
  as_of         TEXT NOT NULL,
  quote         TEXT NOT NULL,
  ordinal       INTEGER NOT NULL,
  PRIMARY KEY (report_id, id)
);
CREATE INDEX jurisdiction_figures_by_indicator ON jurisdiction_figures(indicator_id);
