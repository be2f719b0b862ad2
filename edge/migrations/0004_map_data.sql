-- Map data (issue 6): uploads of kind 'metadata' (.csv/.tsv, one row per point), jobs over several
-- feature files and with a metadata table. SQLite cannot widen a CHECK constraint in place, so uploads is
-- rebuilt with the same columns (as in 0003); foreign keys from jobs and upload_parts are checked at commit.
PRAGMA defer_foreign_keys = on;

CREATE TABLE uploads_new (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  kind TEXT NOT NULL CHECK (kind IN ('features', 'labels', 'model', 'inputs', 'metadata')),
  filename TEXT NOT NULL,
  size INTEGER NOT NULL,
  storage_key TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL CHECK (status IN ('pending', 'verified')),
  info TEXT,
  created_at TEXT NOT NULL,
  verified_at TEXT,
  verified_key TEXT,
  multipart_id TEXT,
  part_size INTEGER
);
INSERT INTO uploads_new (id, workspace_id, kind, filename, size, storage_key, status, info, created_at, verified_at, verified_key, multipart_id, part_size)
  SELECT id, workspace_id, kind, filename, size, storage_key, status, info, created_at, verified_at, verified_key, multipart_id, part_size FROM uploads;
DROP TABLE uploads;
ALTER TABLE uploads_new RENAME TO uploads;
CREATE INDEX uploads_workspace ON uploads(workspace_id, created_at);

PRAGMA defer_foreign_keys = off;

-- JSON array of every features upload id in order, when there is more than one (features_upload_id is the first).
ALTER TABLE jobs ADD COLUMN feature_uploads TEXT;
ALTER TABLE jobs ADD COLUMN metadata_upload_id TEXT REFERENCES uploads(id);
