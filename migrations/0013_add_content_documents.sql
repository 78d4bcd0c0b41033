-- Every reader reads the plan from D1 (issue 23): the Worker bundle and the build hold no town.
--   towns.document_json         the town's validated content less its tasks and plan text
--                               (TownDocument in worker/domain/content.ts); tasks live in `tasks`,
--                               the plan text in plans.body_markdown.
--   indicators.document_json    the catalogue entry as content/indicators.yaml defines it.
--   jurisdictions.document_json the jurisdiction and its reports as content/jurisdictions/ defines them.
-- All three are written only by the content loader (worker/db/content.ts), after content:check's
-- schema has accepted them; the normalised columns beside them stay for SQL (API, joins).
--
-- town_summaries: one row per town with what the home and region pages show of it (TownSummary in
-- worker/domain/public-model.ts), judged on `as_of` (China day). Refreshed after every write that
-- purges the town's pages (worker/public-cache.ts) and by the nightly job; a row that is missing,
-- marked stale by a content load, or judged on an earlier day is recomputed by the page that needs it.
ALTER TABLE towns ADD COLUMN document_json TEXT;
ALTER TABLE indicators ADD COLUMN document_json TEXT;
ALTER TABLE jurisdictions ADD COLUMN document_json TEXT;

CREATE TABLE town_summaries (
  town_id          TEXT PRIMARY KEY REFERENCES towns(id),
  as_of            TEXT NOT NULL,
  stale            INTEGER NOT NULL DEFAULT 0 CHECK (stale IN (0, 1)),
  last_approved_at TEXT,
  summary_json     TEXT NOT NULL,
  computed_at      TEXT NOT NULL
);

-- The home page lists towns by city, county and name, 50 a page, and filters by county.
CREATE INDEX towns_by_place ON towns (city, county, name, id);
CREATE INDEX towns_by_county ON towns (county, name, id);
