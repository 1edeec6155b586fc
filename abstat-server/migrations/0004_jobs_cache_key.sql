-- A result-cache hit answers with the owner's first job under the same key
-- (jobs::Jobs::submit): one indexed read instead of a write per request.
CREATE INDEX jobs_owner_cache_key ON jobs (owner_id, cache_key);
