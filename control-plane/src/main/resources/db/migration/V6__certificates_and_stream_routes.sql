-- TLS certificates and L4 stream routes (issue "An admin API operators trust"). V6 because V5 may be taken.
-- Neither is pushed to the proxies yet: they are stored, validated and versioned like every entity.

CREATE TABLE certificates (
    id                 uuid        PRIMARY KEY,
    name               text        NOT NULL UNIQUE,
    tags               text[]      NOT NULL DEFAULT '{}',
    -- the PEM chain, leaf first, as given
    cert               text        NOT NULL,
    -- the PKCS#8 private key, AES-256-GCM under the master key: 12-byte nonce, then ciphertext and tag
    key_ciphertext     bytea       NOT NULL,
    snis               text[]      NOT NULL DEFAULT '{}',
    expires_at         timestamptz NOT NULL,
    fingerprint_sha256 text        NOT NULL,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    revision           bigint      NOT NULL
);
-- SNI uniqueness across certificates is checked under the revision lock; this makes the lookup an index scan
CREATE INDEX certificates_snis ON certificates USING gin (snis);

CREATE TABLE stream_routes (
    id          uuid        PRIMARY KEY,
    name        text        NOT NULL UNIQUE,
    tags        text[]      NOT NULL DEFAULT '{}',
    listen_port integer     NOT NULL CHECK (listen_port BETWEEN 1 AND 65535),
    protocol    text        NOT NULL CHECK (protocol IN ('tcp', 'udp')),
    snis        text[]      NOT NULL DEFAULT '{}',
    -- by id, so renaming an upstream keeps its stream routes; RESTRICT backs up the API's in-use check
    upstream_id uuid        NOT NULL REFERENCES upstreams (id) ON DELETE RESTRICT,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    revision    bigint      NOT NULL,
    UNIQUE (listen_port, protocol)
);
CREATE INDEX stream_routes_upstream_id ON stream_routes (upstream_id);
