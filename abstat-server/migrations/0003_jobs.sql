-- Jobs, their results and the in-process job queue, in the SQL both SQLite
-- and PostgreSQL accept. Times are milliseconds since the Unix epoch.
CREATE TABLE jobs (
    id              TEXT PRIMARY KEY,
    owner_id        TEXT NOT NULL REFERENCES users (id),
    kind            TEXT NOT NULL,
    dataset_id      TEXT NOT NULL,
    dataset_version BIGINT NOT NULL,
    request         TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempt         BIGINT NOT NULL,
    error           TEXT,
    cache_key       TEXT,
    cached          BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    started_at      BIGINT,
    finished_at     BIGINT
);
CREATE INDEX jobs_owner ON jobs (owner_id, created_at);

-- One result per job: the primary key makes a second write a no-op.
CREATE TABLE job_results (
    job_id     TEXT PRIMARY KEY REFERENCES jobs (id),
    result     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- The in-process queue. A row is a message; `claimed_by` names the process
-- that holds it; completing deletes it; a dead letter keeps it with a reason.
CREATE TABLE job_queue (
    id          BIGINT PRIMARY KEY,
    job_id      TEXT NOT NULL,
    message     TEXT NOT NULL,
    not_before  BIGINT NOT NULL,
    enqueued_at BIGINT NOT NULL,
    claimed_by  TEXT,
    claimed_at  BIGINT,
    last_error  TEXT,
    dead_reason TEXT,
    dead_at     BIGINT
);
CREATE INDEX job_queue_ready ON job_queue (not_before, enqueued_at);
