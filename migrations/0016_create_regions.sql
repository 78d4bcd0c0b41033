-- Regions (issue 24): the counties (区/县/县级市) and cities (市) above the towns, from
-- content/regions.yaml, written only by the content loader (worker/db/content.ts).
-- A town belongs to at most one county and one city (towns.county_region_id / city_region_id,
-- set by the loader from the town's own county and city fields: worker/domain/regions.ts).
CREATE TABLE regions (
  id              TEXT PRIMARY KEY,
  name            TEXT NOT NULL,
  level           TEXT NOT NULL CHECK (level IN ('county', 'city')),
  city_id         TEXT REFERENCES regions(id),
  jurisdiction_id TEXT,
  document_json   TEXT NOT NULL,           -- Region (worker/domain/content.ts)
  ordinal         INTEGER NOT NULL
);

ALTER TABLE towns ADD COLUMN county_region_id TEXT REFERENCES regions(id);
ALTER TABLE towns ADD COLUMN city_region_id TEXT REFERENCES regions(id);

-- A region page lists its towns (by name) from one statement.
CREATE INDEX towns_by_county_region ON towns (county_region_id, name, id);
CREATE INDEX towns_by_city_region ON towns (city_region_id, name, id);
