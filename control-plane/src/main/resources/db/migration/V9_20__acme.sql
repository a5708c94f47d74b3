-- Managed certificates (issue 15): declared by name, SNIs and an ACME spec; the control plane's ACME client
-- fills in the chain, key, expiry and fingerprint at issuance, so those are empty until then.
ALTER TABLE certificates ALTER COLUMN cert DROP NOT NULL,
                         ALTER COLUMN key_ciphertext DROP NOT NULL,
                         ALTER COLUMN expires_at DROP NOT NULL,
                         ALTER COLUMN fingerprint_sha256 DROP NOT NULL;
-- issuer, email, eab.kid: never the EAB HMAC key, which sits sealed (AES-256-GCM, master key) beside it
ALTER TABLE certificates ADD COLUMN acme jsonb, ADD COLUMN acme_eab_hmac bytea;
ALTER TABLE certificates ADD CONSTRAINT certificates_cert_or_acme
    CHECK (acme IS NOT NULL OR (cert IS NOT NULL AND key_ciphertext IS NOT NULL));

-- The ACME client's progress per managed certificate: operational state, not config (no revision, no rollback).
CREATE TABLE acme_status (
    certificate_name text        PRIMARY KEY,
    status           text        NOT NULL CHECK (status IN ('pending', 'valid', 'renewing', 'failed')),
    last_error       text,
    next_attempt_at  timestamptz,
    failures         integer     NOT NULL DEFAULT 0,
    renew_requested  boolean     NOT NULL DEFAULT false,
    -- the order in progress: a replica that takes over finishes this order instead of placing a second one
    order_url        text,
    order_snis       text[],
    -- the order's certificate key (PKCS#8, sealed under the master key), so a replica that takes over can finalize
    order_key        bytea,
    updated_at       timestamptz NOT NULL
);

-- One ACME account per directory and contact; its key sealed under the master key like certificate keys.
CREATE TABLE acme_accounts (
    directory      text        NOT NULL,
    email          text        NOT NULL DEFAULT '',
    key_ciphertext bytea       NOT NULL,
    account_url    text        NOT NULL,
    created_at     timestamptz NOT NULL,
    PRIMARY KEY (directory, email)
);

-- HTTP-01 tokens every proxy answers (pushed in the snapshot; public by design: the CA reads them).
CREATE TABLE acme_http_challenges (
    token             text        PRIMARY KEY,
    key_authorization text        NOT NULL,
    certificate_name  text        NOT NULL,
    created_at        timestamptz NOT NULL
);

-- TLS-ALPN-01 challenge certificates (RFC 8737) every proxy serves to "acme-tls/1" handshakes; keys sealed.
CREATE TABLE acme_tls_alpn_challenges (
    domain           text        PRIMARY KEY,
    cert_pem         text        NOT NULL,
    key_ciphertext   bytea       NOT NULL,
    certificate_name text        NOT NULL,
    created_at       timestamptz NOT NULL
);

-- Orders placed, per directory: the per-issuer budget counts these.
CREATE TABLE acme_order_log (
    directory        text        NOT NULL,
    certificate_name text        NOT NULL,
    placed_at        timestamptz NOT NULL
);
CREATE INDEX acme_order_log_directory ON acme_order_log (directory, placed_at);

-- The fleet as every replica sees it, for the ACME client on whichever replica holds the lock: each replica
-- writes its connected nodes' applied versions, and a heartbeat, so the order waits for proxies on all replicas
-- (a dead replica's nodes stop counting once its heartbeat is stale).
CREATE TABLE fleet_nodes (
    node_id         text        PRIMARY KEY,
    replica         text        NOT NULL,
    connected       boolean     NOT NULL,
    applied_version bigint      NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE TABLE control_plane_replicas (
    replica      text        PRIMARY KEY,
    heartbeat_at timestamptz NOT NULL
);
