-- A route's actions (issue 17): redirect, strip_prefix/rewrite, request_headers, response_headers, compression,
-- as the API spells them (null: a plain proxy route). A redirect route has no upstream.
ALTER TABLE routes ADD COLUMN actions jsonb;
ALTER TABLE routes ALTER COLUMN upstream_id DROP NOT NULL;
