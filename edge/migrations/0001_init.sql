-- Durable records of the edge. Times are ISO-8601 UTC strings; ids are random url-safe strings.
CREATE TABLE workspaces (
  id TEXT PRIMARY KEY,
  created_at TEXT NOT NULL
);

CREATE TABLE uploads (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  kind TEXT NOT NULL CHECK (kind IN ('features', 'labels')),
  filename TEXT NOT NULL,
  size INTEGER NOT NULL,
  storage_key TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL CHECK (status IN ('pending', 'verified')),
  info TEXT,
  created_at TEXT NOT NULL,
  verified_at TEXT
);
CREATE INDEX uploads_workspace ON uploads(workspace_id, created_at);

CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  params TEXT NOT NULL,
  features_upload_id TEXT NOT NULL REFERENCES uploads(id),
  labels_upload_id TEXT REFERENCES uploads(id),
  n INTEGER,
  d INTEGER,
  attempt INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL DEFAULT 3,
  lease_id TEXT,
  lease_fence INTEGER,
  lease_expires_at INTEGER,
  worker_id TEXT,
  progress TEXT,
  error_code TEXT,
  error_message TEXT,
  results_prefix TEXT,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT
);
CREATE INDEX jobs_workspace ON jobs(workspace_id, created_at);
CREATE INDEX jobs_status ON jobs(status, created_at);

CREATE TABLE frames (
  job_id TEXT NOT NULL REFERENCES jobs(id),
  seq INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  iteration INTEGER NOT NULL,
  kl REAL,
  storage_key TEXT NOT NULL,
  PRIMARY KEY (job_id, attempt, seq)
);

-- Monotonic counters (lease fencing numbers).
CREATE TABLE counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('lease_fence', 0);
