-- What the content loader read each town from (issue 23): the digest of the town's files (with
-- the files outside towns/ and the loader's scheme), the town's part of the content hash and its
-- line of the load's audit summary. A load from content/ re-reads and rewrites only the towns
-- whose digest differs, so adding one town to a thousand costs one town's work. A town written
-- from a bundle (tests, or a loader that knows no files) has no row here: the next load re-reads it.
-- Exported with the towns (worker/db/backup.ts): a restored database keeps what it was loaded from.
CREATE TABLE content_towns (
  town_id        TEXT PRIMARY KEY REFERENCES towns(id),
  source_digest  TEXT NOT NULL,
  town_hash      TEXT NOT NULL,
  summary_json   TEXT NOT NULL
);
