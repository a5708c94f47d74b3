-- How the proxies talk to an upstream's targets (issue 3): 'http1' (pooled HTTP/1.1) or 'h2c' (HTTP/2 with
-- prior knowledge). V7 because V5 may be taken by other work.
ALTER TABLE upstreams
    ADD COLUMN protocol text NOT NULL DEFAULT 'http1' CHECK (protocol IN ('http1', 'h2c'));
