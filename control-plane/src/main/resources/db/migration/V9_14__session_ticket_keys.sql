-- TLS session ticket keys (issue 14, TLS termination): made and rotated by the control plane and pushed to
-- every proxy, so a ticket one proxy issued resumes on any other. 48 random bytes each (name, HMAC key,
-- AES key), sealed under the master key like certificate keys. Numbered 9.14 so that it cannot collide with
-- a V9 written in parallel.
CREATE TABLE session_ticket_keys (
    id         bigserial   PRIMARY KEY,
    sealed     bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
