-- Certificates and stream routes in the declarative document and in rollback.

-- Every private key the control plane has held, by the SHA-256 fingerprint of the leaf it belongs to, as
-- AES-256-GCM ciphertext under the master key (as certificates.key_ciphertext). The revision log keeps no
-- key material at all; a rollback, or a document that leaves `key` out, finds the key here by the
-- fingerprint its certificate's after-image carries. A leaf has one public key, so one key serves it.
CREATE TABLE certificate_keys (
    fingerprint_sha256 text        PRIMARY KEY,
    key_ciphertext     bytea       NOT NULL,
    updated_at         timestamptz NOT NULL
);
INSERT INTO certificate_keys (fingerprint_sha256, key_ciphertext, updated_at)
SELECT DISTINCT ON (fingerprint_sha256) fingerprint_sha256, key_ciphertext, updated_at
FROM certificates ORDER BY fingerprint_sha256, updated_at DESC;

-- A document may swap two stream routes' ports in one apply; the pair stays unique, checked at commit.
ALTER TABLE stream_routes DROP CONSTRAINT stream_routes_listen_port_protocol_key;
ALTER TABLE stream_routes ADD CONSTRAINT stream_routes_listen_port_protocol_key
    UNIQUE (listen_port, protocol) DEFERRABLE INITIALLY IMMEDIATE;
