-- API tokens (stored as SHA-256 of the secret), share links (capability tokens), idempotent job creation,
-- write-once uploads (verified copies) and multipart upload parts.
CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  scopes TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at INTEGER,
  revoked_at TEXT,
  last_used_at TEXT
);
CREATE INDEX api_tokens_workspace ON api_tokens(workspace_id);

CREATE TABLE share_links (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  job_id TEXT NOT NULL REFERENCES jobs(id),
  token TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  expires_at INTEGER,
  revoked_at TEXT
);
CREATE INDEX share_links_job ON share_links(job_id);

CREATE TABLE idempotency_keys (
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  key TEXT NOT NULL,
  job_id TEXT NOT NULL REFERENCES jobs(id),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, key)
);

ALTER TABLE uploads ADD COLUMN verified_key TEXT;
ALTER TABLE uploads ADD COLUMN multipart_id TEXT;
ALTER TABLE uploads ADD COLUMN part_size INTEGER;

CREATE TABLE upload_parts (
  upload_id TEXT NOT NULL REFERENCES uploads(id),
  part_number INTEGER NOT NULL,
  etag TEXT NOT NULL,
  size INTEGER NOT NULL,
  PRIMARY KEY (upload_id, part_number)
);

-- Test clock offset (only read when the TEST_CLOCK variable is set).
INSERT INTO counters (name, value) VALUES ('clock_offset_ms', 0);
