-- Admin API trust: bearer tokens, per-entity revisions for ETag/If-Match, and Idempotency-Key replays.

-- Only the SHA-256 of a token is kept: tokens are 256-bit random strings, so a fast hash is enough and a
-- stolen table grants nothing.
CREATE TABLE admin_tokens (
    name         text        PRIMARY KEY,
    role         text        NOT NULL CHECK (role IN ('admin', 'read-only')),
    token_sha256 bytea       NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL
);

-- The revision that last wrote each entity is its ETag; existing rows take theirs from the revision log.
ALTER TABLE upstreams ADD COLUMN revision bigint;
ALTER TABLE routes ADD COLUMN revision bigint;
UPDATE upstreams e SET revision = coalesce((SELECT max(r.revision) FROM revisions r WHERE r.entity_id = e.id), 0);
UPDATE routes e SET revision = coalesce((SELECT max(r.revision) FROM revisions r WHERE r.entity_id = e.id), 0);
ALTER TABLE upstreams ALTER COLUMN revision SET NOT NULL;
ALTER TABLE routes ALTER COLUMN revision SET NOT NULL;

-- tag filters (?tags=a,b) use array containment
CREATE INDEX upstreams_tags ON upstreams USING gin (tags);
CREATE INDEX routes_tags ON routes USING gin (tags);

-- A POST with an Idempotency-Key answers a retry with its first response for 24 hours.
CREATE TABLE idempotency_keys (
    key            text        NOT NULL,
    path           text        NOT NULL,
    request_sha256 bytea       NOT NULL,
    status         int         NOT NULL,
    body           text        NOT NULL,
    revision       bigint,
    created_at     timestamptz NOT NULL,
    PRIMARY KEY (key, path)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
