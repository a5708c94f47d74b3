-- Load-balancing policy and health checks per upstream (issue 4). V4 because V2 and V3 belong to other work.
-- hash_on and health_check hold the admin API's JSON shape; NULL means off.
ALTER TABLE upstreams
    ADD COLUMN policy        text   NOT NULL DEFAULT 'round_robin',
    ADD COLUMN hash_on       jsonb,
    ADD COLUMN slow_start_ms bigint,
    ADD COLUMN health_check  jsonb;
