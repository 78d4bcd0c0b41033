-- Region bulletins (issue 24): a region supervisor drafts a bulletin of its region; issuing gives it
-- the next number of the region and year (山亭区医养督〔2026〕1号) and freezes its figures — the
-- region's public read model (RegionView) as it stood at issue. The same guarantees as the town
-- bulletins of migration 0006: numbered at issue, unique per region and year, frozen once issued.
CREATE TABLE region_bulletins (
  id            TEXT PRIMARY KEY,
  region_id     TEXT NOT NULL REFERENCES regions(id),
  title         TEXT NOT NULL,
  remarks       TEXT NOT NULL DEFAULT '',
  state         TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'issued')),
  visibility    TEXT NOT NULL DEFAULT 'internal' CHECK (visibility IN ('internal', 'public')),
  year          INTEGER,
  seq           INTEGER,
  number        TEXT,
  figures_json  TEXT,                       -- RegionView frozen at issue; NULL for a draft (computed live)
  created_by    TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  issued_by     TEXT,
  issued_at     TEXT,
  published_at  TEXT,
  CHECK ((state = 'issued') = (number IS NOT NULL)),
  CHECK ((state = 'issued') = (figures_json IS NOT NULL)),
  CHECK ((state = 'issued') = (seq IS NOT NULL AND year IS NOT NULL)),
  CHECK (visibility = 'internal' OR state = 'issued'),
  UNIQUE (region_id, year, seq)
);
CREATE INDEX region_bulletins_by_region ON region_bulletins(region_id, state, visibility, issued_at);

CREATE TRIGGER region_bulletins_frozen BEFORE UPDATE ON region_bulletins
WHEN OLD.state = 'issued' AND (
  NEW.state IS NOT OLD.state OR NEW.number IS NOT OLD.number OR NEW.seq IS NOT OLD.seq OR NEW.year IS NOT OLD.year OR
  NEW.figures_json IS NOT OLD.figures_json OR NEW.title IS NOT OLD.title OR NEW.remarks IS NOT OLD.remarks OR
  NEW.issued_at IS NOT OLD.issued_at OR NEW.region_id IS NOT OLD.region_id)
BEGIN
  SELECT RAISE(ABORT, 'an issued bulletin is frozen');
END;
CREATE TRIGGER region_bulletins_no_delete_issued BEFORE DELETE ON region_bulletins
WHEN OLD.state = 'issued'
BEGIN
  SELECT RAISE(ABORT, 'an issued bulletin cannot be deleted');
END;
