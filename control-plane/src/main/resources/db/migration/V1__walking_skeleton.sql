-- The whole config of an Edgeway fleet. Every committed change bumps config_revision by exactly one in the
-- same transaction, so revisions are gapless and a snapshot's version names one state on every replica.

CREATE TABLE config_revision (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    revision  bigint  NOT NULL
);
INSERT INTO config_revision (singleton, revision) VALUES (true, 0);

CREATE TABLE upstreams (
    id         uuid        PRIMARY KEY,
    name       text        NOT NULL UNIQUE,
    tags       text[]      NOT NULL DEFAULT '{}',
    -- targets are always read and written with their upstream, so they live inside it
    targets    jsonb       NOT NULL DEFAULT '[]',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE routes (
    id                  uuid        PRIMARY KEY,
    name                text        NOT NULL UNIQUE,
    tags                text[]      NOT NULL DEFAULT '{}',
    hosts               text[]      NOT NULL DEFAULT '{}',
    paths               text[]      NOT NULL DEFAULT '{}',
    methods             text[]      NOT NULL DEFAULT '{}',
    -- by id, so renaming an upstream keeps its routes; RESTRICT backs up the API's in-use check
    upstream_id         uuid        NOT NULL REFERENCES upstreams (id) ON DELETE RESTRICT,
    connect_timeout_ms  bigint,
    first_byte_timeout_ms bigint,
    idle_timeout_ms     bigint,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);
CREATE INDEX routes_upstream_id ON routes (upstream_id);

CREATE TABLE revisions (
    revision    bigint      PRIMARY KEY,
    created_at  timestamptz NOT NULL,
    actor       text        NOT NULL,
    entity_kind text        NOT NULL,
    entity_id   uuid        NOT NULL,
    entity_name text        NOT NULL,
    action      text        NOT NULL,
    before      jsonb,
    after       jsonb
);
