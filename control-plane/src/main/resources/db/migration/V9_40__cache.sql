-- issue 17: a route's response cache policy, the admin API's "cache" object; NULL: the route does not cache.
ALTER TABLE routes ADD COLUMN cache jsonb;

-- Fleet-wide cache purges. Each is committed as a config revision (so it reaches every proxy in the snapshot
-- and a proxy's Ack of that revision is the ledger's "applied"); kind is url, prefix or tag.
CREATE TABLE cache_purges (
    id         bigserial   PRIMARY KEY,
    kind       text        NOT NULL CHECK (kind IN ('url', 'prefix', 'tag')),
    value      text        NOT NULL,
    revision   bigint      NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
