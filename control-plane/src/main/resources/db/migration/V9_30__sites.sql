-- Static sites (issue 17). Files are blobs named by the SHA-256 of their content, so a file unchanged
-- between deployments (or shared by two sites) is stored once; precompressed variants are blobs too.
CREATE TABLE site_blobs (
    sha256     text        PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size       bigint      NOT NULL,
    content    bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- A site exists from its first deployment on; active_deployment is what routes naming it serve.
CREATE TABLE sites (
    name              text        PRIMARY KEY,
    id                uuid        NOT NULL UNIQUE, -- the revision log's entity id
    active_deployment uuid,
    revision          bigint      NOT NULL DEFAULT 0,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);

-- A deployment's files never change once created; its manifest (path -> sha256, size, content_type, gzip/br
-- variant hashes) gets its variants filled in once, before it is first activated.
CREATE TABLE site_deployments (
    id         uuid        PRIMARY KEY,
    site       text        NOT NULL REFERENCES sites (name) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    actor      text        NOT NULL,
    manifest   jsonb       NOT NULL,
    file_count integer     NOT NULL,
    total_size bigint      NOT NULL,
    -- the last time it became the active one: a rollback without a target goes to the latest other one
    activated_at timestamptz
);
CREATE INDEX site_deployments_site ON site_deployments (site, created_at);
ALTER TABLE sites ADD FOREIGN KEY (active_deployment) REFERENCES site_deployments (id) DEFERRABLE INITIALLY DEFERRED;

-- Which blobs each deployment holds (file contents and variants): FetchBlob serves only these, and a blob
-- no deployment holds any more can be collected.
CREATE TABLE site_deployment_blobs (
    deployment uuid NOT NULL REFERENCES site_deployments (id) ON DELETE CASCADE,
    sha256     text   NOT NULL,
    size       bigint NOT NULL, -- as the manifest lists it: an upload must match it
    PRIMARY KEY (deployment, sha256)
);
CREATE INDEX site_deployment_blobs_sha256 ON site_deployment_blobs (sha256);

-- The precompressed variant made of a blob once, for every deployment that holds it: '' when compressing
-- did not save 10%. A decision about content, not about a deployment, so it is never redone.
CREATE TABLE site_variants (
    sha256         text NOT NULL,
    encoding       text NOT NULL CHECK (encoding IN ('gzip', 'br')),
    variant_sha256 text NOT NULL,
    PRIMARY KEY (sha256, encoding)
);

-- A route serves a site instead of proxying: exactly one of upstream_id and site_name is set. site_name
-- references sites by name (sites are never renamed); RESTRICT backs up the API's in-use check (409).
ALTER TABLE routes ALTER COLUMN upstream_id DROP NOT NULL;
ALTER TABLE routes ADD COLUMN site_name text REFERENCES sites (name) ON DELETE RESTRICT;
ALTER TABLE routes ADD COLUMN site_spa  boolean NOT NULL DEFAULT false;
CREATE INDEX routes_site_name ON routes (site_name);

-- FetchBlob reads a blob in 1 MiB slices: kept uncompressed out of line, PostgreSQL reads only the slice
-- (files worth compressing have their own precompressed variant blobs).
ALTER TABLE site_blobs ALTER COLUMN content SET STORAGE EXTERNAL;
