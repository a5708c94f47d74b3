-- The control channel (issue 14): join tokens that proxies exchange for client certificates, and every
-- certificate issued, so one can be refused from the moment its node is revoked.
-- (Version 4.1 rather than 4: the TLS-termination half of the issue is written in parallel and may take 4.)

-- Only the SHA-256 of the secret is kept; the secret is 256 random bits, shown once.
CREATE TABLE join_tokens (
    id            text        PRIMARY KEY,
    name          text        NOT NULL UNIQUE,
    secret_sha256 bytea       NOT NULL,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL
);

CREATE TABLE node_certificates (
    serial      text        PRIMARY KEY,   -- hex, as the TLS peer certificate shows it
    node_id     text        NOT NULL,
    issued_at   timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    join_token  text                       -- the token's name for a join, NULL for a renewal
);
CREATE INDEX node_certificates_node ON node_certificates (node_id);
-- Revocations are loaded whole at start and polled for changes; expired ones no longer matter.
CREATE INDEX node_certificates_revoked ON node_certificates (revoked_at) WHERE revoked_at IS NOT NULL;
