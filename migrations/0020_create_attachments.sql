-- Evidence (佐证材料, issue 27): photos and PDFs attached to task updates (rectification items are
-- tasks, so their reports too) and to inspections. The bytes live in R2 (binding FILES), keyed by
-- their SHA-256 (`sha256/<hex>`); the database holds metadata only.
--
-- `files`: what a town has stored — one row per town and content hash, so uploading the same bytes
-- twice stores them once (the upload is idempotent by content). The type is decided from the bytes
-- (worker/domain/files.ts), never from the name or a header.
CREATE TABLE files (
  town_id      TEXT NOT NULL REFERENCES towns(id),
  sha256       TEXT NOT NULL CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
  type         TEXT NOT NULL CHECK (type IN ('image/jpeg', 'image/png', 'image/webp', 'application/pdf')),
  bytes        INTEGER NOT NULL CHECK (bytes > 0),
  width        INTEGER CHECK (width IS NULL OR width > 0),
  height       INTEGER CHECK (height IS NULL OR height > 0),
  uploaded_by  TEXT NOT NULL,
  uploaded_at  TEXT NOT NULL,
  PRIMARY KEY (town_id, sha256),
  CHECK ((type = 'application/pdf') = (width IS NULL)),
  CHECK ((width IS NULL) = (height IS NULL))
);

-- `attachments`: a file attached to an update or an inspection, with its caption (the alt text)
-- and whether the public may see it. Default 仅内部 (internal): photos may show elderly people; the
-- office chooses 公开 (public) when approving, and may withdraw it later. A file is public only
-- while an attachment of it is public and its update is approved (worker/db/files.ts).
CREATE TABLE attachments (
  id            TEXT PRIMARY KEY,
  town_id       TEXT NOT NULL,
  owner_kind    TEXT NOT NULL CHECK (owner_kind IN ('update', 'inspection')),
  owner_id      TEXT NOT NULL,
  ordinal       INTEGER NOT NULL CHECK (ordinal >= 0),
  sha256        TEXT NOT NULL,
  thumb_sha256  TEXT,
  caption       TEXT NOT NULL CHECK (length(trim(caption)) > 0),
  visibility    TEXT NOT NULL DEFAULT 'internal' CHECK (visibility IN ('internal', 'public')),
  created_at    TEXT NOT NULL,
  FOREIGN KEY (town_id, sha256) REFERENCES files(town_id, sha256),
  FOREIGN KEY (town_id, thumb_sha256) REFERENCES files(town_id, sha256),
  UNIQUE (owner_kind, owner_id, ordinal)
);
CREATE INDEX attachments_by_file ON attachments(town_id, sha256);
CREATE INDEX attachments_by_thumb ON attachments(town_id, thumb_sha256) WHERE thumb_sha256 IS NOT NULL;
CREATE INDEX attachments_public ON attachments(town_id, visibility) WHERE visibility = 'public';

-- A task may require evidence before it is reported 已完成 (the office sets it in the task table).
ALTER TABLE tasks ADD COLUMN evidence_required INTEGER NOT NULL DEFAULT 0 CHECK (evidence_required IN (0, 1));
