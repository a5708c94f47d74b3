-- A route's rate limit and request body limit (issue 18). NULL rate_limit_requests: no rate limit;
-- max_body_bytes 0: no limit beyond the proxy's own.
ALTER TABLE routes ADD COLUMN rate_limit_requests integer;
ALTER TABLE routes ADD COLUMN rate_limit_per_ms   bigint;
ALTER TABLE routes ADD COLUMN rate_limit_burst    integer;
ALTER TABLE routes ADD COLUMN rate_limit_by       text;
ALTER TABLE routes ADD COLUMN rate_limit_scope    text;
ALTER TABLE routes ADD COLUMN max_body_bytes      bigint NOT NULL DEFAULT 0;
