-- Model jobs (issue 7): uploads of kind 'model' (.onnx) and 'inputs' (.npy batch or image archive), and
-- the job's `model` section. SQLite cannot widen a CHECK constraint in place, so uploads is rebuilt with
-- the same columns; foreign keys from jobs and upload_parts are checked at commit.
PRAGMA defer_foreign_keys = on;

CREATE TABLE uploads_new (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  kind TEXT NOT NULL CHECK (kind IN ('features', 'labels', 'model', 'inputs')),
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

ALTER TABLE jobs ADD COLUMN model TEXT;
