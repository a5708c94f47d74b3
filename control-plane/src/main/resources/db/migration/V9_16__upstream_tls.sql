-- TLS from the proxies to an upstream's targets (issue 14): the admin API's {"verify", "sni", "ca"} shape;
-- NULL means plaintext, as before.
ALTER TABLE upstreams ADD COLUMN tls jsonb;
