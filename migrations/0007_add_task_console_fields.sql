-- Task management from the console (领导小组办公室): fields the office edited through the API are
-- pinned, so the content loader (worker/db/content.ts) leaves them alone on the next load instead of
-- silently writing content/'s value back over the office's edit.
--
-- console_fields is a JSON array of pinned field names, a subset of
--   ["code", "parent", "kind", "title", "units", "lead_member", "due", "weight"]
-- ('units' pins the task's rows in task_units). A task created through the API has every field
-- pinned: content/ does not own it. Content-owned tasks start with none.
ALTER TABLE tasks ADD COLUMN console_fields TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(console_fields) AND json_type(console_fields) = 'array');

